"""The import of a 10,000-student OneRoster 1.1 bundle, timed.

The bundle comes from the test factory (`generate_bundle`, deterministic); it is imported
into an empty database (a fresh SQLite file under `bench/.data/import/`, or the
`DATABASE_URL` given, where the imported district is removed afterwards), then imported
again unchanged, which is what a nightly sync mostly is.

    python -m bench.roster_import bench/.data/import-result.json
"""

import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import DATA_DIR, configure

STUDENTS = 10_000


def _unavailable(reason: str) -> dict:
    return {"available": False, "reason": f"importer not available: {reason}"}


def run() -> dict:
    try:
        from homeroom.people.roster import import_roster
        from homeroom.testing.oneroster_factory import generate_bundle
    except ImportError as error:
        return _unavailable(str(error))

    from django.core.management import call_command
    from django.db import connection

    from homeroom.people.demo import remove_district
    from homeroom.people.models import District, Guardian, Student

    call_command("migrate", verbosity=0, interactive=False)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        bundle = generate_bundle(Path(folder) / "bundle", students=STUDENTS, seed=1)
        generated = time.perf_counter() - started
        files = {p.name: p.stat().st_size for p in sorted(bundle.iterdir())}
        target = _empty_district_for(bundle)
        runs = []
        for label in ("first import", "same bundle again"):
            queries = _QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(queries):
                record = import_roster(bundle, district=target)
            seconds = time.perf_counter() - started
            runs.append(
                {
                    "run": label,
                    "seconds": round(seconds, 2),
                    "status": record.status,
                    "queries": queries.count,
                    "errors": len(record.errors),
                    "warnings": len(record.warnings),
                    "first_warnings": record.warnings[:3],
                    "counts": {
                        outcome: {kind: n for kind, n in by_kind.items() if n}
                        for outcome, by_kind in record.counts.items()
                    },
                }
            )
            print(f"  import ({label}): {seconds:.1f} s, {record.status}", flush=True)
        district = record.district if record.district_id else None
        result = {
            "available": True,
            "students_in_bundle": STUDENTS,
            "bundle_bytes": files,
            "bundle_generation_seconds": round(generated, 2),
            "database": connection.vendor,
            "imported": {
                "students": Student.objects.filter(school__district=district).count(),
                "guardians": Guardian.objects.filter(district=district).count(),
            },
            "runs": runs,
        }
        if district is not None and os.environ.get("DATABASE_URL"):
            remove_district(District.objects.get(pk=district.pk))
    return result


def _empty_district_for(bundle: Path):
    """In a database that holds other districts (the benchmark data), the importer must be
    told which district a bundle is for: give it an empty one named as the bundle names it,
    after removing what an earlier run may have left."""
    from homeroom.people.demo import remove_district
    from homeroom.people.models import District

    with (bundle / "orgs.csv").open(encoding="utf-8-sig", newline="") as f:
        org = next((row for row in csv.DictReader(f) if row["type"].strip() == "district"), None)
    if org is None:
        return None
    sourced_id = org["sourcedId"].strip()
    leftover = District.objects.filter(sourced_id=sourced_id).first()
    if leftover is not None:
        remove_district(leftover)
    if not District.objects.exists():
        return None
    return District.objects.create(sourced_id=sourced_id, name=org["name"].strip())


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main(argv: list[str]) -> None:
    (out,) = argv
    if not os.environ.get("DATABASE_URL"):
        # Always an empty database: the first import is the one that creates everything.
        for leftover in (DATA_DIR / "import").glob("homeroom.sqlite3*"):
            leftover.unlink()
    configure("import")
    import django

    django.setup()
    try:
        result = run()
    except Exception as error:  # the importer is young; a failure is a result too
        result = {"available": True, "failed": f"{type(error).__name__}: {error}"}
    Path(out).write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
