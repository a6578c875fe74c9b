"""A parent leader asks the members of their group: builds a survey, checks each language,
sends it to the group; members answer it in their language; the leader reads the results
(no export); nobody else leads it."""

import pytest
from django.http import Http404
from django.urls import reverse

from homeroom.messaging.models import Delivery
from homeroom.voice import access as voice_access
from homeroom.voice import services
from homeroom.voice.groups import services as group_services
from homeroom.voice.models import GroupPost, Question, Response, Survey

from .test_groups import make_group
from .test_surveys import answers_for, builder_data, later, three_questions


def leader_data(world, **overrides):
    data = builder_data(world, **overrides)
    data.pop("audience")
    return data


def group_survey(group, leader, *, sent=True):
    survey = services.create_group_survey(
        leader,
        group,
        title="Academy evenings",
        intro="",
        closes_at=later(),
        anonymous=False,
        questions=three_questions(),
    )
    if sent:
        services.send_group_survey(survey, leader)
    return survey


def sees(guardian, survey) -> bool:
    return voice_access.surveys_for_family(guardian.user).filter(pk=survey.pk).exists()


def test_a_leader_builds_checks_and_sends_a_survey_to_the_members(awake, login):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa, world.gina])
    client = login(world.marco)
    page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert reverse("voice:group_new", args=[group.pk]) in page
    response = client.post(reverse("voice:group_new", args=[group.pk]), leader_data(world))
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("voice:preview", args=[survey.pk])
    assert survey.group == group and survey.leader == world.marco
    assert survey.school == world.north and survey.created_by == world.principal
    assert survey.audience == {"kind": "group", "group": group.pk, "school": world.north.pk}
    preview = client.get(reverse("voice:preview", args=[survey.pk])).content.decode()
    assert "Spanish" in preview and "Vietnamese" in preview
    question = survey.questions.first()
    checked = {f"es__q{question.pk}": "¿Qué día prefiere?", "es__title": "Tardes de la academia"}
    assert client.post(reverse("voice:preview", args=[survey.pk]), checked).status_code == 302
    survey.refresh_from_db()
    assert survey.is_sent and survey.reached == 2  # Rosa and Gina; the leader is not sent it
    post = GroupPost.objects.get(group=group)
    assert post.author == world.marco and post.conversation == survey.announcement
    assert set(Delivery.objects.values_list("guardian", flat=True)) == {
        world.rosa.pk,
        world.gina.pk,
    }
    # Rosa reads the invitation and the survey in Spanish, with the leader named.
    message = survey.announcement.messages.get()
    spanish = message.translations.get(language="es").text
    assert "Tardes de la academia" in spanish and "Marco Lopez" in spanish
    assert reverse("voice:answer", args=[survey.pk]) in spanish
    assert "Tardes de la academia" in post.translations["es"]
    rosa = login(world.rosa)
    answer_page = rosa.get(reverse("voice:answer", args=[survey.pk])).content.decode()
    assert "¿Qué día prefiere?" in answer_page and group.name in answer_page
    # The leader's group page lists the survey; the results are theirs to read, not export.
    client = login(world.marco)
    page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert reverse("voice:results", args=[survey.pk]) in page
    assert client.get(reverse("voice:results", args=[survey.pk])).status_code == 200
    assert client.get(reverse("voice:csv", args=[survey.pk])).status_code == 404


def test_members_answer_and_non_members_do_not_see_it(awake):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    survey = group_survey(group, world.marco)
    assert sees(world.rosa, survey) and sees(world.marco, survey)
    assert not sees(world.gina, survey)  # North, not a member
    assert not sees(world.olga, survey)  # another school
    assert not sees(world.ray, survey)  # court order
    services.answer_survey(survey, world.rosa, answers_for(survey))
    assert Response.objects.filter(survey=survey).count() == 1
    assert survey in voice_access.open_unanswered_for_family(world.marco.user, later(0))
    group_services.leave(group, world.rosa)
    assert not sees(world.rosa, survey)


def test_only_a_leader_of_the_group_may_build_or_send(awake, login):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    for person in (world.rosa, world.gina, world.olga, world.rivera, world.south_admin):
        response = login(person).post(
            reverse("voice:group_new", args=[group.pk]), leader_data(world)
        )
        assert response.status_code == 404, person
    assert not Survey.objects.exists() and not Question.objects.exists()
    draft = group_survey(group, world.marco, sent=False)
    for person in (world.rosa, world.olga):
        response = login(person).post(reverse("voice:preview", args=[draft.pk]), {})
        assert response.status_code == 404, person
    # The school's staff read it, but only its leaders send it.
    response = login(world.principal).post(reverse("voice:preview", args=[draft.pk]), {})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.is_sent and not GroupPost.objects.exists()


def test_a_leader_who_stops_leading_loses_the_survey(awake, login):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    survey = group_survey(group, world.marco, sent=False)
    group_services.remove_leader(group, world.marco)
    client = login(world.marco)
    assert client.get(reverse("voice:preview", args=[survey.pk])).status_code == 404
    assert client.get(reverse("voice:results", args=[survey.pk])).status_code == 404
    with pytest.raises(Http404):
        services.send_group_survey(survey, world.marco)
    survey.refresh_from_db()
    assert not survey.is_sent


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"q1-text": "", "q2-text": ""}, "Add at least one question."),
        ({"q2-options": "Bad\nGood"}, "a scale needs at least 5 labelled answers"),
        ({"closes_on": "2020-01-01"}, "Choose a closing date in the future."),
        ({"title": "Bad\x00title"}, "Null characters are not allowed."),
        ({"q1-text": "Which \u202eday?"}, "invisible direction characters"),
        ({"intro": "y" * 100_000}, "Ensure this value has at most"),
    ],
)
def test_a_leaders_bad_survey_is_refused_and_nothing_is_stored(awake, login, overrides, says):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    response = login(world.marco).post(
        reverse("voice:group_new", args=[group.pk]), leader_data(world, **overrides)
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Survey.objects.exists() and not Question.objects.exists()


def test_a_survey_naming_a_child_is_not_posted(awake):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    survey = services.create_group_survey(
        world.marco,
        group,
        title=f"How is {world.cal.given_name} {world.cal.family_name} doing?",
        intro="",
        closes_at=later(),
        anonymous=False,
        questions=three_questions(),
    )
    with pytest.raises(services.SurveyRefused, match="named child"):
        services.send_group_survey(survey, world.marco)
    survey.refresh_from_db()
    assert not survey.is_sent and not GroupPost.objects.exists()
    assert not Delivery.objects.exists()
