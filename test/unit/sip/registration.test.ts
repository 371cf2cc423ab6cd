/** REGISTER as a pure machine: challenge, refresh before expiry, backoff (virtual time by construction). */
import t from 'tap';
import {
  backoffMs,
  initialRegistration,
  refreshAfterMs,
  registrationTransition,
  type RegistrationEvent,
  type RegistrationState,
} from '../../../lib/sip';

const run = (events: RegistrationEvent[], s: RegistrationState = initialRegistration()) => {
  const effects = [];
  for (const e of events) {
    const r = registrationTransition(s, e);
    s = r.state;
    effects.push(...r.effects);
  }
  return { s, effects };
};

t.test('401 is answered once with credentials; 200 schedules the refresh a minute before expiry', async (t) => {
  const { s, effects } = run([
    { type: 'start' },
    { type: 'response', status: 401, reason: 'Unauthorized', at: 0 },
    { type: 'response', status: 200, reason: 'OK', expiresS: 3600, at: 5 },
  ]);
  t.same(effects, [
    { type: 'send', auth: false },
    { type: 'send', auth: true },
    { type: 'timer', name: 'refresh', ms: 3_540_000 },
  ]);
  t.match(s, { phase: 'registered', expiresS: 3600, failures: 0 });
  t.equal(refreshAfterMs(60), 30_000, 'short bindings refresh at half-time');
});

t.test('a second challenge, a 403 or no answer backs off 30 s, 60 s, 120 s … at most 1800 s', async (t) => {
  const a = run([
    { type: 'start' },
    { type: 'response', status: 401, reason: 'x', at: 0 },
    { type: 'response', status: 401, reason: 'x', at: 0 },
  ]);
  t.match(a.s, { phase: 'backoff', failures: 1, lastStatus: 401 });
  t.same(a.effects.at(-1), { type: 'timer', name: 'retry', ms: 30_000 });
  const b = run([{ type: 'timer', name: 'retry' }, { type: 'timeout' }], a.s);
  t.match(b.s, { phase: 'backoff', failures: 2, lastStatus: 408 });
  t.same(b.effects.at(-1), { type: 'timer', name: 'retry', ms: 60_000 });
  t.equal(backoffMs(10), 1_800_000);
  const c = run(
    [
      { type: 'timer', name: 'retry' },
      { type: 'response', status: 200, reason: 'OK', expiresS: 600, at: 1 },
    ],
    b.s,
  );
  t.match(c.s, { phase: 'registered', failures: 0 }, 'success resets the backoff');
});

t.test('stopping with a binding un-REGISTERs (Expires: 0, §10.2.2), answering one challenge; without one it just stops', async (t) => {
  const reg = [{ type: 'start' }, { type: 'response', status: 200, reason: 'OK', expiresS: 3600, at: 0 }] as RegistrationEvent[];
  const a = run([
    ...reg,
    { type: 'stop' },
    { type: 'response', status: 401, reason: 'x', at: 1 },
    { type: 'response', status: 200, reason: 'OK', at: 2 },
  ]);
  t.same(a.effects.slice(2), [
    { type: 'cancel-timers' },
    { type: 'send', auth: false, unregister: true },
    { type: 'send', auth: true, unregister: true },
  ]);
  t.match(a.s, { phase: 'stopped', expiresS: undefined, lastStatus: 200 });
  const b = run([...reg, { type: 'stop' }, { type: 'timeout' }]);
  t.equal(b.s.phase, 'stopped', 'a registrar that does not answer does not hold the shutdown');
  const c = run([{ type: 'start' }, { type: 'response', status: 403, reason: 'Forbidden', at: 0 }, { type: 'stop' }]);
  t.same(c.effects.at(-1), { type: 'cancel-timers' }, 'no binding, no un-REGISTER');
  t.equal(c.s.phase, 'stopped');
  const d = run([...reg, { type: 'stop' }, { type: 'timer', name: 'refresh' }]);
  t.equal(d.effects.filter((e) => e.type === 'send').length, 2, 'no refresh after stop (register + un-REGISTER only)');
});
