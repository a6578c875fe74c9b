"""The figures pages of recognition. They keep their place under `moments/` and their names
in the `behavior` namespace: the project's urls add them to recognition's own."""

from django.urls import path

from . import views

recognition_urlpatterns = [
    path("ratios/", views.ratios, name="ratios"),
    path("insights/", views.insights, name="insights"),
]
