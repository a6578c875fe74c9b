from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    path("", views.decision_list, name="list"),
    path("new/", views.decision_new, name="new"),
    path("<int:pk>/preview/", views.decision_preview, name="preview"),
    path("<int:pk>/results/", views.decision_results, name="results"),
    path("<int:pk>/", views.decision_vote, name="vote"),
]
