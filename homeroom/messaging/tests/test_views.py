"""The conversation screens: inboxes, a conversation, writing, announcing.

Staff read in English with the family's words one tap away; families read in their own
language; every page is scoped (a 404 outside it) and costs a fixed number of queries.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
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
    SmsOptOut,
)
from homeroom.people.models import Guardian, Guardianship, Student
from homeroom.testing.personas import enrol, link, make_guardian

from .builders import announcement, thread

COUNTING = "homeroom.testing.fakes.CountingProvider"
HX = {"HTTP_HX_REQUEST": "true"}
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def _translation(settings):
    """A fake engine for English, Spanish and Vietnamese ("text (es)"); nothing for the rest
    (no translation server is reachable), so Somali and Arabic readers get the original."""
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": [COUNTING],
        "es:en": [COUNTING],
        "en:vi": [COUNTING],
        "vi:en": [COUNTING],
        "*": ["libretranslate"],
    }


def url(name, *args):
    return reverse(name, args=args)


def html(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    """The page as a reader sees it: tags dropped, spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def nav_badge(response) -> str | None:
    nav = re.search(r"<nav aria-label=\"[^\"]+\">(.*?)</nav>", html(response), re.S).group(1)
    found = re.search(r'class="count-badge"><span aria-hidden="true">(\d+)</span>', nav)
    return found.group(1) if found else None


def rows(response):
    return list(response.context["page"].object_list)


# ---- the staff inbox ----------------------------------------------------------------------------


def test_staff_inbox_lists_her_conversations_newest_first(world, login):
    ana = thread(world, world.ana, world.rivera, [world.rosa, world.marco], days_ago=3)
    cal = thread(world, world.cal, world.rivera, [world.gina], days_ago=2)
    thread(world, world.ben, world.chen, [world.pat], days_ago=1)
    receive_reply(world.rosa, ana, "Ana va a llegar tarde mañana.", "app")

    response = login(world.rivera).get(url("inbox"))

    assert [c.pk for c in rows(response)] == [ana.pk, cal.pk]
    first = rows(response)[0]
    assert first.unread == 1
    assert {p.full_name for p in first.others} == {"Rosa Lopez", "Marco Lopez"}
    page = text_of(response)
    # The family wrote in Spanish; the teacher's preview is the English translation.
    assert "Family: Ana va a llegar tarde mañana. (en)" in page
    assert "Ben Ali" not in page
    assert nav_badge(response) == "1"


def test_staff_inbox_is_paginated(world, login):
    for _ in range(30):
        thread(world, world.ana, world.rivera, [world.rosa])
    client = login(world.rivera)
    assert len(rows(client.get(url("inbox")))) == 25
    assert len(rows(client.get(url("inbox"), {"page": 2}))) == 5


def test_search_finds_student_names_and_words_within_scope_only(world, login):
    thread(world, world.ana, world.rivera, [world.rosa], text="The pumpkin patch trip")
    cal = thread(world, world.cal, world.rivera, [world.gina], text="Reading log")
    ben = thread(world, world.ben, world.chen, [world.pat], text="Science fair project")
    client = login(world.rivera)

    def found(**params):
        return {c.pk for c in rows(client.get(url("inbox"), params))}

    assert found(q="pumpkin") == {Conversation.objects.get(student=world.ana).pk}
    assert found(q="nguyen") == {cal.pk}
    # Chen's conversation exists but is not Rivera's: neither its words nor its student match.
    assert found(q="science fair") == set()
    assert found(q="Ben") == set()
    assert found(q="science fair", all="1") == set()  # not a leader: "all" changes nothing

    principal = login(world.principal)
    assert {c.pk for c in rows(principal.get(url("inbox"), {"q": "science"}))} == set()
    everything = principal.get(url("inbox"), {"q": "science", "all": "1"})
    assert {c.pk for c in rows(everything)} == {ben.pk}


def test_a_leader_can_list_every_conversation_of_her_school_only(world, login):
    ana = thread(world, world.ana, world.rivera, [world.rosa])
    ben = thread(world, world.ben, world.chen, [world.pat])
    thread(world, world.dee, world.south_teacher, [world.olga])
    response = login(world.principal).get(url("inbox"), {"all": "1"})
    assert {c.pk for c in rows(response)} == {ana.pk, ben.pk}
    # She is in none of them: nothing is unread for her, and nothing was logged by listing.
    assert all(c.unread == 0 for c in rows(response))
    assert not ConversationAccess.objects.exists()


# ---- the family inbox ------------------------------------------------------------------------


def test_family_inbox_is_in_spanish_with_the_child_named_on_every_row(world, login):
    services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read a whole chapter today"
    )
    services.send_announcement(
        by_staff=world.rivera,
        audience=services.Audience.section(world.math),
        text="Bring a coat on Friday",
    )
    thread(world, world.cal, world.rivera, [world.gina])  # another family's

    response = login(world.rosa).get(url("inbox"))

    conversations = rows(response)
    assert len(conversations) == 2
    assert [c.unread for c in conversations] == [1, 1]
    # The announcement names no child; the row still says which child it is about.
    assert [[child.full_name for child in c.children] for c in conversations] == [
        ["Ana Lopez"],
        ["Ana Lopez"],
    ]
    page = text_of(response)
    assert "Bring a coat on Friday (es)" in page
    assert "Ana read a whole chapter today (es)" in page
    assert "Cal Nguyen" not in page
    assert "Mensajes" in page and "Escribir a la escuela" in page
    assert "Los mensajes con la escuela son registros escolares." in page
    assert nav_badge(response) == "2"


def test_a_teacher_who_is_also_a_parent_reads_her_family_messages_apart(world, login):
    mother = Guardian.objects.create(
        user=world.chen.user, district=world.district, given_name="Wei", family_name="Chen"
    )
    link(mother, world.ana)
    about_her_child = thread(world, world.ana, world.rivera, [mother])
    her_class = thread(world, world.ben, world.chen, [world.pat])
    client = login(world.chen)
    assert [c.pk for c in rows(client.get(url("inbox")))] == [her_class.pk]
    family = client.get(url("inbox"), {"view": "family"})
    assert [c.pk for c in rows(family)] == [about_her_child.pk]
    page = client.get(url("conversation", about_her_child.pk))
    assert page.templates[0].name == "messaging/conversation_family.html"


def test_restricted_guardian_has_an_empty_inbox(world, login):
    thread(world, world.cal, world.rivera, [world.gina, world.ray])
    response = login(world.ray).get(url("inbox"))
    assert rows(response) == []
    assert nav_badge(response) is None


# ---- one conversation, as staff ---------------------------------------------------------------


def test_staff_read_a_family_reply_in_english_with_the_original_one_tap_away(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa, world.marco])
    receive_reply(world.rosa, conversation, "Gracias, maestra.\nAna estará bien.", "sms")

    response = login(world.rivera).get(url("conversation", conversation.pk))

    body = html(response)
    assert 'lang="en">Gracias, maestra. (en)<br>Ana estará bien. (en)</div>' in body
    original = re.search(r'<details class="original">(.*?)</details>', body, re.S).group(1)
    assert "Written in Spanish — see original" in original
    assert 'lang="es">Gracias, maestra.<br>Ana estará bien.</div>' in original
    assert "channel-sms" in body  # it came in by text
    assert "New" in text_of(response)


def _final(message, guardian, channel, status, *, error="", fallback_from=None, **times):
    return Delivery.objects.create(
        message=message,
        guardian=guardian,
        channel=channel,
        status=status,
        last_error=error,
        fallback_from=fallback_from,
        idempotency_key=f"{message.pk}-{guardian.pk}-{channel}",
        **times,
    )


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
    assert "1 of 3 families reached" in summary
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
    assert "0 of 1 family reached" in appended  # the delivery summary comes with it
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
    assert "families reached" not in page and "familias" not in page.lower()
    assert Participant.objects.get(conversation=conversation, guardian=world.rosa).last_read_at


def test_family_reply_goes_through_receive_reply(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    response = login(world.rosa).post(
        url("conversation", conversation.pk), {"text": "Gracias por avisar."}, **HX
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


# ---- ids the reader may not see: always a 404 -------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "student"),
    [
        ("chen", "ana"),
        ("south_admin", "ana"),
        ("olga", "ana"),
        ("ray", "cal"),
        ("marco", "cal"),
        ("elsewhere_admin", "ana"),
    ],
)
def test_a_conversation_outside_scope_is_a_404_to_read_and_to_write(world, login, persona, student):
    staff = world.rivera if student != "dee" else world.south_teacher
    guardians = {"ana": [world.rosa, world.marco], "cal": [world.gina, world.ray]}[student]
    conversation = thread(world, getattr(world, student), staff, guardians)
    client = login(getattr(world, persona))
    assert client.get(url("conversation", conversation.pk)).status_code == 404
    before = Message.objects.count()
    assert client.post(url("conversation", conversation.pk), {"text": "hi"}).status_code == 404
    assert Message.objects.count() == before


def test_unknown_ids_and_bad_paging_are_404(world, login):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    client = login(world.rivera)
    assert client.get(url("conversation", 10**8)).status_code == 404
    assert client.get(url("conversation", conversation.pk), {"before": "x"}).status_code == 404


def test_staff_cannot_write_about_a_student_outside_scope(world, login):
    client = login(world.rivera)
    page = client.get(url("compose"), {"student": world.ben.pk})
    assert page.status_code == 404
    sent = client.post(url("compose") + f"?student={world.dee.pk}", {"text": "Hello", "send": "1"})
    assert sent.status_code == 404
    assert not Conversation.objects.exists()


def test_a_family_cannot_write_about_another_child(world, login):
    client = login(world.rosa)
    assert client.get(url("compose"), {"student": world.cal.pk}).status_code == 404
    response = client.post(
        url("compose") + f"?student={world.dee.pk}", {"to": "office", "text": "Hi"}
    )
    assert response.status_code == 404
    assert not Conversation.objects.exists()


def test_announcing_to_a_class_one_does_not_teach_is_a_404(world, login):
    client = login(world.rivera)
    key = f"section:{world.science.pk}"
    assert client.get(url("announce"), {"audience": key}).status_code == 404
    response = client.post(url("announce"), {"audience": key, "text": "Hi", "send": "1"})
    assert response.status_code == 404
    assert client.get(url("announce"), {"audience": f"school:{world.north.pk}"}).status_code == 404
    assert not Conversation.objects.exists()


def test_people_without_a_role_get_404(world, client, django_user_model):
    nobody = django_user_model.objects.create_user("nobody@example.org", "x")
    client.force_login(nobody)
    for name in ("inbox", "compose", "announce"):
        assert client.get(url(name)).status_code == 404


# ---- a new conversation, by staff ----------------------------------------------------------------


def test_compose_lists_only_students_in_scope(world, login):
    response = login(world.rivera).get(url("compose"))
    names = [s.full_name for s in response.context["page"]]
    assert names == ["Ana Lopez", "Cal Nguyen"]


def test_compose_shows_who_receives_it_how_and_in_which_language(world, login):
    SmsOptOut.objects.create(phone=str(world.rosa.phone))
    response = login(world.rivera).get(url("compose"), {"student": world.ana.pk})
    plan = {r.guardian.given_name: r for r in response.context["recipients"]}
    assert set(plan) == {"Rosa", "Marco"}
    # Rosa prefers texts but replied STOP: she gets email instead, and the teacher sees why.
    assert (plan["Rosa"].channel, plan["Rosa"].sms_off) == ("email", True)
    assert (plan["Marco"].channel, plan["Marco"].sms_off) == ("email", False)
    page = text_of(response)
    assert "Rosa Lopez Spanish Email Texts off (replied STOP) Prefers: Text message (SMS)" in page
    assert "no translation is available" not in page


def test_compose_warns_before_sending_when_a_language_has_no_translation(world, login):
    somali = make_guardian(world.district, "Hodan", "Ali", "so", "+16125550177")
    link(somali, world.ben)
    response = login(world.chen).get(url("compose"), {"student": world.ben.pk})
    assert (
        "2 families read Somali: no translation is available — they will get the English text "
        "with a note." in text_of(response)
    )


def test_preview_shows_each_language_copy_and_its_text_message_length(world, login):
    client = login(world.rivera)
    draft = "A" * 156  # one text in English; " (es)" pushes the Spanish copy past 160
    response = client.post(
        url("compose") + f"?student={world.ana.pk}", {"text": draft, "preview": "1"}, **HX
    )
    assert response.status_code == 200 and "<html" not in html(response)
    copies = {c.group.language: c for c in response.context["copies"]}
    assert copies["es"].text == draft + " (es)" and copies["es"].machine
    assert (copies["es"].sms.encoding, copies["es"].sms.segments) == ("GSM-7", 2)
    assert copies["es"].longer_by_sms
    assert copies["en"].sms is None  # Marco reads email
    page = text_of(response)
    assert "By text message (1): 161 characters, GSM-7, 2 texts" in page
    assert "longer than in English, which fits in 1 text" in page
    assert not Conversation.objects.exists()  # a preview sends nothing


def test_preview_of_an_empty_draft_says_what_to_fix(world, login):
    response = login(world.rivera).post(
        url("compose") + f"?student={world.ana.pk}", {"text": "", "preview": "1"}, **HX
    )
    assert "Write a message first." in html(response)


def test_sending_a_new_conversation_reaches_the_family(world, login):
    response = login(world.rivera).post(
        url("compose") + f"?student={world.ana.pk}",
        {"subject": "Field trip", "text": "Ana may join the trip.", "send": "1"},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "conversation", conversation.pk
    )
    assert conversation.student == world.ana and conversation.subject == "Field trip"
    guardians = Participant.objects.filter(conversation=conversation, guardian__isnull=False)
    assert {p.guardian.given_name for p in guardians} == {"Rosa", "Marco"}


def test_compose_refuses_urgent_without_a_reason(world, login):
    response = login(world.rivera).post(
        url("compose") + f"?student={world.ana.pk}",
        {"text": "Come now", "urgent": "on", "send": "1"},
    )
    assert "Say why this cannot wait until morning" in html(response)
    assert not Conversation.objects.exists()


# ---- a new conversation, by a family -----------------------------------------------------------


def test_a_family_writes_to_a_teacher_of_the_child(world, login):
    client = login(world.rosa)
    page = client.get(url("compose"))
    assert "Maria Rivera — Math 6" in text_of(page)
    assert "La oficina de la escuela" in text_of(page)
    response = client.post(url("compose"), {"to": str(world.rivera.pk), "text": "Hola maestra"})
    conversation = Conversation.objects.get()
    assert response["Location"] == url("conversation", conversation.pk)
    assert conversation.started_by == "family" and conversation.student == world.ana
    staff = Participant.objects.filter(conversation=conversation, staff__isnull=False)
    assert [p.staff for p in staff] == [world.rivera]


def test_a_family_writes_to_the_school_office(world, login):
    login(world.rosa).post(url("compose"), {"to": "office", "text": "¿Cuándo es la reunión?"})
    staff = Participant.objects.filter(conversation=Conversation.objects.get(), staff__isnull=False)
    assert [p.staff for p in staff] == [world.liaison]


def test_a_family_cannot_pick_a_staff_member_who_does_not_teach_the_child(world, login):
    response = login(world.rosa).post(url("compose"), {"to": str(world.chen.pk), "text": "Hola"})
    assert response.status_code == 200
    assert not Conversation.objects.exists()


def test_a_family_with_several_children_picks_one_first(world, login):
    leo = Student.objects.create(school=world.north, given_name="Leo", family_name="Lopez")
    enrol(world.science, leo)
    link(world.rosa, leo)
    client = login(world.rosa)
    picker = client.get(url("compose"))
    assert picker.templates[0].name == "messaging/compose_pick_child.html"
    assert "Ana Lopez" in text_of(picker) and "Leo Lopez" in text_of(picker)
    form = client.get(url("compose"), {"student": leo.pk})
    assert "Wei Chen — Science 6" in text_of(form)
    assert "Maria Rivera" not in text_of(form)


# ---- announcements -------------------------------------------------------------------------------


def test_who_may_announce_to_whom(world, login):
    def keys(person):
        return [c.key for c in login(person).get(url("announce")).context["choices"]]

    assert keys(world.rivera) == [f"section:{world.art.pk}", f"section:{world.math.pk}"]
    assert keys(world.principal) == [f"school:{world.north.pk}", f"grade:{world.north.pk}:6"]
    district = keys(world.district_admin)
    assert district[0] == "district" and f"school:{world.south.pk}" in district
    assert keys(world.liaison) == []


def test_announcement_shows_audience_size_and_languages_before_sending(world, login):
    response = login(world.rivera).get(
        url("announce"), {"audience": f"section:{world.math.pk}"}, **HX
    )
    assert response.status_code == 200 and "<html" not in html(response)
    # Rosa, Marco and Gina: Ray may not be contacted, Eve has left.
    assert response.context["total"] == 3
    groups = {g.language: (g.families, g.by_sms) for g in response.context["groups"]}
    assert groups == {"en": (1, 0), "es": (1, 1), "vi": (1, 1)}
    assert "3 families will receive it" in text_of(response)


def test_teacher_sends_an_announcement_and_sees_its_delivery(world, login, settings):
    client = login(world.rivera)
    response = client.post(
        url("announce"),
        {"audience": f"section:{world.math.pk}", "text": "No school on Monday", "send": "1"},
    )
    conversation = Conversation.objects.get(kind="announcement")
    assert response["Location"] == url("conversation", conversation.pk)
    assert conversation.section == world.math
    page = client.get(response["Location"])
    assert "Families of Math 6, North Elementary" in text_of(page)
    assert "of 3 families reached" in text_of(page)


def test_bad_announcements_are_refused_and_store_nothing(world, login):
    client = login(world.rivera)
    key = f"section:{world.math.pk}"
    empty = client.post(url("announce"), {"audience": key, "text": "", "send": "1"})
    assert "Write a message first." in html(empty)
    urgent = client.post(
        url("announce"), {"audience": key, "text": "Now", "urgent": "on", "send": "1"}
    )
    assert "Say why this cannot wait until morning" in html(urgent)
    assert not Conversation.objects.exists()


# ---- query counts --------------------------------------------------------------------------------


def _busy_thread(world, student, staff, families, messages, *, family_languages=("es", "vi")):
    """A conversation with `families` more guardians and `messages` more messages, each staff
    message delivered (some after a failed text) and translated, each family one unread."""
    conversation = thread(world, student, staff, [world.rosa])
    guardians = [world.rosa]
    for i in range(families):
        guardian = make_guardian(
            world.district, f"Kin{i:03d}", f"Family{conversation.pk}", "es", joined=False
        )
        link(guardian, student)
        Participant.objects.create(conversation=conversation, guardian=guardian)
        guardians.append(guardian)
    for i in range(messages):
        if i % 2:
            message = Message.objects.create(
                conversation=conversation, author_guardian=world.rosa, body=f"r{i}", language="es"
            )
            MessageTranslation.objects.create(
                message=message, language="en", text=f"r{i} (en)", provider="x"
            )
            continue
        message = Message.objects.create(
            conversation=conversation, author_staff=staff, body=f"m{i}", language="en"
        )
        for language in family_languages:
            MessageTranslation.objects.create(
                message=message, language=language, text=f"m{i} ({language})", provider="x"
            )
        for guardian in guardians:
            failed = _final(message, guardian, "sms", "failed", error="Not a mobile phone.")
            _final(message, guardian, "email", "sent", fallback_from=failed)
    return conversation


# Pinned: a change means a page started to query per row (or stopped needing a query).
# Every page: session, user, staff member, guardian, then assignments (staff) or the reader's
# time zone (a guardian: their first child's school); and the unread count in the menu.
# Inbox: + how many, the page (last message, translation and unread in the same query),
# who is in each (staff), or the children each is about (guardianships, classes).
STAFF_INBOX_QUERIES = 9
FAMILY_INBOX_QUERIES = 11
# Conversation: + the conversation, marking it read (a family: its app deliveries too), the
# messages, their translations, who is in it; staff: delivery counts, the recipients listed,
# their deliveries; a family: the children it is about (guardianships, classes).
STAFF_CONVERSATION_QUERIES = 14
FAMILY_CONVERSATION_QUERIES = 14


@pytest.mark.parametrize("size", [1, 30], ids=["small", "large"])
def test_staff_inbox_query_count_is_constant(world, login, django_assert_num_queries, size):
    for _ in range(size):
        _busy_thread(world, world.ana, world.rivera, families=2, messages=3)
    announcement(world, world.rivera, world.math, [world.rosa, world.gina])
    client = login(world.rivera)
    client.get(url("inbox"))  # the session is warm
    with django_assert_num_queries(STAFF_INBOX_QUERIES):
        response = client.get(url("inbox"), {"q": "e"})  # searching costs nothing more
    assert len(rows(response)) == min(size + 1, 25)


@pytest.mark.parametrize("size", [1, 30], ids=["small", "large"])
def test_family_inbox_query_count_is_constant(world, login, django_assert_num_queries, size):
    for _ in range(size):
        _busy_thread(world, world.ana, world.rivera, families=1, messages=3)
    announcement(world, world.rivera, world.math, [world.rosa, world.gina])
    client = login(world.rosa)
    client.get(url("inbox"))
    with django_assert_num_queries(FAMILY_INBOX_QUERIES):
        response = client.get(url("inbox"))
    assert len(rows(response)) == min(size + 1, 25)


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
