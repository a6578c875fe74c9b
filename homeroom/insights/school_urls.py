"""The insights pages of a school (namespace `insights`)."""

from django.urls import path

from . import school_views

app_name = "insights"

urlpatterns = [
    path("schools/<int:pk>/", school_views.school_insights, name="school"),
    path("schools/<int:pk>/figures.csv", school_views.school_insights_csv, name="school_csv"),
]
