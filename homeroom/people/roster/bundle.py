"""Reading a OneRoster 1.1 bundle: the files it holds (a folder or a zip), its vocabulary
(files, columns, roles, statuses), the CSV parsed into rows, and the records the rows become."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from ..models import (
    Section,
)
from .report import _Report

REQUIRED_FILES = (
    "manifest.csv",
    "orgs.csv",
    "academicSessions.csv",
    "courses.csv",
    "classes.csv",
    "users.csv",
    "enrollments.csv",
)
OPTIONAL_FILES = ("demographics.csv",)
_FILE_NAMES = {name.lower(): name for name in (*REQUIRED_FILES, *OPTIONAL_FILES)}

COLUMNS = {
    "manifest.csv": ("propertyName", "value"),
    "orgs.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ),
    "academicSessions.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ),
    "courses.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    "classes.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    "users.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
    ),
    "enrollments.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    "demographics.csv": ("sourcedId", "status", "dateLastModified", "birthDate", "sex"),
}

# Only the columns the import reads are required; the others may be left out of a header.
REQUIRED_COLUMNS = {
    "manifest.csv": ("propertyName", "value"),
    "orgs.csv": ("sourcedId", "name", "type"),
    "academicSessions.csv": ("sourcedId", "title"),
    "courses.csv": ("sourcedId", "title"),
    "classes.csv": ("sourcedId", "title", "courseSourcedId", "schoolSourcedId"),
    "users.csv": ("sourcedId", "orgSourcedIds", "role", "givenName", "familyName"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
    "demographics.csv": ("sourcedId",),
}

ORG_TYPES = {"district", "school", "department", "local", "state", "national"}
STUDENT = "student"
STAFF_ROLES = {"administrator", "aide", "teacher"}
FAMILY_ROLES = {"parent", "guardian", "relative"}
USER_ROLES = {STUDENT, "proctor", *STAFF_ROLES, *FAMILY_ROLES}
TEACHING_ROLES = {"teacher", "aide"}
ENROLLMENT_ROLES = {STUDENT, "administrator", "proctor", *TEACHING_ROLES}
# A bulk file may leave status blank: the row is then active.
STATUSES = {"", "active", "tobedeleted"}
LANGUAGE_KEYS = {"homelanguage", "language", "primarylanguage"}
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}

# A zip bomb must not exhaust memory before the first row is read.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# SQLite's default limit is 999 parameters a statement.
LOOKUP_CHUNK = 500
BATCH_SIZE = 500
DEFAULT_COUNTRY = "US"
TERM_LIMIT = Section._meta.get_field("term").max_length


# ---- reading the bundle ------------------------------------------------------------------


def _source_name(source: Path | str | IO[bytes]) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return Path(getattr(source, "name", "") or "upload.zip").name


def _read_bundle(source: Path | str | IO[bytes], report: _Report) -> dict[str, bytes]:
    """The raw bytes of each file the import reads, by its OneRoster name."""
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return _read_folder(path)
        if not path.is_file():
            report.error(path.name, 0, "", _("There is no such file or folder."))
            return {}
        with path.open("rb") as handle:
            return _read_zip(handle, path.name, report)
    return _read_zip(source, _source_name(source), report)


def _read_folder(folder: Path) -> dict[str, bytes]:
    found = {}
    for entry in folder.iterdir():
        name = _FILE_NAMES.get(entry.name.lower())
        if name and entry.is_file():
            found[name] = entry.read_bytes()
    return found


def _read_zip(handle: IO[bytes], label: str, report: _Report) -> dict[str, bytes]:
    if not handle.seekable():
        handle = io.BytesIO(handle.read())
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, EOFError):
        report.error(label, 0, "", _("This is not a readable .zip archive."))
        return {}
    with archive:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            if info.is_dir() or info.filename.startswith("__MACOSX/"):
                continue
            name = _FILE_NAMES.get(info.filename.rsplit("/", 1)[-1].lower())
            if name is None:
                continue
            if name in members:
                report.error(name, 0, "", _("The archive holds this file more than once."))
                continue
            members[name] = info
        if sum(info.file_size for info in members.values()) > MAX_UNPACKED_BYTES:
            report.error(label, 0, "", _("The archive unpacks to more than 1 GB."))
            return {}
        try:
            return {name: archive.read(info) for name, info in members.items()}
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError):
            report.error(label, 0, "", _("The archive is damaged or encrypted."))
            return {}


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[Row]

    @property
    def metadata_columns(self) -> list[str]:
        return [column for column in self.columns if column.startswith("metadata.")]


def _parse_table(name: str, data: bytes, report: _Report) -> Table | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(name, line, "", _("This file is not UTF-8 text; export it as UTF-8."))
        return None
    # skipinitialspace lets a quoted multi-value cell follow a stray space after the comma.
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header: list[str] | None = None
    rows: list[Row] = []
    end_of_previous = 0
    try:
        for cells in reader:
            line = end_of_previous + 1
            end_of_previous = reader.line_num
            values = [cell.strip() for cell in cells]
            if not any(values):
                continue
            if header is None:
                header = _read_header(name, values, line, report)
                if header is None:
                    return None
                continue
            if len(values) > len(header) and any(values[len(header) :]):
                report.error(
                    name,
                    line,
                    "",
                    _("This row has %(found)d values but the header names %(expected)d columns.")
                    % {"found": len(values), "expected": len(header)},
                )
                continue
            rows.append(Row(line, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        report.error(
            name,
            reader.line_num,
            "",
            _("The CSV cannot be read here: %(reason)s") % {"reason": exc},
        )
        return None
    if header is None:
        report.error(name, 1, "", _("This file is empty; it needs at least a header line."))
        return None
    return Table(name, header, rows)


def _read_header(name: str, cells: list[str], line: int, report: _Report) -> list[str] | None:
    known = {column.lower(): column for column in COLUMNS[name]}
    header = []
    for cell in cells:
        cell = cell.lstrip("\ufeff").strip()
        if cell.lower().startswith("metadata."):
            header.append("metadata." + cell[len("metadata.") :])
        else:
            header.append(known.get(cell.lower(), cell))
    complete = True
    for column in {c for c in header if c and header.count(c) > 1}:
        report.error(name, line, column, _("This column appears more than once in the header."))
        complete = False
    for column in REQUIRED_COLUMNS[name]:
        if column not in header:
            report.error(name, line, column, _("The header lacks this required column."))
            complete = False
    return header if complete else None


# ---- what the bundle says ------------------------------------------------------------------


@dataclass
class OrgRow:
    sourced_id: str
    line: int
    name: str
    type: str


@dataclass
class ClassRow:
    sourced_id: str
    line: int
    title: str
    course: str
    school: str
    terms: list[str]
    period: str


@dataclass
class UserRow:
    sourced_id: str
    line: int
    role: str
    given_name: str
    family_name: str
    orgs: list[str]
    email: str
    phone: str
    phone_column: str
    agents: list[str]
    grade: str
    metadata: dict[str, str]
    cleared_metadata: set[str]
    language: str
    language_column: str


@dataclass
class EnrollmentRow:
    sourced_id: str
    line: int
    role: str
    section: str
    user: str
    primary: bool


@dataclass
class Bundle:
    """Every record of the bundle that is to be active, checked and cross-referenced."""

    district_org: OrgRow | None = None
    orgs: dict[str, OrgRow] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    courses: dict[str, str] = field(default_factory=dict)
    classes: dict[str, ClassRow] = field(default_factory=dict)
    users: dict[str, UserRow] = field(default_factory=dict)
    enrollments: dict[str, EnrollmentRow] = field(default_factory=dict)
    # sourcedIds marked tobedeleted, by file: links to them are skipped with a warning.
    deleted: dict[str, set[str]] = field(default_factory=dict)
    # (guardian sourcedId, student sourcedId) → relationship
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    # sourcedId → the school sourcedId a student belongs to
    student_school: dict[str, str] = field(default_factory=dict)
    students: dict[str, UserRow] = field(default_factory=dict)
    staff: dict[str, UserRow] = field(default_factory=dict)
    guardians: dict[str, UserRow] = field(default_factory=dict)
    section_terms: dict[str, str] = field(default_factory=dict)
    # References Homeroom stores nothing from, checked all the same: (file, line, column,
    # file named, sourcedId named).
    other_references: list[tuple[str, int, str, str, str]] = field(default_factory=list)

    def refer(self, table: Table, row: Row, column: str, target: str) -> None:
        for sourced_id in _split(row.get(column)):
            self.other_references.append((table.name, row.line, column, target, sourced_id))

    @property
    def schools(self) -> dict[str, OrgRow]:
        return {sid: org for sid, org in self.orgs.items() if org.type == "school"}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]
