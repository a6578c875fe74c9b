"""What a family is, and how many there are: the one count every page says "families" with.

A family is a household. For one child, two links are the same household when they carry the
same household label, or when neither has a label and both guardians live with the child; a
guardian who lives apart with no label is a household of their own (the rule messaging's
access uses for a family's own words). Across children, a guardian is one person: households
that share a guardian are one family (two parents of three children in one class are one
family, not three, nor six). So the families of a set of links are the connected components
of guardians joined by a shared household.

`count_families(links)` reads the links once (five small columns a row) and answers the number
of families, of readers (guardians), and both per language; `marks` counts, besides, the
families and readers with a property (joined, by text message). Languages are base
languages ("es-MX" reads as "es"), as translation serves them.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from homeroom.languages import STAFF_LANGUAGE, base_language

from .models import Guardianship

# The key, in a count `per` something, of the count over all of them.
ALL = "all"


@dataclass
class Tally:
    families: int = 0
    readers: int = 0


@dataclass
class FamilyCount:
    families: int = 0
    readers: int = 0
    languages: dict[str, Tally] = field(default_factory=dict)
    marked: dict[str, Tally] = field(default_factory=dict)
    # (language, mark) → the families and readers of that language with that mark
    languages_marked: dict[tuple[str, str], Tally] = field(default_factory=dict)

    def language(self, code: str) -> Tally:
        return self.languages.get(code, Tally())

    def mark(self, name: str, language: str | None = None) -> Tally:
        if language is None:
            return self.marked.get(name, Tally())
        return self.languages_marked.get((language, name), Tally())

    def by_language(self) -> list[tuple[str, Tally]]:
        """Most families first, then by code."""
        return sorted(self.languages.items(), key=lambda item: (-item[1].families, item[0]))


def families_of(rows) -> dict[int, int]:
    """`rows`: (guardian_id, student_id, household, lives_with). Each guardian's family, as the
    smallest guardian id of it: the guardians of one household are joined, and so,
    through a guardian they share, are households."""
    parent: dict[int, int] = {}
    first_of_household: dict = {}

    def find(guardian: int) -> int:
        root = guardian
        while parent[root] != root:
            root = parent[root]
        while parent[guardian] != root:
            parent[guardian], guardian = root, parent[guardian]
        return root

    for guardian, student, household, lives_with in rows:
        parent.setdefault(guardian, guardian)
        if household:
            key = (student, household)
        elif lives_with:
            key = student
        else:
            continue  # lives apart with no label: a household of their own
        other = first_of_household.setdefault(key, guardian)
        if other != guardian:
            a, b = find(guardian), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {guardian: find(guardian) for guardian in parent}


def tally(rows, marks: tuple[str, ...] = ()) -> FamilyCount:
    """`rows`: (guardian_id, student_id, household, lives_with, language, *one flag per mark)."""
    rows = list(rows)
    family = families_of([row[:4] for row in rows])
    bases: dict[str, str] = {}
    language_of: dict[int, str] = {}
    marked: dict[str, set[int]] = {name: set() for name in marks}
    for row in rows:
        raw = row[4] or ""
        base = bases.get(raw)
        if base is None:
            base = bases[raw] = base_language(raw) or STAFF_LANGUAGE
        language_of[row[0]] = base
        for index, name in enumerate(marks):
            if row[5 + index]:
                marked[name].add(row[0])
    count = FamilyCount(families=len(set(family.values())), readers=len(family))
    count.languages = _tallies((language, family[g]) for g, language in language_of.items())
    for name, guardians in marked.items():
        if guardians:
            count.marked[name] = Tally(len({family[g] for g in guardians}), len(guardians))
            both = _tallies(((language_of[g], name), family[g]) for g in guardians)
            count.languages_marked.update(both)
    return count


def _tallies(pairs) -> dict:
    """(key, family) pairs, one per reader → key: Tally(families, readers)."""
    homes: dict = {}
    readers: dict = {}
    for key, home in pairs:
        homes.setdefault(key, set()).add(home)
        readers[key] = readers.get(key, 0) + 1
    return {key: Tally(len(found), readers[key]) for key, found in homes.items()}


def count_families(
    links: QuerySet[Guardianship], *, marks: dict[str, Q] | None = None, per: str | None = None
):
    """The families and readers `links` reach (see the module docstring), in one query.

    `marks` names conditions over the links (e.g. `{"joined": Q(guardian__joined_at__isnull=
    False)}`): a family has the mark when one of its guardians has it. With `per` (a field
    path over Guardianship, e.g. "student__school"), one FamilyCount per value of it, and
    under `ALL` the count over all of them, from the same query."""
    marks = marks or {}
    names = tuple(marks)
    annotations = {f"mark_{name}": _flag(condition) for name, condition in marks.items()}
    columns = ["guardian_id", "student_id", "household", "lives_with", "guardian__language"]
    columns += [f"mark_{name}" for name in names]
    if per:
        columns.append(per)
    rows = links.annotate(**annotations).order_by().values_list(*columns).distinct()
    if not per:
        return tally(rows, names)
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row[-1], []).append(row[:-1])
    counts = {key: tally(group, names) for key, group in grouped.items()}
    # Over every group too (a family in two groups counts once), from the same rows.
    counts[ALL] = tally({row for group in grouped.values() for row in group}, names)
    return counts


def _flag(condition: Q):
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
