"""The access rule holds over the tree, and the check that holds it sees what it must."""

from collections import Counter

from homeroom.testing.access_rule import is_exempt, known, unexpected, violations, violations_in


def test_no_new_module_decides_access_by_hand_and_the_known_list_only_shrinks():
    assert unexpected(violations(), known()) == ([], [])


def test_a_new_place_fails_and_a_fixed_one_must_leave_the_list():
    listed = Counter({"homeroom/a.py: filters School by hand": 1})
    found = ["homeroom/a.py:3: filters School by hand", "homeroom/a.py:9: filters School by hand"]
    assert unexpected(found, listed) == (found, [])
    assert unexpected(found[:1], listed) == ([], [])
    assert unexpected([], listed) == ([], ["homeroom/a.py: filters School by hand"])


def test_the_check_sees_each_way_of_deciding_access_by_hand():
    source = """
links = Guardianship.objects.filter(guardian=g)
about = Guardianship.objects.about_the_child()
mine = Section.objects.select_related("school").exclude(pk=1)
rows = Link.objects.filter(student__guardianships__may_see_records=True)
open_ = Other.objects.filter(may_contact=True)
taught = Things.objects.filter(section__teaching__staff=staff)
wide = viewer.school_wide_ids
"""
    found = violations_in(source, "homeroom/x/views.py")
    assert found == [
        "homeroom/x/views.py:2: filters Guardianship by hand",
        "homeroom/x/views.py:3: filters Guardianship by hand",
        "homeroom/x/views.py:4: filters Section by hand",
        "homeroom/x/views.py:5: names student__guardianships__may_see_records in a query",
        "homeroom/x/views.py:6: names may_contact in a query",
        "homeroom/x/views.py:7: scopes by section__teaching__staff",
        "homeroom/x/views.py:8: reads viewer.school_wide_ids",
    ]


def test_the_access_modules_and_what_writes_people_are_exempt():
    for exempt in (
        "homeroom/people/access.py",
        "homeroom/messaging/access.py",
        "homeroom/people/roster/writer.py",
        "homeroom/behavior/migrations/0003_x.py",
        "homeroom/behavior/tests/test_x.py",
    ):
        assert is_exempt(exempt), exempt
    for checked in ("homeroom/behavior/recording.py", "homeroom/web/views.py"):
        assert not is_exempt(checked), checked
