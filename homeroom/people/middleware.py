from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

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
