#!/usr/bin/env bash
# Compiles app/ and lib/ to dist/ (tsc), copies the files the code reads at run
# time (Lua scripts, dashboard pages) beside it, and stamps the build. `npm start`
# and bin/dialer run dist/; with sources newer than the stamp bin/dialer falls
# back to tsx. Run by scripts/setup.sh when dist/ is stale; `npm run build` by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
# The configuration's validators, compiled ahead of time from the schemas (a no-op when they are current).
node_modules/.bin/tsx lib/config/validators/generate.ts
node_modules/.bin/tsc -p tsconfig.build.json
# Outputs whose source is gone (a file removed or renamed): tsc leaves them behind, and the API
# autoloads every file in dist/lib/api/routes (a stale index.js there would even hide the others).
(find dist/lib dist/app -name '*.js' -print0 | while IFS= read -r -d '' f; do
  src="${f#dist/}"; [ -e "${src%.js}.ts" ] || [ -e "$src" ] || rm -f "$f" "$f.map"
done)
# Non-TypeScript files under lib/ and app/, at the same relative paths.
(find lib app -type f ! -name '*.ts' -print0 | while IFS= read -r -d '' f; do mkdir -p "dist/$(dirname "$f")"; cp -p "$f" "dist/$f"; done)
# lib/telephony/testing finds SIPp scenarios at ../../../sipp-scenarios (the demo uses them).
ln -sfn ../sipp-scenarios dist/sipp-scenarios
touch dist/.build-stamp
