"""Staff choose how they hear of family messages (an email each, hourly, or the badge only)
instead of opting into a digest; the last-digest time becomes the last-alert time."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    StaffMember = apps.get_model("people", "StaffMember")
    StaffMember.objects.filter(reply_digest=True).update(family_alerts="hourly")


def backwards(apps, schema_editor):
    StaffMember = apps.get_model("people", "StaffMember")
    StaffMember.objects.filter(family_alerts="hourly").update(reply_digest=True)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_preferences_out_of_metadata")]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="family_alerts",
            field=models.CharField(
                choices=[
                    ("each", "An email for each family message"),
                    ("hourly", "One email an hour at most, listing them"),
                    ("badge", "No email: the unread count in Homeroom only"),
                ],
                default="each",
                max_length=10,
                verbose_name="how you hear of family messages",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="staffmember", name="reply_digest"),
        migrations.RenameField(
            model_name="staffmember", old_name="reply_digest_sent_at", new_name="alerted_at"
        ),
    ]
