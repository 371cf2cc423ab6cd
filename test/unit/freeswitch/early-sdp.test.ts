/**
 * Whether a 183's SDP must reach FreeSWITCH at once (sdp.ts earlySdpNeededNow):
 * only when the far end sends a codec FreeSWITCH does not already decode with
 * (the first of its own offer, which the 3pcc ACK gave it).
 */
import t from 'tap';
import { earlySdpNeededNow, firstAudioPayload } from '../../../lib/telephony/drivers/freeswitch/sdp';

const OFFER =
  'v=0\r\no=FreeSWITCH 1 1 IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.1\r\nm=audio 20000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n';
const early = (m: string, dir = 'sendonly') => `v=0\r\nc=IN IP4 10.0.0.9\r\n${m}\r\na=${dir}\r\n`;

t.test('firstAudioPayload', async (t) => {
  t.equal(firstAudioPayload(OFFER), '0');
  t.equal(firstAudioPayload(early('m=audio 4100 RTP/AVP 8 0 101')), '8');
  t.equal(firstAudioPayload(early('m=audio 4100/2 RTP/AVP 18')), '18', 'a port count');
  t.equal(firstAudioPayload(early('m=audio 0 RTP/AVP 0')), undefined, 'a refused (port 0) stream sends nothing');
  t.equal(firstAudioPayload('v=0\r\nm=video 4000 RTP/AVP 96\r\n'), undefined, 'no audio line');
});

t.test('earlySdpNeededNow', async (t) => {
  t.equal(earlySdpNeededNow(early('m=audio 4100 RTP/AVP 0 101'), OFFER), false, 'PCMU, as FreeSWITCH decodes: waits for the answer');
  t.equal(earlySdpNeededNow(early('m=audio 4100 RTP/AVP 0', 'sendrecv'), OFFER), false, 'whatever the direction');
  t.equal(earlySdpNeededNow(early('m=audio 4100 RTP/AVP 8 101'), OFFER), true, 'PCMA: FreeSWITCH must be told');
  t.equal(earlySdpNeededNow(early('m=audio 0 RTP/AVP 0'), OFFER), true, 'no audio stream to hear: handled as before');
  t.equal(earlySdpNeededNow('garbage', OFFER), true, 'unreadable: handled as before');
});
