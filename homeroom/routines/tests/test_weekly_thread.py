"""The weekly update week after week: one conversation per teacher and child, a new message
in it each week, and each reply counted for the sentence it follows."""

from datetime import timedelta

from homeroom.behavior import recording
from homeroom.behavior.models import Category
from homeroom.messaging.access import family_words_visible_to
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Conversation, Message, Participant
from homeroom.routines import common, weekly
from homeroom.routines.models import UpdateSentence


def week(world, weeks_ago):
    start = common.week_start_of(common.local_today(world.north)) - timedelta(weeks=weeks_ago)
    return weekly.weekly_update_for(world.math, world.rivera, start)


def send(world, weeks_ago, **sentences):
    update = week(world, weeks_ago)
    for name, text in sentences.items():
        weekly.save_sentence(update, getattr(world, name), text)
    weekly.send_weekly_update(update, world.rivera)
    return update


def sentence_of(update, student):
    return UpdateSentence.objects.select_related("message").get(update=update, student=student)


def test_three_weeks_of_sentences_are_three_messages_in_one_conversation(awake):
    world = awake
    updates = [
        send(world, 2, ana="Ana read her poem to the class today."),
        send(world, 1, ana="Ana solved five fraction problems on her own."),
        send(world, 0, ana="Ana could practise the seven times table at home."),
    ]
    conversations = Conversation.objects.filter(student=world.ana)
    assert conversations.count() == 1
    conversation = conversations.get()
    assert conversation.standing and conversation.subject == "Weekly update"
    assert conversation.subject_in("es") == "Mensaje semanal"
    messages = list(conversation.messages.order_by("created_at", "pk"))
    assert [m.body for m in messages] == [
        "Ana read her poem to the class today.",
        "Ana solved five fraction problems on her own.",
        "Ana could practise the seven times table at home.",
    ]
    assert [sentence_of(u, world.ana).message for u in updates] == messages
    # Both households hear the school's sentences; the barred father of Cal is not involved.
    families = set(
        Participant.objects.filter(conversation=conversation, guardian__isnull=False).values_list(
            "guardian__given_name", flat=True
        )
    )
    assert families == {"Rosa", "Marco"}
    assert set(messages[-1].deliveries.values_list("guardian__given_name", flat=True)) == {
        "Rosa",
        "Marco",
    }


def test_a_reply_counts_for_the_sentence_it_follows_only(awake):
    world = awake
    first = send(world, 2, ana="Ana read her poem to the class today.")
    thread = sentence_of(first, world.ana).message.conversation
    receive_reply(world.rosa, thread, "¡Gracias, maestra!", "sms")
    second = send(world, 1, ana="Ana solved five fraction problems on her own.")
    third = send(world, 0, ana="Ana could practise the seven times table at home.")
    receive_reply(world.marco, thread, "Thanks, we will practise.", "email")

    replied = {row["week_start"]: row["replied"] for row in weekly.weekly_coverage(world.math)}
    assert replied == {first.week_start: 1, second.week_start: 0, third.week_start: 1}


def test_an_answer_to_a_moment_is_not_a_reply_to_the_sentence(awake):
    world = awake
    update = send(world, 0, ana="Ana read her poem to the class today.")
    recording.ensure_default_categories(world.north)
    kindness = Category.objects.get(school=world.north, name="Kindness")
    (moment,) = recording.record_moments(world.rivera, [world.ana], kindness, "Shared her lunch")
    answer = recording.respond(world.rosa, moment, "message", "¡Qué bien!")
    assert answer.message.conversation == sentence_of(update, world.ana).message.conversation
    assert weekly.weekly_coverage(world.math)[0]["replied"] == 0


def test_a_one_household_family_that_wrote_first_gets_the_sentence_in_that_thread(awake):
    """Gina is Cal's only contactable guardian: the thread she began holds the whole family."""
    world = awake
    recording.ensure_default_categories(world.north)
    kindness = Category.objects.get(school=world.north, name="Kindness")
    (moment,) = recording.record_moments(world.rivera, [world.cal], kindness, "Helped tidy up")
    answer = recording.respond(world.gina, moment, "message", "Cảm ơn cô!")
    update = send(world, 0, cal="Cal helped a classmate with long division.")
    assert sentence_of(update, world.cal).message.conversation_id == answer.conversation_id
    assert Conversation.objects.filter(student=world.cal).count() == 1


def test_a_split_family_that_wrote_first_keeps_its_own_thread_and_both_hear_the_school(awake):
    """Rosa's thread holds her household only: the week's sentence, which both households
    hear, goes to a conversation the school starts, and Rosa's next answer lands there."""
    world = awake
    recording.ensure_default_categories(world.north)
    kindness = Category.objects.get(school=world.north, name="Kindness")
    (first,) = recording.record_moments(world.rivera, [world.ana], kindness, "Shared her lunch")
    own = recording.respond(world.rosa, first, "message", "¡Gracias!").conversation
    assert not Participant.objects.filter(conversation=own, guardian=world.marco).exists()
    update = send(world, 0, ana="Ana read her poem to the class today.")
    shared = sentence_of(update, world.ana).message.conversation
    assert shared != own
    assert Participant.objects.filter(conversation=shared, guardian=world.marco).exists()
    (second,) = recording.record_moments(world.rivera, [world.ana], kindness, "Helped a friend")
    answer = recording.respond(world.rosa, second, "message", "¡Qué bien!")
    assert answer.conversation == shared
    # Marco, of the other household, neither receives nor can read Rosa's words.
    assert not answer.message.deliveries.filter(guardian=world.marco).exists()
    visible = Message.objects.filter(family_words_visible_to(world.marco), pk=answer.message_id)
    assert not visible.exists()
    assert Message.objects.filter(conversation=shared).count() == 2
