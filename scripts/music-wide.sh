#!/usr/bin/env bash
# Builds the wide real-music dev set's cache (bench/corpus/music-wide.ts): installs the Debian packages of recorded
# music it cuts excerpts from, when missing (idempotent), then decodes every track once to 8 kHz 16-bit mono.
# Used by `npm run bench -- detect-music-dev --set wide`; never by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(wesnoth-1.16-music warzone2100-music lincity-ng-data extremetuxracer-data opus-tools sox libsox-fmt-all)
bash scripts/ensure-debs.sh "${PKGS[@]}"
exec npx tsx bench/corpus/music-wide.ts "$@"
