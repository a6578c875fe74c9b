"""A draft as each family will read it, before it is sent: who receives it on which channel
and in which language, how many families read each language, and each language's copy."""

from dataclasses import dataclass

from django.db.models import Q

from homeroom.languages import STAFF_LANGUAGE, base_language, language_name
from homeroom.people import households
from homeroom.people.households import FamilyCount
from homeroom.people.models import Channel
from homeroom.translation.services import (
    TRANSLATED,
    LanguageSupport,
    Translation,
    TranslationUnavailable,
    language_support,
    translate,
)
from homeroom.translation.sms import SmsLength, sms_segments

from . import access, audiences, routing


@dataclass
class RecipientPlan:
    guardian: object
    link: object
    language: str
    channel: str  # the channel the message will go out on
    sms_off: bool

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    @property
    def preferred_label(self) -> str:
        return Channel(self.guardian.channel).label

    @property
    def channel_changed(self) -> bool:
        return self.channel != self.guardian.channel


def recipient_plan(link) -> RecipientPlan:
    guardian = link.guardian
    channel = routing.choose_channel(guardian, sms_opted_out=link.sms_off) or Channel.APP
    return RecipientPlan(
        guardian=guardian,
        link=link,
        language=base_language(guardian.language) or STAFF_LANGUAGE,
        channel=channel,
        sms_off=link.sms_off,
    )


@dataclass
class LanguageGroup:
    language: str
    families: int = 0
    by_sms: int = 0
    available: bool = True
    support: LanguageSupport | None = None

    @property
    def route_label(self) -> str:
        """The route the language takes: "Apertium + memory", "an interpreter first"."""
        return self.support.route_label if self.support and not self.is_source else ""

    @property
    def through_interpreter(self) -> bool:
        return bool(self.support) and self.support.support == "interpreter"

    @property
    def name(self) -> str:
        return language_name(self.language)

    @property
    def is_source(self) -> bool:
        return self.language == STAFF_LANGUAGE


SMS = "sms"  # the mark, in a family count, of the readers a text message goes to
REACHED_BY_SMS = Q(guardian__channel=Channel.SMS) & ~Q(guardian__phone="")


def language_groups(count: FamilyCount, *, school=None, district=None) -> list["LanguageGroup"]:
    """One group per language of `count` (people.households: families, not guardians), with
    the readers a text message goes to; each language's route is the district's (of
    `school`, or `district`) or the deployment's."""
    groups = [
        LanguageGroup(language, families=tally.families, by_sms=count.mark(SMS, language).readers)
        for language, tally in count.languages.items()
    ]
    for group in groups:
        group.support = language_support(group.language, school=school, district=district)
        group.available = group.support.support == TRANSLATED
    return sorted(groups, key=lambda g: (not g.is_source, -g.families, g.language))


def recipients_count(recipients: list[RecipientPlan]) -> FamilyCount:
    """The families of recipients already loaded (a private message's), counted as
    everywhere else."""
    return households.tally(
        (
            (
                r.guardian.pk,
                r.link.student_id,
                r.link.household,
                r.link.lives_with,
                r.language,
                r.channel == Channel.SMS,
            )
            for r in recipients
        ),
        (SMS,),
    )


@dataclass
class Copy:
    """The draft as one language's families will read it."""

    group: LanguageGroup
    text: str
    machine: bool = False
    untranslated: bool = False
    sms: SmsLength | None = None
    source_segments: int = 0

    @property
    def longer_by_sms(self) -> bool:
        return bool(self.sms) and self.sms.segments > self.source_segments


def preview_translations(
    wanted: dict[str, list[str]], school, protect, *, district=None
) -> dict[tuple[str, str], Translation | None]:
    """Staff texts as each language's families will read them, for a preview: `wanted` maps a
    language to the texts it needs, the answer maps (language, text) to the translation, or
    None where no engine serves the language (the family would get the original with a
    note). Every preview of a draft — a message, an announcement, a week's sentences — reads
    its copies here, one engine call per language."""
    rendered: dict[tuple[str, str], Translation | None] = {}
    for language, texts in wanted.items():
        try:
            done = translate(
                texts, STAFF_LANGUAGE, language, school=school, district=district, protect=protect
            )
        except TranslationUnavailable:
            done = [None] * len(texts)
        for text, translation in zip(texts, done, strict=True):
            rendered[(language, text)] = translation
    return rendered


def copies_of(text: str, groups, school, protect, *, district=None) -> list[Copy]:
    source_segments = sms_segments(text).segments
    wanted = {g.language: [text] for g in groups if not g.is_source and g.available}
    rendered = preview_translations(wanted, school, protect, district=district)
    copies = []
    for group in groups:
        copy = Copy(group=group, text=text, source_segments=source_segments)
        if not group.is_source:
            translated = rendered.get((group.language, text))
            if translated is None:
                copy.untranslated = True
            else:
                copy.text = translated.text
                copy.machine = translated.machine and not translated.human_checked
        if group.by_sms:
            copy.sms = sms_segments(copy.text)
        copies.append(copy)
    return copies


def suggested_untranslated(untranslatable) -> str:
    """What the sender is offered first for languages no engine serves: an interpreter when
    the district sends every one of them through an interpreter, else the English with a
    note."""
    if untranslatable and all(group.through_interpreter for group in untranslatable):
        return "interpreter"
    return "english"


def audience_count(choice: audiences.AudienceChoice) -> FamilyCount:
    """How many families the audience reaches, and per language, in one query."""
    return households.count_families(
        audiences.recipient_links(choice.scope), marks={SMS: REACHED_BY_SMS}
    )


def conversation_count(conversation, guardian_ids: list[int]) -> FamilyCount:
    """The families of a conversation, in one query (see `access.family_links_in`)."""
    return households.count_families(access.family_links_in(conversation, guardian_ids))
