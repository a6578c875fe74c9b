from django.urls import path

from .views import checkins, stories, timeline, visits, weekly

app_name = "routines"

urlpatterns = [
    path("sections/<int:pk>/weekly/", weekly.weekly, name="weekly"),
    path(
        "sections/<int:pk>/weekly/students/<int:student_pk>/",
        weekly.save_one,
        name="save_sentence",
    ),
    path("sections/<int:pk>/weekly/preview/", weekly.preview, name="preview"),
    path("sections/<int:pk>/weekly/send/", weekly.send, name="send"),
    path("sections/<int:pk>/weekly/reminder/", weekly.reminder, name="reminder"),
    path("sections/<int:pk>/coverage/", weekly.coverage, name="coverage"),
    path("checkins/", checkins.checkins, name="checkins"),
    path("checkins/<int:pk>/log/", checkins.checkin_log, name="checkin_log"),
    path("students/<int:pk>/timeline/", timeline.timeline, name="timeline"),
    path("story/<int:student_pk>/", stories.story, name="story"),
    path("students/<int:pk>/visits/", visits.visits, name="visits"),
    path("visits/<int:pk>/", visits.visit, name="visit"),
    path("visits/<int:pk>/notes/", visits.visit_notes, name="visit_notes"),
    path("sections/<int:pk>/stories/invite/", stories.invite_stories, name="invite_stories"),
]
