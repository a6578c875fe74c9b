from functools import partial

from django.utils import translation

from homeroom.people.access import viewer_for


def navigation(request):
    viewer = viewer_for(getattr(request, "user", None))
    # The page's language and direction are the interface's: an Arabic reader's page is
    # right-to-left once it is in Arabic, never English text laid out right-to-left. Texts in
    # another language (a family's message) carry their own lang and dir="auto".
    return {
        "viewer": viewer,
        "text_direction": "rtl" if translation.get_language_bidi() else "ltr",
        "unread_messages": _unread_messages(request, viewer),
    }


def _unread_messages(request, viewer):
    """How many messages wait for the reader: one query, run only by a template that shows
    it (templates call a callable when they read it; partial pages never do)."""
    from homeroom.messaging.access import unread_count_for_family
    from homeroom.messaging.inbound.notify import unread_counts_for_staff

    if viewer.staff:
        return partial(unread_counts_for_staff, viewer.staff)
    if viewer.guardian:
        return partial(unread_count_for_family, request.user)
    return 0
