"""Signing in: staff with email and password (admins add TOTP first); families with a code
sent by text or email, in their language, without a password."""

import logging
import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from homeroom.testing.personas import PASSWORD
from homeroom.transports import outbound

from .pages import assert_labelled, page_of, signed_in_user_id

LOGIN = reverse("account_login")
REQUEST_CODE = reverse("account_request_login_code")
CONFIRM_CODE = reverse("account_confirm_login_code")
TOTP_ACTIVATE = reverse("mfa_activate_totp")
# allauth's default sign-in code: eight letters and digits, shown as two groups of four.
CODE_IN_TEXT = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Attempt counters and used one-time codes live in the cache; no test inherits another's.
    cache.clear()
    yield
    cache.clear()


def code_from(message: outbound.Outgoing) -> str:
    match = CODE_IN_TEXT.search(message.body)
    assert match, f"no code in {message.body!r}"
    return match.group(1)


def request_code(client, **data):
    return client.post(REQUEST_CODE, data)


def start_over(client):
    """What "Use a different number or email address" does on the code page."""
    response = client.post(reverse("account_logout"), {"next": REQUEST_CODE})
    assert response["Location"] == REQUEST_CODE


# ---- one page for both audiences ---------------------------------------------------------


def test_sign_in_page_offers_staff_a_password_and_families_a_code(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Staff: email and password" in text
    assert "Families: get a code by text or email" in text
    page = page_of(response)
    assert page.control("login")["type"] == "email"
    assert page.control("login")["autocomplete"] == "username"
    assert page.control("password")["type"] == "password"
    assert page.control("password")["autocomplete"] == "current-password"
    phone = page.control("phone")
    assert (phone["type"], phone["inputmode"], phone["autocomplete"]) == ("tel", "tel", "tel")
    assert page.control("email")["type"] == "email"
    # The family form goes to allauth's request-a-code view, with allauth's field names.
    assert f'action="{REQUEST_CODE}"' in text
    # Staff come first, and only form fields carry labels, so the first "email" label on the
    # page is the staff sign-in; families jump to their part with the link at the top.
    assert text.index('name="login"') < text.index('name="phone"')
    assert "aria-labelledby" not in text
    assert 'href="#families"' in text
    assert_labelled(page)


def test_sign_in_page_speaks_spanish_to_a_spanish_browser(client, db):
    text = client.get(LOGIN, headers={"accept-language": "es"}).content.decode()
    assert "Para las familias: un código por mensaje de texto o por correo electrónico" in text
    assert "Número de celular" in text
    assert "Families: get a code" not in text


def test_code_pages_use_the_right_keyboards_and_autofill(client, world):
    page = page_of(client.get(REQUEST_CODE))
    assert page.control("phone")["type"] == "tel"
    assert page.control("email")["type"] == "email"
    assert_labelled(page)

    request_code(client, phone="(612) 555-0111")
    response = client.get(CONFIRM_CODE)
    page = page_of(response)
    code = page.control("code")
    assert code["autocomplete"] == "one-time-code"
    assert code["inputmode"] == "text"
    assert_labelled(page)


# ---- staff -------------------------------------------------------------------------------


def test_teacher_signs_in_with_password_and_is_not_asked_for_totp(client, world):
    response = client.post(LOGIN, {"login": world.rivera.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Math 6" in home.content.decode()
    assert not Authenticator.objects.filter(user=world.rivera.user).exists()


def test_wrong_password_is_refused_with_a_clear_message(client, world):
    response = client.post(LOGIN, {"login": world.rivera.user.email, "password": "nope-wrong"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "The email address or password is not right." in text
    assert "nope-wrong" not in text  # a password is never sent back into the page
    page = page_of(response)
    assert page.control("login")["value"] == world.rivera.user.email
    for name in ("login", "password"):
        assert page.control(name)["aria-invalid"] == "true"
    assert_labelled(page)
    assert signed_in_user_id(client) is None


def test_a_family_cannot_sign_in_with_a_password(client, world):
    response = client.post(LOGIN, {"login": world.rosa.user.email, "password": ""})
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def _totp_codes_near_now(secret: str) -> list[str]:
    """The code an authenticator app shows now, then its neighbours in time."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return [format_hotp_value(hotp_value(secret, counter + step)) for step in (0, -1, 1)]


@pytest.mark.parametrize("who", ["principal", "district_admin"])
def test_admin_without_totp_must_set_it_up_before_anything_else(client, world, who, settings):
    # One step of tolerance, so a code computed just before a 30-second boundary still counts.
    settings.MFA_TOTP_TOLERANCE = 1
    user = getattr(world, who).user
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(TOTP_ACTIVATE)
    assert client.get(reverse("student_list"))["Location"].startswith(TOTP_ACTIVATE)

    page = page_of(client.get(TOTP_ACTIVATE))
    secret = next(c["value"] for c in page.controls if c.get("id") == "authenticator_secret")

    valid = _totp_codes_near_now(secret)
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
    refused = client.post(TOTP_ACTIVATE, {"code": wrong})
    assert refused.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    done = client.post(TOTP_ACTIVATE, {"code": valid[0]})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    home = client.get("/")
    assert home.status_code == 200


# ---- families by text --------------------------------------------------------------------


def test_guardian_gets_one_text_in_spanish_and_signs_in_with_it(client, world):
    response = request_code(client, phone="(612) 555-0111")
    assert response.status_code == 302
    assert response["Location"] == CONFIRM_CODE

    assert len(outbound.outbox) == 1
    sms = outbound.outbox[0]
    assert (sms.channel, sms.to, sms.kind) == ("sms", "+16125550111", "login_code")
    assert "Su código" in sms.body and "Never share" not in sms.body

    response = client.post(CONFIRM_CODE, {"code": code_from(sms)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(signed_in_user_id(client)) == world.rosa.user.pk
    home = client.get("/").content.decode()
    assert ">Ana<" in home
    assert "Hola, Rosa" in home


@pytest.mark.parametrize(
    "typed", ["612.555.0111", "+1 612 555 0111", "6125550111", "1-612-555-0111"]
)
def test_phone_numbers_in_common_formats_reach_the_guardian(client, world, typed):
    request_code(client, phone=typed)
    assert [m.to for m in outbound.outbox] == ["+16125550111"]


def test_a_phone_number_that_cannot_be_read_gets_a_clear_error(client, world):
    response = request_code(client, phone="555-01")
    assert response.status_code == 200
    assert "Enter a mobile number such as (612) 555-0111." in response.content.decode()
    page = page_of(response)
    assert page.control("phone")["aria-invalid"] == "true"
    assert "id_phone_error" in page.control("phone")["aria-describedby"]
    assert outbound.outbox == []


def test_phone_and_email_together_are_refused(client, world):
    response = request_code(client, phone="(612) 555-0111", email=world.rosa.email)
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert_labelled(page_of(response))
    assert outbound.outbox == []


def test_a_wrong_code_is_refused_and_three_wrong_codes_kill_it(client, world, settings):
    assert settings.ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS == 3
    request_code(client, phone="(612) 555-0111")
    code = code_from(outbound.outbox[0])

    first = client.post(CONFIRM_CODE, {"code": "AAAA-AAAA"})
    assert first.status_code == 200
    assert "That code is not right." in first.content.decode()
    assert page_of(first).control("code")["aria-invalid"] == "true"
    client.post(CONFIRM_CODE, {"code": "BBBB-BBBB"})
    third = client.post(CONFIRM_CODE, {"code": "CCCC-CCCC"})
    assert third.status_code == 302
    assert third["Location"] == REQUEST_CODE

    late = client.post(CONFIRM_CODE, {"code": code})
    assert late.status_code == 302
    assert late["Location"] == REQUEST_CODE
    assert signed_in_user_id(client) is None


def test_a_family_who_typed_the_wrong_number_can_start_over(client, world):
    request_code(client, phone="(612) 555-0199")
    # While a code is under way, allauth sends every sign-in page back to it.
    assert client.get(REQUEST_CODE)["Location"] == CONFIRM_CODE
    page = client.get(CONFIRM_CODE).content.decode()
    assert 'action="/accounts/logout/"' in page and f'value="{REQUEST_CODE}"' in page
    start_over(client)
    request_code(client, phone="(612) 555-0111")
    assert [m.to for m in outbound.outbox] == ["+16125550111"]


def test_an_expired_code_fails(client, world, settings):
    request_code(client, phone="(612) 555-0111")
    code = code_from(outbound.outbox[0])
    session = client.session
    stash = session["account_login"]
    stash["state"]["stages"]["login_by_code"]["data"]["at"] -= (
        settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT + 1
    )
    session["account_login"] = stash
    session.save()

    response = client.post(CONFIRM_CODE, {"code": code})
    assert response.status_code == 302
    assert response["Location"] == REQUEST_CODE
    assert signed_in_user_id(client) is None


def test_an_unknown_number_gets_no_text_and_the_page_does_not_tell(client, world):
    known = request_code(client, phone="(612) 555-0111")
    known_page = client.get(CONFIRM_CODE).content.decode()
    outbound.outbox.clear()
    client.logout()

    unknown = request_code(client, phone="(612) 555-0199")
    assert outbound.outbox == []
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    unknown_page = client.get(CONFIRM_CODE).content.decode()

    def without_number(html):
        return re.sub(r"\+1612555\d{4}", "NUMBER", re.sub(r'value="[^"]*"', "", html))

    assert without_number(unknown_page) == without_number(known_page)
    # Whatever is typed, nobody signs in.
    client.post(CONFIRM_CODE, {"code": "AAAA-AAAA"})
    assert signed_in_user_id(client) is None


def test_an_inactive_guardian_gets_no_code_and_cannot_sign_in(client, world):
    world.rosa.user.is_active = False
    world.rosa.user.save()
    response = request_code(client, phone="(612) 555-0111")
    assert response.status_code == 302
    assert outbound.outbox == []
    client.post(CONFIRM_CODE, {"code": "AAAA-AAAA"})
    assert signed_in_user_id(client) is None

    start_over(client)
    request_code(client, email=world.rosa.email)
    assert [m.kind for m in outbound.outbox] == ["unknown_account"]
    assert not CODE_IN_TEXT.search(outbound.outbox[0].body)


def test_a_guardian_barred_by_a_court_order_signs_in_but_sees_no_child(client, world):
    request_code(client, phone="(612) 555-0114")
    client.post(CONFIRM_CODE, {"code": code_from(outbound.outbox[0])})
    assert int(signed_in_user_id(client)) == world.ray.user.pk
    home = client.get("/").content.decode()
    assert "Cal" not in home
    assert "No children are linked" in home


# ---- families by email -------------------------------------------------------------------


def test_guardian_signs_in_with_a_code_by_email(client, world):
    response = request_code(client, email="Marco.Lopez@family.example")
    assert response["Location"] == CONFIRM_CODE
    assert len(outbound.outbox) == 1
    mail = outbound.outbox[0]
    assert (mail.channel, mail.to, mail.kind) == (
        "email",
        "marco.lopez@family.example",
        "login_code",
    )
    assert mail.subject == "Your Homeroom sign-in code"

    client.post(CONFIRM_CODE, {"code": code_from(mail)})
    assert int(signed_in_user_id(client)) == world.marco.user.pk
    assert ">Ana<" in client.get("/").content.decode()


def test_code_email_is_in_the_guardians_language(client, world):
    request_code(client, email=world.rosa.email)
    mail = outbound.outbox[0]
    assert mail.subject == "Su código para entrar en Homeroom"
    assert "Nunca lo comparta" in mail.body


def test_an_unknown_email_gets_no_code(client, world):
    response = request_code(client, email="nobody@family.example")
    assert response["Location"] == CONFIRM_CODE
    assert [m.kind for m in outbound.outbox] == ["unknown_account"]
    assert not CODE_IN_TEXT.search(outbound.outbox[0].body)
    assert "school office" in outbound.outbox[0].body


# ---- what the time of a code request tells ------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TWILIO_LATENCY = 0.3  # seconds: a provider's round trip, as Twilio takes from afar


def run_worker() -> int:
    """What `manage.py db_worker --batch` does: run every queued task, in this process."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    for result in list(DBTaskResult.objects.ready()):
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def timed_code_request(client, phone, capture) -> float:
    started = time.perf_counter()
    with capture(execute=True):
        response = request_code(client, phone=phone)
    elapsed = time.perf_counter() - started
    assert (response.status_code, response["Location"]) == (302, CONFIRM_CODE)
    return elapsed


def test_a_code_request_takes_as_long_for_a_known_phone_as_for_an_unknown_one(
    client, world, settings, twilio_server, django_capture_on_commit_callbacks, caplog
):
    settings.OUTBOUND_BACKEND = "channels"
    settings.TASKS = DATABASE_TASKS  # queued for a worker that is not running yet
    twilio_server.delay = TWILIO_LATENCY
    # The first request of a process loads templates and translations; that is not the phone's.
    timed_code_request(client, "(612) 555-0198", django_capture_on_commit_callbacks)
    start_over(client)

    unknown = timed_code_request(client, "(612) 555-0199", django_capture_on_commit_callbacks)
    start_over(client)
    known = timed_code_request(client, "(612) 555-0111", django_capture_on_commit_callbacks)

    assert known < TWILIO_LATENCY / 2 and unknown < TWILIO_LATENCY / 2, (known, unknown)
    assert twilio_server.messages == []  # nothing was sent during the requests
    queued = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert len(queued) == 3  # one for each request, known or not
    assert "+1612555" not in str(queued) and "código" not in str(queued)

    with caplog.at_level(logging.DEBUG):
        assert run_worker() == 3

    (text,) = twilio_server.messages  # only the known phone gets a text
    assert text["To"] == "+16125550111" and "Su código" in text["Body"]
    code = CODE_IN_TEXT.search(text["Body"]).group(1)
    assert code not in caplog.text and code not in str(queued)
    response = client.post(CONFIRM_CODE, {"code": code})
    assert response.status_code == 302
    assert int(signed_in_user_id(client)) == world.rosa.user.pk


def test_a_sealed_text_that_was_tampered_with_or_waited_too_long_is_not_sent(
    db, settings, twilio_server, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OUTBOUND_BACKEND = "channels"
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        outbound.send_later("sms", "+16125550111", "Your code is 1234-5678", kind="login_code")
        outbound.send_later("sms", "+16125550112", "Your code is 8765-4321", kind="login_code")
    stale, tampered = DBTaskResult.objects.order_by("enqueued_at")
    sealed = tampered.args_kwargs["args"][0]
    tampered.args_kwargs = {"args": [sealed[:-8] + "AAAAAAAA", "login_code"], "kwargs": {}}
    tampered.save()
    monkeypatch.setattr(outbound, "SEALED_FOR_SECONDS", -1)
    outbound.deliver_outgoing.call(*stale.args_kwargs["args"])
    monkeypatch.setattr(outbound, "SEALED_FOR_SECONDS", 3600)
    outbound.deliver_outgoing.call(*tampered.args_kwargs["args"])

    assert twilio_server.messages == []
