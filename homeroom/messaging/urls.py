from django.urls import include, path

from . import webhooks

urlpatterns = [
    # Twilio reports what became of each text (signed; see webhooks.py).
    path("webhooks/twilio/status", webhooks.twilio_status, name="twilio_status"),
    # Inbound texts (POST /webhooks/twilio/sms) come in through messaging/inbound/.
    path("", include("homeroom.messaging.inbound.urls")),
]
