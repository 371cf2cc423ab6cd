/**
 * What the freeswitch driver's endpoint port reports when its FreeSWITCH dies
 * (issue 19), against a live FreeSWITCH behind a live drachtio-server, through
 * the real adapters (drachtio-srf, drachtio-fsmrf, drachtio-modesl):
 *
 * - A hangup in flight: destroy() sent FreeSWITCH its `hangup`, and
 *   FreeSWITCH died before its BYE. modesl never answers a command on a
 *   closed socket and the BYE never comes, so without care destroy() never
 *   settles, and the pool counts the leg on the dead server for ever (the
 *   pool's live test once saw legs on a killed server for over 60 s).
 * - A loss before the listener: fsmrf emits an endpoint's `destroy` once, when
 *   its socket closes; an onDestroy registered after that (an endpoint made
 *   just as its server died) must still hear of it.
 *
 * The server is SIGSTOPped first so the hangup is surely unanswered when the
 * SIGKILL comes: the race made certain, not hoped for. Waits are on
 * conditions, bounded.
 */
import t from 'tap';
import { DrachtioMrf } from '../../../lib/telephony/drivers/freeswitch/adapters';
import type { EndpointPort, MediaServerPort } from '../../../lib/telephony/drivers/freeswitch/ports';
import { liveServersMissing, liveSrf, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();

/** Resolves true when `p` settles within `ms`, false otherwise (the wait is a bound, not a speed). */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}

t.test('endpoints of a FreeSWITCH that dies', { skip: missing ?? false, timeout: 120000 }, async (t) => {
  const live = await startLiveServers(t);
  const fs = live.freeswitch;
  const srf = await liveSrf(t, live);
  const mrf = new DrachtioMrf(srf);
  const ms: MediaServerPort = await mrf.connect({
    address: fs.address,
    port: fs.port,
    secret: fs.secret,
    profile: fs.profile,
    listenAddress: '127.0.0.1',
    timeoutMs: 30000,
  });
  t.teardown(() => ms.disconnect());
  const serverEnd = new Promise<void>((r) => ms.onEnd(r));

  const hangingUp = await ms.createEndpoint();
  const asking = await ms.createEndpoint();
  const watched = await ms.createEndpoint();
  const late = await ms.createEndpoint();
  const watchedLost = new Promise<string | undefined>((r) => watched.onDestroy(r));
  t.equal((await asking.api('uuid_exists', [asking.uuid])).trim(), 'true', 'an api command is answered while FreeSWITCH runs');

  fs.pause();
  const destroyed = hangingUp.destroy();
  // Its outcome is taken at once: it may fail while the test waits for the other signs of the loss.
  const asked = asking.api('uuid_getvar', [asking.uuid, 'uuid']).then(
    (reply) => `answered: ${reply}`,
    (err: Error) => err,
  );
  // The `hangup` and the api command are written to a server that reads nothing now.
  await new Promise((r) => setImmediate(r));
  await fs.kill();
  t.ok(await settlesWithin(serverEnd, 30000), 'the media server connection is seen lost');
  t.ok(await settlesWithin(watchedLost, 30000), 'an endpoint listening for its end hears of the loss');

  t.ok(await settlesWithin(destroyed, 30000), 'destroy() in flight when FreeSWITCH died settles (it had sent hangup; no BYE will come)');
  t.ok(await settlesWithin(asked, 30000), 'an api command in flight when FreeSWITCH died settles');
  t.match(await asked, { message: /event socket for this channel closed/ }, 'it fails, naming why');
  await t.rejects(asking.play('silence_stream://100'), /event socket for this channel closed/, 'a command after the loss fails at once');

  // `late` lost its socket before anyone listened: registering now must still report it.
  const lateLost = new Promise<string | undefined>((r) => late.onDestroy(r));
  t.ok(await settlesWithin(lateLost, 5000), 'an onDestroy registered after the loss is told of it');
  t.ok(await settlesWithin(late.destroy(), 5000), 'and destroy() on that endpoint settles at once');
  const others: EndpointPort[] = [watched, asking];
  for (const ep of others) t.ok(await settlesWithin(ep.destroy(), 5000), 'destroy() after the loss settles');
});
