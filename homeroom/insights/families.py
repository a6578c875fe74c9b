"""Families who joined: of the families linked to a school's children, how many have signed
in to Homeroom — by school and by home language, so the families still outside show.

A family is a household (people/households.py); it has joined when one of its guardians has.
"""

from django.db.models import Q

from homeroom.people import access, households

JOINED = Q(guardian__joined_at__isnull=False)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def joined(schools: list) -> tuple[list, list[dict]]:
    """`joined_by_school` and `joined_by_language` from one read of the links."""
    counts = households.count_families(
        access.family_links_at(schools), marks={"joined": JOINED}, per="student__school"
    )
    return _by_school(schools, counts), _by_language(counts[households.ALL])


def joined_by_school(schools: list) -> list:
    """The schools, each given `families_total`, `families_joined` and `joined_percent`
    (every family linked to the school's children, whatever their contact and records
    choices)."""
    return joined(schools)[0]


def joined_by_language(schools: list) -> list[dict]:
    """One row per home language across these schools, most families first: `total`,
    `joined`, `percent` (a family with readers of two languages counts in each)."""
    return joined(schools)[1]


def _by_school(schools: list, counts: dict) -> list:
    for school in schools:
        count = counts.get(school.pk) or households.FamilyCount()
        school.families_total = count.families
        school.families_joined = count.mark("joined").families
        school.joined_percent = _percent(school.families_joined, school.families_total)
    return schools


def _by_language(count: households.FamilyCount) -> list[dict]:
    rows = []
    for language, tally in count.by_language():
        joined_families = count.mark("joined", language).families
        rows.append(
            {
                "guardian__language": language,
                "total": tally.families,
                "joined": joined_families,
                "percent": _percent(joined_families, tally.families),
            }
        )
    return rows
