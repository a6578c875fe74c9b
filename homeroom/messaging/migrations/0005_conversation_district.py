"""Every conversation names its district; an announcement to the whole district belongs to
no school (it used to be filed under the district's first school, whose staff could open it
and write into it)."""

import django.db.models.deletion
from django.db import migrations, models


def file_under_districts(apps, schema_editor):
    Conversation = apps.get_model("messaging", "Conversation")
    School = apps.get_model("people", "School")
    districts = dict(School.objects.values_list("pk", "district_id"))
    for school_id, district_id in districts.items():
        Conversation.objects.filter(school_id=school_id).update(district_id=district_id)
    Conversation.objects.filter(kind="announcement", audience__kind="district").update(
        school_id=None
    )


def file_under_first_school(apps, schema_editor):
    Conversation = apps.get_model("messaging", "Conversation")
    School = apps.get_model("people", "School")
    for conversation in Conversation.objects.filter(school_id__isnull=True):
        first = School.objects.filter(district_id=conversation.district_id).order_by("pk").first()
        if first is None:
            conversation.delete()
        else:
            Conversation.objects.filter(pk=conversation.pk).update(school_id=first.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_attachments"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="district",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="conversations",
                to="people.district",
            ),
        ),
        migrations.AlterField(
            model_name="conversation",
            name="school",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="conversations",
                to="people.school",
            ),
        ),
        migrations.RunPython(file_under_districts, file_under_first_school),
    ]
