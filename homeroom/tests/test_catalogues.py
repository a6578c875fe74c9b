"""Every shipped interface language has a reviewed catalogue: each catalogue is regenerated
from the sources in a scratch copy and must have no empty and no fuzzy entry — for every
string in a language held complete (Spanish, Arabic), for every family-facing string in the
others (`homeroom/catalogues.py` says which files those are) — with every placeholder kept,
the plural forms of its language, and a compiled .mo that matches."""

import re
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

from homeroom.catalogues import COMPLETE, FAMILY_FACING, is_family_facing, shipped

ROOT = Path(__file__).resolve().parents[2]

# Plural forms per language (CLDR, as gettext writes them): a catalogue with fewer forms
# would show the wrong grammar for some counts.
NPLURALS = {"es": 3, "ar": 6, "vi": 1, "fr": 3, "pt": 3, "so": 2, "ht": 2, "zh": 1, "ko": 1}

PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file: msgid, plural, translations, flags and the source files that use
    it (enough for these checks)."""
    entries, current, key = [], None, None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current and "msgid" in current:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": "", "msgstr": {}, "sources": []}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#:"):
            current["sources"] += [ref.rsplit(":", 1)[0] for ref in line[2:].split()]
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


def header(text: str) -> dict[str, str]:
    block = text.split("\n\n", 1)[0]
    lines = "".join(re.findall(r'^"(.*)"$', block, re.M)).split("\\n")
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def family_facing(entry: dict) -> bool:
    return any(is_family_facing(path) for path in entry["sources"])


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """The catalogues as `make messages` would leave them, made in a scratch copy."""
    scratch = tmp_path_factory.mktemp("catalogues")
    for name in ("homeroom", "locale"):
        shutil.copytree(ROOT / name, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", scratch / "manage.py")
    languages = [arg for code in shipped() for arg in ("-l", code)]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *languages, "--no-obsolete"],
        cwd=scratch,
        check=True,
        capture_output=True,
    )
    return scratch / "locale"


def test_the_shipped_languages_are_the_ones_families_read_most():
    assert {"es", "ar", "vi"} <= set(shipped())
    assert set(shipped()) >= COMPLETE


@pytest.mark.parametrize("language", shipped())
def test_every_string_a_family_reads_is_translated_and_reviewed(regenerated, language):
    entries = parse_po((regenerated / language / "LC_MESSAGES/django.po").read_text())
    assert len(entries) > 300
    required = entries if language in COMPLETE else [e for e in entries if family_facing(e)]
    assert len(required) > 250
    missing = [e["msgid"] for e in required if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in required if "fuzzy" in e["flags"]]
    scope = "" if language in COMPLETE else "family-facing "
    assert not missing, f"{len(missing)} {scope}strings have no {language}: {missing[:20]}"
    assert not fuzzy, f"{len(fuzzy)} {scope}{language} strings are fuzzy (unchecked): {fuzzy[:20]}"


@pytest.mark.parametrize("language", shipped())
def test_every_translation_keeps_the_placeholders_and_plural_forms(language):
    text = (ROOT / "locale" / language / "LC_MESSAGES/django.po").read_text()
    fields = header(text)
    assert fields.get("Language") == language
    nplurals = int(re.search(r"nplurals=(\d+)", fields["Plural-Forms"]).group(1))
    assert nplurals == NPLURALS[language], fields["Plural-Forms"]
    wrong = []
    for entry in parse_po(text):
        if "msgid_plural" in entry:
            forms = [v for v in entry["msgstr"].values() if v]
            if forms and len(entry["msgstr"]) != nplurals:
                wrong.append(f"{entry['msgid']!r}: {len(entry['msgstr'])} plural forms")
            expected = set(PLACEHOLDER.findall(entry["msgid_plural"]))
        else:
            forms = [entry["msgstr"]["0"]] if entry["msgstr"].get("0") else []
            expected = set(PLACEHOLDER.findall(entry["msgid"]))
        for form in forms:
            found = set(PLACEHOLDER.findall(form))
            # A plural form for one count may leave the number out ("رسالتان", two messages).
            dropped_the_count = "msgid_plural" in entry and len(expected - found) == 1
            if found - expected or (found != expected and not dropped_the_count):
                wrong.append(f"{entry['msgid']!r}: {form!r}")
    assert not wrong, f"{len(wrong)} {language} translations lose or add a placeholder: {wrong}"


@pytest.mark.parametrize("language", shipped())
def test_the_compiled_catalogue_matches_the_source(language):
    po = ROOT / "locale" / language / "LC_MESSAGES/django.po"
    mo = ROOT / "locale" / language / "LC_MESSAGES/django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "-", str(po)], capture_output=True, check=True
    )
    assert result.stdout == mo.read_bytes(), f"run `make messages-{language}` to compile it"


def test_every_family_facing_pattern_names_files_that_exist():
    files = [str(p.relative_to(ROOT)) for p in (ROOT / "homeroom").rglob("*") if p.is_file()]
    stale = [pattern for pattern in FAMILY_FACING if not any(fnmatch(f, pattern) for f in files)]
    assert not stale, f"these family-facing patterns match no file: {stale}"
