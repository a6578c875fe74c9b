#!/usr/bin/env bash
# The checks that need no database: style, the import layers, and the access rule.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import layers"
.venv/bin/lint-imports --no-cache
echo "== access asked, never written"
.venv/bin/python -m homeroom.testing.access_rule
