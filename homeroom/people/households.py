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


def household_key(guardian_id: int, student_id: int, household: str, lives_with: bool):
    """The household a link belongs to, for its child (see the module docstring)."""
    if household:
        return ("label", student_id, household)
    if lives_with:
        return ("home", student_id)
    return ("apart", guardian_id)


def families_of(rows) -> dict[int, int]:
    """`rows`: (guardian_id, student_id, household, lives_with). Each guardian's family, as the
    smallest guardian id of it: households sharing a guardian are one family."""
    parent: dict = {}

    def find(node):
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def union(a, b):
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b, key=_order)] = min(root_a, root_b, key=_order)

    for guardian_id, student_id, household, lives_with in rows:
        person = ("guardian", guardian_id)
        home = household_key(guardian_id, student_id, household, lives_with)
        parent.setdefault(person, person)
        parent.setdefault(home, home)
        union(person, home)
    guardians = [node for node in parent if node[0] == "guardian"]
    roots: dict = {}
    for node in guardians:
        roots.setdefault(find(node), []).append(node[1])
    return {gid: min(members) for members in roots.values() for gid in members}


def _order(node):
    # Guardians before households, so a family's root is one of its guardians.
    return (node[0] != "guardian", str(node))


def tally(rows, marks: tuple[str, ...] = ()) -> FamilyCount:
    """`rows`: (guardian_id, student_id, household, lives_with, language, *one flag per mark)."""
    rows = list(rows)
    family = families_of(row[:4] for row in rows)
    language_of: dict[int, str] = {}
    marks_of: dict[int, set[str]] = {}
    for row in rows:
        guardian_id = row[0]
        language_of[guardian_id] = base_language(row[4] or "") or STAFF_LANGUAGE
        flags = marks_of.setdefault(guardian_id, set())
        flags.update(name for name, flag in zip(marks, row[5:], strict=True) if flag)
    count = FamilyCount(families=len(set(family.values())), readers=len(family))
    seen: dict = {}
    for guardian_id, language in language_of.items():
        home = family[guardian_id]
        keys = [("language", count.languages, language)]
        for name in marks_of[guardian_id]:
            keys.append(("mark", count.marked, name))
            keys.append(("both", count.languages_marked, (language, name)))
        for kind, table, key in keys:
            entry = table.setdefault(key, Tally())
            entry.readers += 1
            homes = seen.setdefault((kind, key), set())
            if home not in homes:
                homes.add(home)
                entry.families += 1
    return count


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
