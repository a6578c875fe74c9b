#!/usr/bin/env bash
# Starts Homeroom on the embedded default: SQLite, the database task queue, console delivery.
# The web server and the task worker run together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ADDR="${HOMEROOM_ADDR:-127.0.0.1:8000}"

# A fresh clone has no environment and no data directory yet (SQLite will not create one).
scripts/setup.sh
mkdir -p "${HOMEROOM_DATA_DIR:-var}"

$PY manage.py migrate --no-input >/dev/null
$PY manage.py seed_demo --if-empty
$PY manage.py collectstatic --no-input >/dev/null

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT
$PY manage.py db_worker &
pids+=($!)
# Recurring work (outbox sweep, digests, reminders) is enqueued by one scheduler.
$PY manage.py periodic >/dev/null &
pids+=($!)
$PY manage.py runserver "$ADDR" --noreload &
pids+=($!)
echo "Homeroom is running at http://$ADDR — press Ctrl-C to stop."
wait -n "${pids[@]}"
