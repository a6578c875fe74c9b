from django.urls import path

from . import views

app_name = "goals"

urlpatterns = [
    path("", views.goal_list, name="list"),
    path("students/<int:pk>/", views.student_goals, name="student"),
    path("students/<int:pk>/new/", views.propose, name="propose"),
    path("<int:pk>/", views.goal, name="goal"),
    path("<int:pk>/agree/", views.agree, name="agree"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/strategies/", views.add_strategy, name="add_strategy"),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("notes/<int:pk>/photo/", views.note_photo, name="note_photo"),
]
