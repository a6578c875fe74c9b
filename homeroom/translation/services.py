"""Translate what staff and families write: one batch-first entry point for every caller.

For each message the pipeline, per sentence, prefers a person's correction, then the
phrasebook, then the translation memory, and only then a machine, with names, dates,
figures and glossary terms masked so no engine can mistranslate them. A whole batch costs
one memory query, at most one engine call and one insert, whatever its size.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from homeroom.languages import base_language, language_name

from . import phrasebook, postedit
from .models import GlossaryTerm, MemoryEntry
from .protection import (
    GlossaryEntry,
    Masked,
    find_spans,
    mask,
    render_value,
)
from .providers import Provider, get_provider
from .providers import memory as tm
from .providers.base import PermanentError, ProviderError, TransientError
from .segments import split_segments

logger = logging.getLogger(__name__)

IDENTITY = "identity"
PHRASEBOOK = "phrasebook"
CORRECTION = "correction"


class TranslationUnavailable(Exception):
    """No translation between two languages right now, and why, in words a person can act on."""

    def __init__(self, source: str, target: str, reason: str, *, retryable: bool = False):
        self.source = source
        self.target = target
        self.reason = reason
        self.retryable = retryable
        super().__init__(
            f"No translation from {language_name(source)} to {language_name(target)}: {reason}"
        )


@dataclass(frozen=True)
class Translation:
    text: str
    source: str
    target: str
    provider: str
    human_checked: bool  # a person wrote or checked every sentence of it
    machine: bool  # some of it is machine-translated: show "machine-translated — see original"


# -- routing ---------------------------------------------------------------------------------


def route(source: str, target: str) -> tuple[Provider | None, str]:
    """The provider that serves the pair now, or None and the reasons none does."""
    provider, reason, _ = _route(source, target)
    return provider, reason


def _route(source: str, target: str) -> tuple[Provider | None, str, bool]:
    src, tgt = base_language(source), base_language(target)
    reasons = []
    temporary = False
    for name in _route_names(src, tgt):
        try:
            provider = get_provider(name)
        except ProviderError as exc:
            reasons.append(str(exc))
            continue
        if provider is None:
            reasons.append(f"no provider is called {name!r}")
        elif provider.supports(src, tgt):
            return provider, "", False
        else:
            reasons.append(provider.unavailable_reason(src, tgt))
            temporary = temporary or provider.unavailable_is_temporary(src, tgt)
    reason = "; ".join(reasons) or "no provider is set for this pair (TRANSLATION_ROUTES)"
    return None, reason, temporary


def _route_names(src: str, tgt: str) -> list[str]:
    routes = settings.TRANSLATION_ROUTES
    return (
        routes.get(f"{src}:{tgt}")
        or routes.get(f"{src}:*")
        or routes.get(f"*:{tgt}")
        or routes.get("*")
        or []
    )


def available(source: str, target: str) -> bool:
    """Whether messages can be translated from `source` to `target` right now."""
    if base_language(source) == base_language(target):
        return True
    return route(source, target)[0] is not None


# -- the pipeline ----------------------------------------------------------------------------


@dataclass
class _Unit:
    """A piece of text bound for the memory or a machine, masked."""

    masked: Masked
    original: str  # unmasked, for capitalisation and the lost-placeholder fallback
    result: str | None = None
    provider: str = ""
    human: bool = False


@dataclass
class _Piece:
    lead: str
    trail: str
    gap: str
    unit: _Unit | None = None
    phrase: phrasebook.PhraseMatch | None = None
    slots: dict[str, str | _Unit] = field(default_factory=dict)


@dataclass
class _Plan:
    text: str
    whole: Masked
    pieces: list[_Piece]

    def units(self) -> list[_Unit]:
        found = []
        for piece in self.pieces:
            if piece.unit is not None:
                found.append(piece.unit)
            found.extend(v for v in piece.slots.values() if isinstance(v, _Unit))
        return found


def translate(
    texts: Sequence[str],
    source: str,
    target: str,
    *,
    school=None,
    protect: Iterable[str] = (),
) -> list[Translation]:
    """Translations of `texts` from `source` to `target` (BCP 47), in order.

    `protect` lists names that must come through untouched (the student's, the guardians',
    the staff's). `school` brings in its glossary. Raises TranslationUnavailable when some
    text needs a machine and none serves the pair.
    """
    src, tgt = base_language(source), base_language(target)
    results: list[Translation | None] = [None] * len(texts)
    todo = []
    for index, text in enumerate(texts):
        if src == tgt or not (text or "").strip():
            results[index] = Translation(text, src, tgt, IDENTITY, False, False)
        else:
            todo.append(index)
    if not todo:
        return results  # type: ignore[return-value]

    provider, reason, temporary = _route(src, tgt)
    names = [n for n in protect if n]
    glossary = glossary_for(school, src, tgt)
    name_tokens = _name_placeholders(src, tgt, provider)
    plans = {index: _plan(texts[index], src, tgt, names, glossary, name_tokens) for index in todo}

    keys = []
    for plan in plans.values():
        keys.extend([plan.text, plan.whole.text])
        keys.extend(unit.masked.text for unit in plan.units())
    entries = tm.lookup(keys, src, tgt)

    pending: dict[str, list[_Unit]] = {}
    for plan in plans.values():
        if _correction(plan, entries) is not None:
            continue
        for unit in plan.units():
            entry = entries.get(tm.text_hash(unit.masked.text))
            if entry is None:
                pending.setdefault(tm.normalise(unit.masked.text), []).append(unit)
            else:
                unit.result = entry.best_text
                unit.provider = CORRECTION if entry.is_corrected else entry.provider
                unit.human = entry.is_corrected

    if pending:
        if provider is None:
            raise TranslationUnavailable(src, tgt, reason, retryable=temporary)
        _machine_translate(provider, pending, src, tgt)

    for index, plan in plans.items():
        results[index] = _assemble(plan, entries, src, tgt)
    return results  # type: ignore[return-value]


def translate_for_readers(
    text: str,
    source: str,
    reader_languages: Iterable[str],
    *,
    school=None,
    protect: Iterable[str] = (),
) -> dict[str, Translation]:
    """One message for many readers: one translation per distinct base language.

    Keyed by each language tag given, so 50,000 readers in six languages cost six
    translations, not 50,000.
    """
    protect = list(protect)
    by_base: dict[str, list[str]] = {}
    for tag in reader_languages:
        by_base.setdefault(base_language(tag), []).append(tag)
    out: dict[str, Translation] = {}
    for base, tags in by_base.items():
        (translation,) = translate([text], source, base, school=school, protect=protect)
        for tag in tags:
            out[tag] = translation
    return out


def correct(
    text: str,
    source: str,
    target: str,
    corrected: str,
    *,
    by=None,
    school=None,
    protect: Iterable[str] = (),
) -> MemoryEntry:
    """A person's translation of `text`; it overrides the machine for that text from now on.

    When every protected name, date and term of `text` appears in the correction, the
    correction also serves the same sentence about another child.
    """
    src, tgt = base_language(source), base_language(target)
    name_tokens = _name_placeholders(src, tgt, route(src, tgt)[0])
    glossary = glossary_for(school, src, tgt)
    stripped = text.strip()
    spans = find_spans(stripped, src, tgt, names=list(protect), glossary=glossary)
    masked = mask(stripped, spans, name_tokens=name_tokens, avoid=stripped)
    masked_correction, complete = masked.mask_rendering(corrected.strip())
    if complete and masked.tokens:
        return tm.record_correction(masked.text, masked_correction, src, tgt, by=by)
    return tm.record_correction(stripped, corrected.strip(), src, tgt, by=by)


def glossary_for(school, source: str, target: str) -> list[GlossaryEntry]:
    """The terms that hold for `school` (its own, its district's, everyone's), longest first."""
    scope = Q(school__isnull=True, district__isnull=True)
    if school is not None:
        scope |= Q(school=school) | Q(school__isnull=True, district_id=school.district_id)
    terms: dict[str, GlossaryEntry] = {}
    rows = GlossaryTerm.objects.filter(scope, language=base_language(source)).filter(
        Q(target_language="") | Q(target_language=base_language(target))
    )
    for row in rows:
        key = row.term.lower()
        translation = row.translation if row.target_language else ""
        # A translation for this very language beats "keep as written".
        if key not in terms or translation:
            terms[key] = GlossaryEntry(row.term, translation)
    return sorted(terms.values(), key=lambda entry: -len(entry.term))


# -- pieces of the pipeline -------------------------------------------------------------------


def _plan(
    text: str,
    src: str,
    tgt: str,
    names: list[str],
    glossary: list[GlossaryEntry],
    name_tokens: bool,
) -> _Plan:
    stripped = text.strip()
    spans = find_spans(stripped, src, tgt, names=names, glossary=glossary)
    whole = mask(stripped, spans, name_tokens=name_tokens, avoid=stripped)
    pieces = []
    for segment in split_segments(stripped, spans):
        core = segment.text.strip()
        lead = segment.text[: len(segment.text) - len(segment.text.lstrip())]
        trail = segment.text[len(segment.text.rstrip()) :]
        piece = _Piece(lead=lead, trail=trail, gap=segment.gap)
        if core:
            found = phrasebook.match(core, src, tgt, names=names or None)
            if found is not None:
                piece.phrase = found
                piece.slots = _slot_values(found, src, tgt, names, glossary, name_tokens, text)
            else:
                offset = segment.start + len(lead)
                masked = mask(core, spans, offset=offset, name_tokens=name_tokens, avoid=stripped)
                piece.unit = _Unit(masked=masked, original=core)
        pieces.append(piece)
    return _Plan(text=stripped, whole=whole, pieces=pieces)


def _name_placeholders(src: str, tgt: str, provider: Provider | None) -> bool:
    """The placeholder shape of the pair's engine, even while it is down, so the memory
    written with it keeps serving."""
    if provider is None:
        for name in _route_names(src, tgt):
            try:
                provider = get_provider(name)
            except ProviderError:
                continue
            if provider is not None:
                break
    return bool(provider is not None and provider.name_placeholders)


def _slot_values(found, src, tgt, names, glossary, name_tokens, text) -> dict[str, str | _Unit]:
    values: dict[str, str | _Unit] = {}
    for slot, value in found.values.items():
        kind = phrasebook.slot_kind(slot)
        rendered = render_value(value, src, tgt, names=names, glossary=glossary)
        if kind in ("name", "keep"):
            values[slot] = rendered if rendered is not None and kind == "name" else value
        elif rendered is not None:
            values[slot] = rendered
        else:
            spans = find_spans(value, src, tgt, names=names, glossary=glossary)
            masked = mask(value, spans, name_tokens=name_tokens, avoid=text)
            values[slot] = _Unit(masked=masked, original=value)
    return values


def _machine_translate(
    provider: Provider, pending: dict[str, list[_Unit]], src: str, tgt: str
) -> None:
    """One engine call for every sentence no one has translated before."""
    originals = list(pending)
    prepared = [postedit.prepare(text, src, tgt, provider.name) for text in originals]
    outputs = _call(provider, prepared, src, tgt)
    fresh = []
    lost = []
    for original, output in zip(originals, outputs, strict=True):
        finished = postedit.finish(original, output, src, tgt, provider.name)
        units = pending[original]
        if _placeholders_lost(units[0].masked, finished):
            lost.extend(units)
            continue
        fresh.append((original, finished))
        for unit in units:
            unit.result = finished
            unit.provider = provider.name
    if fresh:
        tm.remember(fresh, src, tgt, provider.name)
    if lost:
        # The engine dropped a placeholder: translate those sentences as written rather than
        # lose a name, and keep them out of the memory.
        logger.warning("%s lost placeholders in %d sentence(s)", provider.name, len(lost))
        plain = _call(provider, [unit.original for unit in lost], src, tgt)
        for unit, output in zip(lost, plain, strict=True):
            unit.result = postedit.finish(unit.original, output, src, tgt, provider.name)
            unit.masked = Masked(unit.original, ())
            unit.provider = provider.name


def _call(provider: Provider, texts: list[str], src: str, tgt: str) -> list[str]:
    try:
        return provider.translate_batch(texts, src, tgt)
    except TransientError as exc:
        raise TranslationUnavailable(src, tgt, str(exc), retryable=True) from exc
    except (PermanentError, ProviderError) as exc:
        raise TranslationUnavailable(src, tgt, str(exc)) from exc


def _placeholders_lost(masked: Masked, translated: str) -> bool:
    return bool(masked.restore(translated)[1])


def _correction(plan: _Plan, entries: dict[str, MemoryEntry]) -> MemoryEntry | None:
    for key in (plan.text, plan.whole.text):
        entry = entries.get(tm.text_hash(key))
        if entry is not None and entry.is_corrected:
            return entry
    return None


def _assemble(plan: _Plan, entries: dict[str, MemoryEntry], src: str, tgt: str) -> Translation:
    correction = _correction(plan, entries)
    if correction is not None:
        if correction.source_hash == tm.text_hash(plan.text):
            text = correction.corrected_text
        else:
            text = plan.whole.restore(correction.corrected_text)[0]
        return Translation(text, src, tgt, CORRECTION, True, False)

    out = []
    providers: list[str] = []
    human = True
    machine = False
    for piece in plan.pieces:
        if piece.phrase is not None:
            rendered = {}
            providers.append(PHRASEBOOK)
            for slot, value in piece.slots.items():
                if isinstance(value, _Unit):
                    rendered[slot] = _restored(value)
                    providers.append(value.provider)
                    human = human and value.human
                    machine = machine or not value.human
                else:
                    rendered[slot] = value
            text = piece.phrase.fill(rendered)
        elif piece.unit is not None:
            unit = piece.unit
            text = postedit.capitalise_like(unit.original, _restored(unit))
            providers.append(unit.provider)
            human = human and unit.human
            machine = machine or not unit.human
        else:
            text = ""
        out.append(piece.lead + text + piece.trail + piece.gap)
    names = list(dict.fromkeys(p for p in providers if p))
    return Translation("".join(out), src, tgt, "+".join(names) or IDENTITY, human, machine)


def _restored(unit: _Unit) -> str:
    text = postedit.lowercase_like(unit.original, unit.result or "")
    return unit.masked.restore(text)[0]


__all__ = [
    "Translation",
    "TranslationUnavailable",
    "available",
    "correct",
    "glossary_for",
    "route",
    "translate",
    "translate_for_readers",
]
