from django.conf import settings

from homeroom.people.access import viewer_for


def family_sessions_last_longer(sender, request, user, **kwargs):
    """A family member signs in on their own phone: keep them signed in longer than staff
    (SESSION_COOKIE_AGE), who share school computers. Someone who is both counts as staff."""
    viewer = viewer_for(user)
    if viewer.is_guardian and not viewer.is_staff_member and hasattr(request, "session"):
        request.session.set_expiry(settings.FAMILY_SESSION_SECONDS)
