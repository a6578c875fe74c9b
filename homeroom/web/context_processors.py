from functools import partial

from django.utils import translation

from homeroom.people.access import viewer_for

RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv"}


def navigation(request):
    viewer = viewer_for(getattr(request, "user", None))
    # Direction follows the reader's language even before the interface is translated into it.
    reader_language = viewer.guardian.language.split("-")[0] if viewer.guardian else ""
    rtl = reader_language in RTL_LANGUAGES or translation.get_language_bidi()
    return {
        "viewer": viewer,
        "text_direction": "rtl" if rtl else "ltr",
        "reader_language": reader_language,
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
