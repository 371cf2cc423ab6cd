/**
 * A dialog destroyed after the far end ended it, as drachtio-fsmrf does when FreeSWITCH's outbound event socket
 * is late (4 s, lib/mediaserver.js timeoutFn: `dialog.destroy()` with no callback and nobody on its Promise).
 * Against a live drachtio-server: the far end (SIPp, uas-callee-hangup) answers and sends BYE after 0.8 s; then
 * destroy() asks drachtio for a BYE on a dialog it no longer has, and drachtio-srf rejects with ENODIALOG. The
 * live contract suite once died of that rejection, unhandled, at load ~34: the dialer's Srf (DrachtioSrf,
 * guardDialogDestroy) must not let it end the process, and must still report it to whoever awaits destroy().
 * Without the guard this file fails: tap counts the unhandled rejection as a failure, as the counter below does.
 */
import t from 'tap';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { liveServersMissing, liveSrf, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();

const OFFER = [
  'v=0',
  'o=dialer 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

t.test(
  'destroy() on a dialog the far end ended: a rejection, never an unhandled one',
  { skip: missing ?? false, timeout: 120000 },
  async (t) => {
    const live = await startLiveServers(t);
    const srf = await liveSrf(t, live);
    const unhandled: unknown[] = [];
    const count = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', count);
    t.teardown(() => void process.off('unhandledRejection', count));

    const far = await startSipp({ scenario: 'uas-callee-hangup', timeoutS: 60 });
    t.teardown(() => far.stop());
    // The raw library call fsmrf makes (srf.createUAC by Promise), on the dialer's Srf.
    const dlg = await srf.srf.createUAC(`sip:0312345678@${far.address}`, { localSdp: OFFER });
    await new Promise<void>((r) => dlg.once('destroy', () => r()));
    t.pass("the far end's BYE ended the dialog");

    // fsmrf's way: nothing on the Promise.
    void dlg.destroy();
    // Ours: awaited, it still fails, and says why.
    await t.rejects(
      dlg.destroy() as unknown as Promise<unknown>,
      { code: 'ENODIALOG' },
      'an awaited destroy() still rejects: drachtio has no such dialog',
    );
    // Node reports an unhandled rejection once the microtasks after it have run: give it a few turns.
    await new Promise((r) => setTimeout(r, 200));
    t.same(unhandled, [], 'no unhandled rejection');
    t.equal((await far.done).code, 0, 'the far end ran its scenario to the end');
  },
);
