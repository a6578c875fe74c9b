"""Roster imports: school and district admins upload the SIS's OneRoster export and watch it run.

Who may import where, and which imports they may follow, is `access.roster_import_scope`;
anyone else, and any import outside their scope, gets a 404.
"""

import zipfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from homeroom.forms import page_number

from .. import access
from ..models import RosterImport
from ..roster.report import COUNT_KINDS
from ..tasks import roster_upload_name, run_roster_import

PAGE_SIZE = 25
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# A long list of problems is cut on the page; the first ones are what the export needs fixing.
PROBLEMS_SHOWN = 500

KIND_LABELS = {
    "districts": _("Districts"),
    "schools": _("Schools"),
    "sections": _("Sections"),
    "students": _("Students"),
    "staff": _("Staff"),
    "assignments": _("Staff roles"),
    "guardians": _("Family members"),
    "guardianships": _("Family links"),
    "enrollments": _("Class enrolments"),
    "teaching_assignments": _("Teaching assignments"),
}
STATUS_CHIPS = {
    RosterImport.Status.SUCCEEDED: "ok",
    RosterImport.Status.FAILED: "danger",
    RosterImport.Status.RUNNING: "warn",
    RosterImport.Status.PENDING: "",
}


class RosterUploadForm(forms.Form):
    bundle = forms.FileField(
        label=_("OneRoster export (.zip)"),
        help_text=_("The .zip file your SIS exports in OneRoster 1.1 CSV format, up to 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean_bundle(self):
        upload = self.cleaned_data["bundle"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("This file is larger than 50 MB."))
        if not upload.name.lower().endswith(".zip"):
            raise ValidationError(_("Choose a .zip file."))
        try:
            with zipfile.ZipFile(upload) as archive:
                damaged = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            damaged = True
        if damaged:
            raise ValidationError(_("This file is not a readable .zip archive."))
        upload.seek(0)
        return upload


def _import_scope(request) -> access.RosterScope:
    scope = access.roster_import_scope(request.user)
    if scope is None:
        raise Http404
    return scope


def _district_time_zone(district_id: int) -> str:
    school = access.schools_of_district(district_id).first()
    return school.time_zone if school else "UTC"


@login_required
def import_list(request):
    scope = _import_scope(request)
    imports = (
        access.roster_imports_for(request.user)
        .select_related("started_by")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(imports, PAGE_SIZE).get_page(page_number(request))
    return render(
        request,
        "people/import_list.html",
        {"page": page, "time_zone": _district_time_zone(scope.district_id)},
    )


@login_required
def import_upload(request):
    scope = _import_scope(request)
    if request.method != "POST":
        form = RosterUploadForm()
    else:
        form = RosterUploadForm(request.POST, request.FILES)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["bundle"]
        with transaction.atomic():
            record = RosterImport.objects.create(
                district_id=scope.district_id,
                started_by=access.viewer_for(request.user).staff,
                file_name=upload.name[:255],
            )
            name = roster_upload_name(record.pk)
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, upload)
            # The task carries what the upload may touch, and checks it again when it runs.
            carried = scope.as_json()
            transaction.on_commit(lambda: run_roster_import.enqueue(record.pk, carried))
        return redirect("import_detail", pk=record.pk)
    return render(
        request,
        "people/import_upload.html",
        {"form": form, "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


@login_required
def import_detail(request, pk):
    _import_scope(request)
    record = access.get_roster_import_for(request.user, pk)
    # htmx asks for the progress fragment only; a plain request gets the whole page.
    template = (
        "people/_import_progress.html"
        if request.headers.get("HX-Request")
        else "people/import_detail.html"
    )
    response = render(request, template, _outcome(record, record.district_id))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _outcome(record: RosterImport, district_id: int) -> dict:
    counts = record.counts or {}
    count_rows = [
        {
            "label": KIND_LABELS[kind],
            "created": counts.get("created", {}).get(kind, 0),
            "updated": counts.get("updated", {}).get(kind, 0),
            "deactivated": counts.get("deactivated", {}).get(kind, 0),
        }
        for kind in COUNT_KINDS
    ]
    return {
        "record": record,
        "is_running": record.status in (RosterImport.Status.PENDING, RosterImport.Status.RUNNING),
        "status_chip": STATUS_CHIPS.get(record.status, ""),
        "count_rows": [r for r in count_rows if r["created"] or r["updated"] or r["deactivated"]],
        "errors": record.errors[:PROBLEMS_SHOWN],
        "warnings": record.warnings[:PROBLEMS_SHOWN],
        "problems_shown": PROBLEMS_SHOWN,
        "time_zone": _district_time_zone(district_id),
    }
