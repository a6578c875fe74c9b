"""Insights at district scale: the day's roll-up for the whole district (timed, twice: the
second run replaces the first's rows), then the district admin's home and a school's
insights page, both reading the roll-up, each timed beside the signed-in floor (My account,
bench.pages) and a trivial view (`/healthz`) in the same run. The district comes from
bench/generate.py (copied into bench/.data/insights/ when already built, so other
benchmarks' data stays untouched).

    python -m bench.insights_bench        (results in bench/results/insights.json)
"""

import json
import os
import shutil
import sys
import time
from datetime import timedelta

from bench.generate import BENCH_DIR, DATA_DIR, ensure

REQUESTS = 30
RESULTS = BENCH_DIR / "results" / "insights.json"


def configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        directory = DATA_DIR / "insights"
        directory.mkdir(parents=True, exist_ok=True)
        built = DATA_DIR / "district"
        if not (directory / "homeroom.sqlite3").exists() and (built / "homeroom.stamp").exists():
            for name in ("homeroom.sqlite3", "homeroom.stamp"):
                shutil.copy(built / name, directory / name)
        os.environ["HOMEROOM_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("OUTBOUND_BACKEND", "memory")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from bench.pages import _with_totp, measure_against_floor, personas, summarise
    from homeroom.insights import facts
    from homeroom.insights.models import DailyFigures
    from homeroom.messaging.models import Delivery, Message

    started = time.perf_counter()
    built = ensure("district")
    people = personas("district")
    district = people["district_admin"].district
    day = timezone.localdate() - timedelta(days=1)
    runs = []
    for _ in range(2):
        begun = time.perf_counter()
        rows = facts.roll_up(district, day)
        runs.append(round(time.perf_counter() - begun, 2))
    results = {
        "scale": "district",
        "district": {k: v for k, v in built.items() if isinstance(v, int)},
        "raw_rows": {
            "messages": Message.objects.filter(conversation__district=district).count(),
            "deliveries": Delivery.objects.filter(message__conversation__district=district).count(),
        },
        "roll_up": {
            "day": day.isoformat(),
            "rows": rows,
            "seconds": runs,
            "rows_kept": DailyFigures.objects.filter(district=district, day=day).count(),
        },
        "pages": {},
    }
    trivial = ([], [])
    school = people["school_admin"].assignments.select_related("school").first().school
    wanted = {
        "district_admin_home": (people["district_admin"], "/"),
        "school_insights": (people["school_admin"], reverse("insights:school", args=[school.pk])),
    }
    for name, (person, url) in wanted.items():
        _with_totp(person.user)
        client = Client()
        client.force_login(person.user)
        page = measure_against_floor(client, person.user, url, REQUESTS, trivial)
        page["url"] = url
        results["pages"][name] = page
        print(
            f"  {name}: p50 {page['p50_ms']} ms ({page['floor_ratio_p50']}× floor, "
            f"CPU {page['floor_ratio_cpu_p50']}×), {page['queries']} queries",
            flush=True,
        )
    results["healthz"] = summarise(*trivial)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["roll_up"], indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
