"""People in the loop: the interpreters' queue, corrections from a conversation, and a
family's "this translation is confusing"."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from homeroom.forms import first_error, page_number
from homeroom.languages import base_language
from homeroom.people.access import viewer_for

from . import access as messaging_access
from . import interpreters
from .interpreter_forms import ConfusingForm, CorrectionForm
from .models import InterpreterRequest, Message, MessageTranslation

PAGE_SIZE = 20


# ---- the queue -------------------------------------------------------------------------------


@login_required
def queue(request):
    return _render_queue(request)


@login_required
@require_POST
def resolve(request, pk):
    item = interpreters.get_request_for(request.user, pk)
    form = CorrectionForm(request.POST, prefix=f"r{item.pk}")
    if not form.is_valid():
        return _render_queue(request, failed=(item.pk, form), status=400)
    if item.message is None:
        raise Http404
    viewer = viewer_for(request.user)
    released = interpreters.correct_translation(
        item.message, item.language, form.cleaned_data["text"], by=viewer.staff
    )
    if item.kind == InterpreterRequest.Kind.INTERPRET_MESSAGE:
        flash.success(
            request,
            ngettext(
                "Saved. It is on its way to %(count)d waiting family.",
                "Saved. It is on its way to %(count)d waiting families.",
                len(released),
            )
            % {"count": len(released)}
            if released
            else _("Saved. No family was waiting for it any more."),
        )
    else:
        flash.success(request, _("Saved. The corrected translation will be used from now on."))
    return redirect("interpreter_queue")


def _render_queue(request, *, failed=None, status=200):
    requests = interpreters.queue_for(request.user).prefetch_related(
        Prefetch(
            "message__translations",
            queryset=MessageTranslation.objects.order_by("language"),
            to_attr="all_translations",
        )
    )
    page = Paginator(requests, PAGE_SIZE).get_page(page_number(request))
    for item in page:
        _describe(item, failed)
    return render(request, "messaging/interpreter_queue.html", {"page": page}, status=status)


def _describe(item, failed) -> None:
    """The original, the translation families read now, and a form to write a better one."""
    message = item.message
    item.current = None
    if message is not None:
        item.source_language = message.detected_language or message.language
        item.current = next(
            (t for t in message.all_translations if t.language == item.language), None
        )
    if failed is not None and failed[0] == item.pk:
        item.form = failed[1]
    else:
        initial = {"text": item.current.text} if item.current is not None else {}
        item.form = CorrectionForm(initial=initial, prefix=f"r{item.pk}")


# ---- from a conversation ----------------------------------------------------------------------


def _message_for(user, pk):
    """The message and its conversation, as the reader may see it; a 404 otherwise."""
    conversation_id = (
        Message.objects.filter(pk=pk).values_list("conversation_id", flat=True).first()
        if str(pk).isdigit()
        else None
    )
    if conversation_id is None:
        raise Http404
    conversation = messaging_access.get_conversation_for(user, conversation_id)
    message = Message.objects.select_related("author_staff", "author_guardian").get(pk=pk)
    message.conversation = conversation
    return message, conversation


def _message_of_school(pk, school_ids):
    message = (
        Message.objects.select_related("conversation__school", "conversation__student")
        .filter(pk=pk, conversation__school_id__in=school_ids)
        .first()
    )
    if message is None:
        raise Http404
    return message, message.conversation


def _back(conversation, message) -> str:
    return reverse("conversation", args=[conversation.pk]) + f"#message-{message.pk}"


@login_required
@require_POST
def correct_message(request, pk, language):
    """Staff correct a machine translation they read or a family read."""
    viewer = viewer_for(request.user)
    try:
        message, conversation = _message_for(request.user, pk)
    except Http404:
        # Interpreters are not part of the school's conversations, yet fix their translations.
        message, conversation = _message_of_school(
            pk, viewer.school_ids_with(*interpreters.CORRECTOR_ROLES)
        )
    if getattr(conversation, "as_family", False) or not interpreters.may_correct(
        request.user, conversation
    ):
        raise Http404
    target = base_language(language)
    if not MessageTranslation.objects.filter(message=message, language=target).exists():
        raise Http404
    form = CorrectionForm(request.POST, prefix=f"m{message.pk}-{target}")
    if not form.is_valid():
        for error in form.errors.get("text", []):
            flash.error(request, error)
        return redirect(_back(conversation, message))
    interpreters.correct_translation(message, target, form.cleaned_data["text"], by=viewer.staff)
    flash.success(request, _("Translation corrected. It will be used from now on."))
    if not messaging_access.conversations_for(request.user).filter(pk=conversation.pk).exists():
        return redirect("interpreter_queue")
    return redirect(_back(conversation, message))


@login_required
@require_POST
def flag_confusing(request, pk):
    """A family says a translation is confusing: an interpreter at the school will look."""
    message, conversation = _message_for(request.user, pk)
    viewer = viewer_for(request.user)
    if not conversation.as_family or message.author_guardian_id == viewer.guardian.pk:
        raise Http404
    form = ConfusingForm(request.POST)
    if not form.is_valid():
        flash.error(request, first_error(form))
        return redirect(_back(conversation, message))
    _request, created = interpreters.flag_confusing(
        message,
        guardian=viewer.guardian,
        language=viewer.guardian.language or "en",
        note=form.cleaned_data["note"],
    )
    if created:
        flash.success(
            request, _("Thank you. An interpreter at the school will check this translation.")
        )
    else:
        flash.info(request, _("You already told us about this translation; we are on it."))
    return redirect(_back(conversation, message))
