"""The figures pages. They keep their places and names where they were first published —
recognition's under `moments/` in the `behavior` namespace, positive-first under `routines/`
in the `routines` namespace: the project's urls add them to each app's own."""

from django.urls import path

from . import views

recognition_urlpatterns = [
    path("ratios/", views.ratios, name="ratios"),
    path("insights/", views.insights, name="insights"),
]

routines_urlpatterns = [
    path("positive-first/", views.positive_first, name="positive_first"),
]
