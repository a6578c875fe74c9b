"""Choosing a co-organiser family: a small audience's families are all offered; a large
one's are found by name, so the organisers' page stays light for a whole school."""

from django.urls import reverse

from homeroom.gatherings import services
from homeroom.gatherings.models import Event
from homeroom.messaging.audiences import Audience
from homeroom.people.models import Guardianship
from homeroom.testing.personas import make_guardian

from .test_events import make_event


def crowd(world, n):
    for index in range(n):
        guardian = make_guardian(
            world.district, f"Parent{index:02d}", "Crowd", "en", f"+1612555{index:04d}"
        )
        Guardianship.objects.create(guardian=guardian, student=world.ana)


def test_a_small_audience_offers_every_family_not_yet_planning_it(awake, login):
    event = make_event(awake)
    page = login(awake.rivera).get(reverse("gatherings:organise", args=[event.pk])).content
    assert "Rosa Lopez" in page.decode() and "Gina Nguyen" in page.decode()
    services.add_co_organiser(event, awake.rosa)
    page = login(awake.rivera).get(reverse("gatherings:organise", args=[event.pk])).content
    assert f'value="{awake.rosa.pk}"' not in page.decode()
    assert f'value="{awake.gina.pk}"' in page.decode()


def test_a_large_audience_is_searched_by_name_and_the_page_does_not_grow(
    awake, login, django_assert_max_num_queries
):
    world = awake
    crowd(world, services.FAMILIES_LISTED + 5)
    event = make_event(world, audience=Audience.school(world.north), by=world.principal)
    client = login(world.principal)
    url = reverse("gatherings:organise", args=[event.pk])
    page = client.get(url).content.decode()
    assert "Parent00 Crowd" not in page and "Rosa Lopez" not in page
    assert "Type a family&#x27;s name" in page or "Type a family's name" in page
    found = client.get(url, {"family": "parent03"}).content.decode()
    assert "Parent03 Crowd" in found and "Parent04 Crowd" not in found
    assert (
        "No family of the audience has that name."
        in client.get(url, {"family": "zz"}).content.decode()
    )
    # Choosing one found by name, or any family of the audience by its id, works.
    rosa = client.post(url, {"action": "co", "guardian": str(world.rosa.pk)})
    assert rosa.status_code == 302
    assert list(Event.objects.get().co_organisers.all()) == [world.rosa]


def test_a_family_outside_the_audience_is_not_a_valid_choice(awake, login):
    event = make_event(awake)  # Math 6: Olga (South) and Pat (Science 6) are not invited
    client = login(awake.rivera)
    url = reverse("gatherings:organise", args=[event.pk])
    for stranger in (awake.olga, awake.pat, awake.ray):
        response = client.post(url, {"action": "co", "guardian": str(stranger.pk)})
        assert response.status_code == 400
    for garbled in ("abc", "", "-1", "9" * 30):
        assert client.post(url, {"action": "co", "guardian": garbled}).status_code == 400
    assert not Event.objects.get().co_organisers.exists()
    assert services.families_to_offer(services.audience_families(event), "x") != []


def test_a_bad_search_is_ignored(awake, login):
    event = make_event(awake)
    url = reverse("gatherings:organise", args=[event.pk])
    for bad in ("a\x00b", "x" * 500, "\u202eabc"):
        assert login(awake.rivera).get(url, {"family": bad}).status_code == 200
