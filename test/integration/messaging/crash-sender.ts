/**
 * The process the crash test kills (crash.test.ts): messaging on the test's
 * Redis, SMS over SIP MESSAGE to the trunk in argv[3], one send at a time;
 * accepts the messages named in argv[4..] as the API does (202, background)
 * and prints "accepted <id> …" once all are accepted, then waits to be killed.
 */
import { createRedis } from '../../../lib/store';
import { startMessaging } from '../../../lib/messaging';
import { SipMessageChannel } from '../../../lib/messaging/channels/sip';
import { messagingConfig, silent } from './fixture';

async function main(): Promise<void> {
  const [url, trunk, ...bodies] = process.argv.slice(2);
  const redis = createRedis({ url: url!, keyPrefix: 'test:' });
  const sms = new SipMessageChannel({ host: '127.0.0.1', port: 0, trunk: trunk!, from: 'acme', t1Ms: 500, log: silent });
  const m = await startMessaging(
    { config: messagingConfig({ leaseMs: 1000, maxConcurrentSends: 1 }), redis, log: silent },
    { channels: { sms } },
  );
  const ids: string[] = [];
  for (const [i, body] of bodies.entries()) {
    const { message } = await m.service.trigger(
      { kind: 'sms', to: `+8131200010${i}`, template: body, idempotencyKey: `crash-${i}` },
      { background: true },
    );
    ids.push(message.id);
  }
  process.stdout.write(`accepted ${ids.join(' ')}\n`);
  setInterval(() => undefined, 60000);
}

void main();
