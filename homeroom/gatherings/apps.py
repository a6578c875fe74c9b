from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatheringsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "homeroom.gatherings"
    label = "gatherings"
    verbose_name = _("Gatherings")

    def ready(self):
        from homeroom.messaging.inbound import answerers

        from .sms import answer_rsvp_by_text, answer_times_by_text

        answerers.register("gatherings-times", answer_times_by_text)
        answerers.register("gatherings-rsvp", answer_rsvp_by_text)
