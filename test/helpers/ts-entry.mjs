// Test processes compile TypeScript with tsx's require hook alone (`.taprc` --import's this, not tsx).
// The project is CommonJS, so every module a test loads goes through require() and that hook; only the entry
// point (the test file, and the --import'ed reap-children.ts) reaches Node's ESM loader, which tap's own
// --import (processinfo) puts in charge of the main module and which does not know `.ts`. The hook registered
// below says what tsx's ESM half said for them: CommonJS, which Node then hands to require(). Loading tsx's
// ESM half (--import=tsx) as well cost each test process about 0.2 CPU-s that nothing used (a two-line test
// 0.75 -> 0.55 CPU-s; README "Where the suite's time goes" for the tiers).
//
// tsx/cjs is required from here, not given as --require: worker threads re-run --require (not --import) with
// the process's current directory, and a test that changed it then broke every worker it started
// (test/integration/lists/import-limits.test.ts: "Cannot find module 'tsx/cjs'"). Workers register tsx
// themselves (lib/import/parse-thread.ts), as they had to with --import=tsx.
import { createRequire, register } from 'node:module';

createRequire(import.meta.url)('tsx/cjs');
register('./ts-entry-hooks.mjs', import.meta.url);
