"""Conversation screens: the inboxes, one conversation, a new conversation, an announcement.

Each view parses the request, asks messaging/access.py (and people/access.py) for what the
reader may see, calls one service, and renders. Staff read in English with the family's
original one tap away; families read everything in their own language, machine translation
marked, the original one tap away.
"""

from collections import defaultdict
from contextlib import nullcontext

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from homeroom.forms import page_number
from homeroom.people import access as people_access
from homeroom.people.models import (
    Channel,
    Enrollment,
    StaffMember,
    Student,
)
from homeroom.translation import interpreters
from homeroom.translation.codes import base_language
from homeroom.translation.forms import ConfusingForm

from . import access, audiences, previews, reports, services
from .forms import (
    AnnouncementForm,
    ComposeQuery,
    FamilyComposeForm,
    FamilyReplyForm,
    InboxQuery,
    StaffComposeForm,
    StaffReplyForm,
    ThreadQuery,
)
from .inbound.office_hours import office_hours_of
from .inbound.service import MAX_REPLY_CHARS, ReplyRefused, receive_reply
from .models import (
    Attachment,
    Conversation,
    Delivery,
    Message,
    MessageTranslation,
    Participant,
    SmsOptOut,
)

PAGE_SIZE = 25
THREAD_SIZE = 50
# Per message, the recipients listed one by one (problems first); the summary counts them all.
DELIVERY_DETAILS = 100
STAFF_LANGUAGE = base_language(services.STAFF_LANGUAGE)

Status = Delivery.Status
REACHED = (Status.SENT, Status.DELIVERED, Status.READ)
ON_THE_WAY = (Status.QUEUED, Status.SENDING)


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# ---- inboxes ---------------------------------------------------------------------------------


@login_required
def inbox(request):
    viewer = people_access.viewer_for(request.user)
    if viewer.is_staff_member and InboxQuery(request.GET).value("view") != "family":
        return _staff_inbox(request, viewer)
    if viewer.is_guardian:
        return _family_inbox(request, viewer)
    raise Http404


def _staff_inbox(request, viewer):
    asked = InboxQuery(request.GET)
    query = asked.value("q")
    everything = viewer.is_admin and asked.value("all") == "1"
    conversations = access.staff_inbox_for(request.user, everything=everything)
    if query:
        text_matches = Message.objects.filter(conversation_id=OuterRef("pk")).filter(
            Q(body__icontains=query) | Q(translations__text__icontains=query)
        )
        conversations = conversations.filter(
            Q(student__given_name__icontains=query)
            | Q(student__family_name__icontains=query)
            | Q(student__preferred_name__icontains=query)
            | Q(subject__icontains=query)
            | Exists(text_matches)
        )
    conversations = (
        access.with_inbox_details(
            conversations, viewer, as_family=False, reader_language=STAFF_LANGUAGE
        )
        .select_related("student", "school", "district", "section")
        .prefetch_related(
            Prefetch("participants", queryset=access.people_listed_for(viewer), to_attr="people")
        )
        .order_by("-last_message_at", "-pk")
    )
    page = Paginator(conversations, PAGE_SIZE).get_page(page_number(request))
    for conversation in page:
        _describe(conversation, viewer, STAFF_LANGUAGE, as_family=False)
    return render(
        request,
        "messaging/inbox_staff.html",
        {"page": page, "query": query, "everything": everything},
    )


def _family_inbox(request, viewer):
    reader = _reader_language(viewer)
    conversations = (
        access.with_inbox_details(
            access.family_inbox_for(request.user), viewer, as_family=True, reader_language=reader
        )
        .select_related("student", "school", "district", "section")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(staff__isnull=False).select_related("staff"),
                to_attr="people",
            )
        )
        .order_by("-last_message_at", "-pk")
    )
    page = Paginator(conversations, PAGE_SIZE).get_page(page_number(request))
    children = _children_of(request.user, viewer) if page.object_list else []
    for conversation in page:
        _describe(conversation, viewer, reader, as_family=True)
        conversation.children = _children_in(conversation, children)
    return render(request, "messaging/inbox_family.html", {"page": page})


def _children_of(user, viewer) -> list[Student]:
    """The guardian's children whose records they may see, with the classes they are in."""
    links = (
        people_access.guardianships_for(user)
        .filter(guardian=viewer.guardian)
        .select_related("student")
        .prefetch_related(
            Prefetch(
                "student__enrollments",
                queryset=Enrollment.objects.filter(is_active=True),
                to_attr="active_enrollments",
            )
        )
        .order_by("student__given_name", "student__family_name", "pk")
    )
    return [link.student for link in links]


def _children_in(conversation, children) -> list[Student]:
    """Which of a family's children a conversation is about; for an announcement, those in
    its audience, so a family with several children sees which one it concerns."""
    if conversation.student_id:
        return [conversation.student]
    audience = conversation.audience or {}
    kind = audience.get("kind")
    if kind == "section":
        return [
            child
            for child in children
            if any(e.section_id == conversation.section_id for e in child.active_enrollments)
        ]
    if kind == "grade":
        return [
            child
            for child in children
            if child.school_id == conversation.school_id and child.grade == audience.get("grade")
        ]
    if kind == "district":
        return children
    return [child for child in children if child.school_id == conversation.school_id]


def _people_shown(viewer):
    """Who is listed in a conversation, as messaging/access.py decides for this reader."""
    return access.people_listed_for(viewer)


def _describe(conversation, viewer, reader: str, *, as_family: bool) -> None:
    """What an inbox row shows: who else is in it, what it is about, the last words."""
    me_staff = viewer.staff.pk if viewer.staff and not as_family else None
    me_guardian = viewer.guardian.pk if viewer.guardian and as_family else None
    conversation.others = [
        p.staff or _marked(p)
        for p in conversation.people
        if not (p.staff_id and p.staff_id == me_staff)
        and not (p.guardian_id and p.guardian_id == me_guardian)
    ]
    conversation.audience_label = audience_label(conversation)
    same = base_language(conversation.last_language) == reader
    preview = conversation.last_body if same else conversation.last_in_reader_language
    conversation.preview = preview or conversation.last_body or ""
    conversation.preview_language = reader if (same or preview) else conversation.last_language
    if not conversation.preview.strip() and conversation.last_body is not None:
        # A photo texted with no words.
        conversation.preview = _("Sent a photo or a file.")
        conversation.preview_language = reader
    conversation.last_by_family = conversation.last_author_guardian_id is not None
    conversation.last_mine = as_family and conversation.last_author_guardian_id == me_guardian


def audience_label(conversation) -> str:
    """Who an announcement went to, in the reader's words."""
    if conversation.kind != Conversation.Kind.ANNOUNCEMENT:
        return ""
    kind = (conversation.audience or {}).get("kind")
    if kind == "district" or conversation.school_id is None:
        return _("Every family in the district")
    school = conversation.school.name
    if kind == "section" and conversation.section_id:
        return _("Families of %(section)s, %(school)s") % {
            "section": conversation.section.title,
            "school": school,
        }
    if kind == "grade":
        return _("Families of grade %(grade)s, %(school)s") % {
            "grade": conversation.audience.get("grade", ""),
            "school": school,
        }
    return _("Every family at %(school)s") % {"school": school}


def _reader_language(viewer) -> str:
    return base_language(viewer.guardian.language) or STAFF_LANGUAGE


# ---- one conversation ------------------------------------------------------------------------


@login_required
def conversation_detail(request, pk):
    conversation = access.get_conversation_for(request.user, pk)
    viewer = people_access.viewer_for(request.user)
    if conversation.as_family:
        return _family_conversation(request, conversation, viewer)
    if not viewer.is_staff_member:
        raise Http404
    return _staff_conversation(request, conversation, viewer)


def _staff_conversation(request, conversation, viewer):
    people = list(_people_shown(viewer).filter(conversation=conversation))
    untranslatable = _untranslatable_in(conversation, people)
    form = StaffReplyForm(request.POST or None, untranslatable=untranslatable)
    if request.method == "POST":
        if form.is_valid():
            with _holding(form):
                message = services.send_message(
                    conversation,
                    text=form.cleaned_data["text"],
                    by_staff=viewer.staff,
                    urgent_reason=form.reason,
                )
                _ask_interpreter(form, message, viewer)
            return _posted(
                request, conversation, message, viewer, as_family=False, form_kwargs=_kw(form)
            )
        if _htmx(request):
            return _reply_form(request, conversation, form, as_family=False)
    elif conversation.as_staff:
        services.mark_read(conversation, staff=viewer.staff)
    return _render_conversation(request, conversation, viewer, form, as_family=False, people=people)


def _family_conversation(request, conversation, viewer):
    form = FamilyReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            text = form.cleaned_data["text"]
            media = form.media_items()
            if conversation.kind == Conversation.Kind.ANNOUNCEMENT:
                try:
                    thread = services.reply_to_announcement(
                        conversation,
                        guardian=viewer.guardian,
                        text=text,
                        channel=Channel.APP,
                        media=media,
                    )
                except ValueError:
                    form.add_error("text", _refusal_text("unavailable"))
                else:
                    url = reverse("conversation", args=[thread.pk])
                    if _htmx(request):
                        return HttpResponse(headers={"HX-Redirect": url})
                    flash.success(request, _("Your reply was sent to the school."))
                    return redirect(url)
            else:
                try:
                    message = receive_reply(
                        viewer.guardian, conversation, text, Channel.APP, media=media
                    )
                except ReplyRefused as refusal:
                    form.add_error("text", _refusal_text(refusal.reason))
                else:
                    return _posted(request, conversation, message, viewer, as_family=True)
        if _htmx(request):
            return _reply_form(request, conversation, form, as_family=True)
    else:
        services.mark_read(conversation, guardian=viewer.guardian)
    return _render_conversation(request, conversation, viewer, form, as_family=True)


def _refusal_text(reason: str) -> str:
    if reason == "empty":
        return _("Write a message first.")
    if reason == "too_long":
        return _("The message is too long; keep it to %(limit)d characters or fewer.") % {
            "limit": MAX_REPLY_CHARS
        }
    if reason == "not_contactable":
        return _(
            "The school cannot take messages from you about this child here. "
            "Please call the school office."
        )
    return _("Your message could not be sent. Please call the school office.")


def _untranslatable_in(conversation, people) -> list:
    """The languages of the conversation's families that no engine translates into."""
    if conversation.kind == Conversation.Kind.PRIVATE:
        languages = {p.guardian.language for p in people if p.guardian_id}
    else:
        # An announcement's families are not loaded with the page: ask for their languages.
        languages = (
            Participant.objects.filter(conversation=conversation, guardian__isnull=False)
            .values_list("guardian__language", flat=True)
            .distinct()
            .order_by()
        )
    groups = previews.language_groups((language, False) for language in languages)
    return [group for group in groups if not group.available]


def _kw(form) -> dict:
    return {"untranslatable": form.untranslatable}


def _holding(form):
    """Asking an interpreter holds deliveries in the transaction that writes the message, so
    none leaves before it is held; otherwise the message is written as usual."""
    if form.ask_interpreter:
        return transaction.atomic()
    return nullcontext()


def _ask_interpreter(form, message, viewer) -> None:
    if form.ask_interpreter:
        interpreters.ask_interpreter(
            message, [group.language for group in form.untranslatable], by_staff=viewer.staff
        )


def _sent_text(form) -> str:
    if form.ask_interpreter:
        return _(
            "Your message was sent. Families without a translation will get it once an "
            "interpreter has translated it."
        )
    return _("Your message was sent.")


def _posted(request, conversation, message, viewer, *, as_family, form_kwargs=None):
    """After a reply: the new message and a fresh form (htmx), or back to the page."""
    if not _htmx(request):
        flash.success(request, _("Your message was sent."))
        return redirect(reverse("conversation", args=[conversation.pk]) + f"#message-{message.pk}")
    reader = _reader_language(viewer) if as_family else STAFF_LANGUAGE
    message = (
        Message.objects.select_related("author_staff", "author_guardian")
        .prefetch_related(_translations_prefetch(reader, as_family))
        .get(pk=message.pk)
    )
    _present(message, viewer, reader, as_family=as_family)
    message.media = list(message.attachments.all()) if as_family else []
    if not as_family:
        reports.attach_deliveries([message], viewer, conversation)
    form = FamilyReplyForm() if as_family else StaffReplyForm(**(form_kwargs or {}))
    return render(
        request,
        "messaging/partials/reply_posted.html",
        {
            "conversation": conversation,
            "message": message,
            "form": form,
            "as_family": as_family,
            "sent": True,
        },
    )


def _reply_form(request, conversation, form, *, as_family):
    return render(
        request,
        "messaging/partials/reply_form.html",
        {"conversation": conversation, "form": form, "as_family": as_family},
    )


def _render_conversation(request, conversation, viewer, form, *, as_family, people=None):
    reader = _reader_language(viewer) if as_family else STAFF_LANGUAGE
    before = ThreadQuery(request.GET)
    if before.errors:
        raise Http404
    thread, earlier = _thread(
        conversation,
        before.value("before"),
        reader,
        as_family,
        guardian=viewer.guardian if as_family else None,
    )
    participant = conversation.as_family or conversation.as_staff
    marker = conversation.read_marker if participant else None
    for message in thread:
        _present(message, viewer, reader, as_family=as_family, read_marker=marker)
    if people is None:
        people = list(_people_shown(viewer).filter(conversation=conversation))
    if not as_family:
        reports.attach_deliveries([m for m in thread if m.author_staff_id], viewer, conversation)
    replies = []
    if not as_family and conversation.kind == Conversation.Kind.ANNOUNCEMENT:
        replies = list(
            access.conversations_for(request.user)
            .filter(reply_to_announcement=conversation)
            .select_related("student")
            .order_by("-last_message_at")[:PAGE_SIZE]
        )
    context = {
        "conversation": conversation,
        "thread": thread,
        "earlier": earlier,
        "staff_people": [p.staff for p in people if p.staff_id],
        "family_people": [_marked(p) for p in people if p.guardian_id],
        "audience_label": audience_label(conversation),
        "replies": replies,
        "form": form,
        "as_family": as_family,
    }
    if as_family:
        context["children"] = _children_in(conversation, _children_of(request.user, viewer))
        context["office_hours"] = [
            hours for hours in map(office_hours_text, context["staff_people"]) if hours
        ]
        context["confusing_form"] = ConfusingForm()
    else:
        context["can_correct"] = interpreters.may_correct(request.user, conversation)
    template = "messaging/conversation_family.html" if as_family else "messaging/conversation.html"
    return render(request, template, context)


def _marked(participant):
    """The guardian, marked when access lists them only as barred (for an admin's eyes)."""
    participant.guardian.restricted = getattr(participant, "restricted", False)
    return participant.guardian


def office_hours_text(staff) -> str:
    """When a staff member answers, in the reader's language: "Maria Rivera answers
    Monday–Friday, 8:00–16:00" (school time)."""
    hours = office_hours_of(staff)
    if hours is None:
        return ""
    days = sorted(hours.days)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        # A run of days reads as a range, whatever the language.
        span = _("%(first)s–%(last)s") % {
            "first": WEEKDAYS[days[0]],
            "last": WEEKDAYS[days[-1]],
        }
    else:
        span = ", ".join(str(WEEKDAYS[day]) for day in days)
    return _("%(name)s answers %(days)s, %(start)s–%(end)s") % {
        "name": staff.full_name,
        "days": span,
        "start": f"{hours.start.hour}:{hours.start.minute:02d}",
        "end": f"{hours.end.hour}:{hours.end.minute:02d}",
    }


def _translations_prefetch(reader: str, as_family: bool) -> Prefetch:
    # Families need only their own language; staff also see every copy that went out.
    translations = MessageTranslation.objects.order_by("language")
    if as_family:
        translations = translations.filter(language=reader)
    return Prefetch("translations", queryset=translations, to_attr="all_translations")


def _thread(conversation, before, reader: str, as_family: bool, *, guardian=None):
    """The latest THREAD_SIZE messages (before `before`, a message id), oldest first, and
    the id to ask for the ones before them, if any. A `guardian` reader sees only what
    access lets them (not the words of the child's other household)."""
    messages = Message.objects.filter(conversation=conversation)
    if guardian is not None:
        messages = messages.filter(access.family_words_visible_to(guardian))
    if before:
        try:
            before = int(before)
        except ValueError:
            raise Http404 from None
        anchor = Subquery(messages.filter(pk=before).values("created_at")[:1])
        messages = messages.filter(Q(created_at__lt=anchor) | Q(created_at=anchor, pk__lt=before))
    latest = list(
        messages.select_related("author_staff", "author_guardian")
        .prefetch_related(_translations_prefetch(reader, as_family))
        .annotate(has_media=Exists(Attachment.objects.filter(message=OuterRef("pk"))))
        .order_by("-created_at", "-pk")[: THREAD_SIZE + 1]
    )
    shown = list(reversed(latest[:THREAD_SIZE]))
    earlier = shown[0].pk if len(latest) > THREAD_SIZE else None
    _attach_media(shown)
    return shown, earlier


def _attach_media(messages) -> None:
    """Photos and files families sent, read in one query and only when a message has any."""
    with_media = [message for message in messages if message.has_media]
    by_message = defaultdict(list)
    if with_media:
        for item in Attachment.objects.filter(message__in=with_media).order_by("pk"):
            by_message[item.message_id].append(item)
    for message in messages:
        message.media = by_message.get(message.pk, [])


def _present(message, viewer, reader: str, *, as_family: bool, read_marker=None) -> None:
    """How the reader sees one message: in their language, with the original to hand.

    `read_marker` is the reader's last visit before this one (None: never, or not theirs
    to mark): messages for them that came in since are flagged new.
    """
    author = message.author_staff or message.author_guardian
    message.author_name = author.full_name if author else ""
    message.from_school = message.author_staff_id is not None
    if as_family:
        message.mine = message.author_guardian_id == viewer.guardian.pk
        for_me = not message.mine
    else:
        message.mine = bool(viewer.staff) and message.author_staff_id == viewer.staff.pk
        for_me = message.from_family
    message.is_new = for_me and read_marker is not None and message.created_at > read_marker
    source = message.detected_language or message.language
    message.source_language = source
    message.copies = [t for t in message.all_translations if t.language != base_language(source)]
    message.shown_text = message.body
    message.shown_language = source
    message.marker = ""
    if message.mine or base_language(source) == reader or not message.body.strip():
        return
    translation = next((t for t in message.all_translations if t.language == reader), None)
    if translation is None:
        message.marker = "untranslated"
        return
    message.shown_text = translation.text
    message.shown_language = reader
    machine = translation.machine and not translation.human_checked
    message.marker = "machine" if machine else "translated"


# ---- delivery ------------------------------------------------------------------------------


# ---- a new conversation ----------------------------------------------------------------------


@login_required
def compose(request):
    viewer = people_access.viewer_for(request.user)
    if viewer.is_staff_member:
        return _staff_compose(request, viewer)
    if viewer.is_guardian:
        return _family_compose(request, viewer)
    raise Http404


def _staff_compose(request, viewer):
    chosen = ComposeQuery(request.GET).value("student")
    if not chosen:
        return _pick_student(request)
    student = people_access.get_student_for(request.user, chosen)
    links = list(
        people_access.contactable_links_for(request.user, about_the_child=True)
        .filter(student=student)
        .select_related("guardian")
        .annotate(sms_off=Exists(SmsOptOut.objects.filter(phone=OuterRef("guardian__phone"))))
        .order_by("-is_primary", "guardian__family_name", "guardian__given_name", "pk")
    )
    recipients = [previews.recipient_plan(link) for link in links]
    groups = previews.language_groups((r.language, r.channel == Channel.SMS) for r in recipients)
    untranslatable = [g for g in groups if not g.available]
    form = StaffComposeForm(request.POST or None, untranslatable=untranslatable)
    protect = _names(student, viewer.staff, *(r.guardian for r in recipients))
    copies = None
    if request.method == "POST":
        if "preview" in request.POST:
            if form.is_valid():
                copies = previews.copies_of(
                    form.cleaned_data["text"], groups, student.school, protect
                )
            if _htmx(request):
                return render(
                    request, "messaging/partials/preview.html", {"form": form, "copies": copies}
                )
        elif form.is_valid():
            if not recipients:
                form.add_error(None, _("No one in this family can be contacted by the school."))
            else:
                with _holding(form):
                    conversation = services.start_conversation(
                        student=student,
                        by_staff=viewer.staff,
                        text=form.cleaned_data["text"],
                        subject=form.cleaned_data["subject"],
                        urgent_reason=form.reason,
                    )
                    _ask_interpreter(form, conversation.messages.get(), viewer)
                flash.success(request, _sent_text(form))
                return redirect("conversation", conversation.pk)
    return render(
        request,
        "messaging/compose_staff.html",
        {
            "student": student,
            "recipients": recipients,
            "groups": groups,
            "untranslatable": untranslatable,
            "form": form,
            "copies": copies,
        },
    )


def _pick_student(request):
    query = ComposeQuery(request.GET).value("q")
    students = people_access.find_students(request.user, query)
    page = Paginator(students, PAGE_SIZE).get_page(page_number(request))
    return render(request, "messaging/compose_pick_student.html", {"page": page, "query": query})


def _names(*people) -> list[str]:
    names = []
    for person in people:
        if person is None:
            continue
        for attr in ("given_name", "family_name", "preferred_name"):
            value = getattr(person, attr, "")
            if value and value not in names:
                names.append(value)
    return names


def _family_compose(request, viewer):
    links = list(
        people_access.contactable_links_for(request.user)
        .filter(guardian=viewer.guardian)
        .select_related("student", "student__school")
        .order_by("student__given_name", "student__family_name", "pk")
    )
    chosen = ComposeQuery(request.GET).value("student")
    if not chosen and len(links) == 1:
        chosen = links[0].student_id
    if not chosen:
        return render(request, "messaging/compose_pick_child.html", {"links": links})
    student = people_access.get_student_for(request.user, chosen)
    if student.pk not in {link.student_id for link in links}:
        raise Http404
    teachers = _teachers_of(student)
    form = FamilyComposeForm(request.POST or None, teachers=teachers)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.start_conversation(
                student=student,
                by_guardian=viewer.guardian,
                staff=form.recipients,
                text=form.cleaned_data["text"],
            )
        except ValueError:
            form.add_error(None, _refusal_text("unavailable"))
        else:
            flash.success(request, _("Your message was sent to the school."))
            return redirect("conversation", conversation.pk)
    return render(
        request,
        "messaging/compose_family.html",
        {"student": student, "form": form, "several_children": len(links) > 1},
    )


def _teachers_of(student: Student) -> list[StaffMember]:
    """The child's current teachers, each labelled with the classes they teach the child."""
    teaching = (
        people_access.teachers_of_student(student)
        .select_related("staff", "section")
        .order_by("staff__family_name", "staff__given_name", "section__title")
    )
    teachers: dict[int, StaffMember] = {}
    classes: dict[int, list[str]] = defaultdict(list)
    for assignment in teaching:
        teachers.setdefault(assignment.staff_id, assignment.staff)
        if assignment.section.title not in classes[assignment.staff_id]:
            classes[assignment.staff_id].append(assignment.section.title)
    for pk, teacher in teachers.items():
        teacher.choice_label = _("%(name)s — %(classes)s") % {
            "name": teacher.full_name,
            "classes": ", ".join(classes[pk]),
        }
    return list(teachers.values())


# ---- announcements ---------------------------------------------------------------------------


@login_required
def announce(request):
    viewer = people_access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    choices = audiences.audience_choices(request.user)
    by_key = {choice.key: choice for choice in choices}
    asked = request.POST.get("audience") or request.GET.get("audience")
    if asked and asked not in by_key:
        raise Http404
    chosen = by_key.get(asked) or (choices[0] if choices else None)
    initial = {"audience": chosen.key} if chosen else {}
    groups = previews.audience_groups(chosen) if chosen else []
    untranslatable = [g for g in groups if not g.available]
    form = AnnouncementForm(
        request.POST or None, audiences=choices, initial=initial, untranslatable=untranslatable
    )
    copies = None
    summary = {
        "chosen": chosen,
        "groups": groups,
        "total": sum(g.families for g in groups),
        "untranslatable": untranslatable,
        "untranslated_value": request.POST.get("untranslated", ""),
    }
    if request.method == "GET" and _htmx(request):
        return render(request, "messaging/partials/audience.html", summary)
    if request.method == "POST":
        if "preview" in request.POST:
            if form.is_valid():
                copies = previews.copies_of(form.cleaned_data["text"], groups, chosen.school, [])
            if _htmx(request):
                return render(
                    request,
                    "messaging/partials/preview.html",
                    {"form": form, "copies": copies, **summary},
                )
        elif form.is_valid():
            try:
                with _holding(form):
                    conversation = services.send_announcement(
                        by_staff=viewer.staff,
                        audience=form.chosen.audience,
                        text=form.cleaned_data["text"],
                        subject=form.cleaned_data["subject"],
                        urgent_reason=form.reason,
                    )
                    _ask_interpreter(form, conversation.messages.get(), viewer)
            except PermissionDenied as refused:
                form.add_error("audience", str(refused) or _("You cannot announce to them."))
            else:
                flash.success(request, _sent_text(form))
                return redirect("conversation", conversation.pk)
    summary["untranslated_errors"] = form.errors.get("untranslated", []) if form.is_bound else []
    return render(
        request,
        "messaging/announce.html",
        {"form": form, "copies": copies, "choices": choices, **summary},
    )
