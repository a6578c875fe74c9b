"""One conversation: the thread in the reader's language with the original one tap away,
who is in it, each staff message's delivery report (staff), and the reply form.
"""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from homeroom.messaging import interpreters
from homeroom.messaging.interpreter_forms import ConfusingForm
from homeroom.people import access as people_access
from homeroom.people.models import Channel

from .. import access, display, previews, reports, services
from ..forms import FamilyReplyForm, StaffReplyForm, ThreadQuery
from ..inbound.office_hours import office_hours_of
from ..inbound.service import ReplyRefused, receive_reply
from ..models import Attachment, Conversation, Message
from .common import (
    PAGE_SIZE,
    THREAD_SIZE,
    ask_an_interpreter,
    audience_label,
    children_in,
    children_of,
    holding,
    is_htmx,
    marked_guardian,
    people_shown,
    reader_language,
    refusal_text,
    show_subject,
)


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
    people = list(people_shown(viewer).filter(conversation=conversation))
    untranslatable = _untranslatable_in(conversation, people)
    form = StaffReplyForm(
        request.POST or None,
        request.FILES or None,
        untranslatable=untranslatable,
        initial={"untranslated": previews.suggested_untranslated(untranslatable)},
    )
    if request.method == "POST":
        if form.is_valid():
            with holding(form):
                message = services.send_message(
                    conversation,
                    text=form.cleaned_data["text"],
                    by_staff=viewer.staff,
                    media=form.media_items(),
                    urgent_reason=form.reason,
                )
                ask_an_interpreter(form, message, viewer)
            return _posted(
                request, conversation, message, viewer, as_family=False, form_kwargs=_kw(form)
            )
        if is_htmx(request):
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
                    form.add_error("text", refusal_text("unavailable"))
                else:
                    url = reverse("conversation", args=[thread.pk])
                    if is_htmx(request):
                        return HttpResponse(headers={"HX-Redirect": url})
                    flash.success(request, _("Your reply was sent to the school."))
                    return redirect(url)
            else:
                try:
                    message = receive_reply(
                        viewer.guardian, conversation, text, Channel.APP, media=media
                    )
                except ReplyRefused as refusal:
                    form.add_error("text", refusal_text(refusal.reason))
                else:
                    return _posted(request, conversation, message, viewer, as_family=True)
        if is_htmx(request):
            return _reply_form(request, conversation, form, as_family=True)
    else:
        services.mark_read(conversation, guardian=viewer.guardian)
    return _render_conversation(request, conversation, viewer, form, as_family=True)


def _untranslatable_in(conversation, people) -> list:
    """The languages of the conversation's families that no engine translates into, each
    with how many families read it."""
    # Counted whatever the languages, so every conversation page reads the same queries
    # (one small query over the family's links).
    guardians = [p.guardian for p in people if p.guardian_id]
    count = previews.conversation_count(conversation, [g.pk for g in guardians])
    groups = previews.language_groups(
        count, school=conversation.school, district=conversation.district_id
    )
    return [group for group in groups if not group.available]


def _kw(form) -> dict:
    return {"untranslatable": form.untranslatable, "initial": form.initial}


def _posted(request, conversation, message, viewer, *, as_family, form_kwargs=None):
    """After a reply: the new message and a fresh form (htmx), or back to the page."""
    if not is_htmx(request):
        flash.success(request, _("Your message was sent."))
        return redirect(reverse("conversation", args=[conversation.pk]) + f"#message-{message.pk}")
    reader = reader_language(viewer, as_family=as_family)
    message = (
        Message.objects.select_related("author_staff", "author_guardian")
        .prefetch_related(display.translations_prefetch(reader, as_family))
        .get(pk=message.pk)
    )
    display.present(message, viewer, reader, as_family=as_family)
    message.media = list(message.attachments.all())
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
    reader = reader_language(viewer, as_family=as_family)
    show_subject(conversation, reader)
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
        display.present(message, viewer, reader, as_family=as_family, read_marker=marker)
    if people is None:
        people = list(people_shown(viewer).filter(conversation=conversation))
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
        "family_people": [marked_guardian(p) for p in people if p.guardian_id],
        "audience_label": audience_label(conversation),
        "replies": replies,
        "form": form,
        "as_family": as_family,
    }
    if as_family:
        context["children"] = children_in(conversation, children_of(request.user, viewer))
        context["office_hours"] = [
            hours for hours in map(office_hours_text, context["staff_people"]) if hours
        ]
        context["confusing_form"] = ConfusingForm()
    else:
        context["can_correct"] = interpreters.may_correct(request.user, conversation)
    template = "messaging/conversation_family.html" if as_family else "messaging/conversation.html"
    return render(request, template, context)


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
        .prefetch_related(display.translations_prefetch(reader, as_family))
        .annotate(has_media=Exists(Attachment.objects.filter(message=OuterRef("pk"))))
        .order_by("-created_at", "-pk")[: THREAD_SIZE + 1]
    )
    shown = list(reversed(latest[:THREAD_SIZE]))
    earlier = shown[0].pk if len(latest) > THREAD_SIZE else None
    display.attach_media(shown)
    return shown, earlier
