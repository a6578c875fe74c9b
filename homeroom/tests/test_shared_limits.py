"""Sign-in limits hold across web processes: every process counts in one shared cache (the
database by default), and behind a proxy each family is counted by its own address."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# One web process's worth of sign-in failures for one account, counted by allauth's limiter.
FAIL_THREE_TIMES = """
import json, django
django.setup()
from allauth.core import ratelimit
from django.test import RequestFactory
request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.7")
print(json.dumps([
    ratelimit.consume(request, action="login_failed", key="ray.father@family.example")
    for _ in range(3)
]))
"""


def run(code: str, **environ) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "homeroom.settings", **environ}
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def shared_database(db, tmp_path):
    """Environment for a fresh process on a database every process reaches: a SQLite file,
    or on PostgreSQL the test database (with a cache table of its own)."""
    table = f"cache_{uuid.uuid4().hex[:10]}"
    environ = {"HOMEROOM_ENV": "development", "CACHE_URL": f"db://{table}"}
    if connection.vendor == "postgresql":
        db_settings = connection.settings_dict
        environ["DATABASE_URL"] = (
            f"postgres://{db_settings['USER']}:{db_settings['PASSWORD'] or ''}@"
            f"{db_settings['HOST'] or '127.0.0.1'}:{db_settings['PORT'] or 5432}"
            f"/{db_settings['NAME']}"
        )
    else:
        environ["HOMEROOM_DATA_DIR"] = str(tmp_path)
    created = run(["manage.py", "createcachetable"], **environ)
    assert created.returncode == 0, created.stderr
    yield environ
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{table}"')


def test_two_processes_share_one_sign_in_limit(shared_database):
    # The project's limit: five failed sign-ins per account in five minutes.
    first = run(["-c", FAIL_THREE_TIMES], **shared_database)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == [True, True, True]
    second = run(["-c", FAIL_THREE_TIMES], **shared_database)
    assert second.returncode == 0, second.stderr
    # The second process knows about the first one's three: two more, then refused.
    assert json.loads(second.stdout) == [True, True, False]


def test_the_default_cache_is_the_database_and_setup_creates_its_table(tmp_path):
    environ = {"HOMEROOM_ENV": "development", "HOMEROOM_DATA_DIR": str(tmp_path)}
    migrated = run(["manage.py", "migrate", "--no-input"], **environ)
    assert migrated.returncode == 0, migrated.stderr
    check = run(
        [
            "-c",
            "import django; django.setup()\n"
            "from django.conf import settings; from django.core.cache import cache\n"
            "cache.set('seen', 'yes')\n"
            "print(settings.CACHES['default']['BACKEND'], cache.get('seen'))",
        ],
        **environ,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "yes"]


CLIENT_IP = """
import django
django.setup()
from allauth.core.internal.httpkit import get_client_ip
from django.test import RequestFactory
request = RequestFactory().get(
    "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.1",
    HTTP_CF_CONNECTING_IP="192.0.2.9",
)
print(get_client_ip(request))
"""


@pytest.mark.parametrize(
    "environ, seen",
    [
        ({}, "10.0.0.2"),  # no proxy trusted: the address that connected
        ({"TRUSTED_PROXY_COUNT": "2"}, "198.51.100.4"),  # the family behind two proxies
        ({"TRUSTED_CLIENT_IP_HEADER": "CF-Connecting-IP"}, "192.0.2.9"),
    ],
)
def test_behind_a_proxy_each_family_is_counted_by_its_own_address(environ, seen):
    result = run(["-c", CLIENT_IP], HOMEROOM_ENV="test", **environ)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == seen


def test_a_proxy_count_and_a_client_header_together_are_an_error():
    result = run(
        ["-c", CLIENT_IP],
        HOMEROOM_ENV="test",
        TRUSTED_PROXY_COUNT="1",
        TRUSTED_CLIENT_IP_HEADER="CF-Connecting-IP",
    )
    assert result.returncode != 0
    assert "not both" in result.stderr
