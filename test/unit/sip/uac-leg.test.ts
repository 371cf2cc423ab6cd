import t from 'tap';
import { initialLegState, transition, type LegInput, type LegState } from '../../../lib/sip/uac-leg';

/** Feeds inputs in order; returns the final state and every effect type (end causes inline). */
function run(inputs: LegInput[], s: LegState = initialLegState()) {
  const fx: string[] = [];
  for (const e of inputs) {
    const r = transition(s, e);
    s = r.state;
    for (const f of r.effects) fx.push(f.type === 'end' ? `end:${f.cause.by}:${f.cause.sipStatus ?? '-'}:${f.cause.answered}` : f.type);
  }
  return { s, fx };
}

const fail = (status: number, canAuth = false): LegInput => ({ type: 'failure', status, reason: 'x', canAuth });

t.test('table: input sequences → effects and final phase', async (t) => {
  const table: Array<[string, LegInput[], string[], string]> = [
    [
      'answer then remote BYE',
      [{ type: 'provisional', status: 180 }, { type: 'success' }, { type: 'bye-received' }],
      ['ack', 'answered', 'end:remote:200:true'],
      'ended',
    ],
    [
      'answer then our hangup',
      [{ type: 'success' }, { type: 'hangup' }, { type: 'bye-done', status: 200 }],
      ['ack', 'answered', 'bye', 'end:local:200:true'],
      'ended',
    ],
    ['busy', [fail(486)], ['end:remote:486:false'], 'ended'],
    [
      'ring timeout after 180 → CANCEL → 487',
      [{ type: 'provisional', status: 180 }, { type: 'ring-timeout' }, fail(487)],
      ['cancel', 'end:timeout:487:false'],
      'ended',
    ],
    [
      'ring timeout before any 1xx: CANCEL waits for the 1xx (§9.1)',
      [{ type: 'ring-timeout' }, { type: 'provisional', status: 100 }, fail(487)],
      ['cancel', 'end:timeout:487:false'],
      'ended',
    ],
    [
      '200 OK crossing our CANCEL → ACK + BYE, still not answered',
      [{ type: 'provisional', status: 180 }, { type: 'hangup' }, { type: 'success' }, { type: 'bye-done', status: 200 }],
      ['cancel', 'ack', 'bye', 'end:local:487:false'],
      'ended',
    ],
    [
      '200 crossing CANCEL, then the far end BYEs too (BYE race)',
      [{ type: 'provisional', status: 180 }, { type: 'hangup' }, { type: 'success' }, { type: 'bye-received' }, { type: 'bye-done' }],
      ['cancel', 'ack', 'bye', 'end:local:487:false'],
      'ended',
    ],
    [
      'retransmitted 200 OK is re-ACKed, answered once',
      [{ type: 'success' }, { type: 'success' }, { type: 'success' }],
      ['ack', 'answered', 'ack', 'ack'],
      'confirmed',
    ],
    [
      '401 with credentials → one retry, second 401 ends',
      [fail(401, true), fail(401, true)],
      ['auth-retry', 'end:remote:401:false'],
      'ended',
    ],
    ['407 without credentials ends', [fail(407, false)], ['end:remote:407:false'], 'ended'],
    ['Timer B: no final response', [{ type: 'tx-timeout' }], ['end:error:408:false'], 'ended'],
    [
      'BYE glare: our BYE and theirs cross',
      [{ type: 'success' }, { type: 'hangup' }, { type: 'bye-received' }, { type: 'bye-done' }],
      ['ack', 'answered', 'bye', 'end:local:200:true'],
      'ended',
    ],
    [
      // §13.2.2.4, §15: the ACK sets the unwanted dialog up at the far end; the BYE ends it, once.
      'late 2xx after an unanswered end gets its ACK and a BYE (one BYE for its retransmissions)',
      [fail(486), { type: 'success' }, { type: 'bye-done', status: 200 }, { type: 'success' }, { type: 'bye-received' }],
      ['end:remote:486:false', 'ack', 'bye', 'ack'],
      'ended',
    ],
    [
      'late 2xx after the CANCEL went unanswered (guard timeout): ACK and BYE',
      [{ type: 'provisional', status: 180 }, { type: 'ring-timeout' }, { type: 'tx-timeout' }, { type: 'success' }],
      ['cancel', 'end:timeout:408:false', 'ack', 'bye'],
      'ended',
    ],
    ['late 2xx after Timer B: ACK and BYE', [{ type: 'tx-timeout' }, { type: 'success' }], ['end:error:408:false', 'ack', 'bye'], 'ended'],
    [
      'a retransmitted 2xx after an answered call ended: its ACK only (that dialog got its BYE)',
      [{ type: 'success' }, { type: 'hangup' }, { type: 'bye-done', status: 200 }, { type: 'success' }],
      ['ack', 'answered', 'bye', 'end:local:200:true', 'ack'],
      'ended',
    ],
    [
      'a 2xx crossing our CANCEL is BYEd once, its retransmission after the end only ACKed',
      [
        { type: 'provisional', status: 180 },
        { type: 'hangup' },
        { type: 'success' },
        { type: 'bye-done', status: 200 },
        { type: 'success' },
      ],
      ['cancel', 'ack', 'bye', 'end:local:487:false', 'ack'],
      'ended',
    ],
    [
      'hangup twice sends one CANCEL',
      [{ type: 'provisional', status: 180 }, { type: 'hangup' }, { type: 'hangup' }, { type: 'provisional', status: 183 }, fail(487)],
      ['cancel', 'end:local:487:false'],
      'ended',
    ],
    // RFC 3263 §4.3: the next SRV target on a timeout, a transport error, 503 or 500 — only before any 1xx beyond 100.
    [
      'Timer B with another server left → failover, then that one answers',
      [{ type: 'tx-timeout', canFailover: true }, { type: 'success' }],
      ['failover', 'ack', 'answered'],
      'confirmed',
    ],
    ['500 with another server left → failover', [{ ...fail(500), canFailover: true } as LegInput], ['failover'], 'calling'],
    ['503 with another server left → failover', [{ ...fail(503), canFailover: true } as LegInput], ['failover'], 'calling'],
    [
      'transport error with another server left → failover',
      [{ type: 'error', detail: 'ECONNREFUSED', canFailover: true }],
      ['failover'],
      'calling',
    ],
    ['503 with no server left ends the call', [{ ...fail(503), canFailover: false } as LegInput], ['end:remote:503:false'], 'ended'],
    ['486 is an answer, not a server failure', [{ ...fail(486), canFailover: true } as LegInput], ['end:remote:486:false'], 'ended'],
    [
      '503 after a 180: the call reached a phone, no second INVITE',
      [{ type: 'provisional', status: 180 }, { ...fail(503), canFailover: true } as LegInput],
      ['end:remote:503:false'],
      'ended',
    ],
    [
      'Timer B while cancelling is not a failover',
      [{ type: 'hangup' }, { type: 'tx-timeout', canFailover: true }],
      ['end:local:408:false'],
      'ended',
    ],
    [
      'each server may challenge: auth, failover, auth again',
      [fail(401, true), { ...fail(503), canFailover: true } as LegInput, fail(401, true)],
      ['auth-retry', 'failover', 'auth-retry'],
      'calling',
    ],
  ];
  for (const [name, inputs, fx, phase] of table) {
    const r = run(inputs);
    t.same(r.fx, fx, name);
    t.equal(r.s.phase, phase, `${name}: phase`);
  }
});

t.test('exactly one end effect whatever arrives after it', async (t) => {
  const noise: LegInput[] = [
    { type: 'bye-received' },
    { type: 'bye-done' },
    { type: 'tx-timeout' },
    { type: 'hangup' },
    fail(500),
    { type: 'error', detail: 'x' },
    { type: 'ring-timeout' },
  ];
  const r = run([{ type: 'success' }, { type: 'bye-received' }, ...noise, ...noise]);
  t.equal(r.fx.filter((f) => f.startsWith('end')).length, 1);
});
