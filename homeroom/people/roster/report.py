"""What an import tells its reader: the problems found (file, line, column), the stages it
reports while it runs, and the counts it keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

ProgressCallback = Callable[[int, str], None]


COUNT_KINDS = (
    "districts",
    "schools",
    "sections",
    "students",
    "staff",
    "assignments",
    "guardians",
    "guardianships",
    "enrollments",
    "teaching_assignments",
)

# Stages are stored untranslated and translated when shown, so each reader sees their language.
STAGE_READING = gettext_noop("Reading and checking the files")
STAGE_COMPARING = gettext_noop("Comparing with the district's records")
STAGE_SCHOOLS = gettext_noop("Saving schools and sections")
STAGE_PEOPLE = gettext_noop("Saving students and staff")
STAGE_FAMILIES = gettext_noop("Saving families")
STAGE_CLASS_LISTS = gettext_noop("Saving class lists")
STAGE_DONE = gettext_noop("Done")
STAGE_REJECTED = gettext_noop("Rejected: nothing was changed")


# ---- problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong (or worth knowing) about one cell, row or file of the bundle."""

    file: str
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.column}: {self.message}"


class _Report:
    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        # Files that could not be read: references into them are not checked, to spare the
        # reader one error per row for a single missing header.
        self.unreadable: set[str] = set()

    def error(self, file: str, line: int, column: str, message: str) -> None:
        self.errors.append(Problem(file, line, column, message))

    def warn(self, file: str, line: int, column: str, message: str) -> None:
        self.warnings.append(Problem(file, line, column, message))


class _Rejected(Exception):
    """Raised inside the write transaction when the database side of the check fails."""
