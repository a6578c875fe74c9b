"""Where the school reviews needs-work moments first: the review list shows a reviewer what
waits, and marking a moment reviewed releases it to the family's next digest."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from homeroom.behavior import notices, recording
from homeroom.behavior.models import Moment, MomentNotice, SchoolBehaviorSettings

CHICAGO = ZoneInfo("America/Chicago")
MORNING = datetime(2026, 11, 18, 10, 0, tzinfo=CHICAGO)
EVENING = datetime(2026, 11, 18, 19, 0, tzinfo=CHICAGO)
LATER = datetime(2026, 11, 18, 19, 30, tzinfo=CHICAGO)


def record(staff, students, category, note):
    moments = recording.record_moments(staff, students, category, note)
    Moment.objects.filter(pk__in=[m.pk for m in moments]).update(created_at=MORNING)
    return moments


def review_list(client):
    response = client.get(reverse("behavior:review_list"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_list_shows_what_waits_and_review_releases_it(world, login, cats, south_cats):
    SchoolBehaviorSettings.objects.create(school=world.north, needs_work_review_required=True)
    (waiting,) = record(world.rivera, [world.ana], cats["Off task"], "Talked in class.")
    record(world.rivera, [world.cal], cats["Kindness"], "Good news needs no review.")
    (gone,) = record(world.rivera, [world.cal], cats["Unprepared"], "Withdrawn one.")
    recording.withdraw_moment(world.rivera, gone)
    (done,) = record(world.rivera, [world.cal], cats["Unprepared"], "Reviewed already.")
    recording.review_moment(world.principal, done)
    cats["Late to class"].visible_to_families = False
    cats["Late to class"].save()
    record(world.rivera, [world.cal], cats["Late to class"], "Families never see this one.")
    record(world.south_teacher, [world.dee], south_cats["Off task"], "South does not review.")

    for reviewer in (world.counselor, world.district_admin):
        html = review_list(login(reviewer))
        assert "Talked in class." in html and "Ana Lopez" in html
        for absent in ("needs no review", "Withdrawn one", "Reviewed already", "never see"):
            assert absent not in html
        assert "South does not review" not in html
    assert "Nothing waits for review." in review_list(login(world.rivera))  # not a reviewer

    # The evening digest leaves the moment out until it is reviewed …
    notices.send_moment_digests(now=EVENING)
    assert not MomentNotice.objects.filter(moment=waiting).exists()
    client = login(world.counselor)
    response = client.post(reverse("behavior:review", args=[waiting.pk]))
    assert response.status_code == 302 and response.url == reverse("behavior:review_list")
    waiting.refresh_from_db()
    assert waiting.reviewed_by == world.counselor
    assert "Talked in class." not in review_list(client)
    # … and the next one carries it to both of Ana's families.
    notices.send_moment_digests(now=LATER)
    noticed = set(MomentNotice.objects.filter(moment=waiting).values_list("guardian", flat=True))
    assert noticed == {world.rosa.pk, world.marco.pk}


def test_the_ratios_page_links_reviewers_to_the_review_list(world, login, cats):
    url = reverse("behavior:ratios")
    review = reverse("behavior:review_list")
    assert review not in login(world.counselor).get(url).content.decode()  # no review asked
    SchoolBehaviorSettings.objects.create(school=world.north, needs_work_review_required=True)
    recording.record_moments(world.rivera, [world.ana, world.cal], cats["Off task"])
    html = login(world.counselor).get(url).content.decode()
    assert f'href="{review}"' in html
    assert "2 needs-work moments wait for review" in html
    assert review not in login(world.rivera).get(url).content.decode()  # a teacher does not review
