"""The URLconf of the inbound SMS and MMS tests: the webhook beside the whole site."""

from django.urls import include, path

urlpatterns = [
    path("", include("homeroom.messaging.inbound.urls")),
    path("", include("homeroom.urls")),
]
