"""The daily roll-up: `roll_up(district, day)` computes the day's figures (communication.py)
for every school of the district and for the district as a whole, and replaces that day's
rows; the pages read them back with `latest`."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from homeroom.people import access, households
from homeroom.people.models import District

from . import communication
from .models import DailyFigures


def _row(count: households.FamilyCount, language: str | None = None, **fields) -> DailyFigures:
    if language is None:
        families = count.families
        marks = {name: count.mark(name).families for name in communication.FAMILY_MARKS}
    else:
        families = count.language(language).families
        marks = {name: count.mark(name, language).families for name in communication.FAMILY_MARKS}
    return DailyFigures(families=families, language=language or "", **marks, **fields)


def _rows(count, **fields) -> list[DailyFigures]:
    rows = [_row(count, **fields)]
    rows += [_row(count, language, **fields) for language, _ in count.by_language()]
    return rows


def compute_day(district: District, day: date) -> list[DailyFigures]:
    """The day's rows, unsaved: per school as of the end of `day` in its own time zone; the
    district's as of the end of `day` in its first school's zone (schools in other zones
    are counted for it at that same moment)."""
    schools = list(access.schools_of_district(district.pk))
    if not schools:
        return []
    by_zone: dict = {}
    for school in schools:
        by_zone.setdefault(str(communication.school_zone(school)), []).append(school)
    district_end = communication.day_end(day, schools[0])
    rows: list[DailyFigures] = []
    district_count = None
    for group in by_zone.values():
        end = communication.day_end(day, group[0])
        counts = communication.family_counts(group, end)
        staff = communication.staff_figures(group, end)
        for school in group:
            count = counts.get(school.pk) or households.FamilyCount()
            school_rows = _rows(count, day=day, district=district, school=school)
            figures = staff[school.pk]
            school_rows[0].responses = len(figures.waits)
            school_rows[0].response_median_minutes = figures.median_minutes
            school_rows[0].staff_by_role = figures.by_role
            rows += school_rows
        if end == district_end and len(by_zone) == 1:
            district_count = counts[households.ALL]
    if district_count is None:
        district_count = communication.family_counts(schools, district_end)[households.ALL]
    district_rows = _rows(district_count, day=day, district=district, school=None)
    staff_total = district_rows[0]
    merged: dict[str, list[int]] = {}
    for row in rows:
        for role, (everyone, talking) in row.staff_by_role.items():
            tally = merged.setdefault(role, [0, 0])
            tally[0] += everyone
            tally[1] += talking
    staff_total.staff_by_role = merged
    return rows + district_rows


def roll_up(district: District, day: date) -> int:
    """Compute `day` for the district and replace its rows (running it twice changes
    nothing). Returns the number of rows written."""
    rows = compute_day(district, day)
    with transaction.atomic():
        DailyFigures.objects.filter(district=district, day=day).delete()
        DailyFigures.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def roll_up_yesterday(today: date | None = None) -> int:
    """Every district's yesterday (the day that has ended everywhere)."""
    day = (today or timezone.localdate()) - timedelta(days=1)
    return sum(roll_up(district, day) for district in District.objects.order_by("pk"))


def latest(district_id: int, school_ids: list[int], languages_of=()) -> tuple[date | None, dict]:
    """The last rolled-up day for these schools, and its rows by school id (the district's
    under None), each {language: row}: the row of every language for each school and the
    district, and the rows by language only for the keys in `languages_of`. Two queries."""
    rows = DailyFigures.objects.filter(district_id=district_id, grade="")
    day = rows.filter(school_id__in=school_ids).aggregate(day=Max("day"))["day"]
    if day is None:
        return None, {}
    wanted = Q(school_id__in=school_ids, language="") | Q(school__isnull=True, language="")
    for key in languages_of:
        wanted |= Q(school__isnull=True) if key is None else Q(school_id=key)
    found: dict = {}
    for row in rows.filter(wanted, day=day):
        found.setdefault(row.school_id, {})[row.language] = row
    return day, found


# -- as the pages show them -------------------------------------------------------------------


def figure_table(row: DailyFigures) -> list[tuple[str, str, str]]:
    """(key, label, value) for each figure of a row of every language, as the school's
    insights page and its CSV show them (the definitions: docs/insights.md)."""
    from django.utils.translation import gettext as _

    from homeroom.people.models import Role

    def share(part: int, whole: int) -> str:
        value = communication.percent(part, whole)
        return "—" if value is None else f"{value}%"

    median = row.response_median_minutes
    table = [
        ("families", _("Families"), str(row.families)),
        ("reachable", _("Reachable (a working channel)"), share(row.reachable, row.families)),
        ("reached_30", _("Reached in the last 30 days"), share(row.reached_30, row.families)),
        ("two_way_14", _("Two-way in the last 14 days"), share(row.two_way_14, row.families)),
        ("two_way_30", _("Two-way in the last 30 days"), share(row.two_way_30, row.families)),
        (
            "initiated_30",
            _("Family-initiated, of two-way families (30 days)"),
            share(row.initiated_30, row.two_way_30),
        ),
        (
            "response_median",
            _("Median first response, school hours (30 days)"),
            "—" if median is None else _("%(minutes)s min") % {"minutes": median},
        ),
    ]
    labels = dict(Role.choices)
    for role in Role.values:
        everyone, talking = row.staff_by_role.get(role, (0, 0))
        if everyone:
            table.append(
                (
                    f"staff_{role}",
                    _("Staff with a two-way exchange (30 days): %(role)s") % {"role": labels[role]},
                    share(talking, everyone),
                )
            )
    return table


def admin_home(schools: list, district_id: int, whole_district: bool):
    """The admin home's figures from the last roll-up: the schools given `families_total`,
    `families_joined`, `joined_percent` and `figures` (their row), the rows by language, and
    the day; None when a school has no row yet (or several schools of a school admin, whose
    families by language only the raw rows can count once)."""
    if not whole_district and len(schools) != 1:
        return None
    by_language_of = None if whole_district else schools[0].pk
    day, found = latest(district_id, [school.pk for school in schools], [by_language_of])
    if day is None or any("" not in found.get(school.pk, {}) for school in schools):
        return None
    for school in schools:
        row = found[school.pk][""]
        school.figures = row
        school.families_total, school.families_joined = row.families, row.joined
        school.joined_percent = communication.percent(row.joined, row.families) or 0
        school.two_way_percent = communication.percent(row.two_way_30, row.families)
        school.reachable_percent = communication.percent(row.reachable, row.families)
    rows = found.get(by_language_of, {})
    by_language = sorted(
        (row for language, row in rows.items() if language),
        key=lambda row: (-row.families, row.language),
    )
    languages = [
        {
            "guardian__language": row.language,
            "total": row.families,
            "joined": row.joined,
            "percent": communication.percent(row.joined, row.families) or 0,
        }
        for row in by_language
    ]
    return schools, languages, day
