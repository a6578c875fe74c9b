"""The conversation screens, included under /messages/."""

from django.urls import path

from . import media_views, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.compose, name="compose"),
    path("announce/", views.announce, name="announce"),
    path("<int:pk>/", views.conversation_detail, name="conversation"),
    # The same page under the name the staff reply digest links to.
    path("<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("media/<int:pk>/", media_views.attachment, name="attachment"),
]
