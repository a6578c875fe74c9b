from django.urls import path

from . import views

app_name = "behavior"

urlpatterns = [
    path("sections/<int:pk>/", views.section_record, name="section_record"),
    path("students/<int:pk>/", views.student_moments, name="student_moments"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/review/", views.review, name="review"),
    path("review/", views.review_list, name="review_list"),
    path("children/<int:pk>/", views.child_feed, name="child_feed"),
    path("children/<int:pk>/respond/<int:moment_pk>/", views.respond, name="respond"),
]
