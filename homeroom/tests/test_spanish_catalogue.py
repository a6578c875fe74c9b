"""Every user-facing string has Spanish: the catalogue is regenerated from the sources in a
scratch copy and must have no empty and no fuzzy entry."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file: msgid, plural, translations and flags (enough for this check)."""
    entries, current, key = [], None, None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current and "msgid" in current:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif m := re.match(r'(msgid|msgid_plural|msgctxt)\s+"(.*)"$', line):
            key = m.group(1)
            current[key] = m.group(2)
        elif m := re.match(r'msgstr(?:\[(\d+)\])?\s+"(.*)"$', line):
            key = ("msgstr", m.group(1) or "0")
            current["msgstr"][key[1]] = m.group(2)
        elif m := re.match(r'"(.*)"$', line):
            if isinstance(key, tuple):
                current["msgstr"][key[1]] += m.group(1)
            elif key:
                current[key] += m.group(1)
    return [e for e in entries if e.get("msgid")]  # the header has an empty msgid


def test_every_string_has_a_reviewed_spanish_translation(tmp_path):
    for name in ("homeroom", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    entries = parse_po((tmp_path / "locale/es/LC_MESSAGES/django.po").read_text())
    assert len(entries) > 300
    missing = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not missing, f"{len(missing)} strings have no Spanish: {missing[:20]}"
    assert not fuzzy, f"{len(fuzzy)} Spanish strings are marked fuzzy (unchecked): {fuzzy[:20]}"


def test_the_compiled_catalogue_matches_the_source():
    po = ROOT / "locale/es/LC_MESSAGES/django.po"
    mo = ROOT / "locale/es/LC_MESSAGES/django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "-", str(po)], capture_output=True, check=True
    )
    assert result.stdout == mo.read_bytes(), "run `make messages` to compile the catalogue"
