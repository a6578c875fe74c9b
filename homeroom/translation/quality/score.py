"""chrF of English→Spanish on typical school messages: Apertium alone against the pipeline.

`messages_en_es.tsv` holds messages with a reference translation written and reviewed by a
person (Latin American Spanish, usted), and the names each message mentions. Run as

    python -m homeroom.translation.quality.score

to print the figures and write them to bench/results/translation_quality.json. It works in
a scratch database, so the translation memory of a real deployment is left alone.
"""

import contextlib
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "messages_en_es.tsv"
RESULTS = Path(__file__).resolve().parents[3] / "bench" / "results" / "translation_quality.json"
# A district-wide glossary entry the set relies on: the program keeps its English name.
GLOSSARY = [("Rising Stars", "")]


@dataclass(frozen=True)
class Example:
    english: str
    spanish: str
    names: tuple[str, ...]


def load_examples(path: Path = DATA) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            Example(
                row["english"].strip(),
                row["spanish"].strip(),
                tuple(n.strip() for n in (row["names"] or "").split(",") if n.strip()),
            )
            for row in rows
        ]


def chrf(hypotheses: list[str], references: list[str]) -> float:
    from sacrebleu.metrics import CHRF

    return round(CHRF().corpus_score(hypotheses, [references]).score, 2)


def apertium_alone(examples: list[Example]) -> list[str]:
    from homeroom.translation.providers.apertium import ApertiumProvider

    return ApertiumProvider().translate_batch([e.english for e in examples], "en", "es")


def pipeline(examples: list[Example]) -> tuple[list[str], list[str]]:
    """The pipeline's translations and, for each, the providers that made it."""
    from homeroom.translation.models import GlossaryTerm
    from homeroom.translation.services import translate

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
        results = translate([examples[i].english for i in indexes], "en", "es", protect=names)
        for index, result in zip(indexes, results, strict=True):
            texts[index] = result.text
            providers[index] = result.provider
    return texts, providers


def score(examples: list[Example] | None = None) -> dict:
    """The figures; needs a database for the memory and the glossary."""
    examples = examples or load_examples()
    references = [e.spanish for e in examples]
    started = time.perf_counter()
    baseline = apertium_alone(examples)
    ours, providers = pipeline(examples)
    phrase_rows = [i for i, p in enumerate(providers) if "phrasebook" in p]
    other_rows = [i for i in range(len(examples)) if i not in set(phrase_rows)]

    def subset(hypotheses: list[str], rows: list[int]) -> float:
        return chrf([hypotheses[i] for i in rows], [references[i] for i in rows])

    return {
        "metric": "chrF (sacrebleu, character 6-grams, beta 2), corpus level",
        "pair": "en→es",
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
        "samples": [
            {"english": examples[i].english, "apertium": baseline[i], "pipeline": ours[i]}
            for i in (0, 7, 14, 26, 42, 50)
            if i < len(examples)
        ],
    }


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
    setup_django()
    with scratch_database():
        figures = score()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(
        f"chrF en→es on {figures['messages']} messages: Apertium alone "
        f"{figures['apertium_alone']}, pipeline {figures['pipeline']} "
        f"(without phrasebook matches: {figures['other_messages']['apertium_alone']} → "
        f"{figures['other_messages']['pipeline']})"
    )
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
