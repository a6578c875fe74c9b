"""Homeroom settings: one file, every value from the environment, parsed strictly.

The embedded default (no environment at all) is a development setup on SQLite with
console/file delivery. `HOMEROOM_ENV=production` refuses to start without real secrets.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """A setting from NAME, or from the file named by NAME_FILE (for mounted secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


HOMEROOM_ENV = env("HOMEROOM_ENV", "development")
if HOMEROOM_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"HOMEROOM_ENV={HOMEROOM_ENV!r}: use development, test or production"
    )
PRODUCTION = HOMEROOM_ENV == "production"

DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", DEV_SECRET)


def weak_secret(key: str) -> bool:
    """Django's own test (`check --deploy`, security.W009): short, few distinct characters,
    or a key that startproject generated for development."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


if PRODUCTION and (SECRET_KEY == DEV_SECRET or weak_secret(SECRET_KEY)):
    raise ImproperlyConfigured(
        "Production needs SECRET_KEY: 50+ random characters, not a repeated few."
    )

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = [
    h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
if PRODUCTION and not env("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS.")
# Where families reach us: used in invitation links and (later) webhook signatures.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]

INSTALLED_APPS = [
    # The Django admin, only through allauth's sign-in and TOTP (homeroom/web/admin_site.py).
    "homeroom.web.admin_apps.HomeroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Ours first, so our templates override allauth's.
    "homeroom.people",
    "homeroom.messaging",
    "homeroom.translation",
    "homeroom.behavior",
    "homeroom.routines",
    "homeroom.voice",
    "homeroom.goals",
    "homeroom.gatherings",
    "homeroom.insights",
    "homeroom.web",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "phonenumber_field",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "homeroom.web.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "homeroom.people.middleware.RequireAdminMFAMiddleware",
    "homeroom.people.middleware.GuardianLanguageMiddleware",
    "homeroom.people.middleware.ReaderTimeZoneMiddleware",
    "homeroom.translation.services.routes_once_per_request",
]

ROOT_URLCONF = "homeroom.urls"
WSGI_APPLICATION = "homeroom.wsgi.application"
ASGI_APPLICATION = "homeroom.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "homeroom.web.context_processors.navigation",
            ],
        },
    },
]

# SQLite by default, in WAL mode with IMMEDIATE transactions so writers queue instead of
# failing with "database is locked"; PostgreSQL through DATABASE_URL.
DATA_DIR = Path(env("HOMEROOM_DATA_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "homeroom.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: staff sign in with email + password; families with a one-time code sent by
# SMS or email (no password). Admins must add TOTP (enforced by middleware).
ACCOUNT_ADAPTER = "homeroom.people.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_PREVENT_ENUMERATION = True
# "Remember me" is the reader's choice; without it the session ends with the browser.
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Homeroom"
# Behind a load balancer every family would share its address: say how many proxies append
# to X-Forwarded-For, or which header the edge sets to the client's address (not both).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", "") or None
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
if ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_CLIENT_IP_HEADER, not both.")

# Sessions: staff (admins too) sign in on shared school computers, so a session lasts a
# working day at most, and only past closing the browser when they ask to be remembered.
# Families sign in on their own phones with a code and stay signed in longer.
SESSION_COOKIE_AGE = env_int("STAFF_SESSION_SECONDS", 12 * 60 * 60)
FAMILY_SESSION_SECONDS = env_int("FAMILY_SESSION_SECONDS", 14 * 24 * 60 * 60)


# The shared cache: rate-limit counters, used one-time codes. Every web process must see the
# same one, so the default is a database table (`migrate` creates it); Redis by URL.
def _cache(url: str) -> dict:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ImproperlyConfigured(f"CACHE_URL={url!r}: use db://table, redis://… or locmem://")
    if scheme == "db":
        if not rest:
            raise ImproperlyConfigured("CACHE_URL=db:// needs a table name, e.g. db://cache")
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    if scheme in {"redis", "rediss", "unix"}:
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    raise ImproperlyConfigured(f"CACHE_URL={url!r}: use db://table, redis://… or locmem://")


# Tests run in one process and clear the cache between tests: memory is enough there.
CACHE_URL = env("CACHE_URL", "locmem://" if HOMEROOM_ENV == "test" else "db://homeroom_cache")
CACHES = {"default": _cache(CACHE_URL)}
if PRODUCTION and CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    raise ImproperlyConfigured(
        "CACHE_URL=locmem:// keeps limits per process: use the database or Redis in production."
    )

# Background work: the Tasks API on the database queue (`manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Outgoing texts (codes, invitations) until the messaging outbox takes over.
# console: printed; file: appended as JSON lines to OUTBOUND_FILE; memory: kept for tests.
# channels: sent at once through the messaging email and SMS channels (settings below).
OUTBOUND_BACKEND = env("OUTBOUND_BACKEND", "console")
OUTBOUND_FILE = Path(env("OUTBOUND_FILE", str(DATA_DIR / "outbound.jsonl")))
if OUTBOUND_BACKEND not in {"console", "file", "memory", "channels"}:
    raise ImproperlyConfigured(
        f"OUTBOUND_BACKEND={OUTBOUND_BACKEND!r}: use console, file, memory or channels"
    )

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Homeroom <homeroom@localhost>")

# Messaging: the outbox and its channels (docs/messaging.md).
# Email goes through EMAIL_BACKEND above (SMTP in production); texts through SMS_BACKEND:
# console (printed), file (JSON lines in SMS_FILE) or twilio (Twilio's Messages API).
SMS_BACKEND = env("SMS_BACKEND", "console")
if SMS_BACKEND not in {"console", "file", "twilio"}:
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND!r}: use console, file or twilio")
SMS_FILE = Path(env("SMS_FILE", str(DATA_DIR / "sms.jsonl")))
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", "")
# Development and tests sign and check inbound texts with a known token (printed by
# `make run`, used by `manage.py simulate_text`); production takes a real one or none.
DEV_TWILIO_AUTH_TOKEN = "dev-only-twilio-auth-token-0123456789abcdef"
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", "" if PRODUCTION else DEV_TWILIO_AUTH_TOKEN)
if PRODUCTION and TWILIO_AUTH_TOKEN == DEV_TWILIO_AUTH_TOKEN:
    raise ImproperlyConfigured(
        "Production needs a real TWILIO_AUTH_TOKEN, not the development one."
    )
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", "")
# Only for a local server speaking Twilio's API (tests, benchmarks); empty means Twilio itself.
TWILIO_API_BASE_URL = (env("TWILIO_API_BASE_URL", "") or "").rstrip("/")
TWILIO_TIMEOUT = env_int("TWILIO_TIMEOUT", 15)  # seconds per request
if SMS_BACKEND == "twilio" and PRODUCTION:
    if not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN):
        raise ImproperlyConfigured(
            "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."
        )
    if not (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID):
        raise ImproperlyConfigured(
            "SMS_BACKEND=twilio needs TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID."
        )
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Without a timeout one unresponsive mail server would hold a worker forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Families reply to reply+<token>@REPLY_DOMAIN; the inbound gate receives that domain.
REPLY_DOMAIN = env("REPLY_DOMAIN", "reply.homeroom.localhost")
# A failed send waits OUTBOX_RETRY_BASE_SECONDS × 2^(attempt − 1), up to OUTBOX_MAX_ATTEMPTS
# tries; a row left in "sending" longer than OUTBOX_STUCK_AFTER_SECONDS goes back to the queue.
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 6)
OUTBOX_STUCK_AFTER_SECONDS = env_int("OUTBOX_STUCK_AFTER_SECONDS", 300)
OUTBOX_TASK_SIZE = env_int("OUTBOX_TASK_SIZE", 100)  # deliveries per task


# Translation: which provider serves each language pair, first that supports it wins.
# TRANSLATION_ROUTES="en:es=apertium,es:en=apertium,*=libretranslate" (a "+" lists fallbacks).
def _translation_routes(raw: str) -> dict[str, list[str]]:
    routes = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        pair, sep, providers = item.partition("=")
        if not sep or not providers.strip():
            raise ImproperlyConfigured(f"TRANSLATION_ROUTES item {item!r}: use source:target=name")
        routes[pair.strip().lower()] = [p.strip() for p in providers.split("+") if p.strip()]
    return routes


TRANSLATION_ROUTES = _translation_routes(
    env("TRANSLATION_ROUTES", "en:es=apertium,es:en=apertium,*=libretranslate")
)
LIBRETRANSLATE_URL = (env("LIBRETRANSLATE_URL", "") or "").rstrip("/")
LIBRETRANSLATE_API_KEY = env("LIBRETRANSLATE_API_KEY", "")
LIBRETRANSLATE_TIMEOUT = env_int("LIBRETRANSLATE_TIMEOUT", 10)  # seconds


# Cloud services districts buy; each `*_URL` points a provider at another address (a proxy,
# or a local server in tests). Glossaries are per pair: "en:es=school-terms,en:vi=terms-vi".
def _pair_table(name: str) -> dict[str, str]:
    table = {}
    for item in filter(None, (part.strip() for part in (env(name, "") or "").split(","))):
        pair, sep, value = item.partition("=")
        source, colon, target = pair.strip().lower().partition(":")
        if not (sep and colon and source.strip() and target.strip() and value.strip()):
            raise ImproperlyConfigured(f"{name} item {item!r}: use source:target=name")
        table[f"{source.strip()}:{target.strip()}"] = value.strip()
    return table


CLOUD_TRANSLATION_TIMEOUT = env_int("CLOUD_TRANSLATION_TIMEOUT", 10)  # seconds per request
GOOGLE_TRANSLATE_PROJECT = env("GOOGLE_TRANSLATE_PROJECT", "")
GOOGLE_TRANSLATE_LOCATION = env("GOOGLE_TRANSLATE_LOCATION", "global")
# An access token; GOOGLE_TRANSLATE_TOKEN_FILE is read again on every call, so whatever
# refreshes the hour-long token can rewrite the file.
GOOGLE_TRANSLATE_TOKEN = os.environ.get("GOOGLE_TRANSLATE_TOKEN", "")
GOOGLE_TRANSLATE_TOKEN_FILE = os.environ.get("GOOGLE_TRANSLATE_TOKEN_FILE", "")
GOOGLE_TRANSLATE_GLOSSARIES = _pair_table("GOOGLE_TRANSLATE_GLOSSARIES")
GOOGLE_TRANSLATE_URL = env("GOOGLE_TRANSLATE_URL", "")
AZURE_TRANSLATOR_KEY = env("AZURE_TRANSLATOR_KEY", "")
AZURE_TRANSLATOR_REGION = env("AZURE_TRANSLATOR_REGION", "")  # a regional resource's region
AZURE_TRANSLATOR_ENDPOINT = env("AZURE_TRANSLATOR_ENDPOINT", "")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", "")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", "")
AWS_SESSION_TOKEN = env("AWS_SESSION_TOKEN", "")
AWS_REGION = env("AWS_REGION", "")
AWS_TRANSLATE_TERMINOLOGIES = _pair_table("AWS_TRANSLATE_TERMINOLOGIES")
AWS_TRANSLATE_URL = env("AWS_TRANSLATE_URL", "")
DEEPL_API_KEY = env("DEEPL_API_KEY", "")  # a free-plan key ends in ":fx"
DEEPL_GLOSSARIES = _pair_table("DEEPL_GLOSSARIES")
DEEPL_URL = env("DEEPL_URL", "")
APERTIUM_COMMAND = env("APERTIUM_COMMAND", "apertium")
APERTIUM_TIMEOUT = env_int("APERTIUM_TIMEOUT", 30)  # seconds, for one whole batch
# Where the school dictionaries are compiled on top of the package's (empty: the package's
# own dictionaries only).
APERTIUM_DICTIONARIES_DIR = env("APERTIUM_DICTIONARIES_DIR", str(DATA_DIR / "apertium"))

LANGUAGE_CODE = "en"
# The interface languages Homeroom ships, each with a catalogue in locale/ (docs/translation.md,
# "Adding an interface language"). Every other language a family reads gets the English
# interface; their messages are still translated.
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("vi", _("Vietnamese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["homeroom.formats"]

PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", "US")
PHONENUMBER_DEFAULT_FORMAT = "E164"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# HTTPS: redirect plain requests, and tell browsers to use nothing else (HSTS).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# A load balancer checks health over plain HTTP inside the network; a redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)


# Behind a proxy that ends TLS: the header it sets and its value for HTTPS, as
# "X-Forwarded-Proto: https"; empty when Django itself faces the browser.
def _proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    if not raw.strip():
        return None
    header, sep, value = raw.partition(":")
    if not sep or not header.strip() or not value.strip():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={raw!r}: use Header-Name: value (X-Forwarded-Proto: https)"
        )
    return "HTTP_" + header.strip().upper().replace("-", "_"), value.strip()


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(
    env("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https" if PRODUCTION else "") or ""
)

# Content-Security-Policy: only our own scripts, styles, pictures and connections; no inline
# script or style, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
