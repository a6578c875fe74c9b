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

import logging
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import RosterScope
from ..models import (
    District,
    RosterImport,
    StaffMember,
)
from .bundle import Bundle, _source_name
from .checks import read_bundle
from .contacts import _Contacts
from .report import (
    STAGE_COMPARING,
    STAGE_DONE,
    STAGE_READING,
    STAGE_REJECTED,
    Problem,
    ProgressCallback,
    _Rejected,
    _Report,
)
from .scope import (
    _check_ownership,
    _check_staff_in_scope,
    _choose_district,
    _load_existing,
    _schools_in_scope,
)
from .writer import _Tally, _Writer

logger = logging.getLogger(__name__)


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
