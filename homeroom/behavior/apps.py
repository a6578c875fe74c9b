from django.apps import AppConfig


class BehaviorConfig(AppConfig):
    name = "homeroom.behavior"
    label = "behavior"
    verbose_name = "Recognition and behaviour"
