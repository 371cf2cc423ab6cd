// The loader hook registered by ts-entry.mjs (it runs on Node's loader thread, so it is plain JavaScript).
// A .ts/.cts file reached through the ESM loader is CommonJS (the project has no "type": "module"):
// Node's commonjs translator then loads it with require(), where tsx's hook compiles it.
export async function load(url, context, next) {
  if (url.startsWith('file:') && /\.c?ts$/.test(url.split(/[?#]/)[0])) return { format: 'commonjs', shortCircuit: true };
  return next(url, context);
}
