from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/sections/<int:pk>/roster/", views.section_roster, name="staff_home_roster"),
    path("family/", views.family_home, name="family_home"),
    path("family/school/", views.family_school, name="family_school"),
    path("healthz", views.healthz, name="healthz"),
]
