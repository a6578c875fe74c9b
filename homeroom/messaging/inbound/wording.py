"""Texts Homeroom itself writes to a family, in the family's language.

The message catalogue comes first. A language the catalogue does not cover yet is served by
the translation app from the English wording, so a family is never answered only in a
language it did not choose; when no engine serves the pair either, English is sent.

Callers mark their wording with gettext_noop where it is defined (so it is extracted into
the catalogue) and pass it here with its values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.utils import translation
from django.utils.translation import gettext

from homeroom.languages import same_language
from homeroom.people.models import School
from homeroom.translation.services import TranslationUnavailable, translate

logger = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"


class FamilyText(NamedTuple):
    text: str
    language: str  # what `text` is in: the family's language, or English when none served


def text_for_family(
    language: str,
    msgid: str,
    values: Callable[[], dict[str, str]] | None = None,
    *,
    school: School | None = None,
    protect: Iterable[str] = (),
) -> FamilyText:
    """`msgid` in `language`, filled with `values()`.

    `values` is called with the language active, so dates and times come out in its format.
    `protect` lists words that must reach the family as written: names, and SMS keywords
    such as STOP that carriers match literally.
    """

    def render() -> str:
        text = gettext(msgid)
        return text % values() if values is not None else text

    with translation.override(language):
        in_catalogue = gettext(msgid) != msgid
        if in_catalogue or same_language(language, SOURCE_LANGUAGE):
            return FamilyText(render(), language)
    with translation.override(SOURCE_LANGUAGE):
        english = render()
    try:
        (result,) = translate(
            [english], SOURCE_LANGUAGE, language, school=school, protect=list(protect)
        )
    except TranslationUnavailable as exc:
        logger.warning("automatic text sent in English: %s", exc.reason)
        return FamilyText(english, SOURCE_LANGUAGE)
    return FamilyText(result.text, language)
