/**
 * How accurate answering-machine detection really is on this deployment's
 * calls: a confusion matrix of the analysis verdict of each answered call
 * against what a person found out afterwards — the agent's disposition (an
 * agent who got a "person" that was a voicemail says so), or a reviewer's
 * label after listening to a recording. Per campaign and per trunk. Pure.
 */
import type { AttemptRecord, DispositionLike, VerdictLike } from './records';

/** What the analysis said about who answered. */
export const AMD_PREDICTIONS = ['human', 'machine', 'fax', 'silence', 'notsure'] as const;
export type AmdPrediction = (typeof AMD_PREDICTIONS)[number];
/** What it really was. */
export const AMD_TRUTHS = ['human', 'machine', 'fax', 'silence'] as const;
export type AmdTruth = (typeof AMD_TRUTHS)[number];

/**
 * Disposition codes that say who really answered. Campaigns name their own
 * dispositions; these (case-insensitive) are the conventional ones. Any other
 * disposition entered after a bridged call means the agent talked to a person.
 */
export const TRUTH_DISPOSITIONS: Readonly<Record<string, AmdTruth>> = {
  machine: 'machine',
  'answering-machine': 'machine',
  answering_machine: 'machine',
  voicemail: 'machine',
  fax: 'fax',
  silence: 'silence',
  'dead-air': 'silence',
  'no-one': 'silence',
};

/** The analysis verdict of an attempt: its first decisive answered-call verdict; a voicemail beep counts as machine. */
export function predictionOf(verdicts: readonly VerdictLike[]): AmdPrediction | null {
  for (const v of verdicts) {
    if (v.kind === 'beep') return 'machine';
    if ((AMD_PREDICTIONS as readonly string[]).includes(v.kind)) return v.kind as AmdPrediction;
  }
  return null;
}

/** A reviewer's label (after listening to a recording) overrides the disposition. */
export function truthOf(r: AttemptRecord, d: DispositionLike | undefined, label: AmdTruth | undefined): AmdTruth | null {
  if (label) return label;
  const code = d?.disposition?.toLowerCase();
  if (code && code in TRUTH_DISPOSITIONS) return TRUTH_DISPOSITIONS[code]!;
  // An agent who was bridged and entered an ordinary disposition spoke to a person.
  if (code && r.bridgedAt !== undefined) return 'human';
  return null;
}

export type Matrix = Record<AmdPrediction, Record<AmdTruth, number>>;

export interface AmdAccuracy {
  /** Calls with both a verdict and a known truth. */
  judged: number;
  matrix: Matrix;
  /** Correct verdicts ÷ judged (notsure counts as wrong). */
  accuracy: number | null;
  /** Machines taken for people (an agent got a voicemail) ÷ real machines. */
  machineAsHumanRate: number | null;
  /** People taken for machines (a customer hung up on) ÷ real people. */
  humanAsMachineRate: number | null;
}

export const emptyMatrix = (): Matrix =>
  Object.fromEntries(AMD_PREDICTIONS.map((p) => [p, Object.fromEntries(AMD_TRUTHS.map((t) => [t, 0]))])) as Matrix;

function summarise(matrix: Matrix): AmdAccuracy {
  let judged = 0;
  let correct = 0;
  for (const p of AMD_PREDICTIONS)
    for (const t of AMD_TRUTHS) {
      judged += matrix[p][t];
      if ((p as string) === t) correct += matrix[p][t];
    }
  const col = (t: AmdTruth) => AMD_PREDICTIONS.reduce((s, p) => s + matrix[p][t], 0);
  const machines = col('machine');
  const humans = col('human');
  const r = (x: number, n: number) => (n === 0 ? null : Math.round((x / n) * 10000) / 10000);
  return {
    judged,
    matrix,
    accuracy: r(correct, judged),
    machineAsHumanRate: r(matrix.human.machine, machines),
    humanAsMachineRate: r(matrix.machine.human, humans),
  };
}

export interface AmdReport {
  overall: AmdAccuracy;
  byTrunk: Record<string, AmdAccuracy>;
}

/** The trunk name used for attempts that do not record one. */
export const DEFAULT_TRUNK = 'default';

export function amdReport(
  records: readonly AttemptRecord[],
  dispositions: ReadonlyMap<string, DispositionLike>,
  labels: ReadonlyMap<string, AmdTruth> = new Map(),
): AmdReport {
  const overall = emptyMatrix();
  const trunks = new Map<string, Matrix>();
  for (const r of records) {
    const p = predictionOf(r.verdicts);
    const t = truthOf(r, dispositions.get(r.attemptId), labels.get(r.attemptId));
    if (!p || !t) continue;
    overall[p][t]++;
    const trunk = r.trunk ?? DEFAULT_TRUNK;
    const m = trunks.get(trunk) ?? emptyMatrix();
    m[p][t]++;
    trunks.set(trunk, m);
  }
  return {
    overall: summarise(overall),
    byTrunk: Object.fromEntries([...trunks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, m]) => [k, summarise(m)])),
  };
}
