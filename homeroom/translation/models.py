"""The translation memory and the glossary of terms a school wants kept or translated its way."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from homeroom.languages import base_language


class MemoryEntry(models.Model):
    """One translated segment, keyed by the hash of its normalised, placeholder-masked text.

    Masking names, dates and glossary terms before hashing lets "Ana worked hard today." and
    "Ben worked hard today." share one row. A person's correction overrides the machine.
    """

    source_hash = models.CharField(max_length=64)
    source_language = models.CharField(max_length=12)
    target_language = models.CharField(max_length=12)
    source_text = models.TextField()
    translated_text = models.TextField()
    provider = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    corrected_text = models.TextField(blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("translation memory entry")
        verbose_name_plural = _("translation memory")
        constraints = [
            models.UniqueConstraint(
                fields=["source_hash", "source_language", "target_language"],
                name="unique_memory_entry",
            )
        ]

    def __str__(self):
        return f"{self.source_language}→{self.target_language}: {self.source_text[:60]}"

    @property
    def is_corrected(self) -> bool:
        return self.corrected_at is not None

    @property
    def best_text(self) -> str:
        return self.corrected_text if self.is_corrected else self.translated_text


class GlossaryTerm(models.Model):
    """A term a school or district wants handled its own way in every translation.

    With no school the term holds district-wide; with no district either, everywhere.
    A blank translation keeps the term unchanged ("Rising Stars" stays "Rising Stars").
    """

    district = models.ForeignKey(
        "people.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="glossary_terms",
    )
    school = models.ForeignKey(
        "people.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="glossary_terms",
        help_text=_("Leave empty for a term that holds in every school of the district."),
    )
    term = models.CharField(_("term"), max_length=200)
    language = models.CharField(
        _("language of the term"), max_length=12, default="en", help_text=_("BCP 47, e.g. en")
    )
    target_language = models.CharField(
        _("translation language"),
        max_length=12,
        blank=True,
        help_text=_("Leave empty when the term stays unchanged in every language."),
    )
    translation = models.CharField(
        _("translation"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to keep the term unchanged."),
    )

    class Meta:
        ordering = ["term"]
        indexes = [models.Index(fields=["language", "school"])]

    def __str__(self):
        return f"{self.term} → {self.translation or self.term}"

    def save(self, *args, **kwargs):
        # Translations are made per base language, so the glossary is kept per base language.
        self.language = base_language(self.language)
        self.target_language = base_language(self.target_language)
        if self.school_id and not self.district_id:
            self.district_id = self.school.district_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.translation and not self.target_language:
            raise ValidationError(
                {"target_language": _("Say which language the translation is in.")}
            )


# The routes a language may take besides a list of providers.
INTERPRETER = "interpreter"  # no machine: an interpreter translates first
ENGLISH = "english"  # no machine: the English text with a note saying it is not translated
MAX_ROUTE_PROVIDERS = 4


def route_providers(route: str) -> list[str]:
    """The provider names of a route ("apertium+libretranslate"), none for a person's route."""
    if route in (INTERPRETER, ENGLISH):
        return []
    return [name for name in route.split("+") if name]


def validate_route(value: str) -> None:
    """A route is `interpreter`, `english`, or shipped provider names joined with `+`."""
    from .providers import NAMES

    if value in (INTERPRETER, ENGLISH):
        return
    names = value.split("+") if value else []
    unknown = [name for name in names if name not in NAMES]
    if not names or unknown:
        raise ValidationError(
            _("%(route)s is not a translation route: use %(names)s, an interpreter or English."),
            code="unknown_route",
            params={"route": value[:60], "names": ", ".join(NAMES)},
        )
    if len(set(names)) != len(names) or len(names) > MAX_ROUTE_PROVIDERS:
        raise ValidationError(
            _("Name each provider once, at most %(count)s of them."),
            code="repeated_provider",
            params={"count": MAX_ROUTE_PROVIDERS},
        )


def validate_route_language(value: str) -> None:
    from homeroom.languages import LANGUAGE_NAMES, STAFF_LANGUAGE

    if value not in LANGUAGE_NAMES or value == base_language(STAFF_LANGUAGE):
        raise ValidationError(
            _("Choose a language families read, other than the staff's."), code="language"
        )


class LanguageRoute(models.Model):
    """How one district's messages reach families who read one language: through providers
    (first that serves the pair wins, the memory always in front), an interpreter, or in
    English with a note. Read before the deployment's TRANSLATION_ROUTES."""

    district = models.ForeignKey(
        "people.District", on_delete=models.CASCADE, related_name="language_routes"
    )
    language = models.CharField(_("language"), max_length=12, validators=[validate_route_language])
    route = models.CharField(_("route"), max_length=200, validators=[validate_route])
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("language route")
        ordering = ["district", "language"]
        constraints = [
            models.UniqueConstraint(fields=["district", "language"], name="unique_language_route")
        ]

    def __str__(self):
        return f"{self.language}: {self.route}"

    @property
    def providers(self) -> list[str]:
        return route_providers(self.route)


class ProviderUsage(models.Model):
    """Characters and requests the deployment sent to one engine in one month: what a paid
    provider will bill, counted as it is sent (memory hits send nothing)."""

    provider = models.CharField(max_length=40)
    month = models.DateField(help_text=_("The first day of the month."))
    characters = models.BigIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("translation provider usage")
        verbose_name_plural = _("translation provider usage")
        ordering = ["-month", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "month"], name="unique_provider_usage")
        ]

    def __str__(self):
        return f"{self.provider} {self.month:%Y-%m}: {self.characters}"
