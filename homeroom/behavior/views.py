"""Recording moments, the family feed, ratios and the leaders' view; each view asks
people/access.py (through services) for what the user may see and calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeroom.forms import first_error, page_number, refused
from homeroom.people import access
from homeroom.people.languages import language_name
from homeroom.people.models import (
    Enrollment,
    StaffMember,
)
from homeroom.translation.codes import base_language
from homeroom.translation.services import TranslationUnavailable, translate

from . import access as behavior_access
from . import errors, feeds, figures, notices, recording
from .forms import (
    CorrectionForm,
    FamilyMessageForm,
    LeadersQuery,
    NotificationForm,
    RecordForm,
    RecordQuery,
    RespondForm,
    WithdrawForm,
)
from .models import Category, FamilyResponse, Moment, SchoolBehaviorSettings

FEED_PAGE_SIZE = 20
TABLE_PAGE_SIZE = 50
NUDGE_LIST_SIZE = 20
STAFF_LANGUAGE = "en"
PERIODS = (("7", "Last 7 days"), ("30", "Last 30 days"), ("year", "This school year"))


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff(request) -> StaffMember:
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def _period(request) -> tuple[str, list[tuple[str, str]]]:
    period = LeadersQuery(request.GET).value("period")
    if period not in {key for key, _label in PERIODS}:
        period = "30"
    labels = {"7": _("Last 7 days"), "30": _("Last 30 days"), "year": _("This school year")}
    return period, [(key, labels[key]) for key, _label in PERIODS]


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


def _int(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


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
    moments = (
        Moment.objects.filter(student=student)
        .select_related("category", "recorded_by", "school")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=FamilyResponse.objects.select_related("guardian"),
            )
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(moments, FEED_PAGE_SIZE).get_page(page_number(request))
    now = timezone.now()
    for moment in page:
        moment.changeable = not moment.is_withdrawn and behavior_access.may_change(
            staff, moment, now=now
        )
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


def _translate_page(moments, reader: str, school, protect) -> bool | None:
    """Give each moment `shown_category` and `shown_note` in the reader's language, in one
    batch. Returns whether any of it is machine-translated (None: not translated)."""
    for moment in moments:
        moment.shown_category, moment.shown_note = moment.category.name, moment.note
        moment.machine = False
    if base_language(reader) == STAFF_LANGUAGE or not moments:
        return False
    texts = list(dict.fromkeys(t for m in moments for t in (m.category.name, m.note) if t))
    try:
        done = translate(texts, STAFF_LANGUAGE, reader, school=school, protect=protect)
    except TranslationUnavailable:
        return None
    rendered = dict(zip(texts, done, strict=True))
    for moment in moments:
        name = rendered[moment.category.name]
        moment.shown_category = name.text
        moment.machine = name.machine
        if moment.note:
            note = rendered[moment.note]
            moment.shown_note = note.text
            moment.machine = moment.machine or note.machine
    return True


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
    translated = _translate_page(items, reader, student.school, [n for n in names if n])
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
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def respond(request, pk, moment_pk):
    guardian, student = _own_child(request, pk)
    moment = feeds.family_feed(guardian, student).filter(pk=moment_pk).first()
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


# ---- ratios and nudges ---------------------------------------------------------------------------


@login_required
def ratios(request):
    staff = _staff(request)
    period, periods = _period(request)
    since = figures.period_start(period)
    sections = list(
        behavior_access.taught_sections(request.user, staff)
        .select_related("school")
        .order_by("title", "pk")
    )
    targets = {
        s.school_id: s.ratio_target
        for s in SchoolBehaviorSettings.objects.filter(
            school_id__in={x.school_id for x in sections}
        )
    }
    default_target = SchoolBehaviorSettings._meta.get_field("ratio_target").default
    tallies = figures.section_tallies([s.pk for s in sections], since)
    for section in sections:
        section.tally = tallies.get(section.pk, figures.Tally())
        section.target = targets.get(section.school_id, default_target)
        section.meets = section.tally.meets(section.target)
    # The classes' students by id first: a handful of rows, so the queries below start from
    # them instead of testing every student of the district.
    in_sections = set(
        Enrollment.objects.filter(is_active=True, section__in=[s.pk for s in sections]).values_list(
            "student_id", flat=True
        )
    )
    recent = Q(moments__created_at__gte=since, moments__withdrawn_at__isnull=True)
    students = (
        behavior_access.recordable_students(staff)
        .filter(pk__in=in_sections)
        .annotate(
            positive_count=Count("moments", filter=recent & Q(moments__positive=True)),
            needs_work_count=Count("moments", filter=recent & Q(moments__positive=False)),
        )
    )
    first_section = Subquery(
        Enrollment.objects.filter(
            student=OuterRef("pk"), is_active=True, section__in=[s.pk for s in sections]
        )
        .order_by("section__title", "section_id")
        .values("section_id")[:1]
    )
    only_needs_work = list(
        students.filter(positive_count=0, needs_work_count__gt=0)
        .annotate(section_id=first_section)
        .order_by("-needs_work_count", "family_name", "pk")[:NUDGE_LIST_SIZE]
    )
    good_news = feeds.kept_moments().filter(
        student=OuterRef("pk"), positive=True, category__visible_to_families=True
    )
    contactable = access.contactable_links(about_the_child=True).filter(student=OuterRef("pk"))
    never_good = list(
        behavior_access.recordable_students(staff)
        .filter(Exists(contactable), pk__in=in_sections)
        .exclude(Exists(good_news))
        .annotate(section_id=first_section)
        .order_by("family_name", "given_name", "pk")[:NUDGE_LIST_SIZE]
    )
    points = Paginator(
        students.annotate(
            points_total=figures.tally_aggregates("moments__")["points_total"]
        ).order_by("family_name", "given_name", "pk"),
        TABLE_PAGE_SIZE,
    ).get_page(page_number(request))
    mine = figures.staff_tallies([staff.pk], since).get(staff.pk, figures.Tally())
    reviews = behavior_access.review_school_ids(staff).exists()
    return render(
        request,
        "behavior/ratios.html",
        {
            "period": period,
            "periods": periods,
            "sections": sections,
            "only_needs_work": only_needs_work,
            "never_good": never_good,
            "points": points,
            "mine": mine,
            "reviews": reviews,
            "awaiting_review": feeds.moments_awaiting_review(staff).count() if reviews else 0,
            "target": targets.get(sections[0].school_id, default_target)
            if sections
            else default_target,
        },
    )


# ---- leaders' view -----------------------------------------------------------------------------


@login_required
def insights(request):
    _staff(request)
    schools = behavior_access.leader_schools(request.user)
    query = LeadersQuery(request.GET)
    school_id = _int(query.value("school"))
    if query.value("school"):
        school = schools.filter(pk=school_id).first()
        if school is None:
            raise Http404
        scope = Q(school=school)
    else:
        school = None
        scope = Q(school__in=schools)
    period, periods = _period(request)
    by = query.value("by")
    if by not in figures.BREAKDOWNS:
        by = "kind"
    since = figures.period_start(period)
    moments = feeds.kept_moments().filter(scope, created_at__gte=since)
    counts = figures.tally_aggregates()
    by_category = list(
        moments.values("category__name", "positive")
        .annotate(n=Count("pk"))
        .order_by("-positive", "-n", "category__name")
    )
    by_grade = list(moments.values("student__grade").annotate(**counts).order_by("student__grade"))
    by_language = list(
        moments.annotate(language=figures.primary_family_language())
        .values("language")
        .annotate(**counts)
        .order_by("-positive_count", "language")
    )
    for row in by_language:
        row["language_label"] = language_name(row["language"]) if row["language"] else "—"
    by_program = list(
        moments.values("student__programs__name")
        .annotate(**counts)
        .order_by("student__programs__name")
    )
    for row in by_program:
        row["program_label"] = row["student__programs__name"] or _("No program")
    breakdown = figures.weekly_breakdown(moments, by, since)
    in_scope = [school] if school else schools
    participation = figures.staff_participation(
        StaffMember.objects.filter(
            is_active=True,
            pk__in=access.staff_for(request.user)
            .filter(assignments__school__in=in_scope)
            .values("pk"),
        ),
        schools.filter(pk=school.pk) if school else schools,
        since,
    )
    staff_rows = Paginator(participation.recognisers, TABLE_PAGE_SIZE).get_page(
        page_number(request)
    )
    breakdowns = {
        "kind": _("Good news and needs work"),
        "category": _("Category"),
        "grade": _("Grade"),
        "language": _("Family language"),
        "program": _("Program"),
    }
    chart = {
        **breakdown.as_chart(),
        "categories": [row["category__name"] for row in by_category],
        "category_counts": [row["n"] for row in by_category],
        "category_positive": [row["positive"] for row in by_category],
        "labels": {"moments": _("Moments")},
    }
    return render(
        request,
        "behavior/insights.html",
        {
            "schools": schools.order_by("name"),
            "school": school,
            "period": period,
            "periods": periods,
            "by": by,
            "breakdowns": list(breakdowns.items()),
            "breakdown_label": breakdowns[by],
            "breakdown": breakdown,
            "by_category": by_category,
            "by_grade": by_grade,
            "by_language": by_language,
            "by_program": by_program,
            "staff_rows": staff_rows,
            "participation": participation,
            "chart": chart,
        },
    )
