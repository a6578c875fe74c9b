"""Announcements: who may pick which audience, its size per language, sending."""

from homeroom.messaging.models import (
    Conversation,
)

from .screens import (
    HX,
    _translation,  # noqa: F401 (autouse: the engine these pages run with)
    html,
    text_of,
    url,
)

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
    assert "of 3 guardians reached" in text_of(page)


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
