"""One conversation, as staff and as a family: the thread in the reader's language, deliveries,
replies; its query counts."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from homeroom.messaging import services
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import (
    Conversation,
    ConversationAccess,
    Delivery,
    Message,
    MessageTranslation,
    Participant,
)
from homeroom.people.models import Guardianship
from homeroom.testing.personas import link, make_guardian

from .builders import committed, thread
from .screens import (
    CHICAGO,
    FAMILY_CONVERSATION_QUERIES,
    HX,
    STAFF_CONVERSATION_QUERIES,
    _busy_thread,
    _final,
    _translation,  # noqa: F401 (autouse: the engine these pages run with)
    html,
    nav_badge,
    rows,
    text_of,
    url,
)

# ---- one conversation, as staff ---------------------------------------------------------------


def test_staff_read_a_family_reply_in_english_with_the_original_one_tap_away(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa, world.marco])
    committed(receive_reply, world.rosa, conversation, "Gracias, maestra.\nAna estará bien.", "sms")

    response = login(world.rivera).get(url("conversation", conversation.pk))

    body = html(response)
    assert 'lang="en">Gracias, maestra. (en)<br>Ana estará bien. (en)</div>' in body
    original = re.search(r'<details class="original">(.*?)</details>', body, re.S).group(1)
    assert "Written in Spanish — see original" in original
    assert 'lang="es">Gracias, maestra.<br>Ana estará bien.</div>' in original
    assert "channel-sms" in body  # it came in by text
    assert "New" in text_of(response)


def test_each_staff_message_shows_its_delivery_to_every_family(world, login):
    tia = make_guardian(world.district, "Tia", "Lopez", "en", "+16125550199")
    link(tia, world.ana)
    conversation = thread(world, world.ana, world.rivera, [world.rosa, world.marco, tia])
    message = Message.objects.get(conversation=conversation)
    failed_text = _final(
        message, world.rosa, "sms", "failed", error="The number is not a mobile phone."
    )
    _final(message, world.rosa, "email", "delivered", fallback_from=failed_text)
    tomorrow = timezone.now().astimezone(CHICAGO).date() + timedelta(days=1)
    morning = datetime.combine(tomorrow, time(7, 0), tzinfo=CHICAGO)
    _final(message, world.marco, "email", "held", next_attempt_at=morning)
    _final(message, tia, "sms", "failed", error="The number is not a mobile phone.")

    response = login(world.rivera).get(url("conversation", conversation.pk))

    summary = text_of(response)
    assert "1 of 3 guardians reached" in summary
    assert "1 failed — The number is not a mobile phone." in summary
    assert "1 held for quiet hours until 7 a.m." in summary
    report = response.context["thread"][0].delivery
    assert [r.guardian.given_name for r in report.recipients] == ["Tia", "Marco", "Rosa"]
    rosa = report.recipients[2]
    assert [(d.channel, d.status) for d in rosa.attempts] == [
        ("sms", "failed"),
        ("email", "delivered"),
    ]
    details = re.search(r'<details class="recipients">(.*?)</details>', html(response), re.S)
    details = " ".join(re.sub(r"<[^>]+>", " ", details.group(1)).split())
    assert "Rosa Lopez Text message · Failed: The number is not a mobile phone." in details
    assert "Then: Email · Delivered" in details
    assert "Marco Lopez Email · Held for quiet hours until 7 a.m." in details


def test_staff_reply_is_sent_and_the_page_comes_back(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa, world.marco])
    response = login(world.rivera).post(
        url("conversation", conversation.pk), {"text": "See you at pick-up."}
    )
    message = Message.objects.filter(conversation=conversation).latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == url("conversation", conversation.pk) + f"#message-{message.pk}"
    assert message.body == "See you at pick-up." and message.author_staff == world.rivera
    assert not message.is_urgent
    assert set(message.deliveries.values_list("guardian__given_name", flat=True)) == {
        "Rosa",
        "Marco",
    }


def test_htmx_reply_swaps_in_the_new_message_without_a_reload(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    response = login(world.rivera).post(
        url("conversation", conversation.pk), {"text": "Great work this week!"}, **HX
    )
    assert response.status_code == 200
    body = html(response)
    assert body.lstrip().startswith('<form id="reply-form"')
    message = Message.objects.filter(conversation=conversation).latest("created_at")
    appended = re.search(r'<ol hx-swap-oob="beforeend:#messages">(.*)</ol>', body, re.S).group(1)
    assert f'id="message-{message.pk}"' in appended and "Great work this week!" in appended
    assert "Your message was sent." in body
    assert "0 of 1 guardian reached" in appended  # the delivery summary comes with it
    assert "<html" not in body


def test_urgent_with_a_reason_goes_through_quiet_hours(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    login(world.rivera).post(
        url("conversation", conversation.pk),
        {"text": "School closes at noon.", "urgent": "on", "urgent_reason": "Storm warning"},
    )
    message = Message.objects.filter(conversation=conversation).latest("created_at")
    assert message.is_urgent and message.urgent_reason == "Storm warning"


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": ""}, "Write a message first."),
        ({"text": "   \n  "}, "Write a message first."),
        ({"text": "x" * 10_001}, "The message is 10001 characters long; keep it to 10000"),
        (
            {"text": "Closing early", "urgent": "on", "urgent_reason": ""},
            "Say why this cannot wait until morning",
        ),
    ],
    ids=["empty", "blank", "too-long", "urgent-without-reason"],
)
def test_bad_staff_replies_are_refused_clearly_and_store_nothing(world, login, data, error, htmx):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    before = Message.objects.count(), Delivery.objects.count()
    response = login(world.rivera).post(
        url("conversation", conversation.pk), data, **(HX if htmx else {})
    )
    assert response.status_code == 200
    assert error in html(response)
    assert 'aria-invalid="true"' in html(response)
    assert (Message.objects.count(), Delivery.objects.count()) == before


def test_what_people_write_is_shown_as_text_never_run(world, login):
    conversation = thread(
        world,
        world.ana,
        world.rivera,
        [world.rosa],
        text='<img src=x onerror="alert(1)">\n<b>Bold?</b>',
    )
    receive_reply(world.rosa, conversation, "<script>alert('hola')</script>", "app")
    for person in (world.rivera, world.rosa):
        body = html(login(person).get(url("conversation", conversation.pk)))
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>Bold" not in body
        assert "&lt;script&gt;alert(&#x27;hola&#x27;)&lt;/script&gt;" in body
    staff_view = html(login(world.rivera).get(url("conversation", conversation.pk)))
    assert (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<br>&lt;b&gt;Bold?&lt;/b&gt;" in staff_view
    )


def test_opening_a_conversation_marks_it_read(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    receive_reply(world.rosa, conversation, "Hola", "app")
    client = login(world.rivera)
    assert rows(client.get(url("inbox")))[0].unread == 1
    response = client.get(url("conversation", conversation.pk))
    assert nav_badge(response) is None  # read before the page was drawn
    assert rows(client.get(url("inbox")))[0].unread == 0
    marker = Participant.objects.get(conversation=conversation, staff=world.rivera)
    assert marker.last_read_at >= Message.objects.latest("created_at").created_at


def test_a_leader_reads_a_conversation_she_is_not_in_and_the_read_is_logged(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    client = login(world.principal)
    response = client.get(url("conversation", conversation.pk))
    assert response.status_code == 200
    assert "your visit is recorded" in text_of(response)
    client.get(url("conversation", conversation.pk))
    assert ConversationAccess.objects.filter(staff=world.principal).count() == 2
    # Reading does not make her a participant or move anyone's marker.
    assert not Participant.objects.filter(conversation=conversation, staff=world.principal)


def test_earlier_messages_are_a_link_away(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa], days_ago=2)
    start = timezone.now() - timedelta(days=1)
    for i in range(59):
        Message.objects.create(
            conversation=conversation,
            author_guardian=world.rosa,
            body=f"note {i:02d}",
            language="en",
            created_at=start + timedelta(minutes=i),
        )
    client = login(world.rivera)
    latest = client.get(url("conversation", conversation.pk))
    shown = [m.body for m in latest.context["thread"]]
    assert len(shown) == 50 and shown[0] == "note 09" and shown[-1] == "note 58"
    earlier_id = latest.context["earlier"]
    assert f'href="?before={earlier_id}"' in html(latest)
    earlier = client.get(url("conversation", conversation.pk), {"before": earlier_id})
    assert [m.body for m in earlier.context["thread"]][-1] == "note 08"
    assert len(earlier.context["thread"]) == 10 and earlier.context["earlier"] is None


# ---- one conversation, as a family ---------------------------------------------------------------


def test_family_reads_the_message_in_spanish_with_the_original_and_the_child_named(world, login):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana brought a purple umbrella."
    )
    response = login(world.rosa).get(url("conversation", conversation.pk))
    body = html(response)
    assert response.context["children"] == [world.ana]
    assert re.search(r"<h1>Ana Lopez</h1>", body)
    assert 'lang="es">Ana brought a purple umbrella. (es)</div>' in body
    original = re.search(r'<details class="original">(.*?)</details>', body, re.S).group(1)
    assert "Traducción automática — ver el original" in original
    assert 'lang="en">Ana brought a purple umbrella.</div>' in original
    page = text_of(response)
    assert "Los mensajes con la escuela son registros escolares." in page
    assert "Responder" in page and "Enviar" in page
    # Nothing about deliveries to other families is shown to a family.
    assert "guardians reached" not in page and "familias" not in page.lower()
    assert Participant.objects.get(conversation=conversation, guardian=world.rosa).last_read_at


def test_family_reply_goes_through_receive_reply(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    response = committed(
        login(world.rosa).post,
        url("conversation", conversation.pk),
        {"text": "Gracias por avisar."},
        **HX,
    )
    assert response.status_code == 200
    message = Message.objects.filter(conversation=conversation, author_guardian=world.rosa).get()
    assert (message.channel, message.language) == ("app", "es")
    assert MessageTranslation.objects.get(message=message, language="en").text.endswith("(en)")
    assert "Gracias por avisar." in html(response)


def test_family_reply_to_an_announcement_becomes_a_private_thread(world, login):
    sent = services.send_announcement(
        by_staff=world.rivera,
        audience=services.Audience.section(world.math),
        text="Picture day is Tuesday",
    )
    client = login(world.rosa)
    page = client.get(url("conversation", sent.pk))
    assert response_has_child(page, "Ana Lopez")
    response = client.post(url("conversation", sent.pk), {"text": "¿A qué hora?"})
    private = Conversation.objects.get(reply_to_announcement=sent)
    assert response.status_code == 302 and response["Location"] == url("conversation", private.pk)
    assert private.kind == "private" and private.student == world.ana
    assert set(
        Participant.objects.filter(conversation=private).values_list("staff", "guardian")
    ) == {
        (world.rivera.pk, None),
        (None, world.rosa.pk),
    }
    # Over htmx the browser is sent to the private thread.
    again = client.post(url("conversation", sent.pk), {"text": "Gracias"}, **HX)
    assert again["HX-Redirect"] == url("conversation", private.pk)
    assert Message.objects.filter(conversation=private).count() == 2
    # The teacher finds the private replies from the announcement, and the way back to it.
    teacher = login(world.rivera)
    listed = teacher.get(url("conversation", sent.pk))
    assert [reply.pk for reply in listed.context["replies"]] == [private.pk]
    assert f'href="{url("conversation", private.pk)}">Ana Lopez</a>' in html(listed)
    thread_page = teacher.get(url("conversation", private.pk))
    assert f'href="{url("conversation", sent.pk)}">A reply to an announcement' in html(thread_page)


def response_has_child(response, name) -> bool:
    return any(child.full_name == name for child in response.context["children"])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Escriba un mensaje primero."),
        ("x" * 10_001, "El mensaje tiene 10001 caracteres"),
    ],
    ids=["empty", "too-long"],
)
def test_bad_family_replies_are_refused_in_spanish(world, login, text, error):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    response = login(world.rosa).post(url("conversation", conversation.pk), {"text": text})
    assert error in html(response)
    assert not Message.objects.filter(author_guardian=world.rosa).exists()


def test_a_family_no_longer_contactable_is_told_to_call(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    Guardianship.objects.filter(guardian=world.rosa).update(may_contact=False)
    response = login(world.rosa).post(url("conversation", conversation.pk), {"text": "Hola"})
    assert "llame a la oficina de la escuela" in html(response)
    assert not Message.objects.filter(author_guardian=world.rosa).exists()


@pytest.mark.parametrize(("families", "messages"), [(1, 2), (25, 70)], ids=["small", "large"])
def test_staff_conversation_query_count_is_constant(
    world, login, django_assert_num_queries, families, messages
):
    conversation = _busy_thread(world, world.ana, world.rivera, families, messages)
    client = login(world.rivera)
    client.get(url("inbox"))
    with django_assert_num_queries(STAFF_CONVERSATION_QUERIES):
        response = client.get(url("conversation", conversation.pk))
    staff_messages = [m for m in response.context["thread"] if m.from_school]
    assert staff_messages[-1].delivery.total == families + 1


@pytest.mark.parametrize(("families", "messages"), [(1, 2), (25, 70)], ids=["small", "large"])
def test_family_conversation_query_count_is_constant(
    world, login, django_assert_num_queries, families, messages
):
    conversation = _busy_thread(world, world.ana, world.rivera, families, messages)
    client = login(world.rosa)
    client.get(url("inbox"))
    with django_assert_num_queries(FAMILY_CONVERSATION_QUERIES):
        response = client.get(url("conversation", conversation.pk))
    assert len(response.context["thread"]) == min(messages + 1, 50)
