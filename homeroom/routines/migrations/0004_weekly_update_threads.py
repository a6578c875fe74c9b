"""The weekly update's sentences now follow one another in one conversation per teacher and
child: the conversation of each teacher's latest sentence about a child carries on."""

from django.db import migrations


def keep_latest_weekly_threads(apps, schema_editor):
    UpdateSentence = apps.get_model("routines", "UpdateSentence")
    Conversation = apps.get_model("messaging", "Conversation")
    latest = {}
    sent = (
        UpdateSentence.objects.filter(message__isnull=False, message__author_staff__isnull=False)
        .order_by("message__created_at", "message_id")
        .values_list("student_id", "message__author_staff_id", "message__conversation_id")
    )
    for student_id, staff_id, conversation_id in sent.iterator():
        latest[(student_id, staff_id)] = conversation_id
    Conversation.objects.filter(pk__in=set(latest.values())).update(standing=True)


class Migration(migrations.Migration):
    dependencies = [
        ("routines", "0003_home_visit"),
        ("messaging", "0009_standing_conversations_and_quotes"),
    ]

    operations = [
        migrations.RunPython(keep_latest_weekly_threads, migrations.RunPython.noop),
    ]
