"""A family's written answer points at its message; the conversations earlier answers went
to become the standing conversation of that family and the moment's author."""

import django.db.models.deletion
from django.db import migrations, models


def link_earlier_answers(apps, schema_editor):
    FamilyResponse = apps.get_model("behavior", "FamilyResponse")
    Conversation = apps.get_model("messaging", "Conversation")
    Message = apps.get_model("messaging", "Message")
    answers = FamilyResponse.objects.filter(conversation__isnull=False, message__isnull=True)
    conversations = set()
    for answer in answers.iterator():
        conversations.add(answer.conversation_id)
        written = (
            Message.objects.filter(
                conversation_id=answer.conversation_id,
                author_guardian_id=answer.guardian_id,
                created_at__lte=answer.created_at,
            )
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if written is not None:
            FamilyResponse.objects.filter(pk=answer.pk).update(message_id=written)
    Conversation.objects.filter(pk__in=conversations).update(standing=True)


class Migration(migrations.Migration):
    dependencies = [
        ("behavior", "0002_default_categories"),
        ("messaging", "0009_standing_conversations_and_quotes"),
    ]

    operations = [
        migrations.AddField(
            model_name="familyresponse",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="messaging.message",
            ),
        ),
        migrations.RunPython(link_earlier_answers, migrations.RunPython.noop),
    ]
