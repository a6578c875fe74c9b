"""The Django admin sees every school's records, court orders included. It is reached only
through Homeroom's own sign-in (allauth: its rate limits, its TOTP step), and only by an active
superuser who has TOTP and passed it in this session. Everyone else is turned away."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def passed_second_factor(request) -> bool:
    """This session's sign-in included a TOTP (or recovery) code, not only a password."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class HomeroomAdminSite(admin.AdminSite):
    def has_permission(self, request):
        user = request.user
        return bool(
            user.is_active
            and user.is_superuser
            and has_totp(user)
            and passed_second_factor(request)
        )

    def login(self, request, extra_context=None):
        """No password form of its own: send the reader to the one sign-in, or say no."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            next_url = ""
        next_url = next_url or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))
        if self.has_permission(request):
            return redirect(next_url)
        if user.is_active and user.is_superuser:
            if not has_totp(user):
                return redirect(reverse("mfa_activate_totp") + "?next=" + next_url)
            return redirect(reverse("mfa_reauthenticate") + "?next=" + next_url)
        raise PermissionDenied
