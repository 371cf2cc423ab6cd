/**
 * The live harness itself: a port probed free can be taken before the server
 * binds it (CI once lost a run to it: drachtio-server exited at start, status 0,
 * its SIP port taken during the seconds a FreeSWITCH took to start). Here the
 * first SIP port each server gets is one this test holds, so both failures are
 * certain: drachtio-server exits, FreeSWITCH's sofia retries its bind for ever.
 * The harness must start each again on fresh ports, and the servers must work.
 */
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DrachtioSrf } from '../../../lib/telephony/drivers/freeswitch/adapters';
import { freePort } from '../../../lib/store/redis-server';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();

/** Binds a UDP socket on a free loopback port: that port is taken until it closes. */
async function holdUdp(): Promise<{ port: number; socket: Socket }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, socket };
}

t.test(
  'a SIP port taken before the server binds it: started again on a fresh one',
  { skip: missing ?? false, timeout: 120000 },
  async (t) => {
    const heldForDrachtio = await holdUdp();
    const heldForFreeswitch = await holdUdp();
    t.teardown(() => {
      heldForDrachtio.socket.close();
      heldForFreeswitch.socket.close();
    });
    // Handed out in order: drachtio-server's first SIP port (held) and its second (free), FreeSWITCH's first (held),
    // then free ones.
    const handOut = [heldForDrachtio.port, await freePort(), heldForFreeswitch.port];
    const picked: number[] = [];
    const sipPort = async () => {
      const p = handOut.shift() ?? (await freePort());
      picked.push(p);
      return p;
    };
    const live = await startLiveServers(t, { sipPort });

    t.equal(picked[0], heldForDrachtio.port, 'drachtio-server was first given the held port');
    t.not(live.drachtio.sipPort, heldForDrachtio.port, 'drachtio-server runs on another');
    t.not(live.freeswitch.sipPort, heldForFreeswitch.port, 'FreeSWITCH runs on another');
    t.equal(live.drachtio.sipPort, picked[1], 'drachtio-server runs on the second port it was given');
    t.equal(picked[2], heldForFreeswitch.port, 'FreeSWITCH was first given the other held port');
    // The attempt that lost its port keeps its log beside the running server's.
    const log = readFileSync(join(live.dir, 'log', 'freeswitch.log.port-taken-1'), 'utf8');
    t.match(
      log,
      new RegExp(`Error Creating SIP UA for profile: drachtio_mrf \\(sip:mod_sofia@127\\.0\\.0\\.1:${heldForFreeswitch.port}`),
      'the first FreeSWITCH could not bind it (its log says so)',
    );
    t.match(await live.api('sofia status'), /drachtio_mrf\s.*RUNNING/, "the second's SIP profile runs");
    t.match(
      await live.api(`sofia status profile drachtio_mrf`),
      new RegExp(`127\\.0\\.0\\.1:${live.freeswitch.sipPort}`),
      'on the port the harness reports',
    );
    t.match(
      readFileSync(join(live.dir, 'conf', 'vars.xml'), 'utf8'),
      new RegExp(`dialer_drachtio_sip_port=${live.drachtio.sipPort}"`),
      "vars.xml records drachtio-server's port",
    );

    const srf = new DrachtioSrf();
    await srf.connect({ ...live.drachtio, timeoutMs: 30000 });
    t.teardown(() => srf.disconnect());
    t.pass('a client connects to drachtio-server');
  },
);
