/**
 * freeswitch-conf/ and docker-compose.yml: every XML file parses (a typo there
 * stops FreeSWITCH at start with little to go on), the names the driver's
 * defaults rely on exist in it, every tone the descriptors can report maps to
 * a verdict, and the compose file validates with docker-compose 1.29 when the
 * binary is present.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { loadConfig } from '../../../lib/config';
import { verdictFromTone } from '../../../lib/telephony/drivers/freeswitch/tones';

const ROOT = resolve(__dirname, '../../..');
const CONF = join(ROOT, 'freeswitch-conf');

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? xmlFiles(p) : p.endsWith('.xml') ? [p] : [];
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) =>
    ['descriptor', 'tone', 'element', 'load', 'directory', 'extension', 'param', 'list', 'node', 'X-PRE-PROCESS'].includes(name),
});
const parse = (rel: string) => parser.parse(readFileSync(join(CONF, rel), 'utf8'));

t.test('every freeswitch-conf XML file parses', async (t) => {
  const files = xmlFiles(CONF);
  t.ok(files.length >= 12, `found ${files.length} files`);
  for (const f of files) {
    const res = XMLValidator.validate(readFileSync(f, 'utf8'));
    t.equal(res, true, `${relative(ROOT, f)}${res === true ? '' : `: line ${res.err.line}: ${res.err.msg}`}`);
  }
});

t.test('the names the driver defaults use exist in the configuration', async (t) => {
  const fs = loadConfig({ env: {} }).telephony.freeswitch;
  const modules = parse('autoload_configs/modules.conf.xml').configuration.modules.load.map((l: { module: string }) => l.module);
  for (const m of [
    'mod_event_socket',
    'mod_sofia',
    'mod_commands',
    'mod_dptools',
    'mod_dialplan_xml',
    'mod_spandsp',
    'mod_avmd',
    'mod_local_stream',
    'mod_tone_stream',
    'mod_sndfile',
    'mod_native_file',
  ])
    t.ok(modules.includes(m), `${m} loaded`);

  const profile = parse('sip_profiles/drachtio_mrf.xml').profile;
  t.equal(profile.name, fs.mediaServers[0]?.profile ?? 'drachtio_mrf', 'profile name = default mediaServers[].profile');
  const params = Object.fromEntries(profile.settings.param.map((p: { name: string; value: string }) => [p.name, p.value]));
  t.equal(params['enable-3pcc'], 'true', 'fsmrf creates endpoints without SDP (3pcc)');
  t.equal(params['apply-inbound-acl'], 'dialer');

  const context = parse('dialplan/dialer.xml').include.context;
  t.equal(context.name, params.context, 'the profile routes into the dialplan context');
  const ext = context.extension[0];
  t.equal(ext.condition.expression, '^drachtio-fsmrf:');
  const actions = ext.condition.action.map((a: { application: string; data?: string }) => `${a.application} ${a.data ?? ''}`.trim());
  t.same(actions.slice(-2), ['answer', 'socket ${sip_h_X-esl-outbound} async full']);

  const streams = parse('autoload_configs/local_stream.conf.xml').configuration.directory.map((d: { name: string }) => d.name);
  t.ok(streams.includes(fs.holdStream), `local_stream ${fs.holdStream} declared`);

  const acl = parse('autoload_configs/acl.conf.xml').configuration['network-lists'].list.map((l: { name: string }) => l.name);
  t.ok(acl.includes('dialer'));
  const esl = Object.fromEntries(
    parse('autoload_configs/event_socket.conf.xml').configuration.settings.param.map((p: { name: string; value: string }) => [
      p.name,
      p.value,
    ]),
  );
  t.equal(esl['listen-port'], '$${dialer_esl_port}');
  t.equal(vars()['dialer_esl_port'], '8021', 'the event socket port is the dialer default mediaServers[].port');
  t.equal(esl['apply-inbound-acl'], 'dialer');
});

/** vars.xml's `<X-PRE-PROCESS cmd="set" data="name=value"/>` values. */
function vars(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readFileSync(join(CONF, 'vars.xml'), 'utf8').matchAll(/<X-PRE-PROCESS cmd="set" data="([A-Za-z0-9_]+)=([^"]*)"\/>/g))
    out[m[1]!] = m[2]!;
  return out;
}

t.test('vars.xml holds every address, port and secret; every $${var} used is defined there', async (t) => {
  const defined = vars();
  for (const f of xmlFiles(CONF)) {
    const text = readFileSync(f, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    for (const m of text.matchAll(/\$\$\{([A-Za-z0-9_]+)\}/g)) t.ok(m[1]! in defined, `${relative(CONF, f)}: ${m[0]} is set in vars.xml`);
    if (f.endsWith('vars.xml') || f.endsWith('drachtio.conf.xml')) continue;
    // Addresses, ports and passwords only in vars.xml (drachtio.conf.xml is drachtio-server's own file).
    t.notMatch(text, /name="(?:[^"]*-)?(?:ip|port|password)"\s+value="[^$"]/, `${relative(CONF, f)}: no literal address, port or password`);
  }
  for (const k of [
    'dialer_esl_ip',
    'dialer_esl_port',
    'dialer_esl_password',
    'dialer_sip_ip',
    'dialer_sip_port',
    'dialer_rtp_ip',
    'dialer_rtp_start_port',
    'dialer_rtp_end_port',
    'dialer_drachtio_admin_port',
    'dialer_drachtio_secret',
  ])
    t.ok(k in defined, `vars.xml sets ${k}`);
});

t.test('spandsp descriptors: one per configured region, every tone maps to a verdict', async (t) => {
  const fs = loadConfig({ env: {} }).telephony.freeswitch;
  const descriptors: Array<{ name: string; tone: Array<{ name: string; element: Array<Record<string, string>> }> }> =
    parse('autoload_configs/spandsp.conf.xml').configuration.descriptors.descriptor;
  const names = descriptors.map((d) => d.name);
  for (const [region, name] of Object.entries(fs.toneDescriptors)) t.ok(names.includes(name), `${region} → ${name}`);
  for (const [region, name] of Object.entries(fs.earlyToneDescriptors)) t.ok(names.includes(name), `${region} early → ${name}`);
  const early = new Set(Object.values(fs.earlyToneDescriptors));
  for (const d of descriptors) {
    const tones = d.tone.map((x) => x.name);
    for (const must of ['busy', 'ced', 'cng']) t.ok(tones.includes(must), `${d.name} has ${must}`);
    // A voicemail beep only means something after answer.
    if (early.has(d.name)) t.notOk(tones.includes('beep_1000'), `${d.name} (early media) has no beep`);
    else t.ok(tones.includes('beep_1000'), `${d.name} has beep_1000`);
    // Every SIT family in every region: a carrier presents its own, whatever the number's country.
    for (const sit of ['sit_nc', 'sit_ic', 'sit_vc', 'sit_ro', 'sit']) t.ok(tones.includes(sit), `${d.name} has ${sit}`);
    // spandsp's detectors (16 ms Goertzel bins) as it builds them: numbered in order of first appearance, a
    // frequency within 10 Hz of an existing one merged into it. Two detectors closer than ~38 Hz make a tone
    // between them a dual tone and defeat each other's single-tone elements (the 1000 Hz beep next to 985).
    const detectors: number[] = [];
    const index = (f: number) => {
      if (f === 0) return -1;
      const i = detectors.findIndex((x) => Math.abs(x - f) <= 10);
      if (i >= 0) return i;
      detectors.push(f);
      return detectors.length - 1;
    };
    for (const tone of d.tone)
      for (const e of tone.element) {
        const [i1, i2] = [index(Number(e.freq1)), index(Number(e.freq2))];
        // super_tone_rx reports a dual tone lower-numbered detector first and compares elements as written.
        if (i2 >= 0) t.ok(i1 < i2, `${d.name}/${tone.name}: ${e.freq1}+${e.freq2} names the earlier detector first`);
      }
    const sorted = [...detectors].sort((x, y) => x - y);
    const gaps = sorted.slice(1).map((f, i) => [sorted[i]!, f] as const);
    t.same(
      gaps.filter(([lo, hi]) => hi - lo < 38),
      [],
      `${d.name}: detectors at least 38 Hz apart (${sorted.join(', ')})`,
    );
    for (const tone of d.tone) {
      t.ok(verdictFromTone(tone.name, 'X', 0), `${d.name}/${tone.name} maps to a verdict`);
      for (const e of tone.element) {
        t.match(e.freq1, /^\d+$/, 'whole Hz');
        t.ok(Number(e.max) === 0 || Number(e.max) >= Number(e.min), `${d.name}/${tone.name} min ≤ max`);
      }
    }
  }
});

t.test('hold-music.sh makes an 8 kHz mono WAV for local_stream', async (t) => {
  const dir = join(ROOT, 'test/.artifacts', `hold-${process.pid}`);
  t.teardown(() => execFileSync('rm', ['-rf', dir]));
  execFileSync('bash', [join(CONF, 'hold-music.sh'), dir]);
  const info = execFileSync('soxi', [join(dir, 'dialer-hold.wav')]).toString();
  t.match(info, /Channels\s+: 1/);
  t.match(info, /Sample Rate\s+: 8000/);
});

const hasCompose = spawnSync('sh', ['-c', 'command -v docker-compose']).status === 0;
t.test(
  'docker-compose.yml validates (docker-compose 1.29, no engine needed)',
  { skip: hasCompose ? false : 'docker-compose is not installed (Debian package docker-compose; scripts/setup.sh installs it)' },
  async (t) => {
    const r = spawnSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config'], { cwd: ROOT, encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    for (const svc of ['redis', 'drachtio', 'freeswitch', 'dialer', 'carrier', 'hold-music'])
      t.match(r.stdout, new RegExp(`\\n  ${svc}:\\n`), `service ${svc}`);
    t.match(r.stdout, /DIALER_TELEPHONY__DRIVER: freeswitch/);
    t.match(r.stdout, /carrier-simulator\.xml/);
  },
);
