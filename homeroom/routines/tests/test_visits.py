"""Home visits: staff offer times, the family chooses or proposes another, and what the
family shared reaches the child's other teachers only with the family's consent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.messaging.models import Delivery, Message
from homeroom.routines import common, visits
from homeroom.routines.models import HomeVisit, VisitStatus


def local_input(when):
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def soon(days):
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def propose(world, **kw):
    return visits.propose_home_visit(world.liaison, world.ana, world.rosa, [soon(3), soon(4)], **kw)


def test_staff_offer_times_and_the_family_gets_the_link_on_its_channel(awake, login):
    world = awake
    client = login(world.liaison)
    response = client.post(
        reverse("routines:visits", args=[world.ana.pk]),
        {"guardian": world.rosa.pk, "slot_1": local_input(soon(3)), "slot_2": local_input(soon(5))},
    )
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert len(visit.proposed_slots) == 2 and visit.status == VisitStatus.PROPOSED
    message = Message.objects.get()
    assert reverse("routines:visit", args=[visit.pk]) in message.body
    assert Delivery.objects.get(guardian=world.rosa).channel == "sms"


def test_a_time_in_the_past_is_refused_and_nothing_is_stored(world, login):
    client = login(world.liaison)
    response = client.post(
        reverse("routines:visits", args=[world.ana.pk]),
        {
            "guardian": world.rosa.pk,
            "slot_1": local_input(soon(3)),
            "slot_2": local_input(soon(-1)),
        },
    )
    assert response.status_code == 400
    assert "must be in the future" in response.content.decode()
    assert not HomeVisit.objects.exists()
    assert not Message.objects.exists()


def test_the_family_picks_a_time(world, login):
    visit = propose(world)
    client = login(world.rosa)
    page = client.get(reverse("routines:visit", args=[visit.pk]))
    assert page.status_code == 200
    chosen = visit.proposed_slots[1]
    response = client.post(reverse("routines:visit", args=[visit.pk]), {"slot": chosen})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED
    assert visit.confirmed_at.isoformat() == chosen


def test_the_family_proposes_another_time_or_declines(world, login):
    visit = propose(world)
    client = login(world.rosa)
    url = reverse("routines:visit", args=[visit.pk])
    client.post(url, {"proposal": "El sábado por la mañana"})
    visit.refresh_from_db()
    assert visit.family_proposal == "El sábado por la mañana"
    assert visit.status == VisitStatus.PROPOSED
    client.post(url, {"decline": "1"})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DECLINED


def test_a_time_not_offered_is_refused(world, login):
    visit = propose(world)
    response = login(world.rosa).post(
        reverse("routines:visit", args=[visit.pk]), {"slot": soon(9).isoformat()}
    )
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PROPOSED


@pytest.mark.parametrize("who", ["marco", "gina", "ray", "olga", "rivera"])
def test_only_the_invited_guardian_opens_the_visit(world, login, who):
    visit = propose(world)
    client = login(getattr(world, who))
    assert client.get(reverse("routines:visit", args=[visit.pk])).status_code == 404


def test_ray_restricted_is_never_offered_a_visit(world):
    with pytest.raises(common.RoutineRefused):
        visits.propose_home_visit(world.rivera, world.cal, world.ray, [soon(3)])
    assert not HomeVisit.objects.exists()


@pytest.mark.parametrize("share", [True, False])
def test_notes_reach_other_teachers_only_with_consent(world, login, share):
    visit = propose(world)
    client = login(world.liaison)
    client.post(
        reverse("routines:visit_notes", args=[visit.pk]),
        {
            "notes_hopes": "Rosa hopes Ana will read chapter books.",
            "notes_worries": "Speaking in front of the class.",
            "notes_learning": "Seeing an example first.",
            **({"share_with_teachers": "on"} if share else {}),
        },
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.share_with_teachers is share

    own = client.get(reverse("routines:visits", args=[world.ana.pk])).content.decode()
    assert "chapter books" in own  # the visitor always reads their own notes
    teacher = login(world.rivera).get(reverse("routines:visits", args=[world.ana.pk]))
    assert ("chapter books" in teacher.content.decode()) is share
    seen = visits.visits_for_staff(world.rivera.user, world.ana)
    assert bool(seen) is share
    assert visits.visits_for_staff(world.chen.user, world.ana) == []  # not Ana's teacher


def test_only_the_visitor_records_the_notes(world, login):
    visit = propose(world)
    response = login(world.rivera).post(
        reverse("routines:visit_notes", args=[visit.pk]), {"notes_hopes": "x"}
    )
    assert response.status_code == 404


def test_empty_notes_are_refused(world):
    visit = propose(world)
    with pytest.raises(common.RoutineRefused):
        visits.record_home_visit(visit, hopes=" ")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PROPOSED
