"""The interpreters' queue moved from translation to messaging without touching its table: a
request written before the move is there after it, and migrating back loses nothing."""

import pytest

from homeroom.testing.migrating import migrate_to, migrate_to_latest

BEFORE = [
    ("messaging", "0006_district_conversations_need_a_district"),
    ("translation", "0002_interpreter_request"),
]
AFTER = [
    ("messaging", "0007_interpreter_queue_from_translation"),
    ("translation", "0003_interpreter_queue_to_messaging"),
]


@pytest.mark.django_db(transaction=True)
def test_a_request_made_before_the_move_is_in_the_queue_after_it_and_back():
    old = migrate_to(BEFORE)
    District = old.get_model("people", "District")
    School = old.get_model("people", "School")
    school = School.objects.create(district=District.objects.create(name="D"), name="S")
    old.get_model("translation", "InterpreterRequest").objects.create(
        school_id=school.pk, kind="check_translation", language="so", note="kept"
    )

    new = migrate_to(AFTER)
    moved = new.get_model("messaging", "InterpreterRequest")
    assert list(moved.objects.values_list("note", "language")) == [("kept", "so")]
    with pytest.raises(LookupError):
        new.get_model("translation", "InterpreterRequest")

    back = migrate_to(BEFORE)
    again = back.get_model("translation", "InterpreterRequest")
    assert list(again.objects.values_list("note", flat=True)) == ["kept"]
    migrate_to_latest()
