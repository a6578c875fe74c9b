from django.urls import path

from . import views

app_name = "suggestions"

urlpatterns = [
    path("", views.family_list, name="list"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/visibility/", views.visibility, name="visibility"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/overdue/", views.overdue, name="overdue"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("school/<int:school_pk>/you-said-we-did/", views.said_and_done, name="said_and_done"),
]
