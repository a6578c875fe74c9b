import zoneinfo

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from .access import viewer_for

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def interface_language(language: str) -> str:
    """The interface language for a BCP 47 tag: its base language when we ship it, else English."""
    base = (language or "en").split("-")[0].lower()
    return base if base in SUPPORTED else settings.LANGUAGE_CODE


class GuardianLanguageMiddleware:
    """A guardian's chosen language is the interface language, unless they switched it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            guardian = viewer_for(user).guardian
            if guardian and not chosen:
                translation.activate(interface_language(guardian.language))
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class ReaderTimeZoneMiddleware:
    """Times are stored in UTC and shown in the reader's zone: a guardian's own, else their
    child's school's; a staff member's first school's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = reader_time_zone(getattr(request, "user", None))
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


def reader_time_zone(user) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    viewer = viewer_for(user)
    if viewer.time_zone:
        return viewer.time_zone
    if viewer.guardian:
        link = (
            viewer.guardian.guardianships.filter(is_active=True)
            .select_related("student__school")
            .first()
        )
        return link.student.school.time_zone if link else None
    if viewer.staff:
        from .access import schools_of_district

        schools = schools_of_district(viewer.staff.district_id)
        return schools.values_list("time_zone", flat=True).first()
    return None


class RequireAdminMFAMiddleware:
    """School and district admins must have TOTP before they can do anything else."""

    allowed_prefixes = ("/accounts/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and viewer_for(user).is_admin
            and not _has_totp(user)
        ):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
