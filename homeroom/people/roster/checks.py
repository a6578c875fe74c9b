"""The checks of each row on its own and of every reference between the files; nothing here
touches the database. `read_bundle` reads and checks a whole bundle."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from .bundle import (
    _FILE_NAMES,
    ENROLLMENT_ROLES,
    FALSE_WORDS,
    FAMILY_ROLES,
    LANGUAGE_KEYS,
    OPTIONAL_FILES,
    ORG_TYPES,
    REQUIRED_FILES,
    STAFF_ROLES,
    STATUSES,
    STUDENT,
    TEACHING_ROLES,
    TERM_LIMIT,
    TRUE_WORDS,
    USER_ROLES,
    Bundle,
    ClassRow,
    EnrollmentRow,
    OrgRow,
    Row,
    Table,
    UserRow,
    _parse_table,
    _read_bundle,
    _split,
)
from .report import _Report


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
