"""Background work of the people app. Tasks receive ids, never objects."""

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import RosterImport
from .roster import import_roster


def roster_upload_name(import_id: int) -> str:
    """Where an uploaded bundle waits for its import; one name per import row."""
    return f"imports/{import_id}.zip"


@task()
def run_roster_import(import_id: int) -> str:
    """Run one uploaded roster import; the outcome is kept on its RosterImport row."""
    # Claiming the row with a conditional update means a repeated enqueue never imports twice.
    claimed = RosterImport.objects.filter(pk=import_id, status=RosterImport.Status.PENDING).update(
        status=RosterImport.Status.RUNNING
    )
    if not claimed:
        return "skipped"
    record = RosterImport.objects.select_related("district", "started_by").get(pk=import_id)
    name = roster_upload_name(import_id)
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        _reject(record, _("The uploaded file could not be found; upload it again."))
        return record.status
    try:
        with handle:
            import_roster(handle, record=record)
    finally:
        # The bundle names every child and family: it is not kept once its outcome is recorded.
        default_storage.delete(name)
    return record.status


def _reject(record: RosterImport, message: str) -> None:
    record.status = RosterImport.Status.FAILED
    record.errors = [{"file": record.file_name, "line": 0, "column": "", "message": message}]
    record.finished_at = timezone.now()
    record.save()
