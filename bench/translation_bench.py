"""Translation benchmarks, written to bench/results/translation_bench.json.

    python -m bench.translation_bench

Measures, in one run of well under two minutes:
- Apertium throughput: one process for a whole batch against one process per text;
- the translation memory: the cost of a hit against a miss (the miss includes Apertium);
- one announcement for 50,000 readers in six languages: how many engine calls it takes.

It works in a scratch database, so a deployment's translation memory is never touched.
Languages other than Spanish go to a stand-in engine that answers at once (no LibreTranslate
server runs here); it counts calls, which is what that part measures.
"""

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from homeroom.translation.providers.base import Provider

RESULTS = Path(__file__).resolve().parent / "results" / "translation_bench.json"

_SUBJECTS = (
    "math science reading writing art music history spelling geography library recess lunch "
    "band chorus drama coding robotics gardening chess soccer"
)
SUBJECTS = _SUBJECTS.split()
TEMPLATES = (
    "Our class practiced {s} together this morning.",
    "Please remember that {s} starts early on Thursday.",
    "The students shared what they learned in {s} with the class.",
    "Next week we will start a new unit in {s}.",
    "Thank you for helping your child with {s} at home.",
)


def sentences(count: int) -> list[str]:
    out = []
    for index in range(count):
        subject = SUBJECTS[index % len(SUBJECTS)]
        template = TEMPLATES[(index // len(SUBJECTS)) % len(TEMPLATES)]
        # The week number keeps every sentence distinct, as a real term's messages are.
        out.append(template.format(s=subject).replace(".", f" (week {index + 1}).", 1))
    return out


class CountingProvider(Provider):
    """Wraps the engine a route would use and counts its calls and texts."""

    name = "counting"
    name_placeholders = True
    calls: list[tuple[str, str, int]] = []

    def supports(self, source: str, target: str) -> bool:
        return True

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        type(self).calls.append((source, target, len(texts)))
        if {source, target} == {"en", "es"}:
            from homeroom.translation.providers.apertium import ApertiumProvider

            return ApertiumProvider().translate_batch(texts, source, target)
        return [f"[{target}] {text}" for text in texts]


def apertium_throughput(batch_size: int = 500, single_runs: int = 30) -> dict:
    from homeroom.translation.providers.apertium import ApertiumProvider

    provider = ApertiumProvider()
    texts = sentences(batch_size)
    started = time.perf_counter()
    provider.translate_batch(texts, "en", "es")
    batched = time.perf_counter() - started

    started = time.perf_counter()
    for text in texts[:single_runs]:
        provider.translate_batch([text], "en", "es")
    single = time.perf_counter() - started
    return {
        "batched": {
            "sentences": batch_size,
            "processes": 1,
            "seconds": round(batched, 3),
            "sentences_per_second": round(batch_size / batched, 1),
        },
        "one_process_per_text": {
            "sentences": single_runs,
            "processes": single_runs,
            "seconds": round(single, 3),
            "sentences_per_second": round(single_runs / single, 1),
        },
        "speedup": round((batch_size / batched) / (single_runs / single), 1),
    }


def memory_hit_vs_miss(count: int = 200) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from homeroom.translation.models import MemoryEntry
    from homeroom.translation.services import translate

    texts = sentences(count + 1000)[1000:]
    MemoryEntry.objects.all().delete()

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as cold_queries:
        translate(texts, "en", "es")
    miss = time.perf_counter() - started

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as warm_queries:
        translate(texts, "en", "es")
    hit = time.perf_counter() - started

    one_started = time.perf_counter()
    translate(texts[:1], "en", "es")
    one_hit = time.perf_counter() - one_started
    return {
        "texts": count,
        "miss": {
            "seconds": round(miss, 4),
            "ms_per_text": round(miss * 1000 / count, 3),
            "queries": len(cold_queries),
        },
        "hit": {
            "seconds": round(hit, 4),
            "ms_per_text": round(hit * 1000 / count, 3),
            "queries": len(warm_queries),
        },
        "single_text_hit_ms": round(one_hit * 1000, 3),
        "miss_over_hit": round(miss / hit, 1),
    }


def announcement_for_readers(readers: int = 50_000) -> dict:
    # The route names this module by its import path; run as a script, this file is also
    # `__main__`, so the counter is read from the class the route really builds.
    from bench.translation_bench import CountingProvider as Counted
    from homeroom.translation.services import translate_for_readers

    languages = ["es", "es-MX", "vi", "ar", "so", "zh", "ht", "en", "en-US"]
    tags = [languages[i % len(languages)] for i in range(readers)]
    Counted.calls = []
    started = time.perf_counter()
    out = translate_for_readers(
        "The book fair opens on Monday morning in the library. Families are welcome!",
        "en",
        tags,
    )
    elapsed = time.perf_counter() - started
    translated = sorted({call[1] for call in Counted.calls})
    return {
        "readers": readers,
        "reader_languages": sorted({t.split("-")[0] for t in tags}),
        "languages_translated": translated,
        "engine_calls": len(Counted.calls),
        "texts_sent_to_engines": sum(call[2] for call in Counted.calls),
        "tags_answered": len(out),
        "seconds": round(elapsed, 3),
    }


def run() -> dict:
    from django.test.utils import override_settings

    from homeroom.translation.quality.score import scratch_database

    load = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    with scratch_database():
        throughput = apertium_throughput()
        memory = memory_hit_vs_miss()
        routes = {"*": ["bench.translation_bench.CountingProvider"]}
        with override_settings(TRANSLATION_ROUTES=routes):
            readers = announcement_for_readers()
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "system": platform.platform(terse=True),
            "python": platform.python_version(),
            # Other work on the machine shows in wall times; this says how busy it was.
            "load_average_1m_at_start": load,
            "database": "sqlite (scratch)" if "sqlite" in _engine() else "postgresql (scratch)",
        },
        "apertium_throughput": throughput,
        "memory": memory,
        "announcement": readers,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _engine() -> str:
    from django.db import connection

    return connection.vendor


def main(argv: list[str] | None = None) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    import django

    django.setup()
    result = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    t, m, a = result["apertium_throughput"], result["memory"], result["announcement"]
    print(
        f"Apertium: {t['batched']['sentences_per_second']} sentences/s batched, "
        f"{t['one_process_per_text']['sentences_per_second']}/s one process per text "
        f"({t['speedup']}×). Memory: miss {m['miss']['ms_per_text']} ms/text, "
        f"hit {m['hit']['ms_per_text']} ms/text. "
        f"{a['readers']} readers: {a['engine_calls']} engine calls. "
        f"({result['seconds']} s)"
    )
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
