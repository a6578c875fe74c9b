"""chrF of school messages, both directions: Apertium alone against the pipeline.

Three sets, each a TSV of a source text, a reference translation written by a person, and
the names the text mentions:

- `messages_en_es.tsv`: 62 typical messages the phrasebook and the repairs were written
  against (English→Spanish only). It shows what the pipeline does on what it knows.
- `dev_en_es.tsv`, `dev_es_en.tsv`: the development part, teachers' and office messages in
  English and families' replies in Spanish, for looking at while improving the pipeline.
- `test_en_es.tsv`, `test_es_en.tsv`: the test part, written before any tuning by the same
  rules and only ever scored, never read for errors, so its figure says how the pipeline
  does on messages it was not fitted to.
- `fresh_es_en.tsv`: a second held-out set of 50 family replies, written by the same rules
  after the test part's total had been seen three times, and only ever scored.

References are Latin American Spanish with usted for families, and plain US English. Run as

    python -m homeroom.translation.quality.score [--part dev|test|messages|all]
                                                 [--direction en-es|es-en|both]

to print the figures and write them to bench/results/translation_quality.json. It works in
a scratch database, so the translation memory of a real deployment is left alone.
"""

import argparse
import contextlib
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "messages_en_es.tsv"
RESULTS = Path(__file__).resolve().parents[3] / "bench" / "results" / "translation_quality.json"
# A district-wide glossary entry the 62-message set relies on: the program keeps its name.
GLOSSARY = [("Rising Stars", "")]

PARTS = ("dev", "test", "fresh")
# Scored, never read: no output of these is kept or printed.
HELD_OUT = frozenset({"test", "fresh"})
# The fresh part is Spanish→English only: 50 family replies written after the test part had
# been scored three times, before the last round of repairs, as a second held-out set.
ONE_WAY = {"fresh": "es-en"}
DIRECTIONS = {"en-es": ("en", "es"), "es-en": ("es", "en")}
LANGUAGE_COLUMNS = {"en": "english", "es": "spanish"}


@dataclass(frozen=True)
class Example:
    text: str
    reference: str
    names: tuple[str, ...]


def set_path(part: str, direction: str) -> Path:
    if part == "messages":
        if direction != "en-es":
            raise ValueError("the 62-message set is English→Spanish only")
        return DATA
    one_way = ONE_WAY.get(part, direction)
    if part not in PARTS or direction not in DIRECTIONS or one_way != direction:
        raise ValueError(f"no set {part!r} for {direction!r}")
    return HERE / f"{part}_{direction.replace('-', '_')}.tsv"


def load_examples(path: Path = DATA, direction: str = "en-es") -> list[Example]:
    source, target = (LANGUAGE_COLUMNS[code] for code in DIRECTIONS[direction])
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            Example(
                row[source].strip(),
                row[target].strip(),
                tuple(n.strip() for n in (row["names"] or "").split(",") if n.strip()),
            )
            for row in rows
        ]


def load_set(part: str, direction: str) -> list[Example]:
    return load_examples(set_path(part, direction), direction)


def chrf(hypotheses: list[str], references: list[str]) -> float:
    from sacrebleu.metrics import CHRF

    return round(CHRF().corpus_score(hypotheses, [references]).score, 2)


def apertium_alone(examples: list[Example], direction: str = "en-es") -> list[str]:
    from homeroom.translation.providers.apertium import ApertiumProvider

    source, target = DIRECTIONS[direction]
    return ApertiumProvider().translate_batch([e.text for e in examples], source, target)


def pipeline(examples: list[Example], direction: str = "en-es") -> tuple[list[str], list[str]]:
    """The pipeline's translations and, for each, the providers that made it."""
    from homeroom.translation.models import GlossaryTerm
    from homeroom.translation.services import translate

    source, target = DIRECTIONS[direction]
    for term, translation in GLOSSARY:
        GlossaryTerm.objects.get_or_create(
            term=term, school=None, district=None, language="en", translation=translation
        )
    # Messages that name the same people go in one batch, as a composer would send them.
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, example in enumerate(examples):
        groups.setdefault(example.names, []).append(index)
    texts: list[str] = [""] * len(examples)
    providers: list[str] = [""] * len(examples)
    for names, indexes in groups.items():
        results = translate([examples[i].text for i in indexes], source, target, protect=names)
        for index, result in zip(indexes, results, strict=True):
            texts[index] = result.text
            providers[index] = result.provider
    return texts, providers


def score(
    examples: list[Example] | None = None, direction: str = "en-es", *, samples: bool = True
) -> dict:
    """The figures for one set; needs a database for the memory and the glossary."""
    examples = examples or load_examples()
    references = [e.reference for e in examples]
    started = time.perf_counter()
    baseline = apertium_alone(examples, direction)
    ours, providers = pipeline(examples, direction)
    phrase_rows = [i for i, p in enumerate(providers) if "phrasebook" in p]
    other_rows = [i for i in range(len(examples)) if i not in set(phrase_rows)]

    def subset(hypotheses: list[str], rows: list[int]) -> float:
        return chrf([hypotheses[i] for i in rows], [references[i] for i in rows]) if rows else 0.0

    figures = {
        "metric": "chrF (sacrebleu, character 6-grams, beta 2), corpus level",
        "pair": direction.replace("-", "→"),
        "messages": len(examples),
        "apertium_alone": chrf(baseline, references),
        "pipeline": chrf(ours, references),
        "phrasebook_messages": {
            "count": len(phrase_rows),
            "apertium_alone": subset(baseline, phrase_rows),
            "pipeline": subset(ours, phrase_rows),
        },
        "other_messages": {
            "count": len(other_rows),
            "apertium_alone": subset(baseline, other_rows),
            "pipeline": subset(ours, other_rows),
        },
        "seconds": round(time.perf_counter() - started, 2),
    }
    if samples:
        figures["samples"] = [
            {"text": examples[i].text, "apertium": baseline[i], "pipeline": ours[i]}
            for i in (0, 7, 14, 26, 42, 50)
            if i < len(examples)
        ]
    return figures


def score_part(part: str, direction: str) -> dict:
    """One set's figures. The held-out parts' outputs are not kept: only their scores are."""
    return score(load_set(part, direction), direction, samples=part not in HELD_OUT)


def selected(part: str, direction: str) -> list[tuple[str, str]]:
    parts = ("messages", *PARTS) if part == "all" else (part,)
    directions = tuple(DIRECTIONS) if direction == "both" else (direction,)
    one_way = {"messages": "en-es", **ONE_WAY}
    return [(p, d) for p in parts for d in directions if one_way.get(p, d) == d]


@contextlib.contextmanager
def scratch_database() -> Iterator[None]:
    """A throwaway test database for the duration: real memory rows never mix with these."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--part", choices=(*PARTS, "messages", "all"), default="all")
    parser.add_argument("--direction", choices=(*DIRECTIONS, "both"), default="both")
    args = parser.parse_args(argv)
    setup_django()
    figures: dict = {}
    for part, direction in selected(args.part, args.direction):
        # Each set in a fresh database: no set is helped by another's memory entries.
        with scratch_database():
            figures[f"{part} {direction}"] = result = score_part(part, direction)
        print(
            f"chrF {result['pair']} {part} ({result['messages']} messages): Apertium alone "
            f"{result['apertium_alone']}, pipeline {result['pipeline']}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
