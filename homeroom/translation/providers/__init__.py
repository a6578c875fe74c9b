"""Translation providers, built from settings by name."""

from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from .apertium import ApertiumProvider
from .base import PermanentError, Provider, TransientError
from .libretranslate import LibreTranslateProvider

__all__ = ["NAMES", "PermanentError", "Provider", "TransientError", "get_provider"]

# The providers Homeroom ships, by the name routes use.
NAMES = ("apertium", "libretranslate")


def get_provider(name: str) -> Provider | None:
    """The provider called `name` as settings configure it, or None when it is unknown.

    A dotted path names a Provider class of a deployment's own (built with no arguments).
    """
    if name == "apertium":
        return ApertiumProvider(
            command=settings.APERTIUM_COMMAND,
            timeout=settings.APERTIUM_TIMEOUT,
            dictionaries=Path(settings.APERTIUM_DICTIONARIES_DIR)
            if settings.APERTIUM_DICTIONARIES_DIR
            else None,
        )
    if name == "libretranslate":
        return LibreTranslateProvider(
            url=settings.LIBRETRANSLATE_URL,
            api_key=settings.LIBRETRANSLATE_API_KEY,
            timeout=settings.LIBRETRANSLATE_TIMEOUT,
        )
    if "." in name:
        try:
            provider_class = import_string(name)
        except ImportError:
            return None
        return provider_class()
    return None
