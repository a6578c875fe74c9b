"""School vocabulary and usted, built into Apertium's own dictionaries.

The Debian package apertium-eng-spa ships compiled dictionaries only. The sources in
`dictionaries/` are compiled with the package's tools (`lt-comp`, `lrx-comp`) and added
to the package's dictionaries as sections of their own (`lt-append`):

- `eng.dix`, `spa.dix`: words and multiword terms the package's English and Spanish
  dictionaries lack ("field trip", "permission slip", "lonchera", "gripa"), added to the
  analyser of the source language and the generator of the target language;
- `eng-spa.dix`: their translations, and a school sense beside the package's general one
  ("teacher" → "maestro" beside "profesor");
- `eng-spa.lrx`, `spa-eng.lrx`: lexical selection that picks the school sense, run after
  the package's own rules;
- `eng-spa.sed`, `spa-eng.sed`: rules on the engine's stream between structural transfer
  and generation, so the generator still conjugates: "you" said with usted (encuentras →
  encuentra, "Please sign" → "firme"), and "ir a" as the near future ("va a recoger" → "is
  going to collect").

The result is a mode directory with the package's pipeline and these steps, used with
`apertium -d <directory> <mode>`. It is built once per set of sources and package files
into `APERTIUM_DICTIONARIES_DIR`; without the tools (Debian packages lttoolbox-dev and
apertium-lex-tools-dev) the package's own modes are used and a warning says so.
"""

import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCES = Path(__file__).resolve().parent / "dictionaries"
PACKAGE_DATA = Path("/usr/share/apertium")
TOOLS = ("lt-comp", "lt-append", "lrx-comp")


@dataclass(frozen=True)
class Direction:
    mode: str
    source_dix: str  # added to the analyser
    target_dix: str  # added to the generator
    bilingual: str  # lt-comp direction of eng-spa.dix
    stream_rules: str  # sed rules run between structural transfer and generation


DIRECTIONS = (
    Direction("eng-spa", "eng.dix", "spa.dix", "lr", "eng-spa.sed"),
    Direction("spa-eng", "spa.dix", "eng.dix", "rl", "spa-eng.sed"),
)


def mode_directory(build_root: Path, package_data: Path = PACKAGE_DATA) -> Path | None:
    """The directory to pass to `apertium -d`, built if needed; None if it cannot be."""
    return _cached_mode_directory(str(build_root), str(package_data))


@functools.cache
def _cached_mode_directory(build_root: str, package_data: str) -> Path | None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        logger.warning(
            "Apertium runs without the school dictionaries: %s missing "
            "(Debian packages lttoolbox-dev, apertium-lex-tools-dev)",
            ", ".join(missing),
        )
        return None
    package = Path(package_data)
    try:
        # The mode names its files by absolute path: apertium runs it from anywhere.
        target = Path(build_root).resolve() / _fingerprint(package)
        if not (target / "modes").is_dir():
            _build(package, target)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        logger.warning("Apertium runs without the school dictionaries: %s", exc)
        return None
    return target


def _fingerprint(package: Path) -> str:
    """Changes when a source or an installed package file changes."""
    digest = hashlib.sha256()
    for path in sorted(SOURCES.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for direction in DIRECTIONS:
        mode = package / "modes" / f"{direction.mode}.mode"
        digest.update(mode.read_bytes())
        stat = mode.stat()
        digest.update(f"{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _build(package: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Built beside the target and renamed into place: two workers starting at once
    # never see a half-built directory.
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        (work / "modes").mkdir()
        for direction in DIRECTIONS:
            _build_direction(package, work, target, direction)
        try:
            os.rename(work, target)
        except OSError:
            if not (target / "modes").is_dir():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _build_direction(package: Path, work: Path, target: Path, direction: Direction) -> None:
    """Files go into `work`; the mode names them where they will be, in `target`."""
    mode_text = (package / "modes" / f"{direction.mode}.mode").read_text()
    name = direction.mode

    def appended(kind: str, dix: str, compile_direction: str) -> str:
        shipped = _path_of(mode_text, f"{name}.{kind}.bin")
        ours = work / f"school.{name}.{kind}.part.bin"
        _run("lt-comp", compile_direction, str(SOURCES / dix), str(ours))
        combined = work / f"{name}.{kind}.bin"
        _run("lt-append", shipped, str(ours), str(combined))
        ours.unlink()
        mode_text_paths[shipped] = str(target / combined.name)
        return shipped

    mode_text_paths: dict[str, str] = {}
    appended("automorf", direction.source_dix, "lr")
    appended("autobil", "eng-spa.dix", direction.bilingual)
    appended("autogen", direction.target_dix, "rl")
    selection = work / f"{name}.school.lrx.bin"
    _run("lrx-comp", str(SOURCES / f"{name}.lrx"), str(selection))

    text = mode_text
    for shipped, combined in mode_text_paths.items():
        text = text.replace(f"'{shipped}'", f"'{combined}'")
    package_selection = _path_of(mode_text, f"{name}.autolex.bin")
    step = f"lrx-proc -m '{package_selection}'"
    generator = f"lt-proc $1 '{mode_text_paths[_path_of(mode_text, f'{name}.autogen.bin')]}'"
    if step not in text or generator not in text:
        raise ValueError(f"the package's {name} mode has an unexpected shape")
    text = text.replace(step, f"{step} | lrx-proc -m '{target / selection.name}'")
    sed = work / direction.stream_rules
    shutil.copyfile(SOURCES / direction.stream_rules, sed)
    text = text.replace(generator, f"sed -E -f '{target / sed.name}' | {generator}")
    (work / "modes" / f"{name}.mode").write_text(text)


def _path_of(mode_text: str, file_name: str) -> str:
    match = re.search(r"'([^']*/" + re.escape(file_name) + ")'", mode_text)
    if match is None:
        raise ValueError(f"the package's mode does not name {file_name}")
    return match.group(1)


def _run(*command: str) -> None:
    # Fixed tool names and our own paths, no shell.
    result = subprocess.run(  # noqa: S603
        list(command), capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise subprocess.SubprocessError(
            f"{command[0]} failed: {(result.stderr or result.stdout).strip()[:300]}"
        )
