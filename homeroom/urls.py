from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("homeroom.web.urls")),
    path("", include("homeroom.people.urls")),
    path("messages/", include("homeroom.messaging.ui_urls")),
    path("moments/", include("homeroom.behavior.urls")),
    path("translation/", include("homeroom.messaging.interpreter_urls")),
    path("routines/", include("homeroom.routines.urls")),
    path("", include("homeroom.messaging.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
