"""The interpreters' queue moved from translation to messaging without touching its table: a
request written before the move is there after it, and migrating back loses nothing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("messaging", "0006_district_conversations_need_a_district"),
    ("translation", "0002_interpreter_request"),
]
AFTER = [
    ("messaging", "0007_interpreter_queue_from_translation"),
    ("translation", "0003_interpreter_queue_to_messaging"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_request_made_before_the_move_is_in_the_queue_after_it_and_back():
    old = _migrate(BEFORE)
    District = old.get_model("people", "District")
    School = old.get_model("people", "School")
    school = School.objects.create(district=District.objects.create(name="D"), name="S")
    old.get_model("translation", "InterpreterRequest").objects.create(
        school_id=school.pk, kind="check_translation", language="so", note="kept"
    )

    new = _migrate(AFTER)
    moved = new.get_model("messaging", "InterpreterRequest")
    assert list(moved.objects.values_list("note", "language")) == [("kept", "so")]
    with pytest.raises(LookupError):
        new.get_model("translation", "InterpreterRequest")

    back = _migrate(BEFORE)
    again = back.get_model("translation", "InterpreterRequest")
    assert list(again.objects.values_list("note", flat=True)) == ["kept"]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app back at its latest
