from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutinesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "homeroom.routines"
    label = "routines"
    verbose_name = _("Relationship routines")
