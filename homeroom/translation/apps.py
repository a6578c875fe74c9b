from django.apps import AppConfig


class TranslationConfig(AppConfig):
    name = "homeroom.translation"
    label = "translation"
    verbose_name = "Translation"
