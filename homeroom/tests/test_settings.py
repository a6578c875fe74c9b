"""Settings come from the environment and are parsed strictly."""

import subprocess
import sys

import pytest

from homeroom.testing.settings_import import PRODUCTION as DEPLOYED
from homeroom.testing.settings_import import ROOT, STRONG_SECRET, import_settings

PRODUCTION = {**DEPLOYED, "PUBLIC_BASE_URL": "https://homeroom.example"}


def load_settings(**environ):
    """Import the settings module in a fresh interpreter with only the given environment."""
    return import_settings("print(s.DEBUG, s.DATABASES['default']['ENGINE'])", **environ)


def test_embedded_default_is_sqlite_in_development():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_a_typo_in_a_boolean_is_an_error_not_false():
    result = load_settings(DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


@pytest.mark.parametrize("value, expected", [("true", "True"), ("0", "False"), ("Off", "False")])
def test_booleans_accept_the_usual_spellings(value, expected):
    result = load_settings(DEBUG=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == expected


def test_production_refuses_the_development_secret():
    result = load_settings(HOMEROOM_ENV="production", ALLOWED_HOSTS="homeroom.example")
    assert result.returncode != 0
    assert "Production needs SECRET_KEY" in result.stderr


def test_production_starts_with_real_secrets_and_postgres(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(STRONG_SECRET + "\n")
    result = load_settings(
        HOMEROOM_ENV="production",
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="homeroom.example",
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/homeroom",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


def settings_values(*names, **environ):
    """The named settings, one a line, from a fresh interpreter with only the given environment."""
    result = import_settings("".join(f"print(repr(s.{n}))\n" for n in names), **environ)
    assert result.returncode == 0, result.stderr
    return [eval(line) for line in result.stdout.splitlines()]  # reprs of plain values


@pytest.mark.parametrize(
    "secret",
    [
        "x" * 40,  # forty copies of one letter
        "abcd" * 20,  # long, but four distinct characters
        "django-insecure-" + STRONG_SECRET,  # startproject's development key
        STRONG_SECRET[:49],  # one short of fifty
    ],
)
def test_production_refuses_a_weak_secret(secret):
    result = load_settings(**{**PRODUCTION, "SECRET_KEY": secret})
    assert result.returncode != 0
    assert "Production needs SECRET_KEY" in result.stderr


def test_production_passes_djangos_deployment_checks():
    env = {"PATH": "/usr/bin:/bin", **PRODUCTION}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_redirects_to_https_and_sends_hsts():
    assert settings_values(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        **PRODUCTION,
    ) == [True, 31536000, True, ("HTTP_X_FORWARDED_PROTO", "https"), True]


def test_https_settings_come_from_the_environment():
    assert settings_values(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="false",
        SECURE_PROXY_SSL_HEADER="X-Scheme: https",
    ) == [False, 600, False, ("HTTP_X_SCHEME", "https")]
    assert settings_values("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS") == [False, 0]


def test_a_malformed_proxy_ssl_header_is_an_error():
    result = load_settings(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER='X-Forwarded-Proto'" in result.stderr


@pytest.mark.parametrize(
    "url, backend, location",
    [
        (None, "django.core.cache.backends.db.DatabaseCache", "homeroom_cache"),
        ("db://rate_limits", "django.core.cache.backends.db.DatabaseCache", "rate_limits"),
        ("redis://cache.internal:6379/2", "django_redis.cache.RedisCache", None),
        ("rediss://:pw@cache.internal:6380/0", "django_redis.cache.RedisCache", None),
    ],
)
def test_the_shared_cache_comes_from_cache_url(url, backend, location):
    environ = {"CACHE_URL": url} if url else {}
    (cache,) = settings_values("CACHES['default']", **environ)
    assert cache["BACKEND"] == backend
    assert cache["LOCATION"] == (location or url)


def test_a_redis_cache_url_is_usable_by_django_redis():
    code = (
        "import django; django.setup()\n"
        "from django.core.cache import caches\n"
        "print(type(caches['default']).__module__, caches['default'].client._server)"
    )
    result = import_settings(
        code, CACHE_URL="redis://127.0.0.1:1/0", DJANGO_SETTINGS_MODULE="homeroom.settings"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_redis.cache", "['redis://127.0.0.1:1/0']"]


@pytest.mark.parametrize("url", ["memcached://x", "cache", "db://"])
def test_an_unknown_cache_url_is_an_error(url):
    result = load_settings(CACHE_URL=url)
    assert result.returncode != 0
    assert "CACHE_URL=" in result.stderr


def test_production_refuses_a_cache_in_each_process_memory():
    result = load_settings(**PRODUCTION, CACHE_URL="locmem://")
    assert result.returncode != 0
    assert "keeps limits per process" in result.stderr


def test_trusted_proxies_come_from_the_environment():
    assert settings_values(
        "ALLAUTH_TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", TRUSTED_PROXY_COUNT="1"
    ) == [1, None]
    assert settings_values(
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
        TRUSTED_CLIENT_IP_HEADER="X-Real-IP",
    ) == [0, "X-Real-IP"]


def test_staff_sessions_last_a_working_day_and_families_longer():
    assert settings_values(
        "SESSION_COOKIE_AGE", "FAMILY_SESSION_SECONDS", "ACCOUNT_SESSION_REMEMBER"
    ) == [
        12 * 60 * 60,
        14 * 24 * 60 * 60,
        None,
    ]
