"""Ids the reader may not see are a 404 on every screen."""

import pytest

from homeroom.messaging.models import (
    Conversation,
    Message,
)

from .builders import thread
from .screens import (
    _translation,  # noqa: F401 (autouse: the engine these pages run with)
    url,
)

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
