/**
 * The process campaign-crash.test.ts SIGKILLs: messaging on the test's Redis (argv: url, trunk), whose
 * message-campaign runner takes the running campaign's lease and sends through SIP MESSAGE. Prints
 * "started" and then waits to be killed.
 */
import { createRedis } from '../../../lib/store';
import { startMessaging } from '../../../lib/messaging';
import { SipMessageChannel } from '../../../lib/messaging/channels/sip';
import { messagingConfig, silent } from './fixture';

async function main(): Promise<void> {
  const [url, trunk] = process.argv.slice(2);
  const redis = createRedis({ url: url!, keyPrefix: 'test:' });
  const sms = new SipMessageChannel({ host: '127.0.0.1', port: 0, trunk: trunk!, from: 'acme', t1Ms: 100, log: silent });
  await startMessaging({ config: messagingConfig({ leaseMs: 1000 }), redis, log: silent }, { channels: { sms } });
  process.stdout.write('started\n');
  setInterval(() => undefined, 60000);
}

void main();
