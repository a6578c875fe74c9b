"""What the conversation screens' tests share: the page helpers, the translation engine
they run with, and a busy thread for the query-count tests."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from homeroom.messaging.models import (
    Delivery,
    Message,
    MessageTranslation,
    Participant,
)
from homeroom.testing.personas import link, make_guardian

from .builders import thread

COUNTING = "homeroom.testing.fakes.CountingProvider"
HX = {"HTTP_HX_REQUEST": "true"}
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def _translation(settings):
    """A fake engine for English, Spanish and Vietnamese ("text (es)"); nothing for the rest
    (no translation server is reachable), so Somali and Arabic readers get the original."""
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": [COUNTING],
        "es:en": [COUNTING],
        "en:vi": [COUNTING],
        "vi:en": [COUNTING],
        "*": ["libretranslate"],
    }


def url(name, *args):
    return reverse(name, args=args)


def html(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    """The page as a reader sees it: tags dropped, spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def nav_badge(response) -> str | None:
    nav = re.search(r"<nav aria-label=\"[^\"]+\">(.*?)</nav>", html(response), re.S).group(1)
    found = re.search(r'class="count-badge"><span aria-hidden="true">(\d+)</span>', nav)
    return found.group(1) if found else None


def rows(response):
    return list(response.context["page"].object_list)


# ---- query counts --------------------------------------------------------------------------------


def _final(message, guardian, channel, status, *, error="", fallback_from=None, **times):
    return Delivery.objects.create(
        message=message,
        guardian=guardian,
        channel=channel,
        status=status,
        last_error=error,
        fallback_from=fallback_from,
        idempotency_key=f"{message.pk}-{guardian.pk}-{channel}",
        **times,
    )


def _busy_thread(world, student, staff, families, messages, *, family_languages=("es", "vi")):
    """A conversation with `families` more guardians and `messages` more messages, each staff
    message delivered (some after a failed text) and translated, each family one unread."""
    conversation = thread(world, student, staff, [world.rosa])
    guardians = [world.rosa]
    for i in range(families):
        guardian = make_guardian(
            world.district, f"Kin{i:03d}", f"Family{conversation.pk}", "es", joined=False
        )
        link(guardian, student)
        Participant.objects.create(conversation=conversation, guardian=guardian)
        guardians.append(guardian)
    for i in range(messages):
        if i % 2:
            message = Message.objects.create(
                conversation=conversation, author_guardian=world.rosa, body=f"r{i}", language="es"
            )
            MessageTranslation.objects.create(
                message=message, language="en", text=f"r{i} (en)", provider="x"
            )
            continue
        message = Message.objects.create(
            conversation=conversation, author_staff=staff, body=f"m{i}", language="en"
        )
        for language in family_languages:
            MessageTranslation.objects.create(
                message=message, language=language, text=f"m{i} ({language})", provider="x"
            )
        for guardian in guardians:
            failed = _final(message, guardian, "sms", "failed", error="Not a mobile phone.")
            _final(message, guardian, "email", "sent", fallback_from=failed)
    return conversation


# Pinned: a change means a page started to query per row (or stopped needing a query).
# Every page: session, user, staff member, guardian, then assignments (staff) or the reader's
# time zone (a guardian: their first child's school); and the unread count in the menu.
# Inbox: + how many, the page (last message, translation and unread in the same query),
# who is in each (staff), or the children each is about (guardianships, classes).
STAFF_INBOX_QUERIES = 9
FAMILY_INBOX_QUERIES = 11
# Conversation: + the conversation, marking it read (a family: its app deliveries too), the
# messages, their translations, who is in it; staff: delivery counts, the recipients listed,
# their deliveries; a family: the children it is about (guardianships, classes). Staff: the
# district's translation routes, for how each family's messages arrive, and the family's
# links, to count its households for the no-translation warning (whatever the languages).
STAFF_CONVERSATION_QUERIES = 16
FAMILY_CONVERSATION_QUERIES = 14
