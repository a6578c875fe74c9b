"""Conversation screens: the inboxes, one conversation, a new conversation, an announcement.

Each view parses the request, asks messaging/access.py (and people/access.py) for what the
reader may see, calls one service, and renders. Staff read in English with the family's
original one tap away; families read everything in their own language, machine translation
marked, the original one tap away.
"""

from .announce import announce
from .compose import compose
from .conversation import conversation_detail
from .inbox import inbox

__all__ = ["announce", "compose", "conversation_detail", "inbox"]
