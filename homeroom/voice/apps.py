from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "homeroom.voice"
    label = "voice"
    verbose_name = _("Family voice")

    def ready(self):
        # Suggestions by text message ("IDEA …", "SUGERENCIA …").
        from homeroom.messaging.inbound import answerers

        from .suggestions.sms import answer_suggestion

        answerers.register("voice.suggestions", answer_suggestion)
