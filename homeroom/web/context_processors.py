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
    }
