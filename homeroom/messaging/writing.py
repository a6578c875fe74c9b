"""Writing a message down: the one writer every path shares (staff, families, announcements,
automatic notices).

`open_conversation` creates a conversation with its participants and first message; `write_message`
writes a message, its translations, one Delivery per recipient and any media, in the caller's
transaction, and starts delivery on commit; `_translate` translates once per reader language
before that transaction (an engine may take a second; the database is not held meanwhile).
"""

import logging
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.utils import timezone

from homeroom.languages import STAFF_LANGUAGE, base_language, reading_language
from homeroom.people.models import (
    Guardian,
    School,
    StaffMember,
)
from homeroom.translation.services import (
    Translation,
    TranslationUnavailable,
    available,
    translate,
)

from . import access as messaging_access
from . import attachments, outbox, routing
from .attachments import IncomingMedia
from .models import (
    Conversation,
    Delivery,
    Message,
    MessageTranslation,
    Participant,
)

logger = logging.getLogger(__name__)

# Rows per INSERT when a message goes to a whole school or district.
BULK_BATCH = 2000
# Provider name of a system text rendered from the reviewed message catalogue.
CATALOGUE = "catalogue"


def open_conversation(
    conversation: Conversation,
    *,
    staff: Sequence[StaffMember],
    guardians: Sequence[Guardian],
    text: str,
    by_staff: StaffMember | None = None,
    by_guardian: Guardian | None = None,
    urgent_reason: str = "",
    channel: str = "app",
    language: str | None = None,
    protect: Iterable[str] = (),
    prepared: Mapping[str, str | Translation] | None = None,
    subject_prepared: Mapping[str, str] | None = None,
    media: Sequence[IncomingMedia] = (),
    quote: str = "",
    quote_prepared: Mapping[str, str] | None = None,
) -> Conversation:
    """Create a conversation, its participants and its first message in one transaction.

    The subject is translated with the first message, for the same readers;
    `subject_prepared` gives a system subject's reviewed versions from the catalogue.
    A `quote` (what the message answers) is translated as `quote_versions` says."""
    source = _source_language(language, by_staff, by_guardian)
    recipients = list(guardians)
    if by_guardian is not None:
        readers = set(
            messaging_access.family_words_readers(by_guardian, conversation.student).values_list(
                "pk", flat=True
            )
        )
        recipients = [g for g in guardians if g.pk in readers]
    readers = [guardian.language for guardian in recipients]
    if staff:
        readers += staff_readers(staff)
    translations, conversation.subject_translations = _translate_with_subject(
        text,
        conversation.subject,
        source,
        readers,
        school=conversation.school,
        district=conversation.district_id,
        protect=list(protect),
        prepared=prepared,
        subject_prepared=subject_prepared,
    )
    quotes = quote_versions(
        quote,
        [*readers, *([by_guardian.language] if by_guardian is not None else [])],
        school=conversation.school,
        district=conversation.district_id,
        protect=list(protect),
        prepared=quote_prepared,
    )
    now = timezone.now()
    with transaction.atomic():
        conversation.created_at = conversation.last_message_at = now
        conversation.save()
        people = [Participant(conversation=conversation, staff=member) for member in staff]
        # By id, without the keyword constructor: a district announcement has 50,000 of
        # them, written and not used again.
        people += [
            outbox.unsaved(
                Participant, conversation_id=conversation.pk, guardian_id=g.pk, joined_at=now
            )
            for g in guardians
        ]
        Participant.objects.bulk_create(people, batch_size=BULK_BATCH)
        write_message(
            conversation,
            text=text,
            language=source,
            by_staff=by_staff,
            by_guardian=by_guardian,
            channel=channel,
            urgent_reason=urgent_reason,
            automatic=False,
            recipients=recipients,
            translations=translations,
            now=now,
            media=media,
            quote=quote,
            quote_translations=quotes,
        )
    return conversation


def write_message(
    conversation: Conversation,
    *,
    text: str,
    language: str,
    by_staff: StaffMember | None,
    by_guardian: Guardian | None,
    channel: str,
    urgent_reason: str,
    automatic: bool,
    recipients: Sequence[Guardian],
    translations: dict[str, Translation | None],
    now=None,
    media: Sequence[IncomingMedia] = (),
    detected_language: str = "",
    quote: str = "",
    quote_translations: Mapping[str, str] | None = None,
    translation_pending: bool = False,
) -> tuple[Message, list[Delivery]]:
    """The message, its translations, its deliveries and any media the family sent with it;
    delivery and fetching start on commit. Every message is written here: staff's, a
    family's in the app, and a family's text or email (`inbound.receive_reply`, with no
    deliveries: a family's words go to the staff in the thread, who read them in Homeroom).
    `detected_language` is set when the text was found to be in another language than the
    author's stated one; `translation_pending` when its translations are made after the
    commit (a family's reply, messaging/inbound/translating.py)."""
    now = now or timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        author_staff=by_staff,
        author_guardian=by_guardian,
        body=text,
        language=language,
        detected_language=detected_language,
        channel=channel,
        is_urgent=bool(urgent_reason.strip()),
        urgent_reason=urgent_reason.strip()[:300],
        is_automatic=automatic,
        quote=quote.strip(),
        quote_translations=dict(quote_translations or {}) if quote.strip() else {},
        translation_pending=translation_pending,
        created_at=now,
    )
    MessageTranslation.objects.bulk_create(
        [
            MessageTranslation(
                message=message,
                language=reader,
                text=translation.text,
                provider=translation.provider[:30],
                machine=translation.machine,
                human_checked=translation.human_checked,
            )
            for reader, translation in sorted(translations.items())
            if translation is not None
        ]
    )
    deliveries = []
    if recipients:
        deliveries = _plan_deliveries(message, recipients, translations, now)
    if media:
        attachments.record(message, list(media))
    # Conditional, so a slower concurrent write never moves the thread back in time.
    Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=now).update(
        last_message_at=now
    )
    conversation.last_message_at = max(conversation.last_message_at, now)
    author = {"staff": by_staff} if by_staff is not None else {"guardian": by_guardian}
    Participant.objects.filter(conversation=conversation, **author).update(last_read_at=now)
    if message.is_urgent:
        logger.info(
            "urgent message %s in conversation %s: quiet hours do not apply",
            message.pk,
            conversation.pk,
        )
    if deliveries:
        transaction.on_commit(lambda: outbox.enqueue_planned(deliveries))
    return message, deliveries


def _plan_deliveries(message, recipients, translations, now) -> list[Delivery]:
    """One delivery per recipient on the channel that reaches them, saved in batches."""
    conversation = message.conversation
    source = _base(message.language)
    school_time_zone = conversation.time_zone
    deferred_tasks = outbox.supports_deferred_tasks()
    deliveries = []
    bases: dict[str, str] = {}  # a few languages for thousands of families
    for guardian in recipients:
        reader = bases.get(guardian.language)
        if reader is None:
            reader = bases[guardian.language] = _base(guardian.language)
        channel_name = routing.choose_channel(guardian, sms_opted_out=guardian.sms_opted_out)
        deliveries.append(
            outbox.plan_delivery(
                message,
                guardian,
                channel=channel_name or "app",
                depth=0,
                untranslated=reader != source and translations.get(reader) is None,
                school_time_zone=school_time_zone,
                now=now,
                deferred_tasks=deferred_tasks,
            )
        )
    Delivery.objects.bulk_create(deliveries, batch_size=BULK_BATCH)
    return deliveries


def _translate(
    text: str,
    source: str,
    reader_languages: Iterable[str],
    *,
    school: School | None,
    district: int | None = None,
    protect: Sequence[str],
    prepared: Mapping[str, str | Translation] | None = None,
) -> dict[str, Translation | None]:
    """One translation per reader language other than the source; None where none is served.

    Each language is its own call, so one engine being down costs only its own readers.
    A `prepared` version (a system text rendered from the reviewed catalogue) wins over
    the machine for its language.
    """
    if not text.strip():
        return {}  # a photo with no words: nothing to translate
    return _translate_with_subject(
        text,
        "",
        source,
        reader_languages,
        school=school,
        district=district,
        protect=protect,
        prepared=prepared,
    )[0]


def _translate_with_subject(
    text: str,
    subject: str,
    source: str,
    reader_languages: Iterable[str],
    *,
    school: School | None,
    district: int | None = None,
    protect: Sequence[str],
    prepared: Mapping[str, str | Translation] | None = None,
    subject_prepared: Mapping[str, str] | None = None,
) -> tuple[dict[str, Translation | None], dict[str, str]]:
    """The text's translations as `_translate` makes them, and the subject's in the same
    engine call per language: {base language: subject}. A language whose subject could not
    be translated is left out (readers see the subject as written)."""
    out: dict[str, Translation | None] = {}
    subjects: dict[str, str] = {}
    prepared = {_base(tag): version for tag, version in (prepared or {}).items()}
    subject_prepared = {_base(tag): words for tag, words in (subject_prepared or {}).items()}
    subject = subject.strip()
    targets = sorted({_base(tag) for tag in reader_languages} - {_base(source)})
    for target in targets:
        wanted = []
        if target in prepared:
            out[target] = _prepared(prepared[target], source, target)
        elif text.strip():
            wanted.append(text)
        if subject and subject_prepared.get(target):
            subjects[target] = subject_prepared[target]
        elif subject:
            wanted.append(subject)
        if not wanted:
            continue
        done = None
        if available(source, target, school=school, district=district):
            try:
                done = translate(
                    wanted, source, target, school=school, district=district, protect=protect
                )
            except TranslationUnavailable:
                done = None
        if target not in out and text.strip():
            out[target] = done[0] if done else None
        if subject and target not in subjects and done:
            subjects[target] = done[-1].text
    return out, subjects


def quote_versions(
    quote: str,
    reader_languages: Iterable[str],
    *,
    school: School | None,
    district: int | None = None,
    protect: Sequence[str],
    prepared: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What a message answers, in each reader language: {base language: text}. A quote is
    the school's words (a moment as staff recorded it), so it is translated from the staff
    language, whoever writes the message; the author reads it too. A language no engine
    serves is left out (its readers see the quote as written)."""
    if not quote.strip():
        return {}
    done = _translate(
        quote.strip(),
        STAFF_LANGUAGE,
        reader_languages,
        school=school,
        district=district,
        protect=protect,
        prepared=prepared,
    )
    return {language: version.text for language, version in done.items() if version is not None}


def _prepared(version: str | Translation, source: str, target: str) -> Translation:
    if isinstance(version, Translation):
        return version
    return Translation(
        text=version,
        source=source,
        target=target,
        provider=CATALOGUE,
        human_checked=True,
        machine=False,
    )


def staff_readers(staff: Iterable[StaffMember]) -> list[str]:
    """The languages staff read a thread in: the district's records language (English), and
    each member's own reading language."""
    return sorted({STAFF_LANGUAGE} | {reading_language(member) for member in staff})


def _source_language(
    language: str | None, by_staff: StaffMember | None, by_guardian: Guardian | None
) -> str:
    if language:
        return language
    if by_guardian is not None:
        return by_guardian.language or STAFF_LANGUAGE
    return STAFF_LANGUAGE


def _base(tag: str | None) -> str:
    return base_language(tag) or base_language(STAFF_LANGUAGE)
