"""Families hear of moments by their own choice; needs-work never goes out at once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from homeroom.behavior import errors, feeds, notices, recording
from homeroom.behavior.models import Moment, MomentNotice, MomentThread, SchoolBehaviorSettings
from homeroom.messaging.models import Delivery, Message

CHICAGO = ZoneInfo("America/Chicago")


def at(hour, minute=0, day=18):
    """A time in North's zone (Wednesday 18 November 2026 by default)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=CHICAGO)


def record_at(when, staff, students, category, note=""):
    moments = recording.record_moments(staff, students, category, note)
    Moment.objects.filter(pk__in=[m.pk for m in moments]).update(created_at=when)
    return moments


def digest_messages(guardian, student):
    thread = MomentThread.objects.filter(guardian=guardian, student=student).first()
    if thread is None:
        return []
    return list(Message.objects.filter(conversation=thread.conversation).order_by("pk"))


def choose(guardian, choice, daily_time="18:00"):
    notices.set_notification_choice(guardian, choice, daily_time)


def test_default_choice_is_a_daily_digest_at_six(world):
    assert notices.notification_choice(world.rosa) == ("daily", "18:00")


def test_each_sends_good_news_at_once_to_that_family_only(
    world, cats, django_capture_on_commit_callbacks
):
    choose(world.marco, "each")
    with django_capture_on_commit_callbacks(execute=True):
        (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "Shared")
    (message,) = digest_messages(world.marco, world.ana)
    assert "Kindness: Shared" in message.body and "Ana Lopez" in message.body
    assert Delivery.objects.filter(message=message, guardian=world.marco).exists()
    assert not Delivery.objects.filter(message=message, guardian=world.rosa).exists()
    assert digest_messages(world.rosa, world.ana) == []  # Rosa waits for her digest
    assert MomentNotice.objects.filter(moment=moment, guardian=world.marco).exists()


def test_needs_work_never_goes_out_at_once(world, cats, django_capture_on_commit_callbacks):
    choose(world.marco, "each")
    with django_capture_on_commit_callbacks(execute=True):
        recording.record_moments(world.rivera, [world.ana], cats["Off task"])
    assert digest_messages(world.marco, world.ana) == []


def test_daily_digest_goes_at_the_chosen_time_good_news_first(world, cats):
    record_at(at(9), world.rivera, [world.ana], cats["Off task"], "Phone in class")
    record_at(at(10), world.rivera, [world.ana], cats["Great work"], "Fine essay")
    assert notices.send_moment_digests(at(17, 59)) == 0
    assert notices.send_moment_digests(at(18, 5)) == 2  # Rosa and Marco, each their thread
    (message,) = digest_messages(world.rosa, world.ana)
    assert message.body.index("Fine essay") < message.body.index("Phone in class")
    assert message.translations.filter(language="es").exists()  # Rosa reads it in Spanish
    assert notices.send_moment_digests(at(18, 10)) == 0  # never twice


def test_the_digest_frame_comes_from_the_reviewed_catalogue(world, cats):
    record_at(at(10), world.rivera, [world.ana], cats["Great work"], "Fine essay")
    notices.send_moment_digests(at(18, 5))
    (message,) = digest_messages(world.rosa, world.ana)
    spanish = message.translations.get(language="es")
    # The words Homeroom writes are the catalogue's; the teacher's note goes through the
    # translation pipeline, so the copy is honestly marked as partly machine-translated.
    assert spanish.text.startswith("Noticias de la escuela sobre Ana Lopez:")
    assert "Buenas noticias:" in spanish.text
    assert "Vea y responda:" in spanish.text
    assert spanish.provider == "catalogue+machine" and spanish.machine


def test_a_moment_recorded_after_the_digest_waits_for_the_next_one(world, cats):
    record_at(at(10), world.rivera, [world.ana], cats["Kindness"])
    notices.send_moment_digests(at(18, 5))
    record_at(at(19), world.rivera, [world.ana], cats["Unprepared"], "No homework")
    assert notices.send_moment_digests(at(19, 5)) == 0
    assert notices.send_moment_digests(at(18, 5, day=19)) == 2
    messages = digest_messages(world.rosa, world.ana)
    assert len(messages) == 2 and "No homework" in messages[1].body


def test_withdrawn_moments_are_never_sent(world, cats):
    (moment,) = record_at(at(10), world.rivera, [world.ana], cats["Off task"], "Wrong kid")
    recording.withdraw_moment(world.rivera, moment)
    assert notices.send_moment_digests(at(18, 5)) == 0


def test_review_required_holds_needs_work_until_reviewed(world, cats):
    SchoolBehaviorSettings.objects.create(school=world.north, needs_work_review_required=True)
    (moment,) = record_at(at(10), world.rivera, [world.ana], cats["Off task"], "Talking")
    assert notices.send_moment_digests(at(18, 5)) == 0
    recording.review_moment(world.principal, moment)
    assert notices.send_moment_digests(at(18, 5, day=19)) == 2
    assert "Talking" in digest_messages(world.rosa, world.ana)[0].body


def test_weekly_digest_waits_for_friday(world, cats):
    choose(world.rosa, "weekly")
    record_at(at(10), world.rivera, [world.ana], cats["Kindness"], "Kind")
    notices.send_moment_digests(at(18, 5))
    assert digest_messages(world.rosa, world.ana) == []  # Wednesday
    notices.send_moment_digests(at(18, 5, day=20))  # Friday
    assert len(digest_messages(world.rosa, world.ana)) == 1


def test_a_restricted_guardian_hears_nothing(world, cats):
    record_at(at(10), world.rivera, [world.cal], cats["Kindness"])
    notices.send_moment_digests(at(18, 5))
    assert digest_messages(world.ray, world.cal) == []
    assert len(digest_messages(world.gina, world.cal)) == 1


def test_hidden_categories_are_not_sent(world, cats):
    cats["Off task"].visible_to_families = False
    cats["Off task"].save()
    record_at(at(10), world.rivera, [world.ana], cats["Off task"])
    assert notices.send_moment_digests(at(18, 5)) == 0


@pytest.mark.parametrize("choice,daily_time", [("hourly", "18:00"), ("daily", "25:00")])
def test_bad_choices_are_refused(world, choice, daily_time):
    with pytest.raises(errors.MomentRefused):
        notices.set_notification_choice(world.rosa, choice, daily_time)
    world.rosa.refresh_from_db()
    assert world.rosa.moment_notifications == ""


def test_other_families_never_see_a_childs_moments(world, cats):
    record_at(at(10), world.rivera, [world.ana], cats["Kindness"])
    assert feeds.family_feed(world.rosa, world.ana).count() == 1
    assert feeds.family_feed(world.gina, world.ana).count() == 0


def test_a_parent_barred_from_records_hears_no_moment(
    world, cats, django_capture_on_commit_callbacks
):
    from homeroom.people.models import Guardianship

    choose(world.marco, "each")
    Guardianship.objects.filter(guardian=world.marco, student=world.ana).update(
        may_see_records=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "Shared")
    record_at(at(10), world.rivera, [world.ana], cats["Great work"], "Fine essay")

    assert notices.send_moment_digests(at(18, 5)) == 1  # Rosa's only
    assert digest_messages(world.marco, world.ana) == []
