from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "homeroom.people"
    label = "people"
    verbose_name = "People and rosters"
