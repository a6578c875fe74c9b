"""Background work of the people app. Tasks receive ids, never objects."""

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .access import roster_scope_of
from .models import RosterImport
from .roster import import_roster


def roster_upload_name(import_id: int) -> str:
    """Where an uploaded bundle waits for its import; one name per import row."""
    return f"imports/{import_id}.zip"


@task()
def run_roster_import(import_id: int, scope: dict | None = None) -> str:
    """Run one uploaded roster import; the outcome is kept on its RosterImport row.

    `scope` is what the upload was allowed to touch (`RosterScope.as_json()`). It is checked
    again against what whoever uploaded it may import now; without an uploader who still
    may, nothing is imported.
    """
    # Claiming the row with a conditional update means a repeated enqueue never imports twice.
    claimed = RosterImport.objects.filter(pk=import_id, status=RosterImport.Status.PENDING).update(
        status=RosterImport.Status.RUNNING
    )
    if not claimed:
        return "skipped"
    record = RosterImport.objects.select_related("district", "started_by").get(pk=import_id)
    name = roster_upload_name(import_id)
    allowed = roster_scope_of(record.started_by, scope)
    if allowed is None or allowed.district_id != record.district_id:
        default_storage.delete(name)
        _reject(record, _("You may not import a roster here; nothing was changed."))
        return record.status
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        _reject(record, _("The uploaded file could not be found; upload it again."))
        return record.status
    try:
        with handle:
            import_roster(handle, record=record, scope=allowed)
    finally:
        # The bundle names every child and family: it is not kept once its outcome is recorded.
        default_storage.delete(name)
    return record.status


def _reject(record: RosterImport, message: str) -> None:
    record.status = RosterImport.Status.FAILED
    record.errors = [{"file": record.file_name, "line": 0, "column": "", "message": message}]
    record.finished_at = timezone.now()
    record.save()
