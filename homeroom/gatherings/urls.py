from django.urls import path

from . import followup_views, views
from .ride_views import event_ride, event_rides
from .slot_views import conference_block, conferences, conferences_book, shifts, volunteer

app_name = "gatherings"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_new, name="new"),
    path("conferences/", conferences, name="slots"),
    path("groups/<int:group_pk>/new/", views.group_event_new, name="group_new"),
    path("conferences/book/", conferences_book, name="slots_book"),
    path("conferences/<int:pk>/", conference_block, name="slots_block"),
    path("<int:pk>/volunteers/", shifts, name="shifts"),
    path("<int:pk>/volunteer/", volunteer, name="volunteer"),
    path("<int:pk>/organise/", views.event_organise, name="organise"),
    path("<int:pk>/board/", views.event_board, name="board"),
    path("<int:pk>/rides/", event_rides, name="rides"),
    path("<int:pk>/ride/", event_ride, name="ride"),
    path("<int:pk>/event.ics", views.event_ics, name="ics"),
    path("<int:pk>/attendance/", followup_views.attendance, name="attendance"),
    path("<int:pk>/how-was-it/", followup_views.how_was_it, name="how_was_it"),
    path("<int:pk>/", views.event_family, name="family"),
]
