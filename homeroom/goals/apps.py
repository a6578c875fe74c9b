from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "homeroom.goals"
    label = "goals"
    verbose_name = _("Shared goals")

    def ready(self):
        from homeroom.messaging.inbound import answerers

        from .sms import answer_goal_text

        answerers.register("goals", answer_goal_text)
