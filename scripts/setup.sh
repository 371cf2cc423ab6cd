#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with Node 20: installs the
# Debian packages the project needs when they are missing, then node modules.
# Run by `npm start` and `npm test`; safe to run again (it does nothing twice).
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> Debian package that provides it
declare -A need=(
  [redis-server]=redis-server   # live queues (embedded default starts its own)
  [redis-cli]=redis-tools        # joins the loopback Redis Cluster in the scale tests and bench
  [sipp]=sip-tester             # SIPp: carrier/customer/agent simulators in tests and the demo
  [sox]=sox                     # generates hold music, beeps and test audio
  [espeak-ng]=espeak-ng         # speech for the labelled detection corpus and demo
  [chromium]=chromium           # headless browser for the dashboard test (driven by playwright-core)
  [docker-compose]=docker-compose # 1.29: `docker-compose config` validates docker-compose.yml in tests (no engine needed)
)
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Live drachtio-server + FreeSWITCH (the dialer-live bundle) for the freeswitch driver's
# live tests, when the shared folder next to the checkout has it: test infrastructure only,
# installed into /opt/dialer-live, never into the repository. install.sh is idempotent (it
# compares the bundle's VERSION). Without it the live suite skips with a message.
live=../shared/live-servers
if [ -f "$live/install.sh" ]; then
  want=$(tar -xJOf "$live/dialer-live-servers-debian12-amd64.tar.xz" --occurrence=1 dialer-live/VERSION 2>/dev/null || true)
  if [ -z "$want" ] || [ "$(cat /opt/dialer-live/VERSION 2>/dev/null)" != "$want" ]; then
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    echo "setup: installing the live servers bundle from $live" >&2
    $sudo_cmd bash "$live/install.sh" >&2
  fi
fi

# node modules: install when missing or when the lock file changed since the last install
stamp=node_modules/.setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "setup: installing node modules" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi

# the compiled production path (dist/): rebuild when any source is newer than the last build
if [ ! -f dist/.build-stamp ] || [ -n "$(find app lib tsconfig.json tsconfig.build.json package-lock.json -newer dist/.build-stamp -print -quit)" ]; then
  echo "setup: compiling to dist/" >&2
  bash scripts/build.sh
fi
