/**
 * Why do-not-call is read at dial time and not inside the claim script: the
 * DNC sets live under their own hash tag ({g}), which a claim script (keys
 * under {c:<id>}) cannot read on Redis Cluster, and any copy kept under the
 * campaign's tag is written after the DNC change itself. The runner reads the
 * DNC store after the claim, right before the INVITE, so a number put on the
 * list after its contact was claimed is still not dialled. Here the number is
 * listed just after the real claim script ran (the client's claim call is
 * wrapped; Redis, the scripts, the runner and the SIPp carrier are real).
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { getCampaign } from '../../../lib/store/campaigns';
import { makeList, numbersFor, putDnc, runCampaign, startCampaignEnv } from '../../helpers/campaign-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a number put on do-not-call after its claim is not dialled', { timeout: 120000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 1 });
  const { redis, services } = env;
  // Digit 4: rings, nobody answers (ring timeout 2 s): no agent needed to end the other call.
  const numbers = numbersFor([4, 4]);
  await makeList(redis, 'L', numbers);
  const claim = redis.dialClaim;
  const listedAfterClaim: string[] = [];
  // ioredis auto-pipelining copies the client's script commands onto its pipelines: only the client's own call is wrapped.
  redis.dialClaim = function (this: unknown, ...args: Parameters<typeof claim>) {
    if (this !== redis) return claim.apply(this, args);
    return claim.apply(redis, args).then(async (out) => {
      const flat = out[0];
      for (let i = 0; i < flat.length; i += 6) {
        if (flat[i + 1] !== 'L:c0') continue;
        await putDnc(redis, [String(flat[i + 2])], 'complaint during the claim');
        listedAfterClaim.push(String(flat[i]));
      }
      return out;
    });
  } as typeof claim;
  t.teardown(() => {
    redis.dialClaim = claim;
  });
  const phases: { attemptId: string; phase: string }[] = [];
  services.runner.events.onEvent((e) => {
    if (e.type === 'call.phase') phases.push({ attemptId: e.attemptId, phase: e.phase });
  });
  await services.desk.login('ag1');
  for (let i = 0; (await services.desk.readyCount(['sales'])) < 1; i++) {
    if (i > 150) throw new Error('agent not ready');
    await sleep(100);
  }
  await runCampaign(redis, 'dac', 'L', { mode: 'progressive', ringTimeoutSec: 2, maxAttempts: 1, agentGroups: ['sales'] });

  const deadline = Date.now() + 90_000;
  while ((await getCampaign(redis, 'dac'))?.state !== 'completed' && Date.now() < deadline) await sleep(250);
  t.equal((await getCampaign(redis, 'dac'))?.state, 'completed', 'the campaign completes');
  t.equal(listedAfterClaim.length, 1, 'c0 was listed once, after the claim script had claimed it');

  const history = await new DialQueue(redis, 'dac').history();
  const byRef = Object.fromEntries(history.map((h) => [h.fields.ref, h.fields]));
  t.equal(byRef['L:c0']?.code, '10', 'c0 closed as do-not-call');
  t.match(JSON.parse(byRef['L:c0']?.data ?? '{}'), { skipped: 'on the global do-not-call list' }, 'skipped, never started');
  t.equal(byRef['L:c1']?.code, '2', 'c1 was dialled (no answer)');
  const trace = readFileSync(env.carrierTrace, 'utf8');
  const national = (n: string) => n.replace(/-/g, '').slice(1);
  t.notOk(trace.includes(`81${national(numbers[0]!)}@`) || trace.includes(`0${national(numbers[0]!)}@`), 'c0 never reached the carrier');
  t.ok(trace.includes(`81${national(numbers[1]!)}@`) || trace.includes(`0${national(numbers[1]!)}@`), 'c1 did');
  const c1 = history.find((h) => h.fields.ref === 'L:c1')?.fields.attemptId;
  t.ok(
    phases.some((p) => p.phase === 'ringing' && p.attemptId === c1),
    "c1's first 180 was published as its ringing phase",
  );
});
