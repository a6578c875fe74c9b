from django.contrib import admin
from django.urls import include, path

from homeroom.behavior import urls as behavior_urls
from homeroom.insights import urls as insights_urls

# Recognition's pages and its figures pages share one address space and namespace.
recognition = (behavior_urls.urlpatterns + insights_urls.recognition_urlpatterns, "behavior")

urlpatterns = [
    path("", include("homeroom.web.urls")),
    path("", include("homeroom.people.urls")),
    path("messages/", include("homeroom.messaging.ui_urls")),
    path("moments/", include(recognition)),
    path("translation/", include("homeroom.messaging.interpreter_urls")),
    path("routines/", include("homeroom.routines.urls")),
    path("", include("homeroom.messaging.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
