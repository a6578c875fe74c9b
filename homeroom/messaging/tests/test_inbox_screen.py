"""The inboxes: a staff member's (search, a leader's whole school) and a family's, in its
language; their query counts."""

import pytest

from homeroom.messaging import services
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import (
    Conversation,
    ConversationAccess,
)
from homeroom.people.models import Guardian
from homeroom.testing.personas import link

from .builders import announcement, committed, thread
from .screens import (
    FAMILY_INBOX_QUERIES,
    STAFF_INBOX_QUERIES,
    _busy_thread,
    _translation,  # noqa: F401 (autouse: the engine these pages run with)
    nav_badge,
    rows,
    text_of,
    url,
)

# ---- the staff inbox ----------------------------------------------------------------------------


def test_staff_inbox_lists_her_conversations_newest_first(world, login):
    ana = thread(world, world.ana, world.rivera, [world.rosa, world.marco], days_ago=3)
    cal = thread(world, world.cal, world.rivera, [world.gina], days_ago=2)
    thread(world, world.ben, world.chen, [world.pat], days_ago=1)
    committed(receive_reply, world.rosa, ana, "Ana va a llegar tarde mañana.", "app")

    response = login(world.rivera).get(url("inbox"))

    assert [c.pk for c in rows(response)] == [ana.pk, cal.pk]
    first = rows(response)[0]
    assert first.unread == 1
    assert {p.full_name for p in first.others} == {"Rosa Lopez", "Marco Lopez"}
    page = text_of(response)
    # The family wrote in Spanish; the teacher's preview is the English translation.
    assert "Family: Ana va a llegar tarde mañana. (en)" in page
    assert "Ben Ali" not in page
    assert nav_badge(response) == "1"


def test_staff_inbox_is_paginated(world, login):
    for _ in range(30):
        thread(world, world.ana, world.rivera, [world.rosa])
    client = login(world.rivera)
    assert len(rows(client.get(url("inbox")))) == 25
    assert len(rows(client.get(url("inbox"), {"page": 2}))) == 5


def test_search_finds_student_names_and_words_within_scope_only(world, login):
    thread(world, world.ana, world.rivera, [world.rosa], text="The pumpkin patch trip")
    cal = thread(world, world.cal, world.rivera, [world.gina], text="Reading log")
    ben = thread(world, world.ben, world.chen, [world.pat], text="Science fair project")
    client = login(world.rivera)

    def found(**params):
        return {c.pk for c in rows(client.get(url("inbox"), params))}

    assert found(q="pumpkin") == {Conversation.objects.get(student=world.ana).pk}
    assert found(q="nguyen") == {cal.pk}
    # Chen's conversation exists but is not Rivera's: neither its words nor its student match.
    assert found(q="science fair") == set()
    assert found(q="Ben") == set()
    assert found(q="science fair", all="1") == set()  # not a leader: "all" changes nothing

    principal = login(world.principal)
    assert {c.pk for c in rows(principal.get(url("inbox"), {"q": "science"}))} == set()
    everything = principal.get(url("inbox"), {"q": "science", "all": "1"})
    assert {c.pk for c in rows(everything)} == {ben.pk}


def test_a_leader_can_list_every_conversation_of_her_school_only(world, login):
    ana = thread(world, world.ana, world.rivera, [world.rosa])
    ben = thread(world, world.ben, world.chen, [world.pat])
    thread(world, world.dee, world.south_teacher, [world.olga])
    response = login(world.principal).get(url("inbox"), {"all": "1"})
    assert {c.pk for c in rows(response)} == {ana.pk, ben.pk}
    # She is in none of them: nothing is unread for her, and nothing was logged by listing.
    assert all(c.unread == 0 for c in rows(response))
    assert not ConversationAccess.objects.exists()


# ---- the family inbox ------------------------------------------------------------------------


def test_family_inbox_is_in_spanish_with_the_child_named_on_every_row(world, login):
    services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read a whole chapter today"
    )
    services.send_announcement(
        by_staff=world.rivera,
        audience=services.Audience.section(world.math),
        text="Bring a coat on Friday",
    )
    thread(world, world.cal, world.rivera, [world.gina])  # another family's

    response = login(world.rosa).get(url("inbox"))

    conversations = rows(response)
    assert len(conversations) == 2
    assert [c.unread for c in conversations] == [1, 1]
    # The announcement names no child; the row still says which child it is about.
    assert [[child.full_name for child in c.children] for c in conversations] == [
        ["Ana Lopez"],
        ["Ana Lopez"],
    ]
    page = text_of(response)
    assert "Bring a coat on Friday (es)" in page
    assert "Ana read a whole chapter today (es)" in page
    assert "Cal Nguyen" not in page
    assert "Mensajes" in page and "Escribir a la escuela" in page
    assert "Los mensajes con la escuela son registros escolares." in page
    assert nav_badge(response) == "2"


def test_a_teacher_who_is_also_a_parent_reads_her_family_messages_apart(world, login):
    mother = Guardian.objects.create(
        user=world.chen.user, district=world.district, given_name="Wei", family_name="Chen"
    )
    link(mother, world.ana)
    about_her_child = thread(world, world.ana, world.rivera, [mother])
    her_class = thread(world, world.ben, world.chen, [world.pat])
    client = login(world.chen)
    assert [c.pk for c in rows(client.get(url("inbox")))] == [her_class.pk]
    family = client.get(url("inbox"), {"view": "family"})
    assert [c.pk for c in rows(family)] == [about_her_child.pk]
    page = client.get(url("conversation", about_her_child.pk))
    assert page.templates[0].name == "messaging/conversation_family.html"


def test_restricted_guardian_has_an_empty_inbox(world, login):
    thread(world, world.cal, world.rivera, [world.gina, world.ray])
    response = login(world.ray).get(url("inbox"))
    assert rows(response) == []
    assert nav_badge(response) is None


@pytest.mark.parametrize("size", [1, 30], ids=["small", "large"])
def test_staff_inbox_query_count_is_constant(world, login, django_assert_num_queries, size):
    for _ in range(size):
        _busy_thread(world, world.ana, world.rivera, families=2, messages=3)
    announcement(world, world.rivera, world.math, [world.rosa, world.gina])
    client = login(world.rivera)
    client.get(url("inbox"))  # the session is warm
    with django_assert_num_queries(STAFF_INBOX_QUERIES):
        response = client.get(url("inbox"), {"q": "e"})  # searching costs nothing more
    assert len(rows(response)) == min(size + 1, 25)


@pytest.mark.parametrize("size", [1, 30], ids=["small", "large"])
def test_family_inbox_query_count_is_constant(world, login, django_assert_num_queries, size):
    for _ in range(size):
        _busy_thread(world, world.ana, world.rivera, families=1, messages=3)
    announcement(world, world.rivera, world.math, [world.rosa, world.gina])
    client = login(world.rosa)
    client.get(url("inbox"))
    with django_assert_num_queries(FAMILY_INBOX_QUERIES):
        response = client.get(url("inbox"))
    assert len(rows(response)) == min(size + 1, 25)
