"""A goal is proposed by one side and active only once the other agrees to the same version."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.goals import services
from homeroom.goals.models import Agreement, Goal, GoalEvent, Strategy

from .builders import active, family, proposed, school


def kinds(goal):
    return list(goal.events.values_list("kind", flat=True))


def test_a_family_proposes_in_spanish_and_the_teacher_agrees(world):
    goal = proposed(world)

    assert goal.status == Goal.Status.PROPOSED
    assert goal.language == "es"
    assert goal.ends_on == timezone.localdate() + timedelta(days=60)
    goal = services.agree(goal, school(world.rivera))

    assert goal.status == Goal.Status.ACTIVE
    assert kinds(goal) == ["proposed", "agreed", "activated"]


def test_the_proposing_side_agreeing_again_does_not_make_it_active(world):
    goal = proposed(world)

    goal = services.agree(goal, family(world.marco))

    assert goal.status == Goal.Status.PROPOSED


def test_a_change_by_one_side_is_agreed_again_by_the_other(world):
    goal = active(world)

    goal = services.change_goal(
        goal,
        school(world.rivera),
        what="Ana reads for thirty minutes every night.",
        measure="Ana finishes three books.",
        ends_on=goal.ends_on,
        strategies=[
            services.StrategyInput("Reading log checked on Fridays", "school", "Ms Rivera")
        ],
    )

    assert goal.status == Goal.Status.PROPOSED
    assert goal.version == 2
    assert list(goal.strategies.values_list("text", flat=True)) == [
        "Reading log checked on Fridays"
    ]
    goal = services.agree(goal, family(world.rosa))
    assert goal.status == Goal.Status.ACTIVE
    assert "edited" in kinds(goal)


def test_a_side_adds_what_it_does_itself_without_asking_again(world):
    goal = active(world)

    services.add_own_strategy(
        goal, school(world.rivera), services.StrategyInput("Reading corner", "school", "Ms Rivera")
    )

    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE
    assert goal.strategies.count() == 2
    with pytest.raises(services.GoalRefused):
        services.add_own_strategy(
            goal, school(world.rivera), services.StrategyInput("Read more", "home", "Rosa")
        )
    assert goal.strategies.count() == 2


def test_the_other_side_declines(world):
    goal = proposed(world)

    services.decline(goal, school(world.rivera))

    goal.refresh_from_db()
    assert goal.status == Goal.Status.DECLINED
    with pytest.raises(services.GoalRefused):
        services.agree(goal, school(world.rivera))


def test_the_other_guardian_of_a_split_household_joins(world, client, login):
    goal = active(world)

    login(world.marco)
    response = client.post(reverse("goals:agree", args=[goal.pk]))

    assert response.status_code == 302
    assert Agreement.objects.filter(goal=goal, guardian=world.marco).exists()
    assert goal.events.filter(kind=GoalEvent.Kind.JOINED, guardian=world.marco).exists()


def test_a_goal_ending_in_the_past_is_refused_and_nothing_stored(world, client, login):
    login(world.rosa)
    response = client.post(
        reverse("goals:propose", args=[world.ana.pk]),
        {
            "what": "Leer cada noche",
            "measure": "Dos libros",
            "ends_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "remind_every_weeks": "2",
            "s0_text": "Leemos juntas",
            "s0_where": "home",
            "s0_who": "Rosa",
        },
    )

    assert response.status_code == 400
    assert "Elija una fecha de fin posterior a hoy." in response.content.decode()  # Rosa's Spanish
    assert not Goal.objects.exists()
    with pytest.raises(services.GoalRefused):
        proposed(world, ends_on=timezone.localdate() - timedelta(days=1))
    assert not Goal.objects.exists()


def test_a_goal_with_no_strategy_is_refused_and_nothing_stored(world, client, login):
    login(world.rivera)
    response = client.post(
        reverse("goals:propose", args=[world.ana.pk]),
        {
            "what": "Read every night",
            "measure": "Two books",
            "ends_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "remind_every_weeks": "2",
        },
    )

    assert response.status_code == 400
    assert "Add at least one thing someone will do" in response.content.decode()
    assert not Goal.objects.exists()
    assert not Strategy.objects.exists()
    with pytest.raises(services.GoalRefused):
        proposed(world, strategies=[])
    assert not Goal.objects.exists()


def test_a_teacher_proposes_on_the_page_and_the_family_agrees(world, client, login):
    login(world.rivera)
    response = client.post(
        reverse("goals:propose", args=[world.ana.pk]),
        {
            "what": "Ana reads twenty minutes every night.",
            "measure": "She finishes two books this term.",
            "ends_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "remind_every_weeks": "2",
            "s0_text": "Reading corner every morning",
            "s0_where": "school",
            "s0_who": "Ms Rivera",
            "s1_text": "Read together before bed",
            "s1_where": "home",
            "s1_who": "Rosa",
        },
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert goal.proposed_by == "school"
    assert goal.strategies.count() == 2

    login(world.rosa)
    client.post(reverse("goals:agree", args=[goal.pk]))

    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE


def test_an_admin_reads_a_goal_but_takes_no_part(world, client, login):
    goal = proposed(world)

    login(world.principal)
    page = client.get(reverse("goals:goal", args=[goal.pk]))
    response = client.post(reverse("goals:agree", args=[goal.pk]))

    assert page.status_code == 200
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.status == Goal.Status.PROPOSED


def test_the_end_is_met_and_the_goal_renewed(world):
    goal = active(world)

    services.record_outcome(goal, family(world.rosa), met=True)
    renewed = services.renew(goal, school(world.rivera))

    goal.refresh_from_db()
    assert goal.status == Goal.Status.MET
    assert renewed.status == Goal.Status.PROPOSED
    assert renewed.renewed_from == goal
    assert renewed.strategies.count() == 1
    services.agree(renewed, family(world.rosa))
    renewed.refresh_from_db()
    assert renewed.status == Goal.Status.ACTIVE
