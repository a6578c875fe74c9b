"""A family who has joined changes their language, channel and quiet hours themselves."""

from datetime import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from .pages import assert_labelled, page_of

PREFERENCES = reverse("family_preferences")


def choices(**change):
    return {"language": "es", "channel": "sms", "quiet_start": "20:00", "quiet_end": "07:00"} | (
        change
    )


def test_preferences_page_is_in_the_familys_language_and_shows_their_choices(
    login, world, django_assert_max_num_queries
):
    client = login(world.rosa)
    # ... one of them the district's translation routes, for how each language arrives
    with django_assert_max_num_queries(7):
        response = client.get(PREFERENCES)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Cómo le contacta la escuela" in text
    assert "Horas de silencio" in text
    page = page_of(response)
    assert page.control("channel", value="sms").get("checked") == ""
    assert page.control("quiet_start")["value"] == "20:00"
    assert page.control("quiet_end")["value"] == "07:00"
    assert '<option value="es" selected>' in text
    assert_labelled(page)


def test_a_family_changes_language_channel_and_quiet_hours(login, world):
    client = login(world.rosa)
    response = client.post(
        PREFERENCES,
        choices(language="en", channel="email", quiet_start="21:30", quiet_end="06:15"),
    )
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    # The confirmation already speaks the language just chosen.
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your preferences are saved."]
    world.rosa.refresh_from_db()
    assert (world.rosa.language, world.rosa.channel) == ("en", "email")
    assert (world.rosa.quiet_start, world.rosa.quiet_end) == (time(21, 30), time(6, 15))
    assert "How the school reaches you" in client.get(PREFERENCES).content.decode()


def test_a_regional_language_tag_survives_keeping_the_language(login, world):
    world.rosa.language = "es-MX"
    world.rosa.save()
    login(world.rosa).post(PREFERENCES, choices(quiet_start="22:00"))
    world.rosa.refresh_from_db()
    assert world.rosa.language == "es-MX"
    assert world.rosa.quiet_start == time(22)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"language": "klingon"}, "Escoja una opción válida"),
        ({"quiet_end": "20:00"}, "Las horas de silencio deben terminar"),
        ({"quiet_start": ""}, "Este campo es obligatorio"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(login, world, change, error):
    client = login(world.rosa)
    response = client.post(PREFERENCES, choices(channel="app", **change))
    assert response.status_code == 200
    assert error in response.content.decode()
    world.rosa.refresh_from_db()
    assert (world.rosa.language, world.rosa.channel) == ("es", "sms")
    assert world.rosa.quiet_start == time(20)


def test_texts_need_a_phone_on_file(login, world):
    world.marco.phone = ""
    world.marco.save()
    response = login(world.marco).post(PREFERENCES, choices(language="en", channel="sms"))
    assert "cannot text you" in response.content.decode()
    world.marco.refresh_from_db()
    assert world.marco.channel == "email"


def test_email_needs_an_address_on_file(login, world):
    world.rosa.email = ""
    world.rosa.save()
    response = login(world.rosa).post(PREFERENCES, choices(channel="email"))
    assert "no tiene su correo electrónico" in response.content.decode()
    world.rosa.refresh_from_db()
    assert world.rosa.channel == "sms"


def test_preferences_are_for_families_only(client, login, world):
    response = client.get(PREFERENCES)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert login(world.rivera).get(PREFERENCES).status_code == 404
