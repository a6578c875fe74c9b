from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("barriers/", views.barriers, name="barriers"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
]
