/**
 * The music-gate table of bench/detect-music-gates.ts: for every music run that the analyser calls music on the clean
 * line and refuses under a line condition (GSM, packet loss, pink or brown noise…), which gate refused it. The
 * analyser has four ways to a music verdict (lib/media/amd-model.ts MusicRoute), each a chain of bars; the gate that
 * counts is the one on the route that called the clean copy music, read at the frame of the wrong verdict (its first
 * failing bar: ShapeAmd.musicGates). A gate read before musicMinMs of sound is `short`: the run was called something
 * else before the route could speak, and what called it is the lever, not the route.
 */
import type { MusicRoute } from '../../lib/media/amd-model';

/** One refused run: its cell (`gsm`, `loss3%`, `pink@5`), the clean copy's route, the gates then, and what it got. */
export interface Refusal {
  row: string;
  route: MusicRoute | 'guess';
  gates: Readonly<Record<MusicRoute, string>>;
  /** The verdict path it got instead (bench/lib/verdict-path.ts). */
  called: string;
  /** The wrong verdict came before the clean copy's music verdict (ms of analysis). */
  early: boolean;
}

/**
 * The gate that refused a run: `<route>: <gate>` on the clean copy's route. A best guess (`guess`: the model's own
 * call at the end of the analysis) has no bars of its own: the model route's gate stands for it. A route the decision
 * never came to on that frame (a beep, a busy cadence, a pending person) is `<route>: not reached`.
 */
export function refusalGate(r: Pick<Refusal, 'route' | 'gates'>): string {
  const route: MusicRoute = r.route === 'guess' ? 'model' : r.route;
  return `${route}: ${r.gates[route] || 'passed'}`;
}

/** An augmentation's family for the summary: `pink@5` → `pink`, `loss3%` → `loss`, `gsm` → `gsm`. */
export function family(row: string): string {
  return row.replace(/@.*/, '').replace(/\d+%$/, '');
}

export interface GateCell {
  runs: number;
  music: number;
  refused: number;
  /** Refusals by gate (refusalGate), most first. */
  gates: Record<string, number>;
  /** Refusals by what they were called instead (verdict path). */
  called: Record<string, number>;
  /** Refusals whose wrong verdict came before the clean copy's music. */
  early: number;
}

const sortedCounts = (m: Record<string, number>) =>
  Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));

/**
 * Tabulates per cell and per family: `runs` are the augmented runs of pieces the clean line calls music (one entry
 * per row in `runs`), `refusals` those not called music.
 */
export function tabulate(
  runs: Readonly<Record<string, number>>,
  refusals: readonly Refusal[],
): { rows: Record<string, GateCell>; families: Record<string, GateCell> } {
  const make = (): GateCell => ({ runs: 0, music: 0, refused: 0, gates: {}, called: {}, early: 0 });
  const rows: Record<string, GateCell> = {};
  const families: Record<string, GateCell> = {};
  for (const [row, n] of Object.entries(runs)) {
    (rows[row] ??= make()).runs += n;
    (families[family(row)] ??= make()).runs += n;
  }
  for (const r of refusals) {
    for (const cell of [(rows[r.row] ??= make()), (families[family(r.row)] ??= make())]) {
      cell.refused++;
      const g = refusalGate(r);
      cell.gates[g] = (cell.gates[g] ?? 0) + 1;
      cell.called[r.called] = (cell.called[r.called] ?? 0) + 1;
      if (r.early) cell.early++;
    }
  }
  for (const cell of [...Object.values(rows), ...Object.values(families)]) {
    cell.music = cell.runs - cell.refused;
    cell.gates = sortedCounts(cell.gates);
    cell.called = sortedCounts(cell.called);
  }
  return { rows, families };
}
