"""The access rule, checked: who sees what is decided in the access modules, nowhere else.

A module outside them that filters guardianships, sections, schools or teaching assignments
itself, names the flags a court order sets (`may_contact`, `may_see_records`) in a query, or reads
a viewer's role sets is reported with its line. Run `python -m homeroom.testing.access_rule`
(`make lint` does); the suite runs it too.

Exempt: the access modules (`*/access.py`), migrations and tests; the roster importer and the
demo builder, which write the people rows rather than show them; the people models, where the
queryset the access module builds on is defined; operators' management commands, which act for
the whole installation with no viewer; and the test fixtures in `homeroom/testing/`.

The places that still decide access by hand are listed, by file and kind, in
`access_rule_known.txt` beside this module. The list only shrinks: a new place fails the check,
and so does a listed one that is gone (take it off the list).
"""

import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWN = Path(__file__).with_name("access_rule_known.txt")
SCOPED_MODELS = {"Guardianship", "Section", "School", "TeachingAssignment"}
QUERY_METHODS = {"filter", "exclude", "about_the_child"}
FLAGS = ("may_contact", "may_see_records")
SCOPE_LOOKUPS = ("teaching__staff", "teaching__is_active")
VIEWER_INTERNALS = {"admin_school_ids", "school_wide_ids", "roles_by_school"}
EXEMPT_PARTS = {"migrations", "tests", "testing", "commands"}
EXEMPT_PREFIXES = (
    "homeroom/people/roster",
    "homeroom/people/demo",
    "homeroom/people/models.py",
)


def is_exempt(relative: str) -> bool:
    parts = relative.split("/")
    return (
        parts[-1] == "access.py"
        or bool(EXEMPT_PARTS.intersection(parts[:-1]))
        or relative.startswith(EXEMPT_PREFIXES)
    )


def _manager_model(node: ast.AST) -> str | None:
    """`School` for `School.objects.filter`, also through a chain (`School.objects.x().filter`)."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute):
            if node.attr == "objects" and isinstance(node.value, ast.Name):
                return node.value.id
            node = node.value
        else:
            node = node.func
    return None


def violations_in(source: str, relative: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
                model = _manager_model(func.value)
                if model in SCOPED_MODELS:
                    found.append((node.lineno, f"filters {model} by hand"))
            for keyword in node.keywords:
                name = keyword.arg or ""
                if any(name == f or name.endswith("__" + f) for f in FLAGS):
                    found.append((node.lineno, f"names {name} in a query"))
                elif any(lookup in name for lookup in SCOPE_LOOKUPS):
                    found.append((node.lineno, f"scopes by {name}"))
        elif isinstance(node, ast.Attribute) and node.attr in VIEWER_INTERNALS:
            found.append((node.lineno, f"reads viewer.{node.attr}"))
    return [f"{relative}:{line}: {what}" for line, what in sorted(set(found))]


def violations(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / "homeroom").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if not is_exempt(relative):
            found += violations_in(path.read_text(encoding="utf-8"), relative)
    return found


def _kinds(found: list[str]) -> Counter:
    """ "path:line: what" → how many times each (path, what) occurs; lines move, kinds do not."""
    return Counter(f"{line.split(':')[0]}: {line.split(': ', 1)[1]}" for line in found)


def known() -> Counter:
    rows = [row.strip() for row in KNOWN.read_text(encoding="utf-8").splitlines()]
    return Counter(row for row in rows if row and not row.startswith("#"))


def unexpected(found: list[str], listed: Counter) -> tuple[list[str], list[str]]:
    """The new places (not on the list) and the listed ones that are gone."""
    kinds = _kinds(found)
    new_kinds = kinds - listed
    new = [line for line in found if _kinds([line]) & new_kinds]
    gone = sorted((listed - kinds).elements())
    return new, gone


def main() -> int:
    new, gone = unexpected(violations(), known())
    for line in new:
        print(line)
    if new:
        print(f"{len(new)} new place(s) decide access by hand; ask people/access.py instead.")
    for row in gone:
        print(f"{row}: fixed; take it off {KNOWN.name}")
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main())
