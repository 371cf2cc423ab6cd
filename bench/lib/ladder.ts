/**
 * The stages a bench ramp runs under a `--max-…` cap: every step below the cap,
 * then the cap itself (a cap above the last step leaves the ladder as it is). A cap below the first step is one stage at the cap (it
 * used to filter the ladder empty, and the summary then read 0 for a figure
 * that was never measured); a cap between steps is measured, not rounded down.
 */
export function ladder(steps: readonly number[], max: number): number[] {
  if (!(max > 0)) return [];
  const below = steps.filter((s) => s < max);
  // A cap above the whole ladder bounds it; it is not a stage of its own.
  return max > (steps[steps.length - 1] ?? 0) ? [...steps] : [...below, max];
}

/** `--name N` from the arguments; `def` when absent. A present but unusable value is an error naming the option. */
export function numArg(args: readonly string[], name: string, def: number): number {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a number ≥ 0, got ${JSON.stringify(args[i + 1] ?? '')}`);
  return v;
}
