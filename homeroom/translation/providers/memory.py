"""The translation memory: every machine translation kept, and people's corrections on top.

Rows are keyed by the SHA-256 of the normalised (and, in the pipeline, placeholder-masked)
source text plus the language pair. A batch is looked up in one query; only the misses go
to the engine, in one call; the new rows are written with one bulk insert.
"""

import hashlib
import unicodedata
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from homeroom.languages import base_language

from ..models import MemoryEntry
from .base import Provider

# Keeps one look-up under every database's limit on query parameters.
LOOKUP_CHUNK = 900


def normalise(text: str) -> str:
    """The form two texts are compared in: Unicode NFC, runs of spaces as one, no edges."""
    text = unicodedata.normalize("NFC", text or "")
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(lines).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def lookup(texts: Iterable[str], source: str, target: str) -> dict[str, MemoryEntry]:
    """The rows for `texts`, keyed by hash: one query for a batch of up to 900 texts."""
    hashes = sorted({text_hash(text) for text in texts})
    found: dict[str, MemoryEntry] = {}
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        rows = MemoryEntry.objects.filter(
            source_language=base_language(source),
            target_language=base_language(target),
            source_hash__in=hashes[start : start + LOOKUP_CHUNK],
        )
        found.update((row.source_hash, row) for row in rows)
    return found


def remember(
    pairs: Iterable[tuple[str, str]], source: str, target: str, provider: str
) -> list[MemoryEntry]:
    """Store new machine translations; a row another worker wrote first is left as it is."""
    rows = {}
    for original, translated in pairs:
        key = text_hash(original)
        rows[key] = MemoryEntry(
            source_hash=key,
            source_language=base_language(source),
            target_language=base_language(target),
            source_text=normalise(original),
            translated_text=translated,
            provider=provider,
        )
    if rows:
        MemoryEntry.objects.bulk_create(rows.values(), ignore_conflicts=True)
    return list(rows.values())


def record_correction(
    original: str, corrected: str, source: str, target: str, by=None
) -> MemoryEntry:
    """A person's translation of `original`; it wins over the machine from now on."""
    now = timezone.now()
    with transaction.atomic():
        entry, _ = MemoryEntry.objects.update_or_create(
            source_hash=text_hash(original),
            source_language=base_language(source),
            target_language=base_language(target),
            defaults={"corrected_text": corrected, "corrected_by": by, "corrected_at": now},
            create_defaults={
                "source_text": normalise(original),
                "translated_text": corrected,
                "provider": "person",
                "corrected_text": corrected,
                "corrected_by": by,
                "corrected_at": now,
            },
        )
    return entry


class MemoryProvider(Provider):
    """Any provider with the memory in front of it: the same interface, fewer engine calls."""

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name = inner.name
        self.hits = 0
        self.misses = 0

    def supports(self, source: str, target: str) -> bool:
        return self.inner.supports(source, target)

    def unavailable_reason(self, source: str, target: str) -> str:
        return self.inner.unavailable_reason(source, target)

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        entries = lookup(texts, source, target)
        missing = list(dict.fromkeys(normalise(t) for t in texts if text_hash(t) not in entries))
        self.misses += len(missing)
        self.hits += len(texts) - sum(1 for t in texts if text_hash(t) not in entries)
        if missing:
            translated = self.inner.translate_batch(missing, source, target)
            for row in remember(zip(missing, translated, strict=True), source, target, self.name):
                entries[row.source_hash] = row
        return [entries[text_hash(t)].best_text for t in texts]
