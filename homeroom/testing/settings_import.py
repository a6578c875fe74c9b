"""The settings imported in a fresh interpreter with only a given environment: how a
deployment starts, untouched by the test process's own settings."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = "k3J9-vQ2p_Lm8ZrT5wXyB7nH4cF6dS1aE0uGiOeW2RzYx9MqTb"  # 50 characters, mixed
PRODUCTION = {
    "HOMEROOM_ENV": "production",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "homeroom.example",
}


def import_settings(then: str = "", **environ) -> subprocess.CompletedProcess:
    """Run `import homeroom.settings as s`, then the code `then`, with only `environ`."""
    # An argument list, no shell: the code is the tests' own.
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import homeroom.settings as s\n" + then],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **environ},
        capture_output=True,
        text=True,
        check=False,
    )
