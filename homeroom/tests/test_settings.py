"""Settings come from the environment and are parsed strictly."""

import subprocess
import sys

import pytest

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def load_settings(**environ):
    """Import the settings module in a fresh interpreter with only the given environment."""
    env = {"PATH": "/usr/bin:/bin", **environ}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import homeroom.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


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
    secret.write_text("x" * 50 + "\n")
    result = load_settings(
        HOMEROOM_ENV="production",
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="homeroom.example",
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/homeroom",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]
