"""Development can receive a text: a known auth token outside production, and
`manage.py simulate_text` posting a text signed as Twilio signs it to the running server."""

import subprocess

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from homeroom.messaging import services
from homeroom.messaging.models import InboundEvent, Message
from homeroom.testing.settings_import import PRODUCTION, import_settings

from .builders import private_thread


def settings_value(name: str, **environ) -> subprocess.CompletedProcess:
    """One setting, imported in a fresh interpreter with only the given environment."""
    return import_settings(f"print(repr(s.{name}))", **environ)


def test_development_has_a_known_auth_token_and_production_none():
    development = settings_value("TWILIO_AUTH_TOKEN")
    assert development.returncode == 0, development.stderr
    assert development.stdout.strip() == repr(django_settings.DEV_TWILIO_AUTH_TOKEN)
    assert django_settings.DEV_TWILIO_AUTH_TOKEN

    production = settings_value("TWILIO_AUTH_TOKEN", **PRODUCTION)
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "''"


def test_production_refuses_the_development_token():
    result = settings_value(
        "TWILIO_AUTH_TOKEN",
        **PRODUCTION,
        TWILIO_AUTH_TOKEN=django_settings.DEV_TWILIO_AUTH_TOKEN,
    )
    assert result.returncode != 0
    assert "real TWILIO_AUTH_TOKEN" in result.stderr


def test_production_with_twilio_still_needs_a_token():
    result = settings_value(
        "TWILIO_AUTH_TOKEN", **PRODUCTION, SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID="AC" + "1" * 32
    )
    assert result.returncode != 0
    assert "TWILIO_AUTH_TOKEN" in result.stderr


@pytest.fixture
def server(settings, live_server):
    """The running server, as `make run` starts it: the development token, its own address."""
    settings.TWILIO_AUTH_TOKEN = django_settings.DEV_TWILIO_AUTH_TOKEN
    settings.PUBLIC_BASE_URL = live_server.url
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"*": ["libretranslate"]}
    return live_server


@pytest.mark.django_db(transaction=True)
def test_a_simulated_text_arrives_in_the_conversation_that_texted_the_number(world, server, capsys):
    first = private_thread(world, world.rosa)
    second = private_thread(world, world.rosa, student=world.ana)
    services.send_message(second, text="Ana's trip is on Friday.", by_staff=world.rivera)

    call_command("simulate_text", "Ok, gracias.", "--from", str(world.rosa.phone))

    reply = Message.objects.get(author_guardian=world.rosa)
    assert reply.conversation == second
    assert reply.channel == "sms" and reply.body == "Ok, gracias."
    assert InboundEvent.objects.get().message == reply
    assert not first.messages.exists()
    assert "Texted" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_text_signed_with_the_wrong_token_is_refused(world, server):
    private_thread(world, world.rosa)

    with pytest.raises(CommandError) as refused:
        call_command(
            "simulate_text", "Hola", "--from", str(world.rosa.phone), "--token", "not-the-token"
        )

    assert "403" in str(refused.value)
    assert not Message.objects.filter(author_guardian=world.rosa).exists()
    assert not InboundEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_keyword_answer_is_printed(world, server, capsys):
    call_command("simulate_text", "HELP", "--from", str(world.marco.phone))

    out = capsys.readouterr().out
    assert "North Elementary" in out and "Reply STOP to stop." in out
