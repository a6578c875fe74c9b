"""A new conversation, by staff and by a family."""

from homeroom.messaging.models import (
    Conversation,
    Participant,
    SmsOptOut,
)
from homeroom.people.models import Student
from homeroom.testing.personas import enrol, link, make_guardian

from .screens import (
    HX,
    _translation,  # noqa: F401 (autouse: the engine these pages run with)
    html,
    text_of,
    url,
)

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
    assert (
        "Rosa Lopez Spanish Messages arrive translated Email Texts off (replied STOP) "
        "Prefers: Text message (SMS)"
    ) in page
    assert "no translation is available" not in page


def test_compose_warns_before_sending_when_a_language_has_no_translation(world, login):
    # Hodan and Pat both live with Ben: one family, two readers of Somali.
    somali = make_guardian(world.district, "Hodan", "Ali", "so", "+16125550177")
    link(somali, world.ben)
    response = login(world.chen).get(url("compose"), {"student": world.ben.pk})
    page = text_of(response)
    assert (
        "1 family reads Somali: no translation is available — they will get the English text "
        "with a note." in page
    )
    assert page.count("no translation is available") == 1
    preview = login(world.chen).post(
        url("compose") + f"?student={world.ben.pk}",
        {"text": "Hello", "preview": "1", "untranslated": "english"},
    )
    assert text_of(preview).count("no translation is available") == 1
    assert "Somali · 1 family" in text_of(preview)


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
