"""How a reader sees messages: each in their language with the original to hand, and the
photos and files that came with them. The conversation page and the family home use it."""

from collections import defaultdict

from django.db.models import Prefetch

from homeroom.languages import STAFF_LANGUAGE, base_language

from .models import Attachment, MessageTranslation


def translations_prefetch(reader: str, as_family: bool) -> Prefetch:
    # Families need only their own language; staff also see every copy that went out.
    translations = MessageTranslation.objects.order_by("language")
    if as_family:
        translations = translations.filter(language=reader)
    return Prefetch("translations", queryset=translations, to_attr="all_translations")


def attach_media(messages) -> None:
    """Photos and files families sent, read in one query and only when a message has any."""
    with_media = [message for message in messages if message.has_media]
    by_message = defaultdict(list)
    if with_media:
        for item in Attachment.objects.filter(message__in=with_media).order_by("pk"):
            by_message[item.message_id].append(item)
    for message in messages:
        message.media = by_message.get(message.pk, [])


def present(message, viewer, reader: str, *, as_family: bool, read_marker=None) -> None:
    """How the reader sees one message: in their language, with the original to hand.

    `read_marker` is the reader's last visit before this one (None: never, or not theirs
    to mark): messages for them that came in since are flagged new.
    """
    author = message.author_staff or message.author_guardian
    message.author_name = author.full_name if author else ""
    message.from_school = message.author_staff_id is not None
    if as_family:
        message.mine = message.author_guardian_id == viewer.guardian.pk
        for_me = not message.mine
    else:
        message.mine = bool(viewer.staff) and message.author_staff_id == viewer.staff.pk
        for_me = message.from_family
    message.is_new = for_me and read_marker is not None and message.created_at > read_marker
    # What it answers (a moment, in the school's words), as this reader reads it.
    message.shown_quote = message.quote_in(base_language(reader)) if message.quote else ""
    source = message.detected_language or message.language
    message.source_language = source
    message.copies = [t for t in message.all_translations if t.language != base_language(source)]
    message.shown_text = message.body
    message.shown_language = source
    message.marker = ""
    if message.mine or base_language(source) == reader or not message.body.strip():
        return
    translation = next((t for t in message.all_translations if t.language == reader), None)
    if translation is None and not as_family and base_language(source) != STAFF_LANGUAGE:
        # Written before this reader chose their language: the staff language's copy.
        translation = next(
            (t for t in message.all_translations if t.language == STAFF_LANGUAGE), None
        )
    if translation is None:
        # A family's reply is translated just after it is stored: say so, show the original.
        pending = message.translation_pending and not as_family
        message.marker = "translating" if pending else "untranslated"
        return
    message.shown_text = translation.text
    message.shown_language = translation.language
    machine = translation.machine and not translation.human_checked
    message.marker = "machine" if machine else "translated"
