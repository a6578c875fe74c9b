#!/usr/bin/env bash
# Starts Homeroom on the embedded default: SQLite, the database task queue, console delivery.
# The web server and the task worker run together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ADDR="${HOMEROOM_ADDR:-127.0.0.1:8000}"
# Links in texts and emails point at the address the server is started on.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://$ADDR}"

# A fresh clone has no environment and no data directory yet (SQLite will not create one).
# Apertium translates English<->Spanish locally, so the demo's Spanish families read Spanish.
scripts/setup.sh apertium-eng-spa lttoolbox-dev apertium-lex-tools-dev
mkdir -p "${HOMEROOM_DATA_DIR:-var}"

$PY manage.py migrate --no-input >/dev/null
$PY manage.py seed_demo --if-empty
$PY manage.py seed_demo_activity
$PY manage.py collectstatic --no-input >/dev/null
$PY manage.py translation_routes

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
# Inbound texts: where Twilio would post them, and the token they are signed with (the fixed
# development one unless TWILIO_AUTH_TOKEN is set, which is not printed).
$PY manage.py shell --no-imports -c '
from django.conf import settings
from homeroom.messaging.management.commands.simulate_text import webhook_url
token = settings.TWILIO_AUTH_TOKEN
shown = token if token == settings.DEV_TWILIO_AUTH_TOKEN else "(your TWILIO_AUTH_TOKEN)"
print(f"Inbound texts: POST {webhook_url()} signed with TWILIO_AUTH_TOKEN={shown}")
print("  Text as the demo guardian: .venv/bin/python manage.py simulate_text --from +16125550100 \"Hola\"")
' || true
wait -n "${pids[@]}"
