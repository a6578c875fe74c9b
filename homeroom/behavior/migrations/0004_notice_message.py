import django.db.models.deletion
from django.db import migrations, models


def link_sent_notices(apps, schema_editor):
    """Notices sent before the link existed: the school's message in the family's moment
    thread written when the notice was (the one nearest in time)."""
    MomentNotice = apps.get_model("behavior", "MomentNotice")
    MomentThread = apps.get_model("behavior", "MomentThread")
    Message = apps.get_model("messaging", "Message")
    threads = {
        (t.guardian_id, t.student_id): t.conversation_id for t in MomentThread.objects.all()
    }
    for notice in MomentNotice.objects.filter(message__isnull=True).select_related("moment"):
        conversation = threads.get((notice.guardian_id, notice.moment.student_id))
        if conversation is None:
            continue
        candidates = Message.objects.filter(
            conversation_id=conversation, author_staff__isnull=False
        )
        after = candidates.filter(created_at__gte=notice.sent_at).order_by("created_at").first()
        before = candidates.filter(created_at__lt=notice.sent_at).order_by("-created_at").first()
        nearest = min(
            (m for m in (after, before) if m is not None),
            key=lambda m: abs((m.created_at - notice.sent_at).total_seconds()),
            default=None,
        )
        if nearest is not None:
            notice.message_id = nearest.pk
            notice.save(update_fields=["message"])


class Migration(migrations.Migration):
    dependencies = [
        ("behavior", "0003_response_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="momentnotice",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="messaging.message",
            ),
        ),
        migrations.RunPython(link_sent_notices, migrations.RunPython.noop),
    ]
