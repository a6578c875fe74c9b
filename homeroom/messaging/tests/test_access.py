"""Who may read which conversation: participants, school leaders (logged), families only
while they may still see their child's records; everyone else gets a 404."""

import pytest
from django.http import Http404
from django.utils import timezone

from homeroom.messaging.access import (
    conversations_for,
    get_conversation_for,
    unread_count_for_family,
)
from homeroom.messaging.inbound.notify import unread_counts_for_staff
from homeroom.messaging.models import (
    ConversationAccess,
    Message,
    Participant,
)
from homeroom.people.models import Guardianship, User

from .builders import announcement, thread


@pytest.fixture
def threads(world):
    return {
        "ana": thread(world, world.ana, world.rivera, [world.rosa, world.marco]),
        "ben": thread(world, world.ben, world.chen, [world.pat]),
        # Ray was in Cal's thread before the court order; he must not see it now.
        "cal": thread(world, world.cal, world.rivera, [world.gina, world.ray]),
        "dee": thread(world, world.dee, world.south_teacher, [world.olga]),
        "math": announcement(world, world.rivera, world.math, [world.rosa, world.gina]),
    }


def fresh_user(person):
    """The person's account as a new request would load it (who they are is cached on it)."""
    return User.objects.get(pk=person.user_id)


def visible(person, threads) -> set[str]:
    ids = set(conversations_for(fresh_user(person)).values_list("pk", flat=True))
    return {name for name, conversation in threads.items() if conversation.pk in ids}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rivera", {"ana", "cal", "math"}),
        ("chen", {"ben"}),
        # School-wide but not a leader: only the conversations she is part of.
        ("liaison", set()),
        ("principal", {"ana", "ben", "cal", "math"}),
        ("south_teacher", {"dee"}),
        ("south_admin", {"dee"}),
        ("district_admin", {"ana", "ben", "cal", "math", "dee"}),
        ("elsewhere_admin", set()),
        ("rosa", {"ana", "math"}),
        ("marco", {"ana"}),
        ("gina", {"cal", "math"}),
        ("ray", set()),
        ("olga", {"dee"}),
        ("zed_parent", set()),
    ],
)
def test_each_persona_sees_exactly_their_conversations(world, threads, persona, expected):
    assert visible(getattr(world, persona), threads) == expected


def test_a_family_loses_the_thread_when_a_court_order_closes_the_records(world, threads):
    assert "ana" in visible(world.marco, threads)
    Guardianship.objects.filter(guardian=world.marco, student=world.ana).update(
        may_see_records=False
    )
    assert visible(world.marco, threads) == set()


def test_a_family_keeps_announcements_it_received(world, threads):
    # An announcement names no child: a family keeps what was sent to it.
    assert "math" in visible(world.gina, threads)
    assert "math" not in visible(world.marco, threads)  # not in its audience


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("chen", "ana"),  # another teacher's conversation
        ("rivera", "ben"),
        ("south_admin", "ana"),  # a leader of another school
        ("olga", "ana"),  # another family
        ("ray", "cal"),  # restricted by a court order
        ("liaison", "ana"),
        ("elsewhere_admin", "dee"),
    ],
)
def test_getting_a_conversation_outside_scope_is_a_404(world, threads, persona, name):
    with pytest.raises(Http404):
        get_conversation_for(getattr(world, persona).user, threads[name].pk)
    assert not ConversationAccess.objects.exists()


@pytest.mark.parametrize("bad", ["abc", None, "", 10**9])
def test_unknown_or_malformed_ids_are_a_404(world, threads, bad):
    with pytest.raises(Http404):
        get_conversation_for(world.rivera.user, bad)


def test_a_leader_reading_a_conversation_she_is_not_in_is_logged_each_time(world, threads):
    first = get_conversation_for(world.principal.user, threads["ben"].pk)
    assert first.reviewing and not first.as_staff
    get_conversation_for(world.principal.user, threads["ben"].pk)
    rows = ConversationAccess.objects.filter(conversation=threads["ben"], staff=world.principal)
    assert rows.count() == 2


def test_participants_reading_their_own_conversation_are_not_logged(world, threads):
    mine = get_conversation_for(world.chen.user, threads["ben"].pk)
    assert mine.as_staff and not mine.reviewing
    rosa = get_conversation_for(world.rosa.user, threads["ana"].pk)
    assert rosa.as_family and rosa.read_marker is None
    assert not ConversationAccess.objects.exists()


def test_district_admin_review_is_logged_too(world, threads):
    get_conversation_for(world.district_admin.user, threads["dee"].pk)
    assert ConversationAccess.objects.filter(staff=world.district_admin).count() == 1


def test_unread_counts_follow_the_read_markers(world, threads):
    ana = threads["ana"]
    Message.objects.create(conversation=ana, author_guardian=world.rosa, body="Hola", language="es")
    Message.objects.create(conversation=ana, author_guardian=world.marco, body="Hi", language="en")
    assert unread_counts_for_staff(world.rivera) == 2
    # Rosa has never opened either thread: Rivera's message in each. Marco's reply is not
    # for her: he keeps another household.
    assert unread_count_for_family(world.rosa.user) == 2
    Participant.objects.filter(conversation=ana, staff=world.rivera).update(
        last_read_at=timezone.now()
    )
    Participant.objects.filter(guardian=world.rosa).update(last_read_at=timezone.now())
    assert unread_counts_for_staff(world.rivera) == 0
    assert unread_count_for_family(world.rosa.user) == 0


def test_a_family_unread_count_ignores_threads_it_may_no_longer_see(world, threads):
    # Ray is a participant of Cal's thread but barred from it: nothing waits for him.
    assert unread_count_for_family(world.ray.user) == 0
    assert unread_count_for_family(world.gina.user) == 2
