"""Families who joined: of the families linked to a school's children, how many have signed
in to Homeroom — by school and by home language, so the families still outside show.

A family is a household (people/households.py); it has joined when one of its guardians has.
"""

from django.db.models import Q

from homeroom.people import access, households

JOINED = Q(guardian__joined_at__isnull=False)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def joined_by_school(schools: list) -> list:
    """The schools, each given `families_total`, `families_joined` and `joined_percent`
    (every family linked to the school's children, whatever their contact and records
    choices)."""
    counts = households.count_families(
        access.family_links_at(schools), marks={"joined": JOINED}, per="student__school"
    )
    for school in schools:
        count = counts.get(school.pk) or households.FamilyCount()
        school.families_total = count.families
        school.families_joined = count.mark("joined").families
        school.joined_percent = _percent(school.families_joined, school.families_total)
    return schools


def joined_by_language(schools: list) -> list[dict]:
    """One row per home language across these schools, most families first: `total`,
    `joined`, `percent` (a family with readers of two languages counts in each)."""
    count = households.count_families(access.family_links_at(schools), marks={"joined": JOINED})
    rows = []
    for language, tally in count.by_language():
        joined = count.mark("joined", language).families
        rows.append(
            {
                "guardian__language": language,
                "total": tally.families,
                "joined": joined,
                "percent": _percent(joined, tally.families),
            }
        )
    return rows
