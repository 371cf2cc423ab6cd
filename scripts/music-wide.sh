#!/usr/bin/env bash
# Builds the wide real-music dev set's cache (bench/corpus/music-wide.ts): installs the Debian packages of recorded
# music it cuts excerpts from, when missing (idempotent), then decodes every track once to 8 kHz 16-bit mono.
# Used by `npm run bench -- detect-music-dev --set wide`; never by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(wesnoth-1.16-music warzone2100-music lincity-ng-data extremetuxracer-data opus-tools sox libsox-fmt-all)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "music-wide: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
exec npx tsx bench/corpus/music-wide.ts "$@"
