"""Twilio tells us what became of each text: POST /webhooks/twilio/status.

Every request must carry a valid X-Twilio-Signature over the public URL and the POST fields
(403 and nothing stored otherwise; `signatures.twilio_signature_is_valid`). The delivery is
found by the provider's MessageSid; an unknown sid is answered 200 and ignored, so Twilio stops
retrying it.
"""

import logging

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from homeroom.transports.sms import OPTED_OUT, permanent_reason

from . import outbox
from .models import Delivery, SmsOptOut
from .signatures import twilio_signature_is_valid

logger = logging.getLogger(__name__)

Status = Delivery.Status
FAILED_STATUSES = {"undelivered", "failed"}


class StatusCallbackForm(forms.Form):
    """The fields we use; Twilio sends more, and adds some without notice."""

    MessageSid = forms.RegexField(regex=r"^[A-Z]{2}[0-9a-fA-F]{32}$")
    MessageStatus = forms.CharField(max_length=30)
    ErrorCode = forms.IntegerField(required=False)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if not twilio_signature_is_valid(request):
        return HttpResponseForbidden()
    form = StatusCallbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    sid = form.cleaned_data["MessageSid"]
    status = form.cleaned_data["MessageStatus"].lower()
    delivery = (
        Delivery.objects.filter(provider_id=sid, channel="sms")
        .select_related("guardian", "message__conversation__school")
        .first()
    )
    if delivery is None:
        return HttpResponse(status=200)
    if status == "delivered":
        Delivery.objects.filter(pk=delivery.pk, status__in=[Status.SENDING, Status.SENT]).update(
            status=Status.DELIVERED, delivered_at=timezone.now()
        )
    elif status in FAILED_STATUSES:
        code = form.cleaned_data["ErrorCode"]
        logger.warning("delivery %s: provider reports %s (code %s)", delivery.pk, status, code)
        if code == OPTED_OUT and delivery.to_address:
            SmsOptOut.objects.get_or_create(phone=delivery.to_address)
        with translation.override(settings.LANGUAGE_CODE):
            reason = permanent_reason(code)  # for the staff who read it, not the caller
        outbox.fail(
            delivery,
            reason,
            attempts=delivery.attempts,
            from_statuses=(Status.SENT, Status.DELIVERED),
        )
    return HttpResponse(status=200)
