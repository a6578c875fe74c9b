"""Families are households: two parents of one child are one family, a split household two,
a family with three children in a class one; readers are counted per language."""

import pytest
from django.db.models import Q
from hypothesis import given, settings
from hypothesis import strategies as st

from homeroom.people import households
from homeroom.people.models import Guardianship, Student
from homeroom.testing.personas import link, make_guardian


def _links(*students):
    return Guardianship.objects.filter(student__in=students)


def test_two_parents_of_one_child_living_together_are_one_family(world):
    ana = world.ana
    mum = make_guardian(world.district, "Lucia", "Perez", "es", joined=False)
    dad = make_guardian(world.district, "Jose", "Perez", "es", joined=False)
    child = Student.objects.create(school=world.north, given_name="Tomas", family_name="Perez")
    link(mum, child)
    link(dad, child)
    count = households.count_families(_links(child))
    assert (count.families, count.readers) == (1, 2)
    assert count.language("es").families == 1 and count.language("es").readers == 2
    # Ana's parents live apart, each with their own household label: two families.
    split = households.count_families(_links(ana))
    assert (split.families, split.readers) == (2, 2)
    assert split.language("es").families == 1 and split.language("en").families == 1


def test_a_parent_living_apart_with_no_label_is_a_household_of_their_own(world):
    child = Student.objects.create(school=world.north, given_name="Ivo", family_name="Kral")
    home = make_guardian(world.district, "Jana", "Kral", joined=False)
    apart = make_guardian(world.district, "Petr", "Kral", joined=False)
    step = make_guardian(world.district, "Eva", "Kral", joined=False)
    link(home, child)
    link(step, child)
    link(apart, child, lives_with=False)
    assert households.count_families(_links(child)).families == 2


def test_a_family_with_three_children_in_one_class_is_one_family(world):
    mum = make_guardian(world.district, "Mai", "Vang", "hmn", joined=False)
    dad = make_guardian(world.district, "Tou", "Vang", "hmn", joined=True)
    children = [
        Student.objects.create(school=world.north, given_name=name, family_name="Vang")
        for name in ("Kou", "Pa", "Nou")
    ]
    for child in children:
        link(mum, child)
        link(dad, child)
    count = households.count_families(
        _links(*children), marks={"joined": Q(guardian__joined_at__isnull=False)}
    )
    assert (count.families, count.readers) == (1, 2)
    assert count.mark("joined").families == 1 and count.mark("joined").readers == 1


def test_five_hmong_families(world):
    children = []
    for n in range(5):
        child = Student.objects.create(
            school=world.north, given_name=f"Kid{n}", family_name="Xiong"
        )
        children.append(child)
        for role in ("Mother", "Father"):
            link(make_guardian(world.district, f"{role}{n}", "Xiong", "hmn", joined=False), child)
    count = households.count_families(_links(*children))
    assert count.language("hmn").families == 5
    assert count.language("hmn").readers == 10
    assert count.families == 5


def test_per_school_counts_a_family_in_each_of_its_schools(world):
    mum = make_guardian(world.district, "Ada", "Stone", joined=False)
    north_child = Student.objects.create(school=world.north, given_name="A", family_name="Stone")
    south_child = Student.objects.create(school=world.south, given_name="B", family_name="Stone")
    link(mum, north_child)
    link(mum, south_child)
    counts = households.count_families(_links(north_child, south_child), per="student__school")
    assert counts[world.north.pk].families == 1 and counts[world.south.pk].families == 1


# ---- the count against a direct computation, for random link sets ----------------------------

links_strategy = st.lists(
    st.tuples(
        st.integers(1, 12),  # guardian
        st.integers(1, 8),  # student
        st.sampled_from(["", "", "A", "B"]),  # household label
        st.booleans(),  # lives with the child
    ),
    max_size=40,
    unique_by=lambda row: (row[0], row[1]),
)


def _direct_families(rows) -> int:
    """Connected components of guardians, two guardians joined when some child has them in
    one household (same label, or both unlabelled and living with the child)."""
    guardians = {g for g, _s, _h, _l in rows}
    neighbours = {g: set() for g in guardians}
    for g1, s1, h1, l1 in rows:
        for g2, s2, h2, l2 in rows:
            if s1 != s2 or g1 == g2:
                continue
            if (h1 and h1 == h2) or (not h1 and not h2 and l1 and l2):
                neighbours[g1].add(g2)
    seen, components = set(), 0
    for start in guardians:
        if start in seen:
            continue
        components += 1
        stack = [start]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(neighbours[node] - seen)
    return components


@settings(max_examples=300, deadline=None)
@given(links_strategy, st.lists(st.sampled_from(["en", "es", "hmn"]), min_size=12, max_size=12))
def test_the_family_count_equals_a_direct_computation(rows, languages):
    count = households.tally((*row, languages[row[0] - 1]) for row in rows)
    assert count.families == _direct_families(rows)
    assert count.readers == len({row[0] for row in rows})
    for language in ("en", "es", "hmn"):
        readers = {row[0] for row in rows if languages[row[0] - 1] == language}
        family = households.families_of(rows)
        assert count.language(language).readers == len(readers)
        assert count.language(language).families == len({family[g] for g in readers})


@pytest.mark.parametrize("rows,expected", [([], 0), ([(1, 1, "", False)], 1)])
def test_edges(rows, expected):
    assert households.tally((*row, "en") for row in rows).families == expected
