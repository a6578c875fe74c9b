"""Run the benchmarks and write their results to `bench/results/<name>.json`.

    python -m bench.run            # everything: home pages at both scales, roster import
    python -m bench.run pages      # only the home pages
    python -m bench.run import     # only the roster import
    python -m bench.run translation messaging behavior   # the module benchmarks
    python -m bench.run --tables   # print the tables of the last results, run nothing

Each scale runs in a process of its own, pointed at its own database (see bench.generate),
so the demo and the district never share a connection or a cache.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import SCALES

RESULTS = Path(__file__).resolve().parent / "results"
ROLES = ("teacher", "school_admin", "district_admin", "guardian")


def machine() -> dict:
    import sqlite3

    import django

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "system": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "database": "postgresql (DATABASE_URL)" if os.environ.get("DATABASE_URL") else "sqlite",
        # Other work on the machine shows in wall times; this says how busy it was.
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
    }


def _child(module: str, *args: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        subprocess.run([sys.executable, "-m", module, *args, str(out)], check=True)
        return json.loads(out.read_text())


def _suffix() -> str:
    # Results on PostgreSQL sit beside the SQLite ones instead of replacing them.
    return "-postgresql" if os.environ.get("DATABASE_URL") else ""


def _write(name: str, result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}{_suffix()}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


# Benchmarks of the product modules, each a `bench/<name>_bench.py` with its own main().
MODULE_BENCHES = (
    "translation",
    "messaging",
    "messaging_pages",
    "behavior",
    "routines",
    "voice",
    "survey",
    "goals",
    "insights",
    "rides",
    "gatherings",
)


def bench_pages() -> dict:
    scales = {}
    for scale in SCALES:
        print(f"home pages, {scale} scale", flush=True)
        scales[scale] = _child("bench.pages", scale)
    return {"benchmark": "home_pages", "scales": scales}


def bench_import() -> dict:
    print("roster import, 10,000 students", flush=True)
    return {"benchmark": "roster_import", **_child("bench.roster_import")}


# The pages of bench.pages beside each role's home, and how the table names them.
EXTRA_PAGES = {"teacher": ("teacher_section_roster", "teacher_section_record")}
PAGE_NAMES = {
    "teacher_section_roster": "teacher home: a section opened",
    "teacher_section_record": "recording moments for a section",
}


def pages_table(result: dict) -> str:
    lines = [
        "| page | scale | listed | p50 ms | p95 ms | CPU p50 ms | ×floor (p50) "
        "| ×floor (CPU p50) | ×trivial (p50) | queries |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, data in result["scales"].items():
        trivial = data["pages"]["healthz"]
        lines.append(
            f"| `/healthz` (trivial) | {scale} | — | {trivial['p50_ms']} | {trivial['p95_ms']} "
            f"| {trivial['cpu_p50_ms']} | — | — | 1 | {trivial['queries']} |"
        )
        for role in ROLES:
            floor = data.get("floors", {}).get(role)
            if floor:
                lines.append(
                    f"| **floor**: My account ({role.replace('_', ' ')}) | {scale} | — "
                    f"| {floor['p50_ms']} | {floor['p95_ms']} | {floor['cpu_p50_ms']} | 1 | 1 "
                    f"| {round(floor['p50_ms'] / trivial['p50_ms'], 1)} | {floor['queries']} |"
                )
            for name in (role, *EXTRA_PAGES.get(role, ())):
                page = data["pages"].get(name)
                if page is None:
                    continue
                listed = ", ".join(_count(n, what) for what, n in page["lists"].items())
                title = PAGE_NAMES.get(name, f"{name.replace('_', ' ')} home")
                lines.append(
                    f"| {title} | {scale} | {listed} | {page['p50_ms']} | {page['p95_ms']} "
                    f"| {page['cpu_p50_ms']} | {page.get('floor_ratio_p50', '—')} "
                    f"| {page.get('floor_ratio_cpu_p50', '—')} | {page['ratio_p50']} "
                    f"| {page['queries']} |"
                )
    return "\n".join(lines)


def _count(n: int, what: str) -> str:
    if n == 1:
        what = {"children": "child"}.get(what, what.removesuffix("s"))
    return f"{n:,} {what}"


def import_table(result: dict) -> str:
    if not result.get("available"):
        return result.get("reason", "importer not available")
    if "failed" in result:
        return f"the import failed: {result['failed']}"
    lines = ["| run | seconds | queries | status |", "|---|---:|---:|---|"]
    for run in result["runs"]:
        lines.append(f"| {run['run']} | {run['seconds']} | {run['queries']} | {run['status']} |")
    return "\n".join(lines)


def print_tables() -> None:
    """The tables of the last results, as docs/performance.md shows them."""
    for suffix in ("", "-postgresql"):
        for name, table in (("home_pages", pages_table), ("roster_import", import_table)):
            path = RESULTS / f"{name}{suffix}.json"
            if path.exists():
                print(f"{path.name}:\n")
                print(table(json.loads(path.read_text())), end="\n\n")


def main(argv: list[str]) -> None:
    if argv == ["--tables"]:
        print_tables()
        return
    modules = [m for m in MODULE_BENCHES if (Path(__file__).parent / f"{m}_bench.py").exists()]
    wanted = set(argv) or {"pages", "import", *modules}
    unknown = wanted - {"pages", "import", *modules}
    if unknown:
        known = ", ".join(["pages", "import", *modules])
        raise SystemExit(f"unknown benchmark {', '.join(sorted(unknown))}: use {known}")
    started = time.perf_counter()
    stamp = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    tables = []
    if "pages" in wanted:
        pages = {**bench_pages(), **stamp}
        print(f"wrote {_write('home_pages', pages).relative_to(RESULTS.parent.parent)}")
        tables.append(pages_table(pages))
    if "import" in wanted:
        roster = {**bench_import(), **stamp}
        print(f"wrote {_write('roster_import', roster).relative_to(RESULTS.parent.parent)}")
        tables.append(import_table(roster))
    for name in modules:
        if name in wanted:
            # Each module benchmark writes its own bench/results/<name>*.json.
            print(f"{name} benchmark", flush=True)
            subprocess.run([sys.executable, "-m", f"bench.{name}_bench"], check=True)
    print()
    print("\n\n".join(tables))
    print(f"\nbenchmarks took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
