"""Who sees a goal: every teacher of the child, the school-wide roles, both guardians of a
split household; never a guardian under a court order, nor a teacher who does not teach the
child. Every page with an id answers 404 outside that scope."""

import pytest
from django.urls import reverse

from homeroom.goals import access, services
from homeroom.goals.models import Goal, Note

from .builders import active, family, proposed

PAGES_OF_A_GOAL = [
    "goal",
    "agree",
    "decline",
    "edit",
    "add_strategy",
    "add_note",
    "outcome",
    "renew",
]


def _answer(client, url) -> int:
    """A GET, or for a page that only takes posts, the answer to an empty one."""
    status = client.get(url).status_code
    return client.post(url, {}).status_code if status == 405 else status


@pytest.fixture
def cals_goal(world):
    """A goal for Cal, whose father Ray may not see his records."""
    goal = proposed(world)
    Goal.objects.filter(pk=goal.pk).update(student=world.cal)
    goal.refresh_from_db()
    services.agree(goal, services.Person(side="school", staff=world.rivera))
    return goal


def test_a_restricted_guardian_never_sees_the_goal(world, cals_goal, client, login):
    assert not access.goals_for(world.ray.user).exists()
    assert access.goals_for(world.gina.user).get() == cals_goal

    login(world.ray)
    for name in PAGES_OF_A_GOAL:
        assert _answer(client, reverse(f"goals:{name}", args=[cals_goal.pk])) == 404
        assert client.post(reverse(f"goals:{name}", args=[cals_goal.pk])).status_code == 404
    for name in ("student", "propose"):
        assert client.get(reverse(f"goals:{name}", args=[world.cal.pk])).status_code == 404
    listing = client.get(reverse("goals:list")).content.decode()
    assert f'id="goal-{cals_goal.pk}"' not in listing


def test_a_teacher_who_does_not_teach_the_child_gets_404(world, client, login):
    goal = active(world)
    services.add_note(goal, family(world.rosa), text="Leímos juntas.")
    note = Note.objects.get()

    login(world.chen)
    for name in PAGES_OF_A_GOAL:
        assert _answer(client, reverse(f"goals:{name}", args=[goal.pk])) == 404
        assert client.post(reverse(f"goals:{name}", args=[goal.pk])).status_code == 404
    assert client.get(reverse("goals:student", args=[world.ana.pk])).status_code == 404
    assert client.get(reverse("goals:note_photo", args=[note.pk])).status_code == 404
    assert not Note.objects.exclude(pk=note.pk).exists()


def test_every_teacher_of_the_child_and_both_guardians_see_it(world, client, login):
    goal = active(world)
    readers = {
        person.pk
        for person in (world.rivera, world.liaison, world.counselor, world.principal)
        if access.goals_for(person.user).filter(pk=goal.pk).exists()
    }
    assert readers == {world.rivera.pk, world.liaison.pk, world.counselor.pk, world.principal.pk}
    for guardian in (world.rosa, world.marco):
        assert access.goals_for(guardian.user).filter(pk=goal.pk).exists()
    assert not access.goals_for(world.olga.user).exists()
    assert not access.goals_for(world.south_teacher.user).exists()


def test_who_takes_part(world):
    assert access.side_for(world.rosa.user, world.ana) == "family"
    assert access.side_for(world.marco.user, world.ana) == "family"
    assert access.side_for(world.rivera.user, world.ana) == "school"
    assert access.side_for(world.liaison.user, world.ana) == "school"
    assert access.side_for(world.counselor.user, world.ana) == "school"
    assert access.side_for(world.principal.user, world.ana) is None
    assert access.side_for(world.interpreter.user, world.ana) is None
    assert access.side_for(world.chen.user, world.ana) is None
    assert access.side_for(world.ray.user, world.cal) is None


def _many_goals(world, count):
    for _ in range(count):
        goal = active(world)
        services.add_note(goal, family(world.rosa), text="Leímos.")


def test_the_goal_page_reads_in_a_fixed_number_of_queries(
    world, client, login, django_assert_num_queries
):
    goal = active(world)
    for _ in range(5):
        services.add_note(goal, family(world.rosa), text="Leímos juntas.")
    login(world.rivera)
    client.get(reverse("goals:goal", args=[goal.pk]))  # warm the session

    with django_assert_num_queries(14):
        response = client.get(reverse("goals:goal", args=[goal.pk]))
    assert response.status_code == 200


def test_the_goal_list_reads_in_a_fixed_number_of_queries(
    world, client, login, django_assert_num_queries
):
    _many_goals(world, 3)
    login(world.rivera)
    client.get(reverse("goals:list"))

    with django_assert_num_queries(9):
        first = client.get(reverse("goals:list"))
    _many_goals(world, 3)
    with django_assert_num_queries(9):
        client.get(reverse("goals:list"))
    assert first.status_code == 200


def test_the_familys_child_page_shows_goals_first(world, client, login, django_assert_num_queries):
    active(world)
    login(world.rosa)
    url = reverse("behavior:child_feed", args=[world.ana.pk])
    client.get(url)

    response = client.get(url)

    html = response.content.decode()
    assert "Ana lee veinte minutos" in html
    assert html.index("goals-heading") < html.index("when-heading")
