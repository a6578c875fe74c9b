"""Homeroom's own words in other languages: which interface languages ship, how complete each
catalogue must be, and which source files hold the words families read.

A ground module: it imports no app. The completeness test (`homeroom/tests/test_catalogues.py`)
regenerates every shipped catalogue from the sources and holds it to the rule below; `make
messages` refreshes them all, `make messages-xx` one.
"""

from fnmatch import fnmatch

from django.conf import settings

# Languages whose catalogue must translate every string, staff screens included. The others
# must translate every family-facing string (below); a staff screen may still show English.
COMPLETE = frozenset({"es", "ar"})

# Source files whose strings families read: their pages (home, messages, the child's moments,
# "tell me about your child", home visits, sign-in, joining, preferences), the texts and emails
# sent to them, the system texts written to them through conversations, and the form and
# validation messages those pages show. A .po entry is family-facing when one of its `#:`
# references is in one of these files. Paths are relative to the project root, as shell
# patterns (`*` matches any run of characters, slashes included).
FAMILY_FACING = (
    # Shared: language names, the field validators every form uses, the page layout.
    "homeroom/languages.py",
    "homeroom/forms.py",
    "homeroom/web/templates/web/base.html",
    "homeroom/web/templates/allauth/layouts/base.html",
    "homeroom/web/templates/web/family_*.html",
    "homeroom/web/templates/web/stream/*",
    "homeroom/web/templates/web/no_role.html",
    # Signing in, joining, preferences, and what a family is sent to do so.
    "homeroom/people/templates/account/*",
    "homeroom/people/templates/people/join_*.html",
    "homeroom/people/templates/people/preferences.html",
    "homeroom/people/templates/people/email/*",
    "homeroom/people/templates/people/sms/*",
    "homeroom/people/adapter.py",
    "homeroom/people/forms.py",
    "homeroom/people/models.py",
    "homeroom/people/views/invitations.py",
    # Conversations: the family's inbox, thread and compose pages, every text and email, the
    # automatic away reply, and flagging a confusing translation.
    "homeroom/messaging/templates/messaging/inbox_family.html",
    "homeroom/messaging/templates/messaging/conversation_family.html",
    "homeroom/messaging/templates/messaging/compose_family.html",
    "homeroom/messaging/templates/messaging/compose_pick_child.html",
    "homeroom/messaging/templates/messaging/partials/message.html",
    "homeroom/messaging/templates/messaging/partials/attachment.html",
    "homeroom/messaging/templates/messaging/partials/channel.html",
    "homeroom/messaging/templates/messaging/partials/reply_form.html",
    "homeroom/messaging/templates/messaging/partials/reply_posted.html",
    "homeroom/messaging/templates/messaging/partials/pagination.html",
    "homeroom/messaging/templates/messaging/partials/unread_badge.html",
    "homeroom/messaging/templates/messaging/email/*",
    "homeroom/messaging/templates/messaging/sms/*",
    "homeroom/messaging/inbound/sms.py",
    "homeroom/messaging/inbound/service.py",
    "homeroom/messaging/interpreter_forms.py",
    "homeroom/messaging/interpreter_views.py",
    "homeroom/messaging/channels/*.py",
    "homeroom/messaging/forms.py",
    "homeroom/messaging/limits.py",
    "homeroom/messaging/views/common.py",
    "homeroom/messaging/views/compose.py",
    "homeroom/messaging/views/conversation.py",
    "homeroom/messaging/views/inbox.py",
    # The child's moments, answering them, and the notices and digests families are sent.
    "homeroom/behavior/templates/behavior/child_feed.html",
    "homeroom/behavior/templates/behavior/partials/responses.html",
    "homeroom/behavior/templates/behavior/partials/pagination.html",
    "homeroom/behavior/forms.py",
    "homeroom/behavior/models.py",
    "homeroom/behavior/notices.py",
    "homeroom/behavior/recording.py",
    "homeroom/behavior/views.py",
    # "Tell me about your child" and home visits: the family's pages and the invitations.
    "homeroom/routines/templates/routines/story.html",
    "homeroom/routines/templates/routines/visit_family.html",
    "homeroom/routines/forms.py",
    "homeroom/routines/models.py",
    "homeroom/routines/stories.py",
    "homeroom/routines/visits.py",
    "homeroom/routines/views/stories.py",
    "homeroom/routines/views/visits.py",
)


def shipped() -> list[str]:
    """The interface languages with a catalogue: every one in LANGUAGES but the source."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def is_family_facing(path: str) -> bool:
    path = path.replace("\\", "/")
    return any(fnmatch(path, pattern) for pattern in FAMILY_FACING)
