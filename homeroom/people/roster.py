"""Roster import from the SIS: a OneRoster 1.1 CSV bulk export, as a folder or a .zip.

The import runs in passes so that a bad bundle changes nothing:

1. read: find the files, decode them (a UTF-8 byte-order mark, CRLF line ends and stray
   spaces are all fine), parse the CSV and check every row on its own: required values,
   status, role, duplicate sourcedIds;
2. check: resolve every reference between the files, then compare the bundle with what the
   district already holds (a sourcedId that belongs to another district is an error);
3. write: one transaction, in batches, keyed by sourcedId, so a re-import is idempotent.
   Whatever the SIS no longer lists, or marks `tobedeleted`, is deactivated, never deleted.

A school admin's import (a `RosterScope` with schools) reaches only those of their schools
the bundle lists: a school, class, student, staff member or family held outside them is an
error, so is any admin role the bundle would grant or withdraw, and what the SIS no longer
lists is deactivated within those schools only. Admins are never deactivated by it.

Every problem names the file, the line (the header is line 1; line 0 means the file as a
whole) and the column, so whoever fixes the export finds it at once.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .access import RosterScope
from .languages import normalise_language
from .models import (
    Assignment,
    Channel,
    District,
    Enrollment,
    Guardian,
    Guardianship,
    Role,
    RosterImport,
    School,
    Section,
    StaffMember,
    Student,
    TeachingAssignment,
)

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, str], None]
M = TypeVar("M", bound=models.Model)

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


class _RowChecker:
    """Checks rows of one file: identity, status, required values, lengths."""

    def __init__(self, table: Table, report: _Report, bundle: Bundle) -> None:
        self.table = table
        self.report = report
        self.deleted = bundle.deleted.setdefault(table.name, set())
        self.first_line: dict[str, int] = {}

    def active_rows(self) -> Iterator[tuple[str, Row]]:
        """Each row that is to be active, with its sourcedId; tobedeleted rows are noted."""
        for row in self.table.rows:
            sourced_id = self.required(row, "sourcedId", 255)
            if not sourced_id:
                continue
            if sourced_id in self.first_line:
                self.error(
                    row,
                    "sourcedId",
                    _("%(id)s is already used on line %(line)d.")
                    % {"id": sourced_id, "line": self.first_line[sourced_id]},
                )
                continue
            self.first_line[sourced_id] = row.line
            status = row.get("status").lower()
            if status not in STATUSES:
                self.error(
                    row,
                    "status",
                    _("Unknown status “%(value)s”; use active or tobedeleted.")
                    % {"value": row.get("status")},
                )
            if status == "tobedeleted":
                self.deleted.add(sourced_id)
                continue
            yield sourced_id, row

    def error(self, row: Row, column: str, message: str) -> None:
        self.report.error(self.table.name, row.line, column, message)

    def warn(self, row: Row, column: str, message: str) -> None:
        self.report.warn(self.table.name, row.line, column, message)

    def required(self, row: Row, column: str, limit: int) -> str:
        value = row.get(column)
        if not value:
            self.error(row, column, _("A value is required here."))
        return self.limited(row, column, value, limit)

    def limited(self, row: Row, column: str, value: str, limit: int) -> str:
        if len(value) > limit:
            self.error(
                row,
                column,
                _("This value is longer than %(limit)d characters.") % {"limit": limit},
            )
        return value

    def flag(self, row: Row, column: str, default: bool) -> bool:
        value = row.get(column).lower()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        if value:
            self.error(row, column, _("Use true or false here."))
        return default


def _check_manifest(table: Table, report: _Report, present: set[str]) -> None:
    for row in table.rows:
        prop, value = row.get("propertyName"), row.get("value").lower()
        if prop == "oneroster.version" and value not in {"1.1", "1.1.0"}:
            report.error(
                table.name,
                row.line,
                "value",
                _("This is a OneRoster %(version)s export; Homeroom reads OneRoster 1.1.")
                % {"version": row.get("value")},
            )
        if not prop.startswith("file."):
            continue
        name = _FILE_NAMES.get(prop[len("file.") :].lower() + ".csv")
        if value not in {"bulk", "delta", "absent"}:
            report.error(table.name, row.line, "value", _("Use bulk, delta or absent here."))
        elif value == "delta" and name:
            report.error(
                table.name,
                row.line,
                "value",
                _("Delta files are not supported; export a bulk file of %(file)s.")
                % {"file": name},
            )
        elif value == "bulk" and name in OPTIONAL_FILES and name not in present:
            report.error(
                table.name,
                row.line,
                "value",
                _("The manifest lists %(file)s but the bundle does not hold it.") % {"file": name},
            )
        elif value == "absent" and name in REQUIRED_FILES:
            report.error(
                table.name,
                row.line,
                "value",
                _("Homeroom needs %(file)s; export it as a bulk file.") % {"file": name},
            )


def _check_orgs(table: Table, report: _Report, bundle: Bundle) -> None:
    rows = _RowChecker(table, report, bundle)
    for sourced_id, row in rows.active_rows():
        name = rows.required(row, "name", 200)
        org_type = row.get("type").lower()
        if org_type not in ORG_TYPES:
            rows.error(
                row,
                "type",
                _(
                    "Unknown org type “%(value)s”; use district, school, department, local, "
                    "state or national."
                )
                % {"value": row.get("type")},
            )
        org = OrgRow(sourced_id, row.line, name, org_type)
        bundle.orgs[sourced_id] = org
        bundle.refer(table, row, "parentSourcedId", "orgs.csv")
        if org_type == "district":
            if bundle.district_org is None:
                bundle.district_org = org
            else:
                rows.error(
                    row,
                    "type",
                    _("A bundle holds one district; %(id)s on line %(line)d is one already.")
                    % {"id": bundle.district_org.sourced_id, "line": bundle.district_org.line},
                )


def _check_sessions(table: Table, report: _Report, bundle: Bundle) -> None:
    rows = _RowChecker(table, report, bundle)
    for sourced_id, row in rows.active_rows():
        bundle.sessions[sourced_id] = rows.required(row, "title", 100)
        bundle.refer(table, row, "parentSourcedId", "academicSessions.csv")


def _check_courses(table: Table, report: _Report, bundle: Bundle) -> None:
    rows = _RowChecker(table, report, bundle)
    for sourced_id, row in rows.active_rows():
        bundle.courses[sourced_id] = rows.required(row, "title", 200)
        bundle.refer(table, row, "orgSourcedId", "orgs.csv")
        bundle.refer(table, row, "schoolYearSourcedId", "academicSessions.csv")


def _check_classes(table: Table, report: _Report, bundle: Bundle) -> None:
    rows = _RowChecker(table, report, bundle)
    for sourced_id, row in rows.active_rows():
        bundle.classes[sourced_id] = ClassRow(
            sourced_id=sourced_id,
            line=row.line,
            title=rows.required(row, "title", 200),
            course=rows.required(row, "courseSourcedId", 255),
            school=rows.required(row, "schoolSourcedId", 255),
            terms=_split(row.get("termSourcedIds")),
            period=rows.limited(row, "periods", ", ".join(_split(row.get("periods"))), 50),
        )


def _check_users(table: Table, report: _Report, bundle: Bundle) -> None:
    rows = _RowChecker(table, report, bundle)
    metadata_columns = table.metadata_columns
    for sourced_id, row in rows.active_rows():
        role = row.get("role").lower()
        if not role:
            rows.error(row, "role", _("A value is required here."))
        elif role not in USER_ROLES:
            rows.error(
                row,
                "role",
                _(
                    "Unknown role “%(value)s”; use student, teacher, aide, administrator, "
                    "parent, guardian, relative or proctor."
                )
                % {"value": row.get("role")},
            )
        elif role == "proctor":
            rows.warn(row, "role", _("Proctors are not imported."))
        orgs = _split(row.get("orgSourcedIds"))
        if not orgs:
            rows.error(row, "orgSourcedIds", _("A value is required here."))
        sms = row.get("sms")
        grades = _split(row.get("grades"))
        user = UserRow(
            sourced_id=sourced_id,
            line=row.line,
            role=role,
            given_name=rows.required(row, "givenName", 100),
            family_name=rows.required(row, "familyName", 100),
            orgs=orgs,
            email=row.get("email"),
            phone=sms or row.get("phone"),
            phone_column="sms" if sms else "phone",
            agents=_split(row.get("agentSourcedIds")),
            grade=rows.limited(row, "grades", grades[0] if grades else "", 10),
            metadata={},
            cleared_metadata=set(),
            language="",
            language_column="",
        )
        for column in metadata_columns:
            key, value = column[len("metadata.") :], row.get(column)
            if value:
                user.metadata[key] = value
                if not user.language and key.lower() in LANGUAGE_KEYS:
                    user.language, user.language_column = value, column
            else:
                user.cleared_metadata.add(key)
        bundle.users[sourced_id] = user


def _check_enrollments(table: Table, report: _Report, bundle: Bundle) -> None:
    rows = _RowChecker(table, report, bundle)
    for sourced_id, row in rows.active_rows():
        role = row.get("role").lower()
        if not role:
            rows.error(row, "role", _("A value is required here."))
        elif role not in ENROLLMENT_ROLES:
            rows.error(
                row,
                "role",
                _("Unknown role “%(value)s”; use student, teacher, aide, administrator or proctor.")
                % {"value": row.get("role")},
            )
        bundle.enrollments[sourced_id] = EnrollmentRow(
            sourced_id=sourced_id,
            line=row.line,
            role=role,
            section=rows.required(row, "classSourcedId", 255),
            user=rows.required(row, "userSourcedId", 255),
            primary=rows.flag(row, "primary", default=True),
        )
        bundle.refer(table, row, "schoolSourcedId", "orgs.csv")


def _check_demographics(table: Table, report: _Report, bundle: Bundle) -> None:
    # Homeroom keeps no birth dates or ethnicity: the file is only checked for shape.
    rows = _RowChecker(table, report, bundle)
    for sourced_id, row in rows.active_rows():
        if sourced_id not in bundle.users and "users.csv" not in report.unreadable:
            rows.warn(row, "sourcedId", _("%(id)s is not in users.csv.") % {"id": sourced_id})


class _References:
    """Resolves the sourcedIds one file names in another."""

    def __init__(self, bundle: Bundle, report: _Report) -> None:
        self.bundle = bundle
        self.report = report

    def resolve(
        self,
        file: str,
        line: int,
        column: str,
        target: str,
        sourced_id: str,
        known: dict,
        *,
        required: bool = False,
    ) -> bool:
        """Whether the sourcedId names an active record; if not, say so.

        A link to a record marked tobedeleted is skipped with a warning, unless the row
        cannot stand without it (a class needs its school and course).
        """
        if not sourced_id or sourced_id in known:
            return bool(sourced_id)
        if sourced_id in self.bundle.deleted.get(target, set()):
            report = self.report.error if required else self.report.warn
            report(
                file,
                line,
                column,
                _("%(id)s is marked tobedeleted in %(target)s; this link is skipped.")
                % {"id": sourced_id, "target": target},
            )
        elif target not in self.report.unreadable:
            self.report.error(
                file,
                line,
                column,
                _("%(id)s is not in %(target)s.") % {"id": sourced_id, "target": target},
            )
        return False

    def check_all(self) -> None:
        known = {"orgs.csv": self.bundle.orgs, "academicSessions.csv": self.bundle.sessions}
        for file, line, column, target, sourced_id in self.bundle.other_references:
            self.resolve(file, line, column, target, sourced_id, known[target])
        self.check_classes()
        self.check_users()
        self.check_links()
        self.check_enrollments()

    def check_classes(self) -> None:
        bundle = self.bundle
        for section in bundle.classes.values():
            where = ("classes.csv", section.line)
            self.resolve(
                *where,
                "courseSourcedId",
                "courses.csv",
                section.course,
                bundle.courses,
                required=True,
            )
            known_school = self.resolve(
                *where, "schoolSourcedId", "orgs.csv", section.school, bundle.orgs, required=True
            )
            if known_school and bundle.orgs[section.school].type != "school":
                self.report.error(
                    *where, "schoolSourcedId", _("%(id)s is not a school.") % {"id": section.school}
                )
            terms = ", ".join(
                bundle.sessions[term]
                for term in section.terms
                if self.resolve(
                    *where, "termSourcedIds", "academicSessions.csv", term, bundle.sessions
                )
            )
            if len(terms) > TERM_LIMIT:
                self.report.warn(
                    *where,
                    "termSourcedIds",
                    _(
                        "The terms' titles together are longer than %(limit)d characters; "
                        "they are shortened."
                    )
                    % {"limit": TERM_LIMIT},
                )
            bundle.section_terms[section.sourced_id] = terms[:TERM_LIMIT]

    def check_users(self) -> None:
        bundle = self.bundle
        for user in bundle.users.values():
            orgs = [
                org
                for org in user.orgs
                if self.resolve(
                    "users.csv", user.line, "orgSourcedIds", "orgs.csv", org, bundle.orgs
                )
            ]
            if user.role == STUDENT:
                schools = [org for org in orgs if bundle.orgs[org].type == "school"]
                if schools:
                    bundle.student_school[user.sourced_id] = schools[0]
                elif user.orgs:
                    self.report.error(
                        "users.csv",
                        user.line,
                        "orgSourcedIds",
                        _("A student needs a school among their orgs."),
                    )
                bundle.students[user.sourced_id] = user
            elif user.role in STAFF_ROLES:
                bundle.staff[user.sourced_id] = user
            elif user.role in FAMILY_ROLES:
                bundle.guardians[user.sourced_id] = user
            user.orgs = orgs

    def check_links(self) -> None:
        """Guardianships, named on either side: by the student or by the family member."""
        bundle = self.bundle
        for user in bundle.users.values():
            if user.role != STUDENT and user.role not in FAMILY_ROLES:
                continue
            for agent in user.agents:
                where = ("users.csv", user.line, "agentSourcedIds")
                if not self.resolve(*where, "users.csv", agent, bundle.users):
                    continue
                other = bundle.users[agent]
                if user.role == STUDENT and other.role in FAMILY_ROLES:
                    bundle.links[(agent, user.sourced_id)] = other.role
                elif user.role in FAMILY_ROLES and other.role == STUDENT:
                    bundle.links[(user.sourced_id, agent)] = user.role
                elif other.role in USER_ROLES:  # an unknown role is reported already
                    self.report.warn(
                        *where,
                        _(
                            "%(id)s is a %(role)s; only links between students and their "
                            "families are imported."
                        )
                        % {"id": agent, "role": other.role},
                    )

    def check_enrollments(self) -> None:
        bundle = self.bundle
        seen: dict[tuple[str, str], int] = {}
        for enrollment in list(bundle.enrollments.values()):
            where = ("enrollments.csv", enrollment.line)
            if enrollment.role not in ENROLLMENT_ROLES:
                continue
            known_class = self.resolve(
                *where, "classSourcedId", "classes.csv", enrollment.section, bundle.classes
            )
            known_user = self.resolve(
                *where, "userSourcedId", "users.csv", enrollment.user, bundle.users
            )
            if enrollment.role not in {STUDENT, *TEACHING_ROLES}:
                self.report.warn(
                    *where,
                    "role",
                    _("Enrollments as %(role)s are not imported.") % {"role": enrollment.role},
                )
            if not (known_class and known_user) or enrollment.role not in {
                STUDENT,
                *TEACHING_ROLES,
            }:
                del bundle.enrollments[enrollment.sourced_id]
                continue
            if not self.role_fits(enrollment, bundle.users[enrollment.user]):
                continue
            pair = (enrollment.section, enrollment.user)
            if pair in seen:
                self.report.warn(
                    *where,
                    "userSourcedId",
                    _("This person is already in this class on line %(line)d; this row is skipped.")
                    % {"line": seen[pair]},
                )
                del bundle.enrollments[enrollment.sourced_id]
                continue
            seen[pair] = enrollment.line

    def role_fits(self, enrollment: EnrollmentRow, user: UserRow) -> bool:
        if user.role not in USER_ROLES:
            return False  # already reported on users.csv
        wanted = {STUDENT} if enrollment.role == STUDENT else STAFF_ROLES
        if user.role in wanted:
            return True
        self.report.error(
            "enrollments.csv",
            enrollment.line,
            "userSourcedId",
            _("%(id)s is a %(user_role)s in users.csv, so cannot be enrolled as %(role)s.")
            % {"id": user.sourced_id, "user_role": user.role, "role": enrollment.role},
        )
        return False


CHECKS: dict[str, Callable[[Table, _Report, Bundle], None]] = {
    "orgs.csv": _check_orgs,
    "academicSessions.csv": _check_sessions,
    "courses.csv": _check_courses,
    "classes.csv": _check_classes,
    "users.csv": _check_users,
    "enrollments.csv": _check_enrollments,
    "demographics.csv": _check_demographics,
}


def read_bundle(source: Path | str | IO[bytes], report: _Report) -> Bundle:
    """Read and check every file; problems land in the report, nothing touches the database."""
    files = _read_bundle(source, report)
    if report.errors:
        return Bundle()
    for name in REQUIRED_FILES:
        if name not in files:
            report.error(name, 0, "", _("The bundle has no %(file)s.") % {"file": name})
            report.unreadable.add(name)
    tables = {}
    for name, data in files.items():
        table = _parse_table(name, data, report)
        if table is None:
            report.unreadable.add(name)
        else:
            tables[name] = table
    if "manifest.csv" in tables:
        _check_manifest(tables["manifest.csv"], report, set(files))
    bundle = Bundle()
    for name, check in CHECKS.items():
        if name in tables:
            check(tables[name], report, bundle)
    _References(bundle, report).check_all()
    return bundle


# ---- what the district holds ---------------------------------------------------------------


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Existing:
    """The district's rows the bundle may touch, keyed the way the import matches them."""

    schools: dict[str, School] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    guardians: dict[str, Guardian] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    guardianships: list[Guardianship] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)
    teaching: list[TeachingAssignment] = field(default_factory=list)
    first_school_country: str = DEFAULT_COUNTRY
    # A school admin's import: the sourcedIds of staff and families it may update but never
    # deactivate (admins, and whoever also belongs to a school outside the import).
    kept_staff: set[str] = field(default_factory=set)
    kept_guardians: set[str] = field(default_factory=set)
    scoped: bool = False


def _by_sourced_id(queryset: models.QuerySet[M]) -> dict[str, M]:
    return {row.sourced_id: row for row in queryset.filter(sourced_id__isnull=False)}


def _load_existing(district: District | None, school_ids: set[int] | None = None) -> Existing:
    """The district's rows; for a school admin's import, only those of `school_ids`."""
    if district is None or district.pk is None:
        return Existing()
    if school_ids is not None:
        return _load_schools(district, school_ids)
    schools = list(School.objects.filter(district=district).order_by("pk"))
    return Existing(
        schools={school.sourced_id: school for school in schools if school.sourced_id},
        sections=_by_sourced_id(Section.objects.filter(school__district=district)),
        students=_by_sourced_id(Student.objects.filter(school__district=district)),
        staff=_by_sourced_id(StaffMember.objects.filter(district=district)),
        guardians=_by_sourced_id(Guardian.objects.filter(district=district)),
        assignments=list(Assignment.objects.filter(school__district=district)),
        guardianships=list(Guardianship.objects.filter(student__school__district=district)),
        enrollments=list(Enrollment.objects.filter(section__school__district=district)),
        teaching=list(TeachingAssignment.objects.filter(section__school__district=district)),
        first_school_country=schools[0].country if schools else DEFAULT_COUNTRY,
    )


def _load_schools(district: District, school_ids: set[int]) -> Existing:
    ids = sorted(school_ids)
    schools = list(School.objects.filter(district=district, pk__in=ids).order_by("pk"))
    staff = StaffMember.objects.filter(
        pk__in=Assignment.objects.filter(school_id__in=ids).values("staff")
    )
    guardians = Guardian.objects.filter(
        pk__in=Guardianship.objects.filter(student__school_id__in=ids).values("guardian")
    )
    admins_or_shared = staff.filter(
        models.Q(is_district_admin=True)
        | models.Q(assignments__role=Role.SCHOOL_ADMIN)
        | models.Q(assignments__school__in=School.objects.exclude(pk__in=ids))
    )
    shared_families = guardians.filter(
        guardianships__student__school__in=School.objects.exclude(pk__in=ids)
    )
    return Existing(
        schools={school.sourced_id: school for school in schools if school.sourced_id},
        sections=_by_sourced_id(Section.objects.filter(school_id__in=ids)),
        students=_by_sourced_id(Student.objects.filter(school_id__in=ids)),
        staff=_by_sourced_id(staff),
        guardians=_by_sourced_id(guardians),
        assignments=list(Assignment.objects.filter(school_id__in=ids)),
        guardianships=list(Guardianship.objects.filter(student__school_id__in=ids)),
        enrollments=list(Enrollment.objects.filter(section__school_id__in=ids)),
        teaching=list(TeachingAssignment.objects.filter(section__school_id__in=ids)),
        first_school_country=schools[0].country if schools else DEFAULT_COUNTRY,
        kept_staff=set(
            admins_or_shared.filter(sourced_id__isnull=False).values_list("sourced_id", flat=True)
        ),
        kept_guardians=set(
            shared_families.filter(sourced_id__isnull=False).values_list("sourced_id", flat=True)
        ),
        scoped=True,
    )


def _schools_in_scope(
    district: District, scope: RosterScope | None, bundle: Bundle, report: _Report
) -> set[int] | None:
    """The schools a school admin's import covers: theirs that the bundle lists. Any other
    school org in the bundle is an error. None: the whole district (a district admin's)."""
    if scope is None or scope.is_district_wide:
        return None
    theirs = {
        school.sourced_id: school.pk
        for school in School.objects.filter(
            district=district, pk__in=sorted(scope.school_ids), sourced_id__in=list(bundle.schools)
        )
    }
    for sourced_id, org in bundle.schools.items():
        if sourced_id not in theirs:
            report.error(
                "orgs.csv",
                org.line,
                "sourcedId",
                _("%(id)s is not one of the schools you may import for.") % {"id": sourced_id},
            )
    return set(theirs.values())


def _is_district_admin_row(bundle: Bundle, user: UserRow) -> bool:
    return user.role == "administrator" and any(
        org in bundle.orgs and bundle.orgs[org].type == "district" for org in user.orgs
    )


def _check_staff_in_scope(bundle: Bundle, existing: Existing, report: _Report) -> None:
    """A school admin's import lists staff of its schools, and grants and withdraws no admin
    role, of anyone."""
    school_admin_at = {
        (a.staff_id, a.school_id) for a in existing.assignments if a.role == Role.SCHOOL_ADMIN
    }
    message = _("Only a district admin's import may grant or withdraw an admin role.")
    for sid, user in bundle.staff.items():
        if user.orgs and not any(org in existing.schools for org in user.orgs):
            # Someone at none of the import's schools (the district only) is not theirs.
            report.error(
                "users.csv",
                user.line,
                "orgSourcedIds",
                _("%(id)s is not one of the schools you may import for.") % {"id": user.orgs[0]},
            )
            continue
        current = existing.staff.get(sid)
        if _is_district_admin_row(bundle, user) != bool(current and current.is_district_admin):
            report.error("users.csv", user.line, "role", message)
            continue
        listed_at = {existing.schools[org].pk for org in user.orgs if org in existing.schools}
        for school in existing.schools.values():
            had = current is not None and (current.pk, school.pk) in school_admin_at
            granted = user.role == "administrator" and school.pk in listed_at and not had
            withdrawn = had and school.pk not in listed_at
            if granted or withdrawn:
                report.error("users.csv", user.line, "role", message)
                break


def _choose_district(district: District | None, bundle: Bundle, report: _Report) -> District:
    """The district to import into: given, matched by sourcedId, the only one, or a new one."""
    org = bundle.district_org
    owner = District.objects.filter(sourced_id=org.sourced_id).first() if org else None
    if district is not None:
        if org and owner and owner.pk != district.pk:
            report.error(
                "orgs.csv",
                org.line,
                "sourcedId",
                _("This bundle is for the district %(name)s, not for %(chosen)s.")
                % {"name": owner.name, "chosen": district.name},
            )
        elif org and district.sourced_id and district.sourced_id != org.sourced_id:
            report.error(
                "orgs.csv",
                org.line,
                "sourcedId",
                _("This bundle is for the district %(id)s, not for %(chosen)s.")
                % {"id": org.sourced_id, "chosen": district.name},
            )
        return district
    if owner is not None:
        return owner
    districts = list(District.objects.order_by("pk")[:2])
    if len(districts) == 1 and (org is None or districts[0].sourced_id is None):
        return districts[0]
    if districts:
        report.error(
            "orgs.csv",
            org.line if org else 0,
            "sourcedId" if org else "",
            _("Other districts exist already; choose the one this bundle is for."),
        )
    return District(
        name=(org.name if org and org.name else "District"),
        sourced_id=org.sourced_id if org else None,
    )


def _check_ownership(bundle: Bundle, existing: Existing, report: _Report) -> None:
    """A sourcedId is unique across all districts: one held elsewhere cannot be taken over.

    For a school admin's import, "elsewhere" is anywhere outside the schools it covers (its
    school orgs are checked by `_schools_in_scope`)."""
    kinds: list[tuple[type[models.Model], str, dict[str, int], set[str]]] = [
        (
            School,
            "orgs.csv",
            {} if existing.scoped else _lines(bundle.schools),
            set(existing.schools),
        ),
        (Section, "classes.csv", _lines(bundle.classes), set(existing.sections)),
        (Student, "users.csv", _lines(bundle.students), set(existing.students)),
        (StaffMember, "users.csv", _lines(bundle.staff), set(existing.staff)),
        (Guardian, "users.csv", _lines(bundle.guardians), set(existing.guardians)),
    ]
    student_rows = {e.sourced_id: e.line for e in bundle.enrollments.values() if e.role == STUDENT}
    teaching_rows = {e.sourced_id: e.line for e in bundle.enrollments.values() if e.role != STUDENT}
    kinds.append(
        (Enrollment, "enrollments.csv", student_rows, {e.sourced_id for e in existing.enrollments})
    )
    kinds.append(
        (
            TeachingAssignment,
            "enrollments.csv",
            teaching_rows,
            {t.sourced_id for t in existing.teaching},
        )
    )
    for model, file, lines, ours in kinds:
        new_ids = sorted(set(lines) - ours)
        for chunk in _chunks(new_ids):
            for taken in model.objects.filter(sourced_id__in=chunk).values_list(
                "sourced_id", flat=True
            ):
                message = (
                    _("%(id)s belongs to a school you may not import for.")
                    if existing.scoped
                    else _("%(id)s already belongs to another district.")
                )
                report.error(file, lines[taken], "sourcedId", message % {"id": taken})


def _lines(records: dict[str, Any]) -> dict[str, int]:
    return {sourced_id: record.line for sourced_id, record in records.items()}


# ---- contact details -----------------------------------------------------------------------


@dataclass
class Contact:
    phone: str = ""
    email: str = ""
    language: str | None = None
    can_text: bool = False
    # The SIS gave a value that could not be read: the one on file is better than none.
    phone_unreadable: bool = False
    email_unreadable: bool = False

    def phone_or(self, current: Any) -> str:
        return str(current or "") if self.phone_unreadable else self.phone

    def email_or(self, current: str) -> str:
        return current if self.email_unreadable else self.email


def normalise_phone(raw: str, country: str) -> str | None:
    """The E.164 form of a phone number written any common way, or None if it is not one."""
    try:
        number = phonenumbers.parse(raw, country or DEFAULT_COUNTRY)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_mobile(e164: str) -> bool:
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


class _Contacts:
    """Phones, emails and languages read for each person, with a warning for each bad one."""

    def __init__(self, bundle: Bundle, existing: Existing, report: _Report) -> None:
        self.bundle = bundle
        self.report = report
        self.countries = {
            sid: existing.schools[sid].country if sid in existing.schools else DEFAULT_COUNTRY
            for sid in bundle.schools
        }
        self.default_country = existing.first_school_country
        self.languages: dict[str, str | None] = {}
        self.staff: dict[str, Contact] = {}
        self.guardians: dict[str, Contact] = {}

    def read_all(self) -> None:
        """Read everyone's details up front, so a rejected bundle lists these warnings too."""
        children: dict[str, list[str]] = {}
        for guardian, student in sorted(self.bundle.links):
            children.setdefault(guardian, []).append(student)
        for student in self.bundle.students.values():
            self.language_of(student)
        self.staff = {
            sid: self.read(user, self.country_of(user)) for sid, user in self.bundle.staff.items()
        }
        self.guardians = {
            sid: self.for_guardian(user, children.get(sid, []))
            for sid, user in self.bundle.guardians.items()
        }

    def country_of(self, user: UserRow) -> str:
        schools = [org for org in user.orgs if org in self.countries]
        return self.countries[schools[0]] if schools else self.default_country

    def country_of_family(self, user: UserRow, children: list[str]) -> str:
        # A family's numbers are read as written in their child's school's country.
        for child in children:
            if child in self.bundle.student_school:
                return self.countries[self.bundle.student_school[child]]
        return self.country_of(user)

    def language_of(self, user: UserRow) -> str | None:
        if user.sourced_id not in self.languages:
            code = normalise_language(user.language) if user.language else None
            if user.language and code is None:
                self.report.warn(
                    "users.csv",
                    user.line,
                    user.language_column,
                    _("Unknown language “%(value)s”; the language is left as it was.")
                    % {"value": user.language},
                )
            self.languages[user.sourced_id] = code
        return self.languages[user.sourced_id]

    def read(self, user: UserRow, country: str) -> Contact:
        contact = Contact()
        if user.phone:
            e164 = normalise_phone(user.phone, country)
            if e164 is None:
                contact.phone_unreadable = True
                self.report.warn(
                    "users.csv",
                    user.line,
                    user.phone_column,
                    _("“%(value)s” is not a phone number in %(country)s; imported without it.")
                    % {"value": user.phone, "country": country},
                )
            else:
                contact.phone = e164
                contact.can_text = user.phone_column == "sms" or _is_mobile(e164)
        if user.email:
            try:
                validate_email(user.email)
                contact.email = user.email
            except ValidationError:
                contact.email_unreadable = True
                self.report.warn(
                    "users.csv",
                    user.line,
                    "email",
                    _("“%(value)s” is not an email address; imported without it.")
                    % {"value": user.email},
                )
        return contact

    def for_guardian(self, user: UserRow, children: list[str]) -> Contact:
        contact = self.read(user, self.country_of_family(user, children))
        contact.language = self.language_of(user) if user.language else None
        if contact.language is None and not user.language:
            # SIS exports often keep the home language on the child's row only.
            for child in children:
                student = self.bundle.students.get(child)
                if student and student.language and self.language_of(student):
                    contact.language = self.language_of(student)
                    break
        return contact


# ---- writing ----------------------------------------------------------------------------------


class _Tally:
    def __init__(self) -> None:
        self.counts = {
            outcome: dict.fromkeys(COUNT_KINDS, 0)
            for outcome in ("created", "updated", "deactivated")
        }

    def add(self, outcome: str, kind: str, number: int) -> None:
        self.counts[outcome][kind] += number


def _plain(value: Any) -> Any:
    # A phone number compares by its E.164 text, whatever object the field handed back.
    if isinstance(value, phonenumbers.PhoneNumber):
        return str(value)
    return value


def _assign(instance: models.Model, values: dict[str, Any]) -> set[str]:
    """Set the values that differ; the names of those changed."""
    changed = set()
    for name, value in values.items():
        if _plain(getattr(instance, name)) != _plain(value):
            setattr(instance, name, value)
            changed.add(name)
    return changed


def _merged_metadata(current: dict | None, user: UserRow) -> dict:
    merged = {
        key: value for key, value in (current or {}).items() if key not in user.cleared_metadata
    }
    merged.update(user.metadata)
    return merged


def _save(model: type[M], to_create: list[M], to_update: list[M], fields: set[str]) -> None:
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update and fields:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=BATCH_SIZE)


def _sync_by_sourced_id(
    model: type[M],
    kind: str,
    existing: dict[str, M],
    wanted: Iterable[str],
    values_for: Callable[[str, M | None], dict[str, Any]],
    tally: _Tally,
    kept: set[str] | frozenset[str] = frozenset(),
) -> dict[str, M]:
    """Create, update and reactivate what is wanted; deactivate the rest (but `kept`)."""
    to_create: list[M] = []
    to_update: list[M] = []
    fields: set[str] = set()
    result: dict[str, M] = {}
    for sourced_id in wanted:
        current = existing.get(sourced_id)
        if current is None:
            result[sourced_id] = model(sourced_id=sourced_id, **values_for(sourced_id, None))
            to_create.append(result[sourced_id])
            continue
        changed = _assign(current, {**values_for(sourced_id, current), "is_active": True})
        if changed:
            to_update.append(current)
            fields |= changed
        result[sourced_id] = current
    deactivated = 0
    for sourced_id, current in existing.items():
        if sourced_id not in result and sourced_id not in kept and current.is_active:
            current.is_active = False
            to_update.append(current)
            fields.add("is_active")
            deactivated += 1
    _save(model, to_create, to_update, fields)
    tally.add("created", kind, len(to_create))
    tally.add("updated", kind, len(to_update) - deactivated)
    tally.add("deactivated", kind, deactivated)
    return result


def _sync_links(
    model: type[M],
    kind: str,
    existing: list[M],
    pair_fields: tuple[str, str],
    wanted: dict[str, tuple[tuple[int, int], dict[str, Any]]],
    tally: _Tally,
) -> None:
    """Class-list rows: matched by their (section, person) pair, which is unique.

    The sourcedId is kept on the row; when the SIS gives a pair a new sourcedId, a row that
    held it first lets go of it, so no statement ever sees two rows with one sourcedId.
    """

    def pair_of(row: M) -> tuple[int, int]:
        return (getattr(row, pair_fields[0]), getattr(row, pair_fields[1]))

    by_pair = {pair_of(row): row for row in existing}
    pair_of_id = {sourced_id: pair for sourced_id, (pair, _values) in wanted.items()}
    released = [
        row
        for row in existing
        if row.sourced_id in pair_of_id and pair_of_id[row.sourced_id] != pair_of(row)
    ]
    for row in released:
        row.sourced_id = None
    if released:
        model.objects.bulk_update(released, ["sourced_id"], batch_size=BATCH_SIZE)
    was_managed = {row.pk for row in released}

    to_create: list[M] = []
    to_update: list[M] = []
    fields: set[str] = set()
    kept: set[int] = set()
    for sourced_id, (pair, values) in wanted.items():
        row = by_pair.get(pair)
        if row is None:
            to_create.append(
                model(
                    sourced_id=sourced_id,
                    **{pair_fields[0]: pair[0], pair_fields[1]: pair[1]},
                    **values,
                )
            )
            continue
        kept.add(row.pk)
        changed = _assign(row, {**values, "sourced_id": sourced_id, "is_active": True})
        if changed:
            to_update.append(row)
            fields |= changed
    deactivated = 0
    for row in existing:
        # Rows made by hand (no sourcedId) are not the SIS's to withdraw.
        managed = row.sourced_id is not None or row.pk in was_managed
        if row.pk not in kept and managed and row.is_active:
            row.is_active = False
            to_update.append(row)
            fields.add("is_active")
            deactivated += 1
    _save(model, to_create, to_update, fields or {"sourced_id"})
    tally.add("created", kind, len(to_create))
    tally.add("updated", kind, len(to_update) - deactivated)
    tally.add("deactivated", kind, deactivated)


@dataclass
class _Writer:
    district: District
    bundle: Bundle
    existing: Existing
    contacts: _Contacts
    tally: _Tally
    step: Callable[[int, str], None]
    schools: dict[str, School] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    guardians: dict[str, Guardian] = field(default_factory=dict)

    def write(self) -> None:
        self.save_district()
        self.step(40, STAGE_SCHOOLS)
        self.save_schools()
        self.save_sections()
        self.step(50, STAGE_PEOPLE)
        self.save_students()
        self.save_staff()
        self.save_assignments()
        self.step(65, STAGE_FAMILIES)
        self.save_guardians()
        self.save_guardianships()
        self.step(80, STAGE_CLASS_LISTS)
        self.save_class_lists()

    def save_district(self) -> None:
        org = self.bundle.district_org
        if self.district.pk is None:
            self.district.save()
            self.tally.add("created", "districts", 1)
        elif org and self.district.sourced_id is None and not self.existing.scoped:
            self.district.sourced_id = org.sourced_id
            self.district.save(update_fields=["sourced_id"])
            self.tally.add("updated", "districts", 1)

    def save_schools(self) -> None:
        def values(sid: str, current: School | None) -> dict[str, Any]:
            name = {"name": self.bundle.orgs[sid].name}
            return name if current else {**name, "district": self.district}

        self.schools = _sync_by_sourced_id(
            School, "schools", self.existing.schools, self.bundle.schools, values, self.tally
        )

    def save_sections(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: Section | None) -> dict[str, Any]:
            section = bundle.classes[sid]
            return {
                "school_id": self.schools[section.school].pk,
                "title": section.title,
                "course_title": bundle.courses[section.course],
                "period": section.period,
                "term": bundle.section_terms.get(sid, ""),
            }

        self.sections = _sync_by_sourced_id(
            Section, "sections", self.existing.sections, bundle.classes, values, self.tally
        )

    def save_students(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: Student | None) -> dict[str, Any]:
            user = bundle.students[sid]
            return {
                "school_id": self.schools[bundle.student_school[sid]].pk,
                "given_name": user.given_name,
                "family_name": user.family_name,
                "grade": user.grade,
                "metadata": _merged_metadata(current.metadata if current else None, user),
            }

        self.students = _sync_by_sourced_id(
            Student, "students", self.existing.students, bundle.students, values, self.tally
        )

    def save_staff(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: StaffMember | None) -> dict[str, Any]:
            user = bundle.staff[sid]
            contact = self.contacts.staff[sid]
            district_admin = _is_district_admin_row(bundle, user)
            result = {
                "given_name": user.given_name,
                "family_name": user.family_name,
                "email": contact.email_or(current.email) if current else contact.email,
                "phone": contact.phone_or(current.phone) if current else contact.phone,
                "is_district_admin": district_admin,
                "metadata": _merged_metadata(current.metadata if current else None, user),
            }
            if current and sid in self.existing.kept_staff:
                # Where an admin, or someone of another school, is reached: a school admin's
                # import does not move their sign-in email or phone somewhere else.
                result.update(email=current.email, phone=current.phone)
            return result if current else {**result, "district": self.district}

        self.staff = _sync_by_sourced_id(
            StaffMember,
            "staff",
            self.existing.staff,
            bundle.staff,
            values,
            self.tally,
            kept=self.existing.kept_staff,
        )

    def save_assignments(self) -> None:
        """Roles the SIS grants: teacher (and aide) and school admin, at each school org.

        Counselor, liaison and interpreter roles are Homeroom's own and never touched. A
        teacher or school-admin role at an SIS school the person is no longer listed at is
        withdrawn, so someone who moved schools stops seeing the old one.
        """
        wanted: set[tuple[int, int, str]] = set()
        schools_of: dict[int, set[int]] = {}
        for sid, user in self.bundle.staff.items():
            staff_pk = self.staff[sid].pk
            schools = {self.schools[org].pk for org in user.orgs if org in self.schools}
            schools_of[staff_pk] = schools
            role = Role.SCHOOL_ADMIN if user.role == "administrator" else Role.TEACHER
            wanted |= {(staff_pk, school, role) for school in schools}
        sis_schools = {school.pk for school in self.schools.values()}
        have = {(a.staff_id, a.school_id, a.role): a for a in self.existing.assignments}
        new = [
            Assignment(staff_id=staff, school_id=school, role=role)
            for staff, school, role in sorted(wanted - set(have))
        ]
        Assignment.objects.bulk_create(new, batch_size=BATCH_SIZE)
        stale = [
            assignment.pk
            for (staff, school, role), assignment in have.items()
            if staff in schools_of
            and role in (Role.TEACHER, Role.SCHOOL_ADMIN)
            and school in sis_schools
            and school not in schools_of[staff]
        ]
        for chunk in _chunks(stale):
            Assignment.objects.filter(pk__in=chunk).delete()
        self.tally.add("created", "assignments", len(new))
        self.tally.add("deactivated", "assignments", len(stale))

    def save_guardians(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: Guardian | None) -> dict[str, Any]:
            user = bundle.guardians[sid]
            contact = self.contacts.guardians[sid]
            result = {
                "given_name": user.given_name,
                "family_name": user.family_name,
                "metadata": _merged_metadata(current.metadata if current else None, user),
            }
            if current is None:
                return {
                    **result,
                    "district": self.district,
                    "phone": contact.phone,
                    "email": contact.email,
                    "channel": self.first_channel(contact),
                    "language": contact.language or "en",
                }
            if current.joined_at is not None or sid in self.existing.kept_guardians:
                # Once a family has joined, their own choices win over the SIS; and a school
                # admin's import does not redirect a family another school has too.
                return result
            return {
                **result,
                "phone": contact.phone_or(current.phone),
                "email": contact.email_or(current.email),
                "language": contact.language or current.language,
            }

        self.guardians = _sync_by_sourced_id(
            Guardian,
            "guardians",
            self.existing.guardians,
            bundle.guardians,
            values,
            self.tally,
            kept=self.existing.kept_guardians,
        )

    @staticmethod
    def first_channel(contact: Contact) -> str:
        if contact.phone and contact.can_text:
            return Channel.SMS
        if contact.email:
            return Channel.EMAIL
        return Channel.APP

    def save_guardianships(self) -> None:
        managed_guardians = {g.pk for g in self.guardians.values()} | {
            g.pk for g in self.existing.guardians.values()
        }
        managed_students = {s.pk for s in self.students.values()} | {
            s.pk for s in self.existing.students.values()
        }
        wanted = {
            (self.guardians[g].pk, self.students[s].pk): relationship
            for (g, s), relationship in self.bundle.links.items()
        }
        by_pair = {(row.guardian_id, row.student_id): row for row in self.existing.guardianships}
        to_create, to_update = [], []
        for (guardian, student), relationship in wanted.items():
            row = by_pair.get((guardian, student))
            if row is None:
                to_create.append(
                    Guardianship(
                        guardian_id=guardian, student_id=student, relationship=relationship
                    )
                )
            elif _assign(row, {"relationship": relationship, "is_active": True}):
                to_update.append(row)
        deactivated = 0
        for pair, row in by_pair.items():
            sis_link = row.guardian_id in managed_guardians and row.student_id in managed_students
            if pair not in wanted and sis_link and row.is_active:
                row.is_active = False
                to_update.append(row)
                deactivated += 1
        _save(Guardianship, to_create, to_update, {"relationship", "is_active"})
        self.tally.add("created", "guardianships", len(to_create))
        self.tally.add("updated", "guardianships", len(to_update) - deactivated)
        self.tally.add("deactivated", "guardianships", deactivated)

    def save_class_lists(self) -> None:
        enrolled: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        taught: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        for sid, row in self.bundle.enrollments.items():
            section = self.sections[row.section].pk
            if row.role == STUDENT:
                enrolled[sid] = ((section, self.students[row.user].pk), {})
            else:
                taught[sid] = ((section, self.staff[row.user].pk), {"is_primary": row.primary})
        _sync_links(
            Enrollment,
            "enrollments",
            self.existing.enrollments,
            ("section_id", "student_id"),
            enrolled,
            self.tally,
        )
        _sync_links(
            TeachingAssignment,
            "teaching_assignments",
            self.existing.teaching,
            ("section_id", "staff_id"),
            taught,
            self.tally,
        )


# ---- the run --------------------------------------------------------------------------------


class _Steps:
    """Progress: kept on the import row (when it can be saved) and told to the caller."""

    def __init__(self, record: RosterImport, callback: ProgressCallback | None) -> None:
        self.record = record
        self.callback = callback

    def __call__(self, percent: int, stage: str, *, save: bool = True) -> None:
        self.record.progress = percent
        self.record.stage = stage
        if save and self.record.district_id:
            self.record.save()
        if self.callback:
            self.callback(percent, _(stage))

    def quietly(self, percent: int, stage: str) -> None:
        # Inside the write transaction other readers would not see the row change anyway.
        self(percent, stage, save=False)


def import_roster(
    source: Path | str | IO[bytes],
    *,
    district: District | None = None,
    started_by: StaffMember | None = None,
    record: RosterImport | None = None,
    progress: ProgressCallback | None = None,
    scope: RosterScope | None = None,
) -> RosterImport:
    """Import a OneRoster 1.1 CSV bundle (a folder, a .zip path, or an open .zip).

    The whole bundle is checked before anything is written; a bundle with any error changes
    nothing and the returned import lists every problem. Without a district, the bundle's
    district org picks one (or a new one is made). A rejected bundle for a district that does
    not exist yet returns an import row that is not saved, since it has no district to hang on.

    With a `scope` (an upload's: `access.roster_import_scope`), the import is into the scope's
    district only, and a school admin's reaches only their own schools (see the module doc).
    """
    if scope is not None:
        district = District.objects.get(pk=scope.district_id)
    if record is None:
        record = RosterImport(file_name=_source_name(source)[:255])
    if started_by is not None:
        record.started_by = started_by
    if district is None and record.district_id:
        district = record.district
    if district is not None:
        record.district = district
    record.status = RosterImport.Status.RUNNING
    record.errors, record.warnings, record.counts, record.finished_at = [], [], {}, None
    step = _Steps(record, progress)
    report = _Report()
    try:
        step(5, STAGE_READING)
        bundle = read_bundle(source, report)
        # Even when the files have errors, the district's side is checked too, so one pass
        # lists every problem.
        step(30, STAGE_COMPARING)
        counts = _compare_and_write(bundle, district, record, report, step, scope)
    except Exception:
        logger.exception("Roster import %s stopped", record.pk)
        report.error("", 0, "", _("The import stopped unexpectedly; nothing was changed."))
        _finish(record, report, step, None)
        raise
    return _finish(record, report, step, counts)


def _compare_and_write(
    bundle: Bundle,
    district: District | None,
    record: RosterImport,
    report: _Report,
    step: _Steps,
    scope: RosterScope | None = None,
) -> dict | None:
    try:
        with transaction.atomic():
            chosen = _choose_district(district, bundle, report)
            if chosen.pk is not None:
                # Two imports of one district run one after the other, not interleaved.
                District.objects.select_for_update().filter(pk=chosen.pk).first()
            covered = _schools_in_scope(chosen, scope, bundle, report)
            existing = _load_existing(chosen, covered)
            _check_ownership(bundle, existing, report)
            if existing.scoped:
                _check_staff_in_scope(bundle, existing, report)
            contacts = _Contacts(bundle, existing, report)
            contacts.read_all()
            if report.errors:
                raise _Rejected
            tally = _Tally()
            _Writer(chosen, bundle, existing, contacts, tally, step.quietly).write()
            record.district = chosen
            return tally.counts
    except _Rejected:
        return None


def _finish(
    record: RosterImport, report: _Report, step: _Steps, counts: dict | None
) -> RosterImport:
    def ordered(problems: list[Problem]) -> list[dict[str, Any]]:
        return [p.as_dict() for p in sorted(problems, key=lambda p: (p.file, p.line, p.column))]

    record.errors = ordered(report.errors)
    record.warnings = ordered(report.warnings)
    record.finished_at = timezone.now()
    if counts is None or report.errors:
        record.status = RosterImport.Status.FAILED
        record.counts = {}
        step(record.progress, STAGE_REJECTED)
    else:
        record.status = RosterImport.Status.SUCCEEDED
        record.counts = counts
        step(100, STAGE_DONE)
    return record
