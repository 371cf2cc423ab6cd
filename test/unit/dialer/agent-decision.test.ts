/**
 * The pure part of the agent deciding a not-sure call (lib/dialer/steps/agent-decision.ts):
 * which code a disposition gives, and the retry decision taken again for it.
 */
import t from 'tap';
import { agentDecidedCode, decideRecode, type RecodeInput } from '../../../lib/dialer/steps/agent-decision';

const base: RecodeInput = {
  closedCode: 20,
  currentCode: 20,
  disposition: 'voicemail',
  attemptNo: 1,
  isCallback: false,
  policy: { maxAttempts: 3, retryIntervalSec: 600 },
  now: 1_000_000,
};

t.test('a machine, fax or silence disposition gives its code; anything else keeps the closed code', async (t) => {
  t.equal(agentDecidedCode(20, 'voicemail'), 4);
  t.equal(agentDecidedCode(20, 'Answering-Machine'), 4);
  t.equal(agentDecidedCode(20, 'fax'), 5);
  t.equal(agentDecidedCode(20, 'dead-air'), 7);
  t.equal(agentDecidedCode(20, 'sale'), 20);
  t.equal(agentDecidedCode(20, undefined), 20);
});

t.test('the retry is decided again for the new code, by the campaign rules', async (t) => {
  t.same(decideRecode(base), {
    from: 20,
    to: 4,
    final: false,
    nextAt: 1_000_000 + 600_000,
    retryReason: 'result 4: retry in 600 s',
    liveFrom: true,
    liveTo: false,
  });
  t.match(decideRecode({ ...base, disposition: 'fax' }), { to: 5, final: true, retryReason: 'result 5 is not retried' });
  t.match(decideRecode({ ...base, attemptNo: 3 }), { to: 4, final: true }, 'no attempts left');
  t.match(decideRecode({ ...base, policy: { ...base.policy, perCode: { 4: { retry: true, afterSec: 60 } } } }), { nextAt: 1_060_000 });
  t.match(decideRecode({ ...base, isCallback: true }), { to: 4, final: true, retryReason: 'callback' }, 'a callback is one promised call');
});

t.test('a correction back to a person restores the closed code; no change is null', async (t) => {
  t.match(decideRecode({ ...base, currentCode: 4, disposition: 'sale' }), { from: 4, to: 20, final: true, liveFrom: false, liveTo: true });
  t.equal(decideRecode({ ...base, disposition: 'sale' }), null);
  t.equal(decideRecode({ ...base, currentCode: 4 }), null);
});
