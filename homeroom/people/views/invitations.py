"""Staff invite families; families join by link or code and set how the school reaches them."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import FamilyPreferencesForm, JoinCodeForm
from ..middleware import interface_language
from ..models import Invitation

ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
JOIN_TRIES = 10
JOIN_WINDOW = 600  # seconds


def _report_invited(request, invitations):
    count = len(invitations)
    if count:
        messages.success(
            request,
            ngettext("Invited %(count)d family.", "Invited %(count)d families.", count)
            % {"count": count},
        )
    else:
        messages.info(
            request,
            _(
                "No invitations sent: every family here has joined already or has no phone "
                "or email on file."
            ),
        )


@login_required
@require_POST
def invite_section(request, pk):
    section = access.get_section_for(request.user, pk)
    viewer = access.viewer_for(request.user)
    if not access.can_invite_section(request.user, section):
        raise PermissionDenied
    links = access.guardianships_for(request.user).filter(
        student__enrollments__section=section, student__enrollments__is_active=True
    )
    invitations = services.invite_guardians(
        services.guardians_to_invite(links), school=section.school, invited_by=viewer.staff
    )
    _report_invited(request, invitations)
    return redirect("section_detail", pk=section.pk)


@login_required
@require_POST
def invite_school(request, pk):
    school = access.get_school_for(request.user, pk)
    viewer = access.viewer_for(request.user)
    if not access.can_invite_school(request.user, school):
        raise PermissionDenied
    links = access.guardianships_for(request.user).filter(student__school=school)
    invitations = services.invite_guardians(
        services.guardians_to_invite(links), school=school, invited_by=viewer.staff
    )
    _report_invited(request, invitations)
    return redirect("school_detail", pk=school.pk)


@login_required
@require_POST
def invite_guardian(request, pk):
    guardian = access.get_guardian_for(request.user, pk)
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise PermissionDenied
    # The invitation comes from the school of a child this member of staff works with.
    link = (
        (access.guardianships_for(request.user) & access.contactable_links())
        .filter(guardian=guardian)
        .select_related("student__school")
        .order_by("-is_primary", "pk")
        .first()
    )
    if link is None:
        messages.info(
            request,
            _("%(name)s may not be contacted, so no invitation was sent.")
            % {"name": guardian.full_name},
        )
        return redirect("guardian_detail", pk=guardian.pk)
    if not access.can_invite(request.user, link.student.school):
        raise PermissionDenied
    invitations = services.invite_guardians(
        [guardian], school=link.student.school, invited_by=viewer.staff
    )
    if invitations:
        messages.success(
            request,
            _("Invitation sent to %(name)s.") % {"name": guardian.full_name},
        )
    else:
        messages.info(
            request,
            _("%(name)s has joined already or has no phone or email on file.")
            % {"name": guardian.full_name},
        )
    return redirect("guardian_detail", pk=guardian.pk)


def _join_try_keys(request) -> list[str]:
    if not request.session.session_key:
        request.session.save()
        request.session.modified = True  # so the browser gets the cookie and keeps its count
    ip = get_adapter(request).get_client_ip(request)
    return [f"join-tries:ip:{ip}", f"join-tries:session:{request.session.session_key}"]


def _join_tries_spent(keys: list[str]) -> bool:
    """Codes are short enough to guess at scale; ten wrong tries in ten minutes, per address
    and per browser, is plenty for a person with a typo."""
    return any(cache.get(key, 0) >= JOIN_TRIES for key in keys)


def _record_wrong_try(keys: list[str]) -> None:
    for key in keys:
        cache.add(key, 0, timeout=JOIN_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=JOIN_WINDOW)


def join_by_code(request):
    status = 200
    if request.method == "POST":
        form = JoinCodeForm(request.POST)
        keys = _join_try_keys(request)
        if _join_tries_spent(keys):
            form.is_valid()  # so the refusal can sit on the field like any other error
            form.errors.pop("code", None)
            form.add_error(
                "code",
                _("Too many tries. Wait 10 minutes, then try again, or use the link we sent."),
            )
            status = 429
        elif form.is_valid():
            invitation = Invitation.objects.filter(code=form.cleaned_data["code"]).first()
            if invitation is not None:
                return redirect("join_accept", token=invitation.token)
            _record_wrong_try(keys)
            form.add_error(
                "code",
                _(
                    "We could not find that code. Check the text or email from your school, "
                    "or ask the school office for a new invitation."
                ),
            )
    else:
        form = JoinCodeForm()
    return render(request, "people/join_code.html", {"form": form}, status=status)


def _use_reader_language(request, language: str) -> None:
    # The family's language, unless they picked one with the language switch.
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return
    translation.activate(interface_language(language))
    request.LANGUAGE_CODE = translation.get_language()


def accept(request, token):
    invitation = Invitation.objects.select_related("guardian", "school").filter(token=token).first()
    if invitation is None:
        return render(request, "people/join_invalid.html", {"reason": "unknown"}, status=404)
    guardian = invitation.guardian
    _use_reader_language(request, guardian.language)
    reason = None
    if invitation.accepted_at is not None or guardian.has_joined:
        reason = "used"
    elif invitation.expires_at <= timezone.now():
        reason = "expired"
    elif not guardian.is_active:
        reason = "unknown"
    if reason:
        context = {"reason": reason, "invitation": invitation}
        return render(
            request, "people/join_invalid.html", context, status=404 if reason == "unknown" else 410
        )

    if request.method == "POST":
        form = FamilyPreferencesForm(request.POST, guardian=guardian)
        if form.is_valid():
            try:
                user = services.accept_invitation(invitation, **form.cleaned_data)
            except services.InvitationUnusable:
                context = {"reason": "used", "invitation": invitation}
                return render(request, "people/join_invalid.html", context, status=410)
            # Following an invitation link must not open an account that has a password or
            # two-factor set up (a member of staff who is also a parent): they sign in as usual.
            if user.is_active and not user.has_usable_password():
                login(request, user, backend=ALLAUTH_BACKEND)
                messages.success(request, _("Welcome to Homeroom! You are all set."))
                return redirect("home")
            messages.success(
                request, _("You have joined. Sign in as usual to see your family's page.")
            )
            return redirect("account_login")
    else:
        form = FamilyPreferencesForm(guardian=guardian)
    children = [
        link.student.preferred_name or link.student.given_name
        for link in access.records_links_of(guardian)
        .select_related("student")
        .order_by("student__given_name")
    ]
    return render(
        request,
        "people/join_accept.html",
        {"invitation": invitation, "guardian": guardian, "children": children, "form": form},
    )


@login_required
def preferences(request):
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    if request.method == "POST":
        form = FamilyPreferencesForm(request.POST, guardian=guardian)
        if form.is_valid():
            services.update_preferences(guardian, **form.cleaned_data)
            # Show the confirmation, and the page after it, in the language just chosen.
            translation.activate(interface_language(guardian.language))
            messages.success(request, _("Your preferences are saved."))
            return redirect("family_preferences")
    else:
        form = FamilyPreferencesForm(guardian=guardian)
    return render(request, "people/preferences.html", {"form": form, "guardian": guardian})
