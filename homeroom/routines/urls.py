from django.urls import path

from . import views

app_name = "routines"

urlpatterns = [
    path("sections/<int:pk>/weekly/", views.weekly, name="weekly"),
    path(
        "sections/<int:pk>/weekly/students/<int:student_pk>/",
        views.save_one,
        name="save_sentence",
    ),
    path("sections/<int:pk>/weekly/preview/", views.preview, name="preview"),
    path("sections/<int:pk>/weekly/send/", views.send, name="send"),
    path("sections/<int:pk>/weekly/reminder/", views.reminder, name="reminder"),
    path("sections/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("checkins/", views.checkins, name="checkins"),
    path("checkins/<int:pk>/log/", views.checkin_log, name="checkin_log"),
    path("students/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("positive-first/", views.positive_first, name="positive_first"),
    path("story/<int:student_pk>/", views.story, name="story"),
    path("students/<int:pk>/visits/", views.visits, name="visits"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("visits/<int:pk>/notes/", views.visit_notes, name="visit_notes"),
    path("sections/<int:pk>/stories/invite/", views.invite_stories, name="invite_stories"),
]
