"""Translate what staff and families write: one batch-first entry point for every caller.

For each message the pipeline, per sentence, prefers a person's correction, then the
phrasebook, then the translation memory, and only then a machine, with names, dates,
figures and glossary terms masked so no engine can mistranslate them. A whole batch costs
one memory query, at most one engine call and one insert, whatever its size.
"""

import logging
import time
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.languages import STAFF_LANGUAGE, base_language, language_name

from . import phrasebook, postedit
from .models import (
    ENGLISH,
    INTERPRETER,
    GlossaryTerm,
    LanguageRoute,
    MemoryEntry,
    ProviderUsage,
    route_providers,
)
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

# What reaches families in a language: a machine's translation, an interpreter's, or the
# English text with a note. The staff's own language needs none of them.
TRANSLATED = "translated"
SUPPORTS = (TRANSLATED, INTERPRETER, ENGLISH)

# A district's routes are read once per district per request (the middleware gives each
# request its own memo), and elsewhere (task workers) kept this many seconds per process: a
# change made in another process is seen within that time, one made in this one at once.
ROUTES_KEPT_SECONDS = 60
_district_routes_cache: dict[int, tuple[float, dict[str, str]]] = {}
_request_routes: ContextVar[dict[int, dict[str, str]] | None] = ContextVar(
    "district_routes", default=None
)


def district_routes(district_id: int | None) -> dict[str, str]:
    """The district's chosen route per base language: one query per request or a while."""
    if district_id is None:
        return {}
    memo = _request_routes.get()
    if memo is not None:
        if district_id not in memo:
            memo[district_id] = _load_district_routes(district_id)
        return memo[district_id]
    kept = _district_routes_cache.get(district_id)
    now = time.monotonic()
    if kept is not None and now - kept[0] < ROUTES_KEPT_SECONDS:
        return kept[1]
    rows = _load_district_routes(district_id)
    _district_routes_cache[district_id] = (now, rows)
    return rows


def _load_district_routes(district_id: int) -> dict[str, str]:
    rows = LanguageRoute.objects.filter(district_id=district_id).values_list("language", "route")
    return dict(rows)


def routes_once_per_request(get_response):
    """Middleware: each request reads a district's routes once, and sees them fresh."""

    def middleware(request):
        token = _request_routes.set({})
        try:
            return get_response(request)
        finally:
            _request_routes.reset(token)

    return middleware


def forget_district_routes(*args, **kwargs) -> None:
    _district_routes_cache.clear()
    memo = _request_routes.get()
    if memo is not None:
        memo.clear()


post_save.connect(forget_district_routes, sender=LanguageRoute)
post_delete.connect(forget_district_routes, sender=LanguageRoute)


def _district_id(school=None, district=None) -> int | None:
    if district is not None:
        return getattr(district, "pk", district)
    if school is not None:
        return school.district_id
    return None


def route(source: str, target: str, *, school=None, district=None) -> tuple[Provider | None, str]:
    """The provider that serves the pair now, or None and the reasons none does."""
    provider, reason, _ = _route(source, target, _district_id(school, district))
    return provider, reason


def _route(
    source: str, target: str, district_id: int | None = None
) -> tuple[Provider | None, str, bool]:
    src, tgt = base_language(source), base_language(target)
    names, chosen = _route_names(src, tgt, district_id)
    if chosen in (INTERPRETER, ENGLISH):
        family = language_name(_family_language(src, tgt))
        if chosen == INTERPRETER:
            return None, f"the district sends {family} through an interpreter", False
        return None, f"the district sends {family} in English with a note", False
    reasons = []
    temporary = False
    for name in names:
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


def _family_language(src: str, tgt: str) -> str:
    """The language of a pair that is not the staff's: the route is chosen for it."""
    return src if tgt == base_language(STAFF_LANGUAGE) else tgt


def _route_names(src: str, tgt: str, district_id: int | None = None) -> tuple[list[str], str]:
    """The provider names to try for a pair, and the district's route when it chose one."""
    chosen = district_routes(district_id).get(_family_language(src, tgt), "")
    if chosen:
        return route_providers(chosen), chosen
    routes = settings.TRANSLATION_ROUTES
    names = (
        routes.get(f"{src}:{tgt}")
        or routes.get(f"{src}:*")
        or routes.get(f"*:{tgt}")
        or routes.get("*")
        or []
    )
    return names, ""


def available(source: str, target: str, *, school=None, district=None) -> bool:
    """Whether messages can be translated from `source` to `target` right now."""
    if base_language(source) == base_language(target):
        return True
    return route(source, target, school=school, district=district)[0] is not None


PROVIDER_LABELS = {
    "apertium": "Apertium",
    "libretranslate": "LibreTranslate",
    "google": "Google",
    "azure": "Azure",
    "amazon": "Amazon",
    "deepl": "DeepL",
    "memory": _("memory"),
}


def provider_label(name: str) -> str:
    return str(PROVIDER_LABELS.get(name) or name.rsplit(".", 1)[-1])


@dataclass(frozen=True)
class LanguageSupport:
    """What families reading `language` get, and (for staff) the route that gives it."""

    language: str
    support: str  # TRANSLATED, INTERPRETER or ENGLISH
    provider: str = ""  # the engine that serves it now, when translated
    chosen: str = ""  # the district's route, "" when the deployment's settings decide
    reason: str = ""  # why no engine serves it, for administrators

    @property
    def is_staff_language(self) -> bool:
        return self.language == base_language(STAFF_LANGUAGE)

    @property
    def route_label(self) -> str:
        """The route in a few words for staff: "Apertium + memory", "an interpreter first"."""
        if self.support == TRANSLATED:
            return f"{provider_label(self.provider)} + {provider_label('memory')}"
        if self.support == INTERPRETER:
            return str(_("an interpreter first"))
        return str(_("English with a note"))

    @property
    def family_label(self) -> str:
        """The truth for a family choosing or reading the language, in the page's language."""
        if self.is_staff_language:
            return ""
        if self.support == TRANSLATED:
            return str(_("Messages arrive translated"))
        if self.support == INTERPRETER:
            return str(_("Through an interpreter"))
        return str(_("In English for now"))


def language_support(language: str, *, district=None, school=None) -> LanguageSupport:
    """How messages from staff reach families who read `language`, in `district` (an id or a
    District) or the deployment's settings: translated, through an interpreter, or in English
    for now (no engine serves it: the sender may still ask an interpreter for one message)."""
    base = base_language(language) or base_language(STAFF_LANGUAGE)
    staff = base_language(STAFF_LANGUAGE)
    if base == staff:
        return LanguageSupport(base, TRANSLATED, provider="identity")
    district_id = _district_id(school, district)
    chosen = district_routes(district_id).get(base, "")
    if chosen == INTERPRETER:
        return LanguageSupport(base, INTERPRETER, chosen=chosen)
    if chosen == ENGLISH:
        return LanguageSupport(base, ENGLISH, chosen=chosen)
    provider, reason, _temporary = _route(staff, base, district_id)
    if provider is None:
        return LanguageSupport(base, ENGLISH, chosen=chosen, reason=reason)
    return LanguageSupport(base, TRANSLATED, provider=provider.name, chosen=chosen)


def set_language_routes(district, routes: dict[str, str], *, by=None) -> None:
    """Keep the district's route for each language given; "" hands a language back to the
    deployment's settings. The caller has validated every route (`validate_route`)."""
    from django.db import transaction

    with transaction.atomic():
        current = {row.language: row for row in LanguageRoute.objects.filter(district=district)}
        for language, chosen in routes.items():
            row = current.get(language)
            if not chosen:
                if row is not None:
                    row.delete()
            elif row is None:
                LanguageRoute.objects.create(
                    district=district, language=language, route=chosen, updated_by=by
                )
            elif row.route != chosen:
                row.route = chosen
                row.updated_by = by
                row.save(update_fields=["route", "updated_by", "updated_at"])
    forget_district_routes()


def provider_status(languages: Iterable[str]) -> list[dict]:
    """Each shipped provider, whether it is set up here, and which of `languages` it
    translates from the staff's language right now."""
    from .providers import NAMES

    staff = base_language(STAFF_LANGUAGE)
    out = []
    for name in NAMES:
        try:
            provider = get_provider(name)
        except ProviderError as exc:
            out.append({"name": name, "label": provider_label(name), "serves": [], "why": str(exc)})
            continue
        serves = [code for code in languages if provider and provider.supports(staff, code)]
        why = ""
        if provider is not None and not serves:
            probe = next(iter(languages), "es")
            why = provider.unavailable_reason(staff, probe)
        out.append({"name": name, "label": provider_label(name), "serves": serves, "why": why})
    return out


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
    district=None,
    protect: Iterable[str] = (),
) -> list[Translation]:
    """Translations of `texts` from `source` to `target` (BCP 47), in order.

    `protect` lists names that must come through untouched (the student's, the guardians',
    the staff's). `school` brings in its glossary and, with `district` (for a text of no
    school), the district's routes. Raises TranslationUnavailable when some
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

    district_id = _district_id(school, district)
    provider, reason, temporary = _route(src, tgt, district_id)
    names = [n for n in protect if n]
    glossary = glossary_for(school, src, tgt)
    name_tokens = _name_placeholders(src, tgt, provider, district_id)
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
        _machine_translate(provider, pending, src, tgt, district_id)

    for index, plan in plans.items():
        results[index] = _assemble(plan, entries, src, tgt)
    return results  # type: ignore[return-value]


def translate_for_readers(
    text: str,
    source: str,
    reader_languages: Iterable[str],
    *,
    school=None,
    district=None,
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
        (translation,) = translate(
            [text], source, base, school=school, district=district, protect=protect
        )
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
    district_id = _district_id(school)
    name_tokens = _name_placeholders(src, tgt, _route(src, tgt, district_id)[0], district_id)
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


def _name_placeholders(
    src: str, tgt: str, provider: Provider | None, district_id: int | None = None
) -> bool:
    """The placeholder shape of the pair's engine, even while it is down, so the memory
    written with it keeps serving."""
    if provider is None:
        for name in _route_names(src, tgt, district_id)[0]:
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
    provider: Provider,
    pending: dict[str, list[_Unit]],
    src: str,
    tgt: str,
    district_id: int | None = None,
) -> None:
    """One engine call for every sentence no one has translated before."""
    originals = list(pending)
    prepared = [postedit.prepare(text, src, tgt, provider.name) for text in originals]
    outputs = _call(provider, prepared, src, tgt, district_id)
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
        plain = _call(provider, [unit.original for unit in lost], src, tgt, district_id)
        for unit, output in zip(lost, plain, strict=True):
            unit.result = postedit.finish(unit.original, output, src, tgt, provider.name)
            unit.masked = Masked(unit.original, ())
            unit.provider = provider.name


def _call(
    provider: Provider, texts: list[str], src: str, tgt: str, district_id: int | None
) -> list[str]:
    """The one place an engine is called; each call that returns is counted."""
    try:
        outputs = provider.translate_batch(texts, src, tgt)
    except TransientError as exc:
        raise TranslationUnavailable(src, tgt, str(exc), retryable=True) from exc
    except (PermanentError, ProviderError) as exc:
        raise TranslationUnavailable(src, tgt, str(exc)) from exc
    count_usage(provider.name, sum(len(text) for text in texts))
    return outputs


def first_of_month(day: date | None = None) -> date:
    return (day or timezone.localdate()).replace(day=1)


# The table name is the model's own; every value goes in as a parameter.
_USAGE_UPSERT = (
    "INSERT INTO {t} (provider, month, characters, requests) VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (provider, month) DO UPDATE SET "
    "characters = {t}.characters + excluded.characters, requests = {t}.requests + 1"
)


def count_usage(provider: str, characters: int) -> None:
    """Add one request of `characters` to the provider's month, in one upsert (SQLite and
    PostgreSQL both speak ON CONFLICT), so concurrent workers never lose a count."""
    table = connection.ops.quote_name(ProviderUsage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            _USAGE_UPSERT.replace("{t}", table), [provider[:40], first_of_month(), characters]
        )


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
    "LanguageSupport",
    "Translation",
    "TranslationUnavailable",
    "available",
    "correct",
    "glossary_for",
    "language_support",
    "provider_status",
    "route",
    "set_language_routes",
    "translate",
    "translate_for_readers",
]
