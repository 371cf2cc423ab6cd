import t from 'tap';
import { simulate, type Strategy } from '../../../bench/sim/engine';
import { simCampaign } from '../../../bench/sim/campaign';
import { RICH_WORLD } from '../../../bench/sim/scenario';
import { oracleCalls, oracleMarginal, trueLaws } from '../../../bench/sim/oracle';
import {
  auc,
  calibrationBins,
  DISCRIMINATION_EDGES,
  meanMarginal,
  PREDICTORS,
  pushRecord,
  readRecords,
  RECORD,
  summarizeDiscrimination,
  type Scored,
} from '../../../bench/sim/discrimination';

t.test('AUC: the chance an abandoned call was rated above one that was not, ties half', async (t) => {
  t.equal(auc([0.1, 0.2, 0.3, 0.4], [false, false, true, true]), 1, 'perfect ranking');
  t.equal(auc([0.4, 0.3, 0.2, 0.1], [false, false, true, true]), 0, 'reversed');
  t.equal(auc([0.2, 0.2, 0.2, 0.2], [false, true, false, true]), 0.5, 'all tied: no resolution');
  // Pairs (abandoned, not): (0.3 vs 0.1) win, (0.3 vs 0.3) tie, (0.2 vs 0.1) win, (0.2 vs 0.3) loss → 2.5 of 4.
  t.equal(auc([0.1, 0.3, 0.3, 0.2], [false, false, true, true]), 2.5 / 4);
  t.equal(auc([0.1, 0.2], [false, false]), null, 'no abandon: undefined');
  t.equal(auc([0.1, 0.2], [true, true]), null, 'no call kept: undefined');
});

t.test('calibration bins: every call in one bin by its prediction, the sums kept', async (t) => {
  const bins = calibrationBins([0.0005, 0.002, 0.002, 0.05, 0.5], [false, true, false, true, true]);
  t.equal(bins.length, DISCRIMINATION_EDGES.length);
  t.same(
    bins.map((b) => b.calls),
    [1, 2, 0, 0, 1, 0, 1],
  );
  t.same(
    bins.map((b) => b.abandoned),
    [0, 1, 0, 0, 1, 0, 1],
  );
  t.ok(Math.abs(bins[1]!.predicted - 0.004) < 1e-12);
});

t.test('summary: AUC, Brier, level and the riskiest tenth per predictor; records round-trip', async (t) => {
  // 20 calls, 2 abandoned: `exact` rates them highest, `ours` rates everything alike, `laws` half-right.
  const rs: Scored[] = Array.from({ length: 20 }, (_, i) => ({
    ours: 0.02,
    oursNoMeanwhile: 0.02,
    laws: i === 0 || i === 10 ? 0.3 : 0.01,
    lawsTeam: 0.01 + i / 1000,
    lawsNoBreak: 0.01,
    exact: i < 2 ? 0.5 : 0.001,
    abandoned: i < 2,
  }));
  const flat: number[] = [];
  for (const r of rs) pushRecord(flat, r);
  t.equal(flat.length, RECORD * rs.length);
  t.same(readRecords(flat), rs);
  const s = summarizeDiscrimination(rs, { calls: 3, abandoned: 1 });
  t.equal(s.calls, 20);
  t.equal(s.abandoned, 2);
  t.same(s.unscored, { calls: 3, abandoned: 1 });
  t.equal(s.predictors.exact.auc, 1);
  t.equal(s.predictors.ours.auc, 0.5);
  t.equal(s.predictors.exact.topDecileAbandons, 1, 'its two riskiest calls are the two abandoned');
  t.equal(s.predictors.laws.topDecileAbandons, 0.5);
  t.ok(Math.abs(s.predictors.ours.meanPredicted - 0.02) < 1e-12);
  // Brier of ours: 2 × 0.98² + 18 × 0.02², over 20.
  t.ok(Math.abs(s.predictors.ours.brier - (2 * 0.98 ** 2 + 18 * 0.02 ** 2) / 20) < 1e-12);
  t.ok(s.predictors.exact.brier < s.predictors.ours.brier, 'resolution lowers the Brier score');
});

t.test('a tick’s mean marginal; the oracle’s rule is its marginal’s count', async (t) => {
  t.equal(
    meanMarginal((k) => k / 10, 4),
    (0 + 0.1 + 0.2 + 0.3) / 4,
  );
  t.equal(meanMarginal(undefined, 3), 0);
  t.equal(
    meanMarginal((k) => k, 0),
    0,
  );
  const laws = trueLaws(0.25, RICH_WORLD);
  const o = { now: 60_000, freeAt: [60_000, 70_000, 90_000, 200_000], ringing: [50_000, 55_000], queued: 0, graceMs: 1200, laws };
  const m = oracleMarginal(o)!;
  for (const theta of [0.001, 0.01, 0.05, 0.2]) {
    let n = 0;
    while (n < 32 && m(n) <= theta) n++;
    t.equal(oracleCalls({ ...o, theta, maxCalls: 32 }), n, `θ ${theta}`);
  }
  t.ok(m(0) < m(5), 'more calls alongside, more risk');
});

t.test('the simulator scores predictive’s calls that needed an agent, and the figures are the same with it on', async (t) => {
  const sc = { name: 'a5-live25-talk60', agents: 5, liveRate: 0.25, talkMeanSec: 60, shiftHours: 1.5, world: RICH_WORLD };
  const st: Strategy = { kind: 'tick', name: 'predictive', campaign: simCampaign('predictive') };
  const on = simulate(sc, st, { seed: 5, discrimination: true });
  const off = simulate(sc, st, { seed: 5 });
  t.equal(off.discrimination, undefined, 'nothing unless asked');
  t.equal(on.occupancy, off.occupancy, 'scoring changes no figure');
  t.equal(on.abandoned, off.abandoned);
  const d = on.discrimination!;
  const rs = readRecords(d.records);
  // Every live call ends scored or unscored, except those still waiting at the shift's end.
  t.ok(
    rs.length + d.unscored.calls <= on.live && rs.length + d.unscored.calls >= on.live - sc.agents,
    `${rs.length} scored of ${on.live} live`,
  );
  const ab = rs.filter((r) => r.abandoned).length;
  t.equal(ab + d.unscored.abandoned, on.abandoned, 'every abandon is booked once');
  t.ok(ab > 0, 'some scored abandons to rank');
  t.ok(
    rs.every((r) => PREDICTORS.every((p) => r[p] >= 0 && (p.startsWith('ours') || r[p] <= 1))),
    'every prediction a chance',
  );
  // Knowing each agent's exact free time ranks the calls better than chance (the clairvoyant part of the world).
  const s = summarizeDiscrimination(rs);
  t.ok(s.predictors.exact.auc! > 0.6, `exact AUC ${s.predictors.exact.auc}`);
});
