"""Families who joined: of the families linked to a school's children, how many have signed
in to Homeroom — by school and by home language, so the families still outside show."""

from django.db.models import Count, Q

from homeroom.people import access

JOINED = Q(guardian__joined_at__isnull=False)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def joined_by_school(schools: list) -> list:
    """The schools, each given `families_total`, `families_joined` and `joined_percent`
    (guardians counted once per school, whatever their contact and records choices)."""
    links = access.family_links_at(schools)
    by_school = {
        row["student__school"]: row
        for row in links.values("student__school").annotate(
            total=Count("guardian", distinct=True),
            joined=Count("guardian", distinct=True, filter=JOINED),
        )
    }
    for school in schools:
        row = by_school.get(school.pk, {"total": 0, "joined": 0})
        school.families_total = row["total"]
        school.families_joined = row["joined"]
        school.joined_percent = _percent(row["joined"], row["total"])
    return schools


def joined_by_language(schools: list) -> list[dict]:
    """One row per home language across these schools, most families first: `total`,
    `joined`, `percent`."""
    rows = list(
        access.family_links_at(schools)
        .values("guardian__language")
        .annotate(
            total=Count("guardian", distinct=True),
            joined=Count("guardian", distinct=True, filter=JOINED),
        )
        .order_by("-total", "guardian__language")
    )
    for row in rows:
        row["percent"] = _percent(row["joined"], row["total"])
    return rows
