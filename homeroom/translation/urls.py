"""People in the loop, included under /translation/."""

from django.urls import path

from . import views

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
