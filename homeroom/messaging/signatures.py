"""Is this request from Twilio? One check for every webhook Twilio calls (texts in, status).

Twilio signs the public URL it called plus the POST fields with the account's auth token
(twilio's own RequestValidator computes and compares it). Behind a proxy the URL Django sees
differs from the one Twilio called, so it is rebuilt from PUBLIC_BASE_URL.
"""

import logging

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)


def twilio_signature_is_valid(request: HttpRequest) -> bool:
    token = getattr(settings, "TWILIO_AUTH_TOKEN", "") or ""
    if not token:
        logger.error("TWILIO_AUTH_TOKEN is not set: requests said to be Twilio's are refused")
        return False
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    url = settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST, signature)
