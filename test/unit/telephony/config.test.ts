import t from 'tap';
import { validateConfig, ConfigError } from '../../../lib/config';

t.test('embedded driver and trunk defaults', async (t) => {
  const c = validateConfig({ telephony: { trunks: [{ name: 'carrier', address: '10.0.0.1:5060' }] } });
  t.same(c.telephony.embedded.sip, {
    host: '127.0.0.1',
    publicAddress: '',
    port: 5060,
    t1Ms: 500,
    userAgent: 'open-dialer',
    tcp: false,
    unknownSources: 'reject',
    dnsServers: [],
    dnsCacheS: 60,
    serverDownS: 60,
  });
  t.same(c.telephony.embedded.rtp, { portMin: 20000, portMax: 29998, codecs: ['ulaw', 'alaw'], sendSilence: true });
  // No transport default: a name's NAPTR records choose (RFC 3263 §4.1); an IP literal means UDP.
  t.equal(c.telephony.trunks[0]!.transport, undefined);
  t.match(c.telephony.trunks[0], {
    name: 'carrier',
    callerIdFormat: 'asis',
    maxChannels: 100,
    callsPerSecond: 10,
    dialPrefix: '',
  });
});

t.test('bad trunk and driver settings name their key', async (t) => {
  const bad: Array<[unknown, RegExp]> = [
    [{ trunks: [{ name: 'x', address: 'not an address' }] }, /telephony\.trunks\.0\.address/],
    [{ trunks: [{ address: '10.0.0.1' }] }, /telephony\.trunks\.0\.name is required/],
    [{ trunks: [{ name: 'x', address: '10.0.0.1', callsPerSecond: 0 }] }, /callsPerSecond/],
    [{ embedded: { rtp: { codecs: ['g729'] } } }, /telephony\.embedded\.rtp\.codecs/],
    [{ embedded: { sip: { t1Ms: 1 } } }, /telephony\.embedded\.sip\.t1Ms/],
    [{ embedded: { bogus: 1 } }, /telephony\.embedded\.bogus is not known/],
    [{ embedded: { sip: { dnsServers: ['dns.example'] } } }, /telephony\.embedded\.sip\.dnsServers\.0/],
  ];
  for (const [telephony, re] of bad) t.throws(() => validateConfig({ telephony } as Record<string, unknown>), re, String(re));
  t.throws(() => validateConfig({ telephony: { trunks: [{ name: 'x', address: 'a b' }] } }), ConfigError);
});
