"""Families arrive by invitation: staff invite them, they join by link or code, in their
language, and choose how the school reaches them."""

import re
from datetime import time, timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homeroom.people import services
from homeroom.people.models import (
    Enrollment,
    Guardian,
    Guardianship,
    Invitation,
    Student,
    User,
)
from homeroom.people.services import InvitationUnusable, accept_invitation, invite_guardians
from homeroom.transports import outbound

from .pages import assert_labelled, page_of, signed_in_user_id


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.PUBLIC_BASE_URL = "https://homeroom.example"


def unjoin(guardian: Guardian, *, keep_user: bool = False) -> None:
    """Turn a persona back into a family who has not joined yet."""
    user = guardian.user
    guardian.user = None
    guardian.joined_at = None
    guardian.save()
    if user is not None and not keep_user:
        user.delete()


def add_family(school, section, n, **guardian_fields) -> Guardian:
    student = Student.objects.create(school=school, given_name=f"Kid{n}", family_name=f"F{n}")
    Enrollment.objects.create(section=section, student=student)
    fields = {"phone": f"+1612555{2000 + n:04d}", "language": "en", **guardian_fields}
    guardian = Guardian.objects.create(
        district=school.district, given_name=f"Parent{n}", family_name=f"F{n}", **fields
    )
    Guardianship.objects.create(guardian=guardian, student=student)
    return guardian


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def invite(guardian, world) -> Invitation:
    [invitation] = invite_guardians([guardian], school=world.north, invited_by=world.chen)
    return invitation


def accept_url(invitation) -> str:
    return reverse("join_accept", args=[invitation.token])


def invitation_link_in(body: str, invitation: Invitation) -> bool:
    return f"https://homeroom.example/join/{invitation.token}/" in body


def captured_queries():
    return CaptureQueriesContext(connection)


def option_values(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


GOOD_CHOICES = {"language": "so", "channel": "sms", "quiet_start": "21:00", "quiet_end": "06:30"}


# ---- the service ---------------------------------------------------------------------------


def test_invitation_text_carries_the_school_the_link_and_the_code(world):
    before = timezone.now()
    invitation = invite(world.pat, world)

    assert invitation.guardian == world.pat
    assert invitation.school == world.north
    assert invitation.invited_by == world.chen
    assert invitation.channel == "sms"
    lifetime = invitation.expires_at - before
    assert timedelta(days=14) <= lifetime < timedelta(days=14, minutes=1)
    [sms] = outbound.outbox
    assert (sms.channel, sms.to, sms.kind) == ("sms", "+16125550115", "invitation")
    assert "North Elementary" in sms.body
    assert f"https://homeroom.example/join/{invitation.token}/" in sms.body
    assert invitation.code in sms.body
    # Nothing about the child travels by text.
    assert "Ben" not in sms.body


def test_a_spanish_reader_is_invited_in_spanish(world):
    unjoin(world.rosa)
    invite(world.rosa, world)
    [sms] = outbound.outbox
    assert "le invita a Homeroom" in sms.body
    assert "invites you" not in sms.body


def test_email_invitation_has_a_subject_and_the_link(world):
    unjoin(world.marco)
    invitation = invite(world.marco, world)
    [mail] = outbound.outbox
    assert (mail.channel, mail.to) == ("email", "marco.lopez@family.example")
    assert mail.subject == "North Elementary invites you to Homeroom"
    assert invitation_link_in(mail.body, invitation)
    assert "Hello Marco," in mail.body


@pytest.mark.parametrize(
    ("channel", "phone", "email", "sent_by"),
    [
        ("sms", "+16125550190", "p@family.example", "sms"),
        ("app", "+16125550190", "p@family.example", "sms"),
        ("email", "+16125550190", "p@family.example", "email"),
        ("sms", "", "p@family.example", "email"),
        ("email", "+16125550190", "", "sms"),
    ],
)
def test_invitation_goes_by_the_guardians_channel(world, channel, phone, email, sent_by):
    guardian = Guardian.objects.create(
        district=world.district,
        given_name="Val",
        family_name="Ali",
        channel=channel,
        phone=phone,
        email=email,
    )
    Guardianship.objects.create(guardian=guardian, student=world.ben)
    invitation = invite(guardian, world)
    assert invitation.channel == sent_by
    assert [m.channel for m in outbound.outbox] == [sent_by]


def test_joined_unreachable_and_barred_families_are_not_invited(world):
    unjoin(world.ray)  # court order: may not be contacted
    nowhere = Guardian.objects.create(
        district=world.district, given_name="No", family_name="Contact", phone="", email=""
    )
    Guardianship.objects.create(guardian=nowhere, student=world.ben)
    no_child = Guardian.objects.create(
        district=world.district, given_name="No", family_name="Child", phone="+16125550191"
    )
    invitations = invite_guardians(
        [world.rosa, world.pat, world.ray, nowhere, no_child],
        school=world.north,
        invited_by=None,
    )
    assert [i.guardian for i in invitations] == [world.pat]
    assert [m.to for m in outbound.outbox] == ["+16125550115"]
    assert Invitation.objects.count() == 1


def test_an_open_invitation_is_sent_again_not_duplicated(world):
    first = invite(world.pat, world)
    again = invite(world.pat, world)
    assert again.pk == first.pk
    assert Invitation.objects.filter(guardian=world.pat).count() == 1
    assert len(outbound.outbox) == 2
    assert first.code in outbound.outbox[1].body


def test_an_expired_invitation_is_replaced(world):
    first = invite(world.pat, world)
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    second = invite(world.pat, world)
    assert second.pk != first.pk
    assert second.code != first.code
    assert second.code in outbound.outbox[-1].body


def test_accepting_creates_the_sign_in_and_records_the_choices(world):
    invitation = invite(world.pat, world)
    user = accept_invitation(
        invitation, language="so", channel="email", quiet_start=time(21), quiet_end=time(6)
    )
    world.pat.refresh_from_db()
    invitation.refresh_from_db()
    assert world.pat.user == user
    assert world.pat.joined_at is not None
    assert (world.pat.language, world.pat.channel) == ("so", "email")
    assert (world.pat.quiet_start, world.pat.quiet_end) == (time(21), time(6))
    assert str(user.phone) == "+16125550115"
    assert user.email == "pat.ali@family.example"
    assert not user.has_usable_password()
    assert invitation.accepted_at is not None
    with pytest.raises(InvitationUnusable):
        accept_invitation(
            invitation, language="so", channel="sms", quiet_start=time(21), quiet_end=time(6)
        )


def test_accepting_closes_the_familys_other_invitations(world):
    from_north = invite(world.pat, world)
    from_south = Invitation.objects.create(
        guardian=world.pat,
        school=world.south,
        channel="sms",
        expires_at=timezone.now() + timedelta(days=14),
    )
    accept_invitation(
        from_north, language="en", channel="sms", quiet_start=time(20), quiet_end=time(7)
    )
    from_south.refresh_from_db()
    assert not from_south.is_usable


def test_accepting_links_an_existing_sign_in_with_the_same_email(world):
    existing = User.objects.create_user("Pat.Ali@family.example".lower(), None)
    invitation = invite(world.pat, world)
    user = accept_invitation(
        invitation, language="so", channel="sms", quiet_start=time(20), quiet_end=time(7)
    )
    assert user == existing
    assert User.objects.filter(email="pat.ali@family.example").count() == 1
    existing.refresh_from_db()
    assert str(existing.phone) == "+16125550115"


def test_a_shared_family_address_stays_with_the_parent_who_has_it(world):
    # Pat shares Gina's email address; Gina's sign-in keeps it.
    world.pat.email = world.gina.email
    world.pat.save()
    invitation = invite(world.pat, world)
    user = accept_invitation(
        invitation, language="so", channel="sms", quiet_start=time(20), quiet_end=time(7)
    )
    assert user != world.gina.user
    assert user.email is None
    assert str(user.phone) == "+16125550115"


# ---- staff invite --------------------------------------------------------------------------


def test_teacher_invites_her_classs_families_who_have_not_joined(login, world):
    unjoin(world.marco)  # prefers email
    unjoin(world.ray)  # may not be contacted
    client = login(world.rivera)
    response = client.post(reverse("invite_section", args=[world.math.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("section_detail", args=[world.math.pk])
    assert flash(response) == ["Invited 1 family."]
    assert [(m.channel, m.to) for m in outbound.outbox] == [("email", "marco.lopez@family.example")]
    assert Invitation.objects.get().invited_by == world.rivera


def test_inviting_a_class_costs_the_same_queries_for_many_families(login, world):
    client = login(world.rivera)
    for n in range(3):
        add_family(world.north, world.math, n)
    with captured_queries() as few:
        client.post(reverse("invite_section", args=[world.math.pk]))
    assert len(outbound.outbox) == 3
    for n in range(3, 15):
        add_family(world.north, world.math, n)
    outbound.outbox.clear()
    with captured_queries() as many:
        response = client.post(reverse("invite_section", args=[world.math.pk]))
    assert flash(response)[-1] == "Invited 15 families."
    assert len(many) == len(few)


def test_inviting_a_class_stays_within_its_query_budget(
    login, world, django_assert_max_num_queries
):
    client = login(world.rivera)
    for n in range(20):
        add_family(world.north, world.math, n)
    with django_assert_max_num_queries(13):
        response = client.post(reverse("invite_section", args=[world.math.pk]))
    assert flash(response) == ["Invited 20 families."]


def test_nothing_to_invite_says_so(login, world):
    client = login(world.rivera)
    response = client.post(reverse("invite_section", args=[world.math.pk]))
    assert "No invitations sent" in flash(response)[0]
    assert outbound.outbox == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("chen", 404), ("south_teacher", 404), ("elsewhere_admin", 404), ("rosa", 403)],
)
def test_only_the_classs_teachers_and_school_staff_invite_it(login, world, who, status):
    unjoin(world.marco)
    client = login(getattr(world, who))
    response = client.post(reverse("invite_section", args=[world.math.pk]))
    assert response.status_code == status
    assert outbound.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["liaison", "counselor", "principal", "district_admin"])
def test_school_wide_staff_invite_any_class(login, world, who):
    unjoin(world.marco)
    client = login(getattr(world, who))
    response = client.post(reverse("invite_section", args=[world.math.pk]))
    assert response.status_code == 302
    assert [m.to for m in outbound.outbox] == ["marco.lopez@family.example"]


def test_inviting_needs_a_post_and_a_sign_in(client, login, world):
    response = client.post(reverse("invite_section", args=[world.math.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = login(world.rivera).get(reverse("invite_section", args=[world.math.pk]))
    assert response.status_code == 405
    assert outbound.outbox == []


@pytest.mark.parametrize("who", ["principal", "liaison", "district_admin"])
def test_school_wide_staff_invite_the_whole_school(login, world, who):
    client = login(getattr(world, who))
    response = client.post(reverse("invite_school", args=[world.north.pk]))
    assert response.status_code == 302
    assert flash(response) == ["Invited 1 family."]
    assert [m.to for m in outbound.outbox] == ["+16125550115"]  # Pat, Ben's guardian


@pytest.mark.parametrize(("who", "status"), [("rivera", 403), ("south_admin", 404)])
def test_teachers_and_other_schools_cannot_invite_a_whole_school(login, world, who, status):
    response = login(getattr(world, who)).post(reverse("invite_school", args=[world.north.pk]))
    assert response.status_code == status
    assert outbound.outbox == []


def test_staff_invite_one_family(login, world):
    response = login(world.chen).post(reverse("invite_guardian", args=[world.pat.pk]))
    assert response.status_code == 302
    assert flash(response) == ["Invitation sent to Pat Ali."]
    assert [m.to for m in outbound.outbox] == ["+16125550115"]


def test_one_family_outside_a_teachers_classes_is_not_found(login, world):
    response = login(world.rivera).post(reverse("invite_guardian", args=[world.pat.pk]))
    assert response.status_code == 404
    assert outbound.outbox == []


def test_a_family_barred_from_contact_is_not_invited(login, world):
    unjoin(world.ray)
    response = login(world.principal).post(reverse("invite_guardian", args=[world.ray.pk]))
    assert response.status_code == 302
    assert "may not be contacted" in flash(response)[0]
    assert outbound.outbox == []


def test_bulk_invitations_after_an_import(world):
    out = StringIO()
    call_command("invite_families", school_id=world.north.pk, stdout=out)
    assert "invited 1 families (1 by text, 0 by email)" in out.getvalue()
    assert [m.to for m in outbound.outbox] == ["+16125550115"]
    call_command("invite_families", school_id=world.north.pk, stdout=StringIO())
    assert Invitation.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("invite_families", school_id=999999)


# ---- joining by code -----------------------------------------------------------------------


def test_join_page_asks_for_the_code_with_the_right_hints(client, db):
    response = client.get(reverse("join"))
    assert response.status_code == 200
    page = page_of(response)
    code = page.control("code")
    assert code["autocomplete"] == "one-time-code"
    assert code["autocapitalize"] == "characters"
    assert_labelled(page)


def test_a_code_typed_loosely_leads_to_the_invitation(client, world):
    invitation = invite(world.pat, world)
    typed = " " + invitation.code[:4].lower() + " - " + invitation.code[4:].lower() + " "
    response = client.post(reverse("join"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == accept_url(invitation)


def test_a_wrong_code_gets_a_clear_error(client, world):
    invite(world.pat, world)
    response = client.post(reverse("join"), {"code": "ZZZZ9999"})
    assert response.status_code == 200
    assert "We could not find that code." in response.content.decode()
    control = page_of(response).control("code")
    assert control["aria-invalid"] == "true"
    assert "id_code_error" in control["aria-describedby"]


def test_guessing_codes_stops_after_ten_tries(client, world):
    invitation = invite(world.pat, world)
    for _ in range(10):
        assert client.post(reverse("join"), {"code": "ZZZZ9999"}).status_code == 200
    response = client.post(reverse("join"), {"code": invitation.code})
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    # A fresh browser on the same connection is stopped too.
    assert Client().post(reverse("join"), {"code": invitation.code}).status_code == 429


def test_the_right_code_does_not_use_up_tries(client, world):
    invitation = invite(world.pat, world)
    for _ in range(12):
        assert client.post(reverse("join"), {"code": invitation.code}).status_code == 302


# ---- accepting -----------------------------------------------------------------------------


def test_accept_page_names_the_child_and_offers_the_choices(
    client, world, django_assert_max_num_queries
):
    invitation = invite(world.pat, world)
    with django_assert_max_num_queries(4):
        response = client.get(accept_url(invitation))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Welcome, Pat" in text
    assert "about Ben." in text
    assert "Ben Ali" not in text  # the child's first name is enough
    page = page_of(response)
    assert {"en", "es", "vi", "ar", "so", "ht"} <= set(option_values(text, "language"))
    channels = {c["value"] for c in page.controls if c.get("name") == "channel"}
    assert channels == {"app", "sms", "email"}
    assert page.control("quiet_start")["type"] == "time"
    assert page.control("quiet_end")["type"] == "time"
    assert_labelled(page)


def test_accepting_signs_the_family_in_and_shows_their_child(client, world):
    invitation = invite(world.pat, world)
    response = client.post(accept_url(invitation), GOOD_CHOICES)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    world.pat.refresh_from_db()
    assert world.pat.has_joined
    assert int(signed_in_user_id(client)) == world.pat.user.pk
    assert (world.pat.language, world.pat.quiet_start) == ("so", time(21))
    home = client.get("/")
    assert home.status_code == 200
    assert ">Ben<" in home.content.decode()  # the child the invitation was about


def test_a_spanish_reader_sees_the_invitation_and_home_in_spanish(client, world):
    unjoin(world.rosa, keep_user=True)
    invitation = invite(world.rosa, world)
    response = client.get(accept_url(invitation))
    text = response.content.decode()
    assert response["Content-Language"] == "es"
    assert "Le damos la bienvenida, Rosa" in text
    assert "sobre Ana" in text
    assert "Horas de silencio" in text
    assert "Quiet hours" not in text

    choices = {"language": "es", "channel": "sms", "quiet_start": "20:00", "quiet_end": "07:00"}
    response = client.post(accept_url(invitation), choices)
    assert response.status_code == 302
    world.rosa.refresh_from_db()
    assert int(signed_in_user_id(client)) == world.rosa.user.pk
    home = client.get("/").content.decode()
    assert "Hola, Rosa" in home
    assert "Docentes" in home
    assert "Teachers" not in home


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"language": "xx"}, "language", "Select a valid choice"),
        ({"channel": "fax"}, "channel", "Select a valid choice"),
        ({"quiet_end": "21:00"}, "quiet_end", "must end at a different time"),
        ({"quiet_start": "late"}, "quiet_start", "Enter a valid time"),
    ],
)
def test_bad_choices_on_joining_change_nothing(client, world, change, field, error):
    invitation = invite(world.pat, world)
    response = client.post(accept_url(invitation), {**GOOD_CHOICES, **change})
    assert response.status_code == 200
    assert error in response.content.decode()
    [control, *_] = [
        c for c in page_of(response).controls if c.get("id", "").startswith(f"id_{field}")
    ]
    assert control.get("aria-invalid") == "true"
    _assert_not_joined(world.pat, invitation, client)


def _assert_not_joined(guardian, invitation, client):
    guardian.refresh_from_db()
    invitation.refresh_from_db()
    assert guardian.user is None and guardian.joined_at is None
    assert invitation.accepted_at is None
    assert signed_in_user_id(client) is None


def test_texts_need_a_phone_and_email_needs_an_address(client, world):
    world.pat.email = ""
    world.pat.save()
    invitation = invite(world.pat, world)
    response = client.post(accept_url(invitation), {**GOOD_CHOICES, "channel": "email"})
    assert "no email address for you" in response.content.decode()
    _assert_not_joined(world.pat, invitation, client)

    world.pat.email = "pat.ali@family.example"
    world.pat.phone = ""
    world.pat.save()
    response = client.post(accept_url(invitation), {**GOOD_CHOICES, "channel": "sms"})
    assert "cannot text you" in response.content.decode()
    _assert_not_joined(world.pat, invitation, client)


def test_an_expired_invitation_says_so_and_changes_nothing(client, world):
    invitation = invite(world.pat, world)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert client.get(accept_url(invitation)).status_code == 410
    response = client.post(accept_url(invitation), GOOD_CHOICES)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    _assert_not_joined(world.pat, invitation, client)


def test_a_used_invitation_cannot_sign_anyone_in_again(client, world):
    invitation = invite(world.pat, world)
    client.post(accept_url(invitation), GOOD_CHOICES)
    client.logout()
    response = client.post(accept_url(invitation), {**GOOD_CHOICES, "language": "en"})
    assert response.status_code == 410
    assert "This invitation has been used" in response.content.decode()
    assert signed_in_user_id(client) is None
    world.pat.refresh_from_db()
    assert world.pat.language == "so"


def test_an_unknown_invitation_is_not_found(client, world):
    response = client.get(reverse("join_accept", args=["no-such-token"]))
    assert response.status_code == 404
    assert "We could not find this invitation" in response.content.decode()


def test_an_invitation_link_does_not_open_a_staff_account(client, world):
    # A teacher who is also a parent: the roster gives her guardian record her work email.
    world.pat.email = world.rivera.user.email
    world.pat.save()
    invitation = invite(world.pat, world)
    response = client.post(accept_url(invitation), {**GOOD_CHOICES, "channel": "email"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert signed_in_user_id(client) is None
    world.pat.refresh_from_db()
    assert world.pat.user == world.rivera.user
    assert world.pat.has_joined


def test_services_refuse_choices_the_forms_would_refuse(world):
    invitation = invite(world.pat, world)
    with pytest.raises(ValueError):
        services.accept_invitation(
            invitation, language="xx", channel="sms", quiet_start=time(20), quiet_end=time(7)
        )
    with pytest.raises(ValueError):
        services.accept_invitation(
            invitation, language="so", channel="sms", quiet_start=time(20), quiet_end=time(20)
        )
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
