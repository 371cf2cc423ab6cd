#!/usr/bin/env bash
# Builds the real-voice detection corpus (bench/corpus/real.ts) from Debian's
# packages of real recordings, installing them first when they are missing
# (idempotent). Only these packages are used; asterisk-core-sounds-ru and the
# asterisk-prompt-* packages are kept out on purpose (independent evaluation).
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav asterisk-moh-opsound-wav sox libsox-fmt-all)
bash scripts/ensure-debs.sh "${PKGS[@]}"
exec npx tsx bench/corpus/real.ts "$@"
