from django.contrib import admin
from django.urls import include, path

from homeroom.behavior import urls as behavior_urls
from homeroom.insights import urls as insights_urls
from homeroom.routines import urls as routines_urls

# Recognition's and routines' pages share their address space and namespace with their
# figures pages.
recognition = (behavior_urls.urlpatterns + insights_urls.recognition_urlpatterns, "behavior")
routines = (routines_urls.urlpatterns + insights_urls.routines_urlpatterns, "routines")

urlpatterns = [
    path("", include("homeroom.web.urls")),
    path("", include("homeroom.people.urls")),
    path("messages/", include("homeroom.messaging.ui_urls")),
    path("moments/", include(recognition)),
    path("translation/", include("homeroom.messaging.interpreter_urls")),
    path("district/", include("homeroom.translation.urls")),
    path("routines/", include(routines)),
    path("surveys/", include("homeroom.voice.urls")),
    path("groups/", include("homeroom.voice.groups.urls")),  # parent-led groups
    path("suggestions/", include("homeroom.voice.suggestions.urls")),
    path("decisions/", include("homeroom.voice.decisions.urls")),
    path("goals/", include("homeroom.goals.urls")),
    path("insights/", include("homeroom.insights.school_urls")),
    path("events/", include("homeroom.gatherings.urls")),
    path("", include("homeroom.messaging.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
