#!/usr/bin/env bash
# Installs the Debian packages given as arguments that are not installed yet (idempotent; sudo when not root).
# Shared by the benchmark corpora's scripts (real-corpus.sh, music-wide.sh); never by the tests.
set -euo pipefail
missing=()
for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "ensure-debs: installing ${missing[*]}" >&2
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
