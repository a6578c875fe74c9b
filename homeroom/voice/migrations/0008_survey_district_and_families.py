import django.db.models.deletion
from django.db import migrations, models


def district_of_school(apps, schema_editor):
    Survey = apps.get_model("voice", "Survey")
    for survey in Survey.objects.filter(district__isnull=True).select_related("school"):
        survey.district_id = survey.school.district_id
        survey.save(update_fields=["district"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("voice", "0007_surveys_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="district",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="surveys",
                to="people.district",
            ),
        ),
        migrations.RunPython(district_of_school, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="survey",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="surveys",
                to="people.district",
            ),
        ),
        migrations.AlterField(
            model_name="survey",
            name="school",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="surveys",
                to="people.school",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="families",
            field=models.ManyToManyField(blank=True, related_name="+", to="people.guardian"),
        ),
    ]
