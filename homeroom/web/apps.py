from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "homeroom.web"
    label = "web"
    verbose_name = "Web"
