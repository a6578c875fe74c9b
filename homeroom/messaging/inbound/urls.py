"""Webhooks providers call; included at the site root."""

from django.urls import path

from . import sms

urlpatterns = [
    path("webhooks/twilio/sms", sms.twilio_sms, name="twilio_sms"),
]
