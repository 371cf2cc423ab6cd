import t from 'tap';
import { decide, poolsOf, validateRoute, RouteInputError, type InboundRoute } from '../../../lib/inbound/route';
import { agentGroupStep, callerNumber, didCandidates, uriUser } from '../../../lib/inbound/decide';

const agents = { type: 'agents' as const, groups: ['returns'] };
const msg = { type: 'message' as const, file: '/tmp/closed.wav' };
const route = (over: Partial<InboundRoute> = {}): InboundRoute => ({
  did: '+81312345678',
  timeZone: 'Asia/Tokyo',
  bands: [
    { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00', action: agents },
    { days: [5], start: '22:00', end: '02:00', action: { type: 'forward', to: 'sip:night@127.0.0.1:5099' } },
  ],
  holidays: ['2026-12-31'],
  closed: msg,
  closeRetries: true,
  ...over,
});
// 2026-12-04 is a Friday.
const tokyo = (iso: string) => Date.parse(`${iso}+09:00`);

t.test('bands in the route zone, holidays, closed', async (t) => {
  t.equal(decide(route(), tokyo('2026-12-04T09:00:00')).by, 'band', '09:00 Friday opens');
  t.equal(decide(route(), tokyo('2026-12-04T08:59:59')).by, 'closed', 'a second before');
  t.equal(decide(route(), tokyo('2026-12-04T18:00:00')).by, 'closed', 'end is exclusive');
  t.equal(decide(route(), tokyo('2026-12-05T10:00:00')).by, 'closed', 'Saturday');
  t.equal(decide(route(), tokyo('2026-12-31T10:00:00')).by, 'holiday', 'a Thursday holiday');
  t.same(decide(route({ holiday: agents }), tokyo('2026-12-31T10:00:00')).action, agents, 'holiday action when given');
  // Same instant in UTC is 01:00 Friday: in Tokyo it is 10:00.
  t.equal(decide(route(), Date.parse('2026-12-04T01:00:00Z')).by, 'band', 'zone applied, not UTC');
  t.equal(decide(route({ timeZone: 'Europe/London' }), Date.parse('2026-12-04T01:00:00Z')).by, 'closed', '01:00 in London');
});

t.test('a band past midnight belongs to the day it starts', async (t) => {
  t.equal(decide(route(), tokyo('2026-12-04T23:00:00')).band, 1, 'Friday 23:00');
  t.equal(decide(route(), tokyo('2026-12-05T01:30:00')).band, 1, 'Saturday 01:30 is Friday night');
  t.equal(decide(route(), tokyo('2026-12-05T02:00:00')).by, 'closed', 'Saturday 02:00 ends it');
  t.equal(decide(route(), tokyo('2026-12-04T01:00:00')).by, 'closed', 'Friday 01:00 is Thursday night: no band');
});

t.test('an override wins until its end time, then the schedule is back', async (t) => {
  const fwd = { type: 'forward' as const, to: '+81399998888' };
  const r = route({ override: { action: fwd, until: '2026-12-04T12:00:00+09:00' } });
  t.same(decide(r, tokyo('2026-12-04T11:59:59')), { action: fwd, by: 'override' });
  t.equal(decide(r, tokyo('2026-12-04T12:00:00')).by, 'band', 'at until the band is back');
  const later = route({ override: { action: fwd, from: '2026-12-04T11:00:00+09:00', until: '2026-12-04T12:00:00+09:00' } });
  t.equal(decide(later, tokyo('2026-12-04T10:59:00')).by, 'band', 'not before from');
  t.equal(decide(later, tokyo('2026-12-04T11:00:00')).by, 'override');
});

t.test('validation names the field', async (t) => {
  const now = tokyo('2026-12-04T10:00:00');
  const bad = (r: InboundRoute, field: string) => {
    try {
      validateRoute(r, ['carrier'], now);
      t.fail(`${field} accepted`);
    } catch (err) {
      t.type(err, RouteInputError);
      t.equal((err as RouteInputError).field, field, (err as Error).message);
    }
  };
  t.doesNotThrow(() => validateRoute(route(), ['carrier'], now));
  bad(route({ timeZone: 'Mars/Olympus' }), 'timeZone');
  bad(route({ trunk: 'nope' }), 'trunk');
  bad(route({ bands: [{ days: [1], start: '9:00', end: '18:00', action: agents }] }), 'bands[0].start');
  bad(route({ bands: [{ days: [1], start: '09:00', end: '09:00', action: agents }] }), 'bands[0].end');
  bad(route({ bands: [{ days: [1], start: '09:00', end: '10:00', action: { type: 'agents', groups: [] } }] }), 'bands[0].action.groups');
  bad(route({ bands: [{ days: [1], start: '09:00', end: '10:00', action: { ...agents, afterSec: 0 } }] }), 'bands[0].action.afterSec');
  bad(route({ closed: { type: 'forward', to: 'not a target' } }), 'closed.to');
  bad(route({ closed: { type: 'forward', to: '+8131', trunk: 'x' } }), 'closed.trunk');
  bad(route({ closed: { ...agents, busy: { to: 'mailto:x' } } }), 'closed.busy.to');
  bad(route({ closed: { type: 'ivr', uri: 'http://bot' } }), 'closed.uri');
  bad(route({ closed: { ...msg, dncDigit: '12' } }), 'closed.dncDigit');
  bad(route({ holidays: ['2026-02-30'] }), 'holidays[0]');
  bad(route({ override: { action: msg, until: '2026-12-04T09:00:00+09:00' } }), 'override.until');
  bad(route({ override: { action: msg, until: 'tomorrow' } }), 'override.until');
  bad(route({ override: { action: msg, from: '2026-12-05T09:00:00+09:00', until: '2026-12-04T12:00:00+09:00' } }), 'override.from');
  bad(route({ closed: { ...agents, agentPool: 'anyone' as never } }), 'closed.agentPool');
  t.doesNotThrow(() => validateRoute(route({ closed: { ...agents, agentPool: 'return-calls-only' } }), ['carrier'], now));
});

t.test('agent pools: agents taking return calls first, ready agents only when the route allows', async (t) => {
  t.same(poolsOf(agents), ['return_calls', 'ready'], 'default: return calls first, then ready (campaign) agents');
  t.same(poolsOf({ ...agents, agentPool: 'return-calls-first' }), ['return_calls', 'ready']);
  t.same(poolsOf({ ...agents, agentPool: 'return-calls-only' }), ['return_calls'], 'seed 001: agents on a call job get none');
});

t.test('numbers from SIP headers', async (t) => {
  t.equal(uriUser('"Taro" <sip:0312345678@10.0.0.1:5060>;tag=abc'), '0312345678');
  t.equal(uriUser('<tel:+81-3-1234-5678>'), '+81-3-1234-5678');
  t.equal(uriUser('sip:+81312345678@10.0.0.1;user=phone'), '+81312345678');
  t.same(didCandidates('sip:0312345678@127.0.0.1', '<sip:+81312345678@x>', 'JP'), ['+81312345678'], 'both the same DID');
  t.same(didCandidates('sip:1000@127.0.0.1', '<sip:0312345678@x>', 'JP'), ['1000', '+81312345678'], 'an extension, then To');
  t.equal(callerNumber({ from: '<sip:09011112222@x>;tag=1' }, 'JP'), '+819011112222', 'From, national → E.164');
  t.equal(callerNumber({ from: '<sip:anonymous@anonymous.invalid>', pai: '<sip:+819011112222@x>' }, 'JP'), '+819011112222', 'PAI first');
  t.equal(callerNumber({ from: '<sip:anonymous@anonymous.invalid>;tag=2' }, 'JP'), undefined, 'withheld');
});

t.test('agent group: connect, forward on busy at once, on no answer after N s', async (t) => {
  const a = { ...agents, noAnswer: { to: 'sip:b@127.0.0.1' }, busy: { to: 'sip:c@127.0.0.1' } };
  t.same(agentGroupStep(a, { reserved: true, waitedMs: 0, first: true }), { kind: 'connect' });
  t.same(agentGroupStep(a, { reserved: false, waitedMs: 0, first: true }), { kind: 'forward', target: a.busy, why: 'busy' });
  const na = { ...agents, noAnswer: { to: 'sip:b@127.0.0.1' } };
  t.same(agentGroupStep(na, { reserved: false, waitedMs: 0, first: true }), { kind: 'wait' }, 'no busy rule: wait');
  t.same(agentGroupStep(na, { reserved: false, waitedMs: 19_999, first: false }), { kind: 'wait' }, 'default 20 s not yet');
  t.same(agentGroupStep(na, { reserved: false, waitedMs: 20_000, first: false }), {
    kind: 'forward',
    target: na.noAnswer,
    why: 'no-answer',
  });
  t.same(agentGroupStep({ ...na, afterSec: 5 }, { reserved: false, waitedMs: 5_000, first: false }).kind, 'forward', 'afterSec');
  t.same(agentGroupStep(agents, { reserved: false, waitedMs: 20_000, first: false }), { kind: 'give-up' });
  t.same(agentGroupStep(a, { reserved: true, waitedMs: 20_000, first: false }), { kind: 'connect' }, 'an agent in time takes it');
  t.same(
    agentGroupStep(na, { reserved: false, waitedMs: 15, first: true }),
    { kind: 'wait' },
    'the first look takes some ms: still a wait',
  );
  t.same(agentGroupStep(a, { reserved: false, waitedMs: 15, first: true }).kind, 'forward', 'busy on the first look, however long it took');
  t.same(
    agentGroupStep(a, { reserved: false, waitedMs: 500, first: false }),
    { kind: 'wait' },
    'busy only on arrival; later looks wait for no-answer',
  );
});

t.test('action properties must belong to the action type', async (t) => {
  const now = tokyo('2026-12-04T10:00:00');
  const field = (r: InboundRoute) => {
    try {
      validateRoute(r, [], now);
      return 'accepted';
    } catch (err) {
      return (err as RouteInputError).field;
    }
  };
  t.equal(field(route({ closed: { type: 'message', file: 'x.wav', groups: ['a'] } as never })), 'closed.groups');
  t.equal(field(route({ closed: { type: 'message' } as never })), 'closed.file');
  t.equal(field(route({ closed: { type: 'forward' } as never })), 'closed.to');
  t.equal(field(route({ closed: { type: 'ivr' } as never })), 'closed.uri');
  t.equal(field(route({ closed: { type: 'agents' } as never })), 'closed.groups');
  t.equal(field(route({ closed: { type: 'x' } as never })), 'closed.type');
});
