"""Surveys for the whole district and for a list of families: who may ask them, who is asked,
who sees them, and how their answers are counted."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery
from homeroom.voice import access as voice_access
from homeroom.voice import services
from homeroom.voice.models import Question, Response, Survey

from .test_surveys import answers_for, builder_data, make_survey


def sees(user, survey) -> bool:
    return voice_access.surveys_for_family(user.user).filter(pk=survey.pk).exists()


# ---- the whole district ---------------------------------------------------------------------


def test_the_district_admin_asks_every_family_of_the_district(awake, login):
    world = awake
    client = login(world.district_admin)
    response = client.post(reverse("voice:new"), builder_data(world, audience="district"))
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.school is None and survey.district == world.district
    assert survey.audience == {"kind": "district", "district": world.district.pk}
    preview = client.get(reverse("voice:preview", args=[survey.pk]))
    assert preview.status_code == 200
    assert "Arabic" in preview.content.decode()  # Olga, at South
    services.send_survey(survey, world.district_admin)
    survey.refresh_from_db()
    # Rosa, Marco, Gina (North), Pat, Olga (South); not Ray (no contact), not Eli (inactive
    # child), not Zed's parent (another district).
    asked = set(Delivery.objects.values_list("guardian__given_name", flat=True))
    assert {"Rosa", "Marco", "Gina", "Olga"} <= asked
    assert not asked & {"Ray", "Eli", "Zed"}
    assert sees(world.olga, survey) and sees(world.rosa, survey)
    assert not sees(world.ray, survey) and not sees(world.zed_parent, survey)
    page = login(world.olga).get(reverse("voice:answer", args=[survey.pk]))
    assert page.status_code == 200
    assert world.district.name in page.content.decode()


def test_only_district_admins_see_a_district_survey_on_the_staff_side(awake, login):
    world = awake
    survey = make_survey(world, by=world.district_admin, audience=Audience.district())
    assert survey.school is None
    for staff in (world.principal, world.rivera, world.south_admin, world.elsewhere_admin):
        response = login(staff).get(reverse("voice:results", args=[survey.pk]))
        assert response.status_code == 404, staff
    assert (
        login(world.district_admin).get(reverse("voice:results", args=[survey.pk])).status_code
        == 200
    )


def test_a_school_admin_cannot_ask_the_district(awake, login):
    world = awake
    response = login(world.principal).post(
        reverse("voice:new"), builder_data(world, audience="district")
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not Survey.objects.exists()


def test_a_district_survey_counts_answers_by_school(awake, login):
    world = awake
    survey = make_survey(world, by=world.district_admin, audience=Audience.district())
    services.answer_survey(survey, world.rosa, answers_for(survey, single=0))
    services.answer_survey(survey, world.olga, answers_for(survey, single=1))
    links = voice_access.audience_links(survey)
    schools = set(links.values_list("student__school__name", flat=True))
    assert schools == {world.north.name, world.south.name}
    breakdown = services.by_group(survey, "school")
    # One answer at each school: both groups are under five, so both are hidden.
    assert breakdown is not None and breakdown.groups == [] and breakdown.hidden == 2
    # A school's own survey has no breakdown by school.
    assert services.by_group(make_survey(world), "school") is None


# ---- a list of families ---------------------------------------------------------------------


def test_a_teacher_asks_a_list_of_her_families(awake, login):
    world = awake
    client = login(world.rivera)
    page = client.get(reverse("voice:new")).content.decode()
    assert "Families I choose, North" in page
    assert "Rosa" in page and "Pat" not in page  # Ben is in Science 6, not hers
    data = builder_data(world, audience=f"families:{world.north.pk}")
    data["families"] = [str(world.rosa.pk), str(world.gina.pk)]
    response = client.post(reverse("voice:new"), data)
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.audience == {
        "kind": "families",
        "school": world.north.pk,
        "guardians": sorted([world.rosa.pk, world.gina.pk]),
    }
    assert set(survey.families.all()) == {world.rosa, world.gina}
    preview = client.get(reverse("voice:preview", args=[survey.pk])).content.decode()
    assert "Spanish" in preview and "Vietnamese" in preview and "Arabic" not in preview
    services.send_survey(survey, world.rivera)
    survey.refresh_from_db()
    assert survey.reached == 2
    assert set(Delivery.objects.values_list("guardian", flat=True)) == {
        world.rosa.pk,
        world.gina.pk,
    }
    assert sees(world.rosa, survey) and sees(world.gina, survey)
    # Marco is Ana's father too, but not on the list.
    assert not sees(world.marco, survey)
    assert login(world.marco).get(reverse("voice:answer", args=[survey.pk])).status_code == 404


@pytest.mark.parametrize(
    "who, says",
    [
        ([], "Choose at least one family for the list."),
        (["pat"], "Select a valid choice."),  # Ben is not in her classes
        (["olga"], "Select a valid choice."),  # another school
        (["ray"], "Select a valid choice."),  # the school may not write to him
    ],
)
def test_a_list_of_families_she_may_not_ask_is_refused(awake, login, who, says):
    world = awake
    data = builder_data(world, audience=f"families:{world.north.pk}")
    data["families"] = [str(getattr(world, name).pk) for name in who]
    response = login(world.rivera).post(reverse("voice:new"), data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Survey.objects.exists() and not Question.objects.exists()


def test_the_service_refuses_a_list_with_a_family_out_of_reach(awake):
    world = awake
    with pytest.raises(Http404):
        make_survey(
            world,
            sent=False,
            audience=Audience.families(world.north, [world.rosa, world.pat]),
        )
    assert not Survey.objects.exists()


def test_a_family_whose_link_is_barred_after_sending_no_longer_sees_the_list_survey(awake):
    world = awake
    survey = make_survey(world, audience=Audience.families(world.north, [world.rosa]))
    assert sees(world.rosa, survey)
    world.rosa.guardianships.update(may_contact=False)
    assert not sees(world.rosa, survey)
    with pytest.raises(Http404):
        voice_access.get_survey_for_family(world.rosa.user, survey.pk)


def test_a_list_survey_is_answered_once_and_counted_for_the_list_only(awake):
    world = awake
    survey = make_survey(world, audience=Audience.families(world.north, [world.rosa, world.gina]))
    services.answer_survey(survey, world.rosa, answers_for(survey, single=1))
    services.answer_survey(survey, world.rosa, answers_for(survey, single=0))
    assert Response.objects.filter(survey=survey).count() == 1
    guardians = set(voice_access.audience_links(survey).values_list("guardian", flat=True))
    assert guardians == {world.rosa.pk, world.gina.pk}


def test_a_list_survey_closes_like_any_other(awake):
    world = awake
    survey = make_survey(
        world,
        audience=Audience.families(world.north, [world.rosa]),
        closes_at=timezone.now() + timedelta(days=1),
    )
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    survey.refresh_from_db()
    with pytest.raises(services.SurveyRefused):
        services.answer_survey(survey, world.rosa, answers_for(survey))
    assert not Response.objects.exists()


def test_the_district_admin_is_offered_the_district_and_no_list_of_every_family(awake, login):
    page = login(awake.district_admin).get(reverse("voice:new")).content.decode()
    assert "Every family in the district" in page
    assert "Families I choose" not in page


def test_the_builder_page_costs_the_same_queries_with_more_families(
    awake, login, django_assert_num_queries
):
    world = awake
    client = login(world.rivera)
    client.get(reverse("voice:new"))
    with django_assert_num_queries(QUERIES_BUILDER):
        client.get(reverse("voice:new"))
    for n in range(3):
        more = type(world.rosa).objects.create(
            district=world.district, given_name=f"Extra{n}", family_name="Parent"
        )
        world.ana.guardianships.create(guardian=more, relationship="aunt")
    with django_assert_num_queries(QUERIES_BUILDER):
        page = client.get(reverse("voice:new")).content.decode()
    assert "Extra2 Parent" in page


QUERIES_BUILDER = 8
