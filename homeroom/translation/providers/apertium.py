"""Apertium, the local rule-based engine: one `apertium -u <pair>` process per batch."""

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from homeroom.languages import base_language

from ..school_dictionaries import mode_directory
from .base import PermanentError, Provider, TransientError

# Apertium names languages with ISO 639-3 codes; Homeroom speaks BCP 47.
APERTIUM_CODES = {
    "en": "eng",
    "es": "spa",
    "ca": "cat",
    "fr": "fra",
    "pt": "por",
    "it": "ita",
    "gl": "glg",
    "eu": "eus",
    "oc": "oci",
}

_SPACES = re.compile(r"[ \t]{2,}")


@functools.cache
def installed_modes(command: str) -> frozenset[str]:
    """The translation directions `apertium -l` lists; empty when the command is missing.

    Cached per process: installing a language pair is a deployment, followed by a restart.
    """
    executable = shutil.which(command)
    if executable is None:
        return frozenset()
    try:
        # An argument list, no shell: the command comes from settings, never from users.
        listing = subprocess.run(  # noqa: S603
            [executable, "-l"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in listing.stdout.splitlines() if line.strip())


def apertium_mode(source: str, target: str) -> str | None:
    src = APERTIUM_CODES.get(base_language(source))
    tgt = APERTIUM_CODES.get(base_language(target))
    return f"{src}-{tgt}" if src and tgt else None


class ApertiumProvider(Provider):
    name = "apertium"
    name_placeholders = True

    def __init__(
        self, command: str = "apertium", timeout: float = 30, dictionaries: Path | None = None
    ) -> None:
        """`dictionaries`: where to build the school dictionaries on top of the package's
        (see `school_dictionaries`); None runs the package's dictionaries alone."""
        self.command = command
        self.timeout = timeout
        self.dictionaries = dictionaries

    def supports(self, source: str, target: str) -> bool:
        mode = apertium_mode(source, target)
        return mode is not None and mode in installed_modes(self.command)

    def unavailable_reason(self, source: str, target: str) -> str:
        mode = apertium_mode(source, target)
        if mode is None:
            return f"Apertium has no language codes for {source} to {target}"
        if shutil.which(self.command) is None:
            return (
                f"the Apertium command {self.command!r} is not installed "
                "(Debian package apertium-eng-spa for English↔Spanish)"
            )
        return f"the Apertium pair {mode} is not installed"

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        mode = apertium_mode(source, target)
        if mode is None or not self.supports(source, target):
            raise PermanentError(self.unavailable_reason(source, target))
        # Apertium translates a stream, line by line; every line of every text goes in one
        # stream and comes back regrouped.
        line_counts: list[int] = []
        lines: list[str] = []
        for text in texts:
            text_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            line_counts.append(len(text_lines))
            lines.extend(text_lines)
        translated = self._run(mode, lines)
        results = []
        position = 0
        for count in line_counts:
            results.append("\n".join(translated[position : position + count]))
            position += count
        return results

    def _run(self, mode: str, lines: list[str]) -> list[str]:
        # `apertium` is a shell pipeline of a dozen processes: it runs in its own process
        # group so a timeout can stop all of them, not just the shell that started them.
        arguments = [self.command, "-u", mode]
        if self.dictionaries is not None:
            directory = mode_directory(self.dictionaries)
            if directory is not None and (directory / "modes" / f"{mode}.mode").is_file():
                arguments = [self.command, "-d", str(directory), "-u", mode]
        try:
            process = subprocess.Popen(  # noqa: S603
                arguments,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                start_new_session=True,
            )
        except OSError as exc:
            raise PermanentError(f"Apertium could not start: {exc}") from exc
        try:
            stdout, stderr = process.communicate(_fenced(lines), timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise TransientError(f"Apertium took longer than {self.timeout}s") from exc
        if process.returncode != 0:
            raise TransientError(
                f"Apertium exited with {process.returncode}: {stderr.strip()[:200]}"
            )
        out_lines = _unfenced(stdout, len(lines))
        return [_tidy(original, line) for original, line in zip(lines, out_lines, strict=True)]


# Apertium's transfer rules reorder words across a line break ("…for the holiday" followed by
# "Parent-teacher conferences…" became "…para el Padre" / "De vacaciones-conferencias…"):
# one family's words would land in another's message. A line holding only a full stop is a
# sentence end no rule reaches across, so every line travels between two of them, the same
# fences whether it is translated alone or among a thousand others.
FENCE = "."


def _fenced(lines: list[str]) -> str:
    return FENCE + "\n" + "".join(f"{line}\n{FENCE}\n" for line in lines)


def _unfenced(output: str, expected: int) -> list[str]:
    if output.endswith("\n"):
        output = output[:-1]
    out_lines = output.split("\n")
    fences = out_lines[0::2]
    if len(out_lines) != 2 * expected + 1 or any(fence.strip() != FENCE for fence in fences):
        raise PermanentError(
            f"Apertium returned {len(out_lines)} lines for {2 * expected + 1} fenced ones; "
            "batch discarded"
        )
    return out_lines[1::2]


def _tidy(original: str, translated: str) -> str:
    """Apertium leaves double spaces where it drops a word and may shift leading space."""
    indent = original[: len(original) - len(original.lstrip())]
    return indent + _SPACES.sub(" ", translated).strip()
