import re

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe

from homeroom.languages import language_name as _language_name
from homeroom.translation.services import language_support

register = template.Library()

# Embedding, override and isolate controls: typed into a name or a message they would reorder
# what is shown after them (U+202A–U+202E, U+2066–U+2069).
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])

# A web address in escaped text: it ends at a space or at an escaped quote or angle bracket.
ESCAPED_URL = re.compile(r"\bhttps?://(?:(?!&quot;|&#x27;|&lt;|&gt;)\S)+", re.IGNORECASE)


# Stands for the id while a row URL is reversed once (`row_url`); no real id is this big.
ROW_ID = 987_654_321_012


@register.simple_tag(takes_context=True)
def row_url(context, name, pk):
    """`{% url name pk %}` for each row of a long list: the URL is reversed once per page
    rendered, and each row puts its own id in."""
    urls = context.render_context.dicts[0].setdefault("row_urls", {})
    if name not in urls:
        urls[name] = reverse(name, args=[ROW_ID]).split(str(ROW_ID))
    head, tail = urls[name]
    return f"{head}{int(pk)}{tail}"


@register.filter
def language_name(code):
    return _language_name(code)


@register.filter(needs_autoescape=True)
def isolate(value, autoescape=True):
    """A person's name or words inside <bdi>: whatever direction they are written in, they
    cannot reorder the text around them."""
    if value is None or value == "":
        return ""
    text = conditional_escape(value) if autoescape else mark_safe(value)  # noqa: S308
    return format_html("<bdi>{}</bdi>", text)


@register.filter(needs_autoescape=True)
def isolate_links(value, autoescape=True):
    """A text with each web address inside <bdi dir="ltr">: in a right-to-left paragraph an
    address keeps its own order, where "…/visits/2/" would otherwise show its last slash
    first."""
    text = str(conditional_escape(value) if autoescape else value)
    return mark_safe(ESCAPED_URL.sub(r'<bdi dir="ltr">\g<0></bdi>', text))  # noqa: S308


@register.filter(is_safe=True)
def unbidi(value):
    """The text without bidi controls, where no element can isolate it: attributes (a label
    read aloud, a tooltip), the page title, options and text boxes."""
    if value is None:
        return ""
    stripped = str(value).translate(BIDI_CONTROLS)
    return mark_safe(stripped) if isinstance(value, SafeData) else stripped  # noqa: S308


@register.filter
def arrival(guardian):
    """How messages reach this family in its language, in a few truthful words ("Messages
    arrive translated", "Through an interpreter", "In English for now"); "" for English.
    A long list says it once per language first (`tell_arrivals`)."""
    told = getattr(guardian, "told_arrival", None)
    if told is not None:
        return told
    return language_support(guardian.language, district=guardian.district_id).family_label


def tell_arrivals(guardians) -> None:
    """Work out `arrival` once per language and district for a list of guardians, not once
    per guardian: a roster of sixty families reads seven languages."""
    said: dict[tuple, str] = {}
    for guardian in guardians:
        key = (guardian.language, guardian.district_id)
        if key not in said:
            said[key] = language_support(guardian.language, district=guardian.district_id)
            said[key] = said[key].family_label
        guardian.told_arrival = said[key]


@register.simple_tag
def arrival_of(language, district):
    """`arrival` for a language and a district (an id), where no guardian is at hand."""
    return language_support(language, district=district).family_label


@register.simple_tag
def language_field(bound_field, district):
    """The language select with each choice saying how messages in it arrive, so a family
    still names its own language when no engine serves it yet."""
    choices = []
    for code, label in bound_field.field.choices:
        said = language_support(code, district=district).family_label
        choices.append((code, f"{label} · {said}" if said else label))
    bound_field.field.choices = choices
    return bound_field.as_field_group()
