/**
 * The dialer against a real Redis Cluster (3 masters + 3 replicas on
 * loopback): a progressive campaign with agents, a callback, do-not-call
 * numbers and the shared trunk limits runs to completion through the real
 * runner, agent desk and embedded driver over SIPp. Every script and command
 * it issues must stay within one hash slot: a CROSSSLOT (or any other store
 * error) anywhere fails the test.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import type { Redis } from 'ioredis';
import { startServices } from '../../../app/services';
import { loopbackConfig, startLoopbackPeers } from '../../../lib/demo/loopback';
import { makeAgents } from '../../../lib/demo/store-setup';
import { createCallback } from '../../../lib/store/callbacks';
import { getCampaign } from '../../../lib/store/campaigns';
import { DialQueue, purgeOutbound } from '../../../lib/store/dial-queue';
import { heldChannels, trunkLimitKeys } from '../../../lib/store/limits';
import { makeList, numbersFor, putDnc, runCampaign } from '../../helpers/campaign-env';
import { startTestCluster } from '../../helpers/redis-cluster';

/** Wraps every registered script of a client to record which ones ran, and their errors. */
function recordScripts(redis: Redis, names: readonly string[]): { used: Set<string>; errors: string[] } {
  const used = new Set<string>();
  const errors: string[] = [];
  const r = redis as unknown as Record<string, (this: unknown, ...a: unknown[]) => unknown>;
  for (const name of names) {
    const orig = r[name]!;
    // Auto-pipelining calls the same method on a pipeline (which inherits it): pass that through.
    r[name] = function (this: unknown, ...args: unknown[]) {
      if (this !== redis) return orig.apply(this, args);
      used.add(name);
      return (orig.apply(this, args) as Promise<unknown>).catch((err: Error) => {
        errors.push(`${name}: ${err.message}`);
        throw err;
      });
    };
  }
  return { used, errors };
}

t.test('a campaign with agents runs on Redis Cluster without a cross-slot access', { timeout: 240000 }, async (t) => {
  const { redis, cluster } = await startTestCluster(t, 'cl:');
  const dir = mkdtempSync(join(tmpdir(), 'dialer-cluster-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const peers = await startLoopbackPeers({ agents: 3, dir });
  t.teardown(() => peers.stop());
  const config = loopbackConfig({
    carrierAddress: peers.carrier.address,
    promptsDir: join(dir, 'prompts'),
    extra: {
      telephony: {
        embedded: { sip: { host: '127.0.0.1', port: 0 } },
        trunks: [{ name: 'carrier', address: peers.carrier.address, callsPerSecond: 8, maxChannels: 6 }],
      },
    },
  });
  // Every registered script (lib/store/lua), named as defineScripts names them.
  const scriptNames = readdirSync(join(__dirname, '../../../lib/store/lua'))
    .filter((f) => f.endsWith('.lua'))
    .map((f) => f.replace(/\.lua$/, '').replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase()));
  const { used, errors } = recordScripts(redis, scriptNames);
  const logged: string[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      logged.push(chunk.toString());
      cb();
    },
  });
  await makeAgents(
    redis,
    'sales',
    peers.agents.map((a) => ({ id: a.id, address: a.phone.address })),
  );
  const services = await startServices({ config, redis, log: pino({ level: 'warn' }, sink) });
  t.teardown(() => services.stop());
  const desk = services.desk;
  desk.on(
    'screen-pop',
    (e) =>
      void (async () => {
        await new Promise((r) => setTimeout(r, 200));
        await desk.hangupCustomer(e.agentId).catch(() => undefined);
      })(),
  );
  desk.on('state', (e) => {
    if (e.to === 'wrap_up') setTimeout(() => void desk.finishWrapUp(e.agentId, 'continue').catch(() => undefined), 100);
  });
  for (const a of peers.agents) await desk.login(a.id);

  // Digits: 0 person (agents), 1 busy, 2 no answer, 5 reject … (sipp-scenarios/README.md).
  const digits = Array.from({ length: 40 }, (_, i) => [0, 0, 1, 2, 5, 0, 8, 0, 9, 3][i % 10]!);
  const numbers = numbersFor(digits);
  const byId = await makeList(redis, 'L1', numbers);
  await putDnc(redis, [byId.get('c4')!, byId.get('c14')!]);
  await runCampaign(redis, 'cc', 'L1', {
    mode: 'progressive',
    ringTimeoutSec: 2,
    maxAttempts: 2,
    retryIntervalSec: 1,
    agentGroups: ['sales'],
  });
  await createCallback(redis, { campaignId: 'cc', phone: numbers[0]!, dueAt: Date.now(), owner: null, createdBy: 'test' }, Date.now());

  const end = Date.now() + 180000;
  while ((await getCampaign(redis, 'cc'))!.state !== 'completed' && Date.now() < end) await new Promise((r) => setTimeout(r, 300));
  t.equal((await getCampaign(redis, 'cc'))!.state, 'completed', 'the campaign completes on the cluster');

  const q = new DialQueue(redis, 'cc');
  const history = await q.history();
  const refs = new Set(history.map((h) => h.fields.ref!.split(':')[1]));
  t.equal(digits.filter((_, i) => !refs.has(`c${i}`)).length, 0, 'every contact has a result');
  t.ok(
    history.some((h) => h.fields.ref!.startsWith('cb:')),
    'the callback was dialled',
  );
  t.equal(await heldChannels(redis, trunkLimitKeys('carrier')), 0, 'every shared channel was given back');
  for (const s of ['dialClaim', 'dialBegin', 'dialClose', 'leaseAcquire', 'limitAdmit', 'limitRelease', 'memberBeat'])
    t.ok(used.has(s), `${s} ran on the cluster`);
  t.ok(used.has('agentReserve') || used.has('agentReserveNode'), 'an agent reservation script ran on the cluster');
  t.same(errors, [], 'no script failed (no CROSSSLOT)');
  t.comment(`scripts run on the cluster: ${[...used].sort().join(' ')}`);
  const bad = logged.filter((l) => /CROSSSLOT|non local key|different slot/i.test(l) || JSON.parse(l).level >= 50);
  t.same(bad, [], 'nothing logged at error level, no cross-slot message');
  t.ok((await purgeOutbound(redis, 'cc')) > 0, 'closing the campaign finds its outbound keys on the cluster (SCAN on every master)');
  t.same(await q.contactState('L1:c1'), {}, 'and removes them');
  t.ok((await q.history()).length === history.length, 'history is kept');
  t.ok((await cluster.cli(Number(cluster.seeds[0]!.split(':')[1]), 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
});
