"""What the roster tests share: the tables an import writes and how to read its report."""

from homeroom.people.models import (
    Assignment,
    District,
    Enrollment,
    Guardian,
    Guardianship,
    RosterImport,
    School,
    Section,
    StaffMember,
    Student,
    TeachingAssignment,
)

MODELS = [
    District,
    School,
    Section,
    Student,
    StaffMember,
    Assignment,
    Guardian,
    Guardianship,
    Enrollment,
    TeachingAssignment,
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def nothing_changed(record: RosterImport) -> bool:
    return all(n == 0 for by_kind in record.counts.values() for n in by_kind.values())


def line_of(bundle, file, sourced_id) -> int:
    """The line a row lands on: the header is line 1."""
    return [row["sourcedId"] for row in bundle[file]].index(sourced_id) + 2


def where(record: RosterImport) -> set[tuple[str, int, str]]:
    return {(p["file"], p["line"], p["column"]) for p in record.errors}
