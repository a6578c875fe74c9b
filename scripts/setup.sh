#!/usr/bin/env bash
# Installs what Homeroom needs: uv, the locked Python packages, and — when run as root —
# the Debian packages named as arguments that are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]} — install them (as root: make test does it)." >&2
    exit 1
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv
fi
UV="$(command -v uv || echo "$(python3 -m site --user-base)/bin/uv")"
"$UV" sync --frozen --quiet
