from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatheringsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "homeroom.gatherings"
    label = "gatherings"
    verbose_name = _("Gatherings")
