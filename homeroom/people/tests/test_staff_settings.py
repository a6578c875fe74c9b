"""A staff member's own settings: the language they read families in, how they hear that a
family wrote, and their office hours. Only staff have the page; bad input changes nothing."""

import re

import pytest
from django.urls import reverse

from homeroom.people.models import StaffMember

URL = reverse("staff_preferences")
GOOD = {
    "language": "es",
    "family_alerts": "hourly",
    "days": ["0", "2", "4"],
    "start": "07:30",
    "end": "15:00",
}


def saved(staff):
    stored = StaffMember.objects.get(pk=staff.pk)
    return stored.language, stored.family_alerts, stored.office_hours


def test_a_teacher_finds_the_page_from_the_menu_and_saves_her_choices(world, login):
    client = login(world.rivera)
    assert URL in client.get(reverse("home")).content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    (each,) = re.findall(r'<input[^>]*name="family_alerts"[^>]*value="each"[^>]*>', text)
    assert "checked" in each  # an email for each family message, by default
    response = client.post(URL, GOOD)
    assert response.status_code == 302
    assert saved(world.rivera) == (
        "es",
        "hourly",
        {"days": [0, 2, 4], "start": "07:30", "end": "15:00"},
    )
    # The page shows what was saved.
    again = client.get(URL).content.decode()
    assert 'value="07:30"' in again and 'value="15:00"' in again


def test_no_days_means_reachable_at_any_time(world, login):
    world.rivera.office_hours = {"days": [0], "start": "08:00", "end": "16:00"}
    world.rivera.save()
    response = login(world.rivera).post(URL, {**GOOD, "days": []})
    assert response.status_code == 302
    assert saved(world.rivera)[2] is None


@pytest.mark.parametrize(
    "change",
    [
        {"language": "xx"},
        {"language": "es\x00"},
        {"language": "e\u202es"},
        {"language": "es" * 5000},
        {"language": ""},
        {"family_alerts": "pigeon"},
        {"family_alerts": "each\x00"},
        {"days": ["7"]},
        {"days": ["x"]},
        {"start": "16:00", "end": "08:00"},
        {"start": "", "end": "15:00"},
        {"start": "25:00"},
        {"end": "15:00\x00"},
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(world, login, change):
    before = saved(world.rivera)
    response = login(world.rivera).post(URL, {**GOOD, **change})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert saved(world.rivera) == before


def test_families_have_no_staff_settings_and_strangers_must_sign_in(world, client, login):
    assert login(world.rosa).get(URL).status_code == 404
    assert login(world.rosa).post(URL, GOOD).status_code == 404
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_staff_member_changes_only_their_own_settings(world, login):
    before = saved(world.chen)
    login(world.rivera).post(URL, GOOD)
    assert saved(world.chen) == before
    # A school admin of another school, too, sees and saves their own alone.
    login(world.south_admin).post(URL, GOOD)
    assert saved(world.south_admin)[0] == "es"
    assert saved(world.chen) == before
