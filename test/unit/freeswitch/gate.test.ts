import t from 'tap';
import {
  CreationGate,
  INITIAL_LIMIT,
  SLOW_CREATION_MS,
  gateMediaServer,
  type GateTimers,
} from '../../../lib/telephony/drivers/freeswitch/gate';
import {
  EndpointQueueTimeout,
  EndpointTimeout,
  type EndpointPort,
  type MediaServerPort,
} from '../../../lib/telephony/drivers/freeswitch/ports';

/** Virtual timers: advance() fires what is due, in order. */
function manualTimers(): GateTimers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout: (fn, ms) => {
      due.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void due.delete(h as number),
    now: () => now,
    advance(ms) {
      now += ms;
      for (const [k, v] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (v.at > now) break;
        due.delete(k);
        v.fn();
      }
    },
    pending: () => due.size,
  };
}

const flush = () => new Promise((r) => setImmediate(r));

/** A creation we settle by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

t.test('at most `limit` run at once; the rest start in arrival order as turns free', async (t) => {
  const gate = new CreationGate(2, 5000, manualTimers());
  const started: number[] = [];
  const jobs = [0, 1, 2, 3].map(() => deferred<number>());
  const results = jobs.map((j, i) =>
    gate
      .run(() => {
        started.push(i);
        return j.promise;
      })
      .then(
        () => 'fulfilled',
        () => 'rejected',
      ),
  );
  await flush();
  t.same(started, [0, 1], 'two in flight');
  t.same(gate.stats(), { active: 2, waiting: 2, limit: 2 });
  jobs[1]!.resolve(1);
  await flush();
  t.same(started, [0, 1, 2], 'the first waiter got the freed turn');
  jobs[0]!.reject(new Error('boom'));
  await flush();
  t.same(started, [0, 1, 2, 3], 'a failed creation frees its turn too');
  jobs[2]!.resolve(2);
  jobs[3]!.resolve(3);
  t.same(await Promise.all(results), ['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  t.same(gate.stats(), { active: 0, waiting: 0, limit: 2 });
});

t.test('a creation that waits queueMs for a turn is refused without running; the others keep their place', async (t) => {
  const timers = manualTimers();
  const gate = new CreationGate(1, 5000, timers);
  const first = deferred<string>();
  let ran = 0;
  const a = gate.run(() => first.promise);
  timers.advance(1000);
  const b = gate.run(async () => {
    ran++;
    return 'b';
  });
  timers.advance(3000);
  const c = gate.run(async () => {
    ran++;
    return 'c';
  });
  timers.advance(1999);
  await flush();
  t.same(gate.stats(), { active: 1, waiting: 2, limit: 1 }, 'b has waited 4999 ms: still in line');
  timers.advance(1); // b has waited 5000 ms, c 2000 ms
  await t.rejects(b, EndpointQueueTimeout);
  t.equal(ran, 0, 'the refused creation never ran');
  t.same(gate.stats(), { active: 1, waiting: 1, limit: 1 });
  first.resolve('a');
  t.equal(await a, 'a');
  t.equal(await c, 'c', 'the next in line got the turn');
  t.equal(ran, 1);
  t.equal(timers.pending(), 0, "c's queue timer was cleared when it got its turn");
});

/** Runs one creation on `gate` that takes `ms` of virtual time (and fails with `err` when given). */
async function creation(gate: CreationGate, timers: ReturnType<typeof manualTimers>, ms: number, err?: EndpointTimeout | Error) {
  const d = deferred<void>();
  const p = gate.run(
    () => d.promise,
    (e) => e instanceof EndpointTimeout,
  );
  await flush();
  timers.advance(ms);
  if (err) d.reject(err);
  else d.resolve();
  await p.catch(() => undefined);
}

t.test('the limit grows while creations are fast, halves on a slow one, never past maxLimit', async (t) => {
  const timers = manualTimers();
  const gate = new CreationGate(20, 60000, timers);
  t.equal(gate.limit, INITIAL_LIMIT, 'starts at the measured initial limit');
  for (let i = 0; i < 4; i++) await creation(gate, timers, 10);
  t.equal(gate.limit, INITIAL_LIMIT + 4, 'slow start: one more per fast creation');
  await creation(gate, timers, SLOW_CREATION_MS + 1);
  t.equal(gate.limit, Math.floor((INITIAL_LIMIT + 4) / 2), 'a creation slower than SLOW_CREATION_MS halves it');
  const after = gate.limit;
  let n = 0;
  while (gate.limit === after && n < 100) {
    await creation(gate, timers, 10);
    n++;
  }
  t.ok(gate.limit === after + 1 && n >= after && n <= after + 1, `then one more per limit’s worth of fast creations (${n})`);
  await creation(gate, timers, SLOW_CREATION_MS / 2 + 1);
  t.equal(gate.limit, after + 1, 'between fast and slow: held');
  for (let i = 0; i < 200; i++) await creation(gate, timers, 10);
  t.equal(gate.limit, 20, 'capped at maxLimit');
  const timeout = new EndpointTimeout('Connection timeout');
  await creation(gate, timers, 10, timeout);
  t.equal(gate.limit, 10, 'a timed-out creation counts as slow even when it failed fast');
  await creation(gate, timers, 10, new Error('503'));
  t.equal(gate.limit, 10, 'a refusal is not a sign of slowness');
  for (let i = 0; i < 40; i++) await creation(gate, timers, SLOW_CREATION_MS + 1);
  t.equal(gate.limit, 1, 'never below 1');
});

t.test('one slow cohort halves the limit once, not once per member', async (t) => {
  const timers = manualTimers();
  const gate = new CreationGate(64, 60000, timers);
  const jobs = Array.from({ length: INITIAL_LIMIT }, () => deferred<void>());
  const runs = jobs.map((j) => gate.run(() => j.promise));
  await flush();
  timers.advance(SLOW_CREATION_MS + 100);
  for (const j of jobs) j.resolve();
  await Promise.all(runs);
  t.equal(gate.limit, INITIAL_LIMIT / 2, 'all six were slow; the limit halved once');
});

t.test('a grown limit admits several waiters at once', async (t) => {
  const timers = manualTimers();
  const gate = new CreationGate(64, 60000, timers);
  const held = Array.from({ length: INITIAL_LIMIT }, () => deferred<void>());
  const runs = held.map((j) => gate.run(() => j.promise));
  const queued = [0, 1, 2].map(() => deferred<void>());
  let started = 0;
  const more = queued.map((j) =>
    gate.run(() => {
      started++;
      return j.promise;
    }),
  );
  await flush();
  t.same(gate.stats(), { active: INITIAL_LIMIT, waiting: 3, limit: INITIAL_LIMIT });
  held[0]!.resolve(); // fast: the limit grows to 7 while one leaves, so two waiters start
  await flush();
  t.equal(started, 2);
  for (const j of [...held, ...queued]) j.resolve();
  await Promise.all([...runs, ...more]);
  t.equal(started, 3);
});

t.test('a limit below 1 is refused', async (t) => {
  t.throws(() => new CreationGate(0, 1000));
});

function fakeServer(outcomes: Array<'ok' | 'timeout' | 'error'>, connected = true) {
  let calls = 0;
  const ms: MediaServerPort = {
    address: '10.0.0.1',
    connected,
    load: () => ({ sessions: 0, maxSessions: 0 }),
    createEndpoint: async () => {
      const o = outcomes[calls++] ?? 'ok';
      if (o === 'timeout') throw new EndpointTimeout('Connection timeout');
      if (o === 'error') throw new Error('Sip non-success response: 503');
      return { uuid: `ep${calls}` } as unknown as EndpointPort;
    },
    api: async () => '',
    onEnd: () => undefined,
    onHeard: () => undefined,
    disconnect: () => undefined,
  };
  return { ms, calls: () => calls };
}

t.test('a creation that timed out in fsmrf is tried once more while the server is connected', async (t) => {
  const f = fakeServer(['timeout', 'ok']);
  const ep = await gateMediaServer(f.ms, new CreationGate(6, 5000)).createEndpoint();
  t.equal(ep.uuid, 'ep2');
  t.equal(f.calls(), 2);
});

t.test('only once: a second timeout is the caller’s failure', async (t) => {
  const f = fakeServer(['timeout', 'timeout', 'ok']);
  await t.rejects(gateMediaServer(f.ms, new CreationGate(6, 5000)).createEndpoint(), EndpointTimeout);
  t.equal(f.calls(), 2);
});

t.test('no retry for other failures, nor on a server whose event socket is gone', async (t) => {
  const refused = fakeServer(['error', 'ok']);
  await t.rejects(gateMediaServer(refused.ms, new CreationGate(6, 5000)).createEndpoint(), /503/);
  t.equal(refused.calls(), 1);
  const gone = fakeServer(['timeout', 'ok'], false);
  await t.rejects(gateMediaServer(gone.ms, new CreationGate(6, 5000)).createEndpoint(), EndpointTimeout);
  t.equal(gone.calls(), 1);
});
