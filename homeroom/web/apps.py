from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "homeroom.web"
    label = "web"
    verbose_name = "Web"

    def ready(self):
        from django.apps import apps
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from .sessions import family_sessions_last_longer

        user_logged_in.connect(family_sessions_last_longer, dispatch_uid="family_session_age")
        # Sent once per app with models (this one has none): go with the sessions table.
        sessions = apps.get_app_config("sessions")
        post_migrate.connect(create_cache_table, sender=sessions, dispatch_uid="cache_table")


def create_cache_table(sender, using, verbosity=1, **kwargs):
    """The shared cache (rate limits, used codes) is a database table by default: `migrate`
    creates it, so a fresh machine and every deployment have it. Nothing if it exists."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=verbosity)
