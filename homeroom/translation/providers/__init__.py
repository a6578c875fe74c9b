"""Translation providers, built from settings by name."""

from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from .amazon import AmazonTranslateProvider
from .apertium import ApertiumProvider
from .azure import AzureTranslatorProvider
from .base import PermanentError, Provider, TransientError
from .deepl import DeepLProvider
from .google import GoogleTranslateProvider
from .libretranslate import LibreTranslateProvider

__all__ = ["NAMES", "PermanentError", "Provider", "TransientError", "get_provider"]

# The providers Homeroom ships, by the name routes use.
NAMES = ("apertium", "libretranslate", "google", "azure", "amazon", "deepl")


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
    if name == "google":
        return GoogleTranslateProvider(
            project=settings.GOOGLE_TRANSLATE_PROJECT,
            token=settings.GOOGLE_TRANSLATE_TOKEN,
            token_file=settings.GOOGLE_TRANSLATE_TOKEN_FILE,
            location=settings.GOOGLE_TRANSLATE_LOCATION,
            glossaries=settings.GOOGLE_TRANSLATE_GLOSSARIES,
            url=settings.GOOGLE_TRANSLATE_URL,
            timeout=settings.CLOUD_TRANSLATION_TIMEOUT,
        )
    if name == "azure":
        return AzureTranslatorProvider(
            key=settings.AZURE_TRANSLATOR_KEY,
            region=settings.AZURE_TRANSLATOR_REGION,
            endpoint=settings.AZURE_TRANSLATOR_ENDPOINT,
            timeout=settings.CLOUD_TRANSLATION_TIMEOUT,
        )
    if name == "amazon":
        return AmazonTranslateProvider(
            access_key=settings.AWS_ACCESS_KEY_ID,
            secret_key=settings.AWS_SECRET_ACCESS_KEY,
            region=settings.AWS_REGION,
            session_token=settings.AWS_SESSION_TOKEN,
            terminologies=settings.AWS_TRANSLATE_TERMINOLOGIES,
            url=settings.AWS_TRANSLATE_URL,
            timeout=settings.CLOUD_TRANSLATION_TIMEOUT,
        )
    if name == "deepl":
        return DeepLProvider(
            api_key=settings.DEEPL_API_KEY,
            glossaries=settings.DEEPL_GLOSSARIES,
            url=settings.DEEPL_URL,
            timeout=settings.CLOUD_TRANSLATION_TIMEOUT,
        )
    if "." in name:
        try:
            provider_class = import_string(name)
        except ImportError:
            return None
        return provider_class()
    return None
