"""The inboxes: a staff member's conversations (searchable; a leader's whole school), a
family's in their own language with the child each is about.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from homeroom.forms import page_number
from homeroom.languages import base_language
from homeroom.people import access as people_access

from .. import access
from ..forms import InboxQuery
from ..models import Message, Participant
from .common import (
    PAGE_SIZE,
    audience_label,
    children_in,
    children_of,
    marked_guardian,
    reader_language,
    show_subject,
)


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
    reader = reader_language(viewer, as_family=False)
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
        access.with_inbox_details(conversations, viewer, as_family=False, reader_language=reader)
        .select_related("student", "school", "district", "section")
        .prefetch_related(
            Prefetch("participants", queryset=access.people_listed_for(viewer), to_attr="people")
        )
        .order_by("-last_message_at", "-pk")
    )
    page = Paginator(conversations, PAGE_SIZE).get_page(page_number(request))
    for conversation in page:
        _describe(conversation, viewer, reader, as_family=False)
    return render(
        request,
        "messaging/inbox_staff.html",
        {"page": page, "query": query, "everything": everything},
    )


def _family_inbox(request, viewer):
    reader = reader_language(viewer, as_family=True)
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
    children = children_of(request.user, viewer) if page.object_list else []
    for conversation in page:
        _describe(conversation, viewer, reader, as_family=True)
        conversation.children = children_in(conversation, children)
    return render(request, "messaging/inbox_family.html", {"page": page})


def _describe(conversation, viewer, reader: str, *, as_family: bool) -> None:
    """What an inbox row shows: who else is in it, what it is about, the last words."""
    me_staff = viewer.staff.pk if viewer.staff and not as_family else None
    me_guardian = viewer.guardian.pk if viewer.guardian and as_family else None
    conversation.others = [
        p.staff or marked_guardian(p)
        for p in conversation.people
        if not (p.staff_id and p.staff_id == me_staff)
        and not (p.guardian_id and p.guardian_id == me_guardian)
    ]
    conversation.audience_label = audience_label(conversation)
    show_subject(conversation, reader)
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
