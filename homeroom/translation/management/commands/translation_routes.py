"""Which translation route is live for each language the district's families read."""

from django.conf import settings
from django.core.management.base import BaseCommand

from homeroom.languages import base_language, language_name
from homeroom.people.models import Guardian
from homeroom.translation.models import LanguageRoute
from homeroom.translation.services import language_support, route


class Command(BaseCommand):
    help = "Say, for each family language in the database, how messages reach it right now."

    def handle(self, *args, **options):
        staff = base_language(settings.LANGUAGE_CODE)
        languages = sorted(
            {base_language(code) for code in Guardian.objects.values_list("language", flat=True)}
            - {staff}
        )
        if not languages:
            self.stdout.write("Translation: no family reads a language other than English yet.")
            return
        self.stdout.write("Translation routes:")
        for code in languages:
            out, _ = route(staff, code)
            back, _ = route(code, staff)
            if out is not None and back is not None:
                how = f"translated ({out.name}; replies by {back.name})"
            elif out is not None:
                how = f"translated ({out.name}); replies stay untranslated"
            else:
                how = "no route: English with a note, or an interpreter"
            self.stdout.write(f"  {language_name(code)} ({code}): {how}")
        chosen = LanguageRoute.objects.select_related("district").order_by("district__name")
        for row in chosen:
            support = language_support(row.language, district=row.district_id)
            self.stdout.write(
                f"  {row.district.name}, {language_name(row.language)} ({row.language}): "
                f"{support.route_label} (the district's route: {row.route})"
            )
