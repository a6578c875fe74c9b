import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_conversation_district"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="conversation",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="conversations",
                to="people.district",
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["district", "-last_message_at"], name="messaging_c_distric_67da05_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=models.Q(("school__isnull", False), ("kind", "announcement"), _connector="OR"),
                name="only_announcements_go_without_school",
            ),
        ),
    ]
