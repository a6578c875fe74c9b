from django.urls import include, path

from . import views

app_name = "voice"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("groups/<int:group_pk>/new/", views.group_survey_new, name="group_new"),
    path("<int:pk>/preview/", views.survey_preview, name="preview"),
    path("<int:pk>/results/", views.survey_results, name="results"),
    path("<int:pk>/results.csv", views.survey_csv, name="csv"),
    path("<int:pk>/", views.survey_answer, name="answer"),
    # The engagement-preferences survey.
    path("engagement/", include("homeroom.voice.engagement.urls")),
]
