from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "homeroom.voice"
    label = "voice"
    verbose_name = _("Family voice")

    def ready(self):
        from homeroom.messaging.inbound import answerers

        from .sms import answer_text
        from .suggestions.sms import answer_suggestion

        # Surveys answered by text ("2" after a one-question survey).
        answerers.register("voice.surveys", answer_text)
        # Suggestions by text message ("IDEA …", "SUGERENCIA …").
        answerers.register("voice.suggestions", answer_suggestion)
