from django.urls import path

from . import views

urlpatterns = [
    path("translation/", views.district_routes, name="translation_routes"),
]
