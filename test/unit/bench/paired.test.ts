import t from 'tap';
import { pairedDeltas, type PairedShift } from '../../../bench/sim/paired';
import pacing from '../../../bench/pacing';

const shift = (scenario: string, seed: number, occupancy: number, live = 100, abandoned = 2, agentHours = 20): PairedShift => ({
  scenario,
  seed,
  occupancy,
  agentHours,
  live,
  abandoned,
  abandonRate: abandoned / live,
});

t.test('per scenario, the candidate − base occupancy seed by seed, in points, with mean, sd and se', async (t) => {
  const base = [shift('s', 1, 0.8), shift('s', 2, 0.9), shift('s', 3, 0.85)];
  const cand = [shift('s', 3, 0.86), shift('s', 1, 0.81), shift('s', 2, 0.88)];
  const [r] = pairedDeltas(base, cand);
  t.same(r!.seeds, [1, 2, 3], 'ascending seeds, whatever the runs’ order');
  t.same(
    r!.deltas.map((d) => Math.round(d * 1e6) / 1e6),
    [1, -2, 1],
  );
  t.equal(Math.round(r!.mean * 1e9), 0);
  t.ok(Math.abs(r!.sd - Math.sqrt(3)) < 1e-9, 'sample sd: √((1 + 4 + 1) ÷ (3 − 1))');
  t.ok(Math.abs(r!.se - 1) < 1e-9, 'se: sd ÷ √3');
  t.equal(r!.seedsUp, 2);
});

t.test('pooled: occupancy by agent-hours, the abandon rate from counts, the worst shift', async (t) => {
  const base = [shift('s', 1, 0.8, 100, 1, 10), shift('s', 2, 0.9, 300, 9, 30)];
  const cand = [shift('s', 1, 0.8, 100, 4, 10), shift('s', 2, 0.9, 300, 6, 30)];
  const [r] = pairedDeltas(base, cand);
  t.equal(Math.round(r!.base.occupancy * 1e9) / 1e9, 0.875, '(0.8·10 + 0.9·30) ÷ 40');
  t.equal(r!.base.abandonRate, 10 / 400);
  t.equal(r!.candidate.abandonRate, 10 / 400);
  t.equal(r!.base.worstShiftAbandonRate, 0.03);
  t.equal(r!.candidate.worstShiftAbandonRate, 0.04);
});

t.test('only the seeds both runs hold are paired; scenarios apart; one seed has no spread', async (t) => {
  const base = [shift('a', 1, 0.8), shift('a', 2, 0.8), shift('b', 1, 0.5)];
  const cand = [shift('a', 2, 0.82), shift('b', 1, 0.49), shift('b', 7, 0.9)];
  const rs = pairedDeltas(base, cand);
  t.same(
    rs.map((r) => [r.scenario, r.seeds]),
    [
      ['a', [2]],
      ['b', [1]],
    ],
  );
  t.ok(Number.isNaN(rs[0]!.sd) && Number.isNaN(rs[0]!.se), 'no sd from one seed');
  t.equal(rs[1]!.seedsUp, 0);
  t.same(pairedDeltas(base, []), [], 'nothing in common: no row');
});

t.test('a (scenario, seed) twice in one run is refused', async (t) => {
  t.throws(() => pairedDeltas([shift('s', 1, 0.8), shift('s', 1, 0.9)], []), /s seed 1 twice/);
  t.throws(() => pairedDeltas([shift('s', 1, 0.8)], [shift('s', 1, 0.8), shift('s', 1, 0.9)]), /twice/);
});

t.test('--paired needs --shifts and no oracle, and a valid candidate', async (t) => {
  await t.rejects(pacing(['--paired', '{}', '--only', 'a5-live10-talk60']), /--paired needs --shifts/);
  await t.rejects(pacing(['--shifts', '--oracle', '--paired', '{}', '--only', 'a5-live10-talk60']), /--paired needs --shifts/);
  await t.rejects(pacing(['--shifts', '--paired', '{"meanwhileShar":true}', '--only', 'a5-live10-talk60']), /unknown key "meanwhileShar"/);
});
