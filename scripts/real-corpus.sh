#!/usr/bin/env bash
# Builds the real-voice detection corpus (bench/corpus/real.ts) from Debian's
# packages of real recordings, installing them first when they are missing
# (idempotent). Only these packages are used; asterisk-core-sounds-ru and the
# asterisk-prompt-* packages are kept out on purpose (independent evaluation).
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav asterisk-moh-opsound-wav sox libsox-fmt-all)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "real-corpus: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
exec npx tsx bench/corpus/real.ts "$@"
