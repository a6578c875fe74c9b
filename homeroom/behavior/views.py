"""Recording moments, the review queue and the family feed; each view asks the access modules
for what the user may see and calls one write. The figures pages live in `insights`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeroom.forms import first_error, page_number, refused
from homeroom.goals.display import family_goals
from homeroom.languages import STAFF_LANGUAGE, base_language, reading_language
from homeroom.messaging import access as messaging_access
from homeroom.messaging.models import MessageTranslation
from homeroom.people import access
from homeroom.people.models import (
    Enrollment,
    StaffMember,
)

from . import access as behavior_access
from . import errors, feeds, notices, recording
from .forms import (
    CorrectionForm,
    FamilyMessageForm,
    NotificationForm,
    RecordForm,
    RecordQuery,
    RespondForm,
    WithdrawForm,
)
from .models import Category, FamilyResponse, Moment

FEED_PAGE_SIZE = 20
TABLE_PAGE_SIZE = 50


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff(request) -> StaffMember:
    return behavior_access.staff_or_404(request.user)


def _staff_moment(request, pk) -> Moment:
    """A moment of a student the staff member may see, or 404."""
    _staff(request)
    visible = access.students_for(request.user)
    try:
        return Moment.objects.select_related("school", "student", "category").get(
            pk=pk, student__in=visible
        )
    except (Moment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---- recording --------------------------------------------------------------------------------


def _record(request, staff, students_scope, school, *, back):
    """Record the posted moments; answer with a partial for htmx, else redirect back."""
    form = RecordForm(request.POST)
    if form.is_valid():
        ids, note = form.cleaned_data["students"], form.cleaned_data["note"]
        category = Category.objects.filter(pk=form.cleaned_data["category"]).first()
    elif form.has_error("students"):
        raise Http404
    else:
        ids, note, category = [], "", None
    error = None
    moments = []
    if form.errors:
        error = first_error(form)
    elif not ids:
        error = _("Choose at least one student.")
    elif category is None:
        error = _("Choose a category.")
    elif students_scope.filter(pk__in=ids).count() != len(set(ids)):
        raise Http404
    else:
        try:
            moments = recording.record_moments(staff, ids, category, note)
        except errors.MomentRefused as refusal:
            error = str(refusal)
    if _htmx(request):
        return render(
            request,
            "behavior/partials/recorded.html",
            {"moments": moments, "category": category, "error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _recorded_text(len(moments)))
    return redirect(back)


def _recorded_text(count: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("Recorded for %(count)d student", "Recorded for %(count)d students", count) % {
        "count": count
    }


@login_required
def section_record(request, pk):
    staff = _staff(request)
    section = access.get_section_for(request.user, pk)
    enrolled = Enrollment.objects.filter(section=section, is_active=True).values("student_id")
    students = behavior_access.recordable_students(staff).filter(pk__in=enrolled)
    back = request.get_full_path()
    if request.method == "POST":
        return _record(request, staff, students, section.school, back=back)
    query = RecordQuery(request.GET)
    return render(
        request,
        "behavior/section_record.html",
        {
            "section": section,
            "students": students.order_by("family_name", "given_name", "pk"),
            "categories": recording.active_categories(section.school),
            "preselected": set(query.value("student")),
            "preselected_kind": query.value("kind"),
        },
    )


@login_required
def student_moments(request, pk):
    staff = _staff(request)
    student = access.get_student_for(request.user, pk)
    scope = behavior_access.recordable_students(staff).filter(pk=student.pk)
    back = request.get_full_path()
    if request.method == "POST":
        return _record(request, staff, scope, student.school, back=back)
    reader = reading_language(staff)
    moments = (
        Moment.objects.filter(student=student)
        .select_related("category", "recorded_by", "school")
        .prefetch_related(_answers_for(request.user, reader))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(moments, FEED_PAGE_SIZE).get_page(page_number(request))
    now = timezone.now()
    for moment in page:
        moment.changeable = not moment.is_withdrawn and behavior_access.may_change(
            staff, moment, now=now
        )
        for answer in moment.answers:
            _present_answer(answer, reader)
    return render(
        request,
        "behavior/student_moments.html",
        {
            "student": student,
            "can_record": scope.exists(),
            "categories": recording.active_categories(student.school),
            "page": page,
            "preselected_kind": RecordQuery(request.GET).value("kind"),
        },
    )


def _answers_for(user, reader: str) -> Prefetch:
    """Families' answers to each moment, with a written one's message when the reader may
    open its conversation (messaging access decides) and its copy in the reader's language."""
    readable = messaging_access.messages_for(user).filter(pk=OuterRef("message_id"))
    copies = MessageTranslation.objects.filter(language__in={reader, STAFF_LANGUAGE})
    return Prefetch(
        "responses",
        queryset=FamilyResponse.objects.select_related("guardian", "message")
        .annotate(readable=Exists(readable))
        .prefetch_related(Prefetch("message__translations", queryset=copies, to_attr="copies")),
        to_attr="answers",
    )


def _present_answer(answer: FamilyResponse, reader: str) -> None:
    """A written answer as the staff reader reads it (`shown_text`, in their language when a
    copy exists, else in English; `translated` when it is not the original), as on the
    conversation page. Nothing of it when the reader may not open its conversation."""
    message = answer.message if answer.readable else None
    answer.shown_text = answer.original_language = ""
    answer.translated = False
    if message is None or not message.body.strip():
        return
    source = base_language(message.detected_language or message.language)
    answer.shown_text, answer.original_language = message.body, source
    answer.shown_language = source
    if source == reader:
        return
    copies = {copy.language: copy for copy in message.copies}
    copy = copies.get(reader) or copies.get(STAFF_LANGUAGE)
    if copy is not None and copy.language != source:
        answer.shown_text = copy.text
        answer.shown_language = copy.language
        answer.translated = True


@login_required
@require_POST
def withdraw(request):
    staff = _staff(request)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        if form.has_error("moments"):
            raise Http404
        return refused(form)
    ids = form.cleaned_data["moments"]
    visible = access.students_for(request.user)
    moments = list(
        Moment.objects.filter(pk__in=[i for i in ids if i], student__in=visible).select_related(
            "school"
        )
    )
    if not moments or len(moments) != len(set(ids)):
        raise Http404
    for moment in moments:
        recording.withdraw_moment(staff, moment)
    text = _("Withdrawn: families will not see it.")
    if _htmx(request):
        return render(request, "behavior/partials/withdrawn.html", {"text": text})
    messages.success(request, text)
    return redirect(form.cleaned_data["next"] or reverse("behavior:ratios"))


@login_required
def correct(request, pk):
    staff = _staff(request)
    moment = _staff_moment(request, pk)
    if not behavior_access.may_change(staff, moment):
        raise PermissionDenied
    categories = recording.active_categories(moment.school)
    form = CorrectionForm(
        request.POST or None, initial={"category": moment.category_id, "note": moment.note}
    )
    form.fields["category"].widget.choices = [(c.pk, f"{c.icon} {c.name}") for c in categories]
    if request.method == "POST" and form.is_valid():
        category = Category.objects.filter(pk=form.cleaned_data["category"]).first()
        if category is None:
            form.add_error("category", _("Choose a category."))
        else:
            try:
                recording.correct_moment(
                    staff, moment, category=category, note=form.cleaned_data["note"]
                )
            except errors.MomentRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Corrected."))
                return redirect("behavior:student_moments", moment.student_id)
    return render(request, "behavior/correct.html", {"moment": moment, "form": form})


@login_required
def review_list(request):
    staff = _staff(request)
    moments = feeds.moments_awaiting_review(staff).select_related(
        "student", "category", "recorded_by"
    )
    page = Paginator(moments, TABLE_PAGE_SIZE).get_page(page_number(request))
    return render(request, "behavior/review_list.html", {"page": page})


@login_required
@require_POST
def review(request, pk):
    staff = _staff(request)
    moment = _staff_moment(request, pk)
    recording.review_moment(staff, moment)
    messages.success(request, _("Marked reviewed: the family will hear of it in the next digest."))
    return redirect("behavior:review_list")


# ---- the family side ----------------------------------------------------------------------------


def _own_child(request, pk) -> tuple:
    return behavior_access.own_child(request.user, pk)


@login_required
def child_feed(request, pk):
    guardian, student = _own_child(request, pk)
    form = NotificationForm(
        initial=dict(
            zip(
                ("moment_notifications", "daily_time"),
                notices.notification_choice(guardian),
                strict=False,
            )
        )
    )
    if request.method == "POST":
        form = NotificationForm(request.POST)
        if form.is_valid():
            notices.set_notification_choice(
                guardian, form.cleaned_data["moment_notifications"], form.cleaned_data["daily_time"]
            )
            messages.success(request, _("Saved. We will tell you about moments as you chose."))
            return redirect("behavior:child_feed", student.pk)
    mine = FamilyResponse.objects.filter(guardian=guardian).order_by("created_at", "pk")
    moments = (
        feeds.family_feed(guardian, student)
        .select_related("category", "recorded_by")
        .prefetch_related(Prefetch("responses", queryset=mine, to_attr="my_responses"))
    )
    page = Paginator(moments, FEED_PAGE_SIZE).get_page(page_number(request))
    items = list(page)
    names = [student.given_name, student.family_name, student.preferred_name]
    names += [
        n
        for m in items
        if m.recorded_by
        for n in (m.recorded_by.given_name, m.recorded_by.family_name)
    ]
    reader = base_language(guardian.language) or STAFF_LANGUAGE
    # ---- shared goals: the child's page shows the goals under way first -------------------
    goals = family_goals(request.user, student)
    # -----------------------------------------------------------------------------------------
    translated = feeds.translate_moments(items, reader, student.school, [n for n in names if n])
    return render(
        request,
        "behavior/child_feed.html",
        {
            "student": student,
            "page": page,
            "items": items,
            "translated": translated,
            "form": form,
            "message_form": FamilyMessageForm(),
            "kinds": FamilyResponse.Kind,
            "goals": goals,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def respond(request, pk, moment_pk):
    guardian, student = _own_child(request, pk)
    moment = (
        feeds.family_feed(guardian, student)
        .select_related("recorded_by")
        .filter(pk=moment_pk)
        .first()
    )
    if moment is None:
        raise Http404
    form = RespondForm(request.POST)
    error = None
    try:
        if not form.is_valid():
            raise errors.MomentRefused(first_error(form))
        recording.respond(guardian, moment, form.cleaned_data["kind"], form.cleaned_data["text"])
    except errors.MomentRefused as refusal:
        error = str(refusal)
    if _htmx(request):
        moment.my_responses = list(
            FamilyResponse.objects.filter(guardian=guardian, moment=moment).order_by("created_at")
        )
        return render(
            request,
            "behavior/partials/responses.html",
            {
                "moment": moment,
                "student": student,
                "error": error,
                "kinds": FamilyResponse.Kind,
                "message_form": FamilyMessageForm(),
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you! Your answer was sent to the school."))
    return redirect(reverse("behavior:child_feed", args=[student.pk]) + f"#moment-{moment.pk}")
