"""People's own choices left the SIS's `metadata` for fields of their own: what was there
before is carried over (and back), what the SIS sent stays, and what could not be read before
is dropped."""

import datetime

import pytest

from homeroom.testing.migrating import migrate_to, migrate_to_latest

BEFORE = [("people", "0001_initial")]
AFTER = [("people", "0002_preferences_out_of_metadata")]


@pytest.mark.django_db(transaction=True)
def test_preferences_move_to_their_fields_and_back():
    old = migrate_to(BEFORE)
    district = old.get_model("people", "District").objects.create(name="D")
    old.get_model("people", "StaffMember").objects.create(
        district=district,
        given_name="Maria",
        family_name="Rivera",
        metadata={
            "sis_title": "Teacher",
            "language": "es",
            "office_hours": {"days": [0, 1], "start": "08:00", "end": "16:00"},
            "reply_digest": True,
            "reply_digest_sent_at": "2026-11-30T18:00:00+00:00",
            "weekly_update_day": 4,
            "weekly_update_reminded": "2026-11-30",
        },
    )
    old.get_model("people", "StaffMember").objects.create(
        district=district,
        given_name="Wei",
        family_name="Chen",
        metadata={"weekly_update_day": "Friday", "reply_digest": "yes"},
    )
    old.get_model("people", "Guardian").objects.create(
        district=district,
        given_name="Rosa",
        family_name="Lopez",
        metadata={
            "sis_home_id": "H1",
            "moment_notifications": "weekly",
            "daily_time": "19:30",
            "language_suggestion": {"language": "vi", "message_id": 7},
        },
    )

    new = migrate_to(AFTER)
    Staff, Guardian = new.get_model("people", "StaffMember"), new.get_model("people", "Guardian")
    rivera = Staff.objects.get(family_name="Rivera")
    assert rivera.metadata == {"sis_title": "Teacher"}
    assert rivera.language == "es"
    assert rivera.office_hours == {"days": [0, 1], "start": "08:00", "end": "16:00"}
    assert rivera.reply_digest is True
    assert rivera.reply_digest_sent_at == datetime.datetime(2026, 11, 30, 18, tzinfo=datetime.UTC)
    assert (rivera.weekly_update_day, rivera.weekly_update_reminded) == (
        4,
        datetime.date(2026, 11, 30),
    )
    chen = Staff.objects.get(family_name="Chen")
    assert (chen.metadata, chen.weekly_update_day, chen.reply_digest) == ({}, None, False)
    rosa = Guardian.objects.get()
    assert rosa.metadata == {"sis_home_id": "H1"}
    assert (rosa.moment_notifications, rosa.moment_digest_time) == ("weekly", datetime.time(19, 30))
    assert (rosa.suggested_language, rosa.suggested_language_message_id) == ("vi", 7)

    back = migrate_to(BEFORE)
    rivera = back.get_model("people", "StaffMember").objects.get(family_name="Rivera")
    assert rivera.metadata["weekly_update_day"] == 4
    assert rivera.metadata["office_hours"]["days"] == [0, 1]
    assert rivera.metadata["sis_title"] == "Teacher"
    rosa = back.get_model("people", "Guardian").objects.get()
    assert rosa.metadata["daily_time"] == "19:30"
    assert rosa.metadata["language_suggestion"] == {"language": "vi", "message_id": 7}
    migrate_to_latest()
