"""Benchmark data: the demo district, and a whole district at scale (40 schools, 30,000
students, 50,000 guardians, 2,000 staff), built by the same code as `seed_demo`.

Each scale lives in its own SQLite file under `bench/.data/<scale>/`, built once and kept:
a stamp beside it records what built it (the plan and the builder's source), and a second
run reuses the file while the stamp matches. With `DATABASE_URL` set, both scales go into
that database as two districts that do not overlap, and the stamp is the district's
`sourced_id`.

Run inside a process whose settings point at the scale's database (`bench.run` does that):

    HOMEROOM_DATA_DIR=bench/.data/district python -m bench.generate district
"""

import hashlib
import inspect
import json
import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
SCALES = ("demo", "district")

SCHOOL_NAMES = (
    "Adams", "Bancroft", "Cedar Park", "Dayton", "Emerson", "Franklin", "Garfield", "Hale",
    "Irving", "Jefferson", "Kenwood", "Lake Harriet", "Lincoln", "Longfellow", "Marcy",
    "Nokomis", "Olson", "Pillsbury", "Ramsey", "Sheridan", "Seward", "Tuttle", "Webster",
    "Whittier", "Windom", "Anwatin", "Bethune", "Burroughs", "Clara Barton", "Folwell",
    "Green Central", "Hiawatha", "Howe", "Jenny Lind", "Keewaydin", "Lyndale", "Northrop",
    "Pratt", "Sullivan", "Waite Park",
)  # fmt: skip


def district_plan(schools: int = 40, students: int = 30_000, guardians: int = 50_000):
    """A district the size of a mid-sized city's: middle, elementary and high schools."""
    from homeroom.people.demo_names import STREETS
    from homeroom.people.demo_plan import DistrictPlan, SchoolPlan

    kinds = ["middle"] * 10 + ["elementary"] * 22 + ["high"] * 8
    kinds = (kinds * (schools // len(kinds) + 1))[:schools]
    # Elementary schools are small, high schools big: 550 / 800 / the rest shared by the high.
    sizes = {"elementary": 550, "middle": 800}
    fixed = sum(sizes.get(kind, 0) for kind in kinds)
    high = [i for i, kind in enumerate(kinds) if kind == "high"]
    rest = students - fixed
    plans = []
    for i, kind in enumerate(kinds):
        if kind == "high":
            size = rest // len(high) + (1 if high.index(i) < rest % len(high) else 0)
        else:
            size = sizes[kind]
        suffix = {"elementary": "Elementary", "middle": "Middle School", "high": "High School"}
        name = f"{SCHOOL_NAMES[i % len(SCHOOL_NAMES)]} {suffix[kind]}"
        address = f"{100 + 37 * i} {STREETS[i % len(STREETS)]}, Lakeshore"
        plans.append(SchoolPlan(name, kind, size, address))
    return DistrictPlan(
        name="Lakeshore Public Schools",
        sourced_id="bench-lakeshore",
        key="bench",
        schools=tuple(plans),
        guardians=guardians,
        staff=2_000,
        seed=7,
        demo_accounts=False,
        staff_email_domain="staff.lakeshore.example.org",
        family_email_domains=("lakeshore.example.com", "lakeshore.example.org"),
        area_codes=("651", "763", "952", "320", "507", "218", "701"),
        import_file_name="lakeshore-oneroster-2026-08-17.zip",
    )


def plan_for(scale: str):
    from homeroom.people.demo_plan import demo_plan

    return demo_plan() if scale == "demo" else district_plan()


def fingerprint(scale: str) -> str:
    """What built a scale's data: its plan, the builder's code, the migrations."""
    from django.db.migrations.loader import MigrationLoader

    from homeroom.people import demo

    digest = hashlib.sha256()
    digest.update(repr(plan_for(scale)).encode())
    digest.update(inspect.getsource(demo).encode())
    digest.update(Path(__file__).read_bytes())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest.update(repr(sorted(loader.disk_migrations)).encode())
    return digest.hexdigest()[:16]


def data_dir(scale: str) -> Path:
    return DATA_DIR / scale


def ensure(scale: str, say=print) -> dict:
    """Make sure this process's database holds the scale's data; build it when missing."""
    from django.conf import settings
    from django.core.management import call_command

    from homeroom.people import demo
    from homeroom.people.models import District

    stamp = fingerprint(scale)
    plan = plan_for(scale)
    sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    stamp_file = Path(settings.DATABASES["default"]["NAME"]).with_suffix(".stamp")
    call_command("migrate", verbosity=0, interactive=False)
    existing = District.objects.filter(sourced_id=plan.sourced_id).first()
    before = _read_stamp(stamp_file) if sqlite else {}
    if sqlite:
        fresh = existing is not None and before.get("fingerprint") == stamp
    else:
        fresh = existing is not None and existing.name == f"{plan.name} [{stamp}]"
    if fresh:
        say(f"{scale}: reusing the data built before ({stamp})")
        return {**before, "built": False}
    if existing is not None:
        say(f"{scale}: the data is out of date; removing it")
        demo.remove_district(existing)
    say(f"{scale}: building {plan.name} ({len(plan.schools)} schools)…")
    started = time.perf_counter()
    built = demo.build_district(plan, batch_size=5000, progress=lambda m: say(f"  {m}"))
    seconds = time.perf_counter() - started
    outcome = {"fingerprint": stamp, "build_seconds": round(seconds, 1), **built.counts}
    if sqlite:
        stamp_file.write_text(json.dumps(outcome))
    else:
        District.objects.filter(pk=built.district.pk).update(name=f"{plan.name} [{stamp}]")
    say(f"{scale}: built in {seconds:.1f} s")
    return {**outcome, "built": True}


def _read_stamp(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def configure(scale: str) -> None:
    """Point this process at the scale's database (before Django starts)."""
    if not os.environ.get("DATABASE_URL"):
        directory = data_dir(scale)
        directory.mkdir(parents=True, exist_ok=True)
        os.environ["HOMEROOM_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("OUTBOUND_BACKEND", "memory")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def main(argv: list[str]) -> None:
    scales = argv or list(SCALES)
    for scale in scales:
        if scale not in SCALES:
            raise SystemExit(f"unknown scale {scale!r}: use {' or '.join(SCALES)}")
    if len(scales) > 1 and not os.environ.get("DATABASE_URL"):
        # One SQLite file per scale: one process each.
        import subprocess

        for scale in scales:
            subprocess.run([sys.executable, "-m", "bench.generate", scale], check=True)
        return
    configure(scales[0])
    import django

    django.setup()
    for scale in scales:
        ensure(scale)


if __name__ == "__main__":
    main(sys.argv[1:])
