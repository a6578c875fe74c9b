"""People in the loop: the interpreters' queue and corrections of a message's translation,
included under /translation/ (where they were first published)."""

from django.urls import path

from . import interpreter_views as views

urlpatterns = [
    path("queue/", views.queue, name="interpreter_queue"),
    path("queue/<int:pk>/", views.resolve, name="interpreter_resolve"),
    path(
        "messages/<int:pk>/correct/<str:language>/",
        views.correct_message,
        name="correct_translation",
    ),
    path("messages/<int:pk>/confusing/", views.flag_confusing, name="flag_confusing"),
]
