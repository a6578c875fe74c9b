"""Suite-wide set-up: tests reach no network beyond loopback, and outgoing texts stay in memory."""

import pytest


@pytest.fixture(autouse=True)
def _homeroom_test_settings(settings, tmp_path):
    settings.OUTBOUND_BACKEND = "memory"
    settings.OUTBOUND_FILE = tmp_path / "outbound.jsonl"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from homeroom.transports import outbound

    outbound.outbox.clear()
    yield
    outbound.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_language_and_time_zone():
    """Requests activate the reader's language and zone on this thread; start each test clean."""
    from django.utils import timezone, translation

    translation.activate("en")
    timezone.deactivate()
    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Tests share one process-wide cache; nothing a test leaves there (a TOTP code marked used,
    a rate-limit counter, a district's translation routes) may decide the next test."""
    from django.core.cache import cache

    from homeroom.translation.services import forget_district_routes

    cache.clear()
    forget_district_routes()
    yield
    cache.clear()
    forget_district_routes()


pytest_plugins = [
    "homeroom.testing.personas",
    "homeroom.testing.network",
    "homeroom.testing.servers",  # the local SMTP and SMS-provider servers, as fixtures
]
