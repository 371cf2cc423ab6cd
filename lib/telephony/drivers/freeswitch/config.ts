/**
 * Start-time checks of `telephony.freeswitch` and `telephony.trunks`, and the
 * pure translation of an OriginateRequest into the INVITE we send. A
 * misconfigured driver refuses to start with a ConfigError naming the key.
 */
import { ConfigError } from '../../../config/load';
import type { TrunkConfig } from '../../../config/sections/embedded';
import type { FreeswitchConfig, FreeswitchMediaServerConfig } from '../../../config/sections/freeswitch';
import { normalizePhone } from '../../../domain/phone';
import { TelephonyError, type OriginateRequest } from '../../contract';
import { chooseAudioMode } from './detect';
import type { UacOptions } from './ports';

const K = 'telephony.freeswitch';

/** Throws ConfigError naming the first missing/contradictory key. */
export function checkFreeswitchConfig(fs: FreeswitchConfig, trunks: readonly TrunkConfig[]): void {
  const missing = (key: string, why: string): never => {
    throw new ConfigError(`config key ${key} is required by the freeswitch driver: ${why}`, key);
  };
  if (!fs.drachtio.host) missing(`${K}.drachtio.host`, 'address of the drachtio-server control socket');
  if (!fs.drachtio.secret) missing(`${K}.drachtio.secret`, 'the drachtio-server <admin secret="…"> (drachtio.conf.xml)');
  if (fs.mediaServers.length === 0) missing(`${K}.mediaServers`, 'at least one FreeSWITCH event socket [{address, port, secret, profile}]');
  fs.mediaServers.forEach((ms, i) => {
    if (!ms.secret)
      missing(
        `${K}.mediaServers.${i}.secret`,
        `event socket password of ${ms.address} (freeswitch-conf/autoload_configs/event_socket.conf.xml)`,
      );
  });
  const names = fs.mediaServers.map((ms) => ms.name || `${ms.address}:${ms.port}`);
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dup >= 0) {
    throw new ConfigError(
      `config key ${K}.mediaServers.${dup}.name: two media servers are called ${JSON.stringify(names[dup])} (names default to address:port; give each a distinct name)`,
      `${K}.mediaServers.${dup}.name`,
    );
  }
  if (fs.audioMode === 'stream') {
    const i = fs.mediaServers.findIndex((ms) => !ms.local);
    if (i >= 0) {
      throw new ConfigError(
        `config key ${K}.mediaServers.${i}.local must be true for audioMode "stream": the audio pipe exists only on the FreeSWITCH host (use audioMode "auto" or "native" for remote media servers)`,
        `${K}.mediaServers.${i}.local`,
      );
    }
  }
  checkForkPorts(fs);
  if (Object.keys(fs.toneDescriptors).length === 0) missing(`${K}.toneDescriptors`, 'region → spandsp descriptor name');
  if (trunks.length === 0) missing('telephony.trunks', 'the SIP trunk to dial numbers through [{name, address}]');
}

/**
 * forkPortMin/forkPortMax: both 0 (ephemeral ports) or a range of unprivileged
 * ports with at least one even port in it.
 */
export function checkForkPorts(fs: Pick<FreeswitchConfig, 'forkPortMin' | 'forkPortMax'>): void {
  const { forkPortMin: min, forkPortMax: max } = fs;
  if (min === 0 && max === 0) return;
  const bad = (key: string, why: string): never => {
    throw new ConfigError(`config key ${K}.${key}: ${why}`, `${K}.${key}`);
  };
  if (min === 0) bad('forkPortMin', `must be set when forkPortMax is (${max}): the fork's UDP port range is min–max`);
  if (max === 0) bad('forkPortMax', `must be set when forkPortMin is (${min}): the fork's UDP port range is min–max`);
  if (min < 1024) bad('forkPortMin', `${min} is a privileged port; use 1024–65535`);
  if (max < min) bad('forkPortMax', `${max} is below forkPortMin ${min}`);
  if (min === max && min % 2 === 1) bad('forkPortMax', `the range ${min}–${max} has no even port (the fork's RTP takes even ports)`);
}

/**
 * The address FreeSWITCH sends a leg's audio to in native mode (detect.ts):
 * forkAddress, else listenAddress (where its event socket already reaches
 * us), else loopback for a media server on the dialer's host.
 */
export function forkAddressOf(ms: FreeswitchMediaServerConfig): string {
  return ms.forkAddress || ms.listenAddress || (ms.local ? '127.0.0.1' : '');
}

/**
 * Native detection hears person/machine through the fork: a media server
 * detected natively must have an address to send the audio to. Without one
 * every answered call would end its analysis as `notsure`, which
 * dialer.runner.notSure "person" (the default) sends to an agent.
 */
export function checkNativeDetection(fs: FreeswitchConfig): void {
  fs.mediaServers.forEach((ms, i) => {
    if (chooseAudioMode(fs.audioMode, ms.local) !== 'native' || forkAddressOf(ms)) return;
    throw new ConfigError(
      `config key ${K}.mediaServers.${i}.forkAddress is required for native detection on ${ms.address} (audioMode "${fs.audioMode}"): FreeSWITCH sends each answered leg's audio to the dialer at this address for the person/machine decision (or set listenAddress, which it falls back to)`,
      `${K}.mediaServers.${i}.forkAddress`,
    );
  });
}

export interface InviteTarget {
  uri: string;
  opts: UacOptions;
}

/**
 * The INVITE for an originate request: a number goes to the trunk
 * (`sip:<prefix><number>@<domain|host>`, through the trunk's address as
 * outbound proxy when a domain is set, digest credentials, caller-ID format),
 * a SIP URI (agent phone, bot) is dialled as it is.
 */
export function inviteFor(req: OriginateRequest, localSdp: string, trunks: readonly TrunkConfig[], defaultRegion: string): InviteTarget {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  for (const name of Object.keys(headers)) {
    if (/[\r\n:]/.test(name) || /[\r\n]/.test(headers[name]!))
      throw new TelephonyError('BAD_REQUEST', `header ${JSON.stringify(name)} has a line break or colon`);
  }
  let uri: string;
  let trunk: TrunkConfig | undefined;
  if (/^sips?:/i.test(req.to)) {
    uri = req.to;
  } else {
    trunk = req.trunk ? trunks.find((t) => t.name === req.trunk) : trunks[0];
    if (!trunk)
      throw new TelephonyError('BAD_REQUEST', req.trunk ? `unknown trunk ${req.trunk}` : 'no trunk configured (telephony.trunks)');
    const digits = req.to.replace(/[\s\-().]/g, '');
    if (!/^\+?[0-9*#]{1,32}$/.test(digits))
      throw new TelephonyError('BAD_REQUEST', `cannot dial ${JSON.stringify(req.to)}: not a number or SIP URI`);
    const host = trunk.domain || trunk.address;
    uri = `sip:${trunk.dialPrefix}${digits}@${host}`;
  }
  const opts: UacOptions = { localSdp, headers };
  if (trunk?.domain) opts.proxy = `sip:${trunk.address}`;
  if (trunk?.username && trunk.password) opts.auth = { username: trunk.username, password: trunk.password };
  const callerId = formatCallerId(req.callerId || trunk?.defaultCallerId || '', trunk?.callerIdFormat ?? 'asis', defaultRegion);
  if (req.presentCallerId === false) {
    // RFC 3323 §4.1.1: anonymous From, real identity only where the trunk may see it.
    headers['From'] = '"Anonymous" <sip:anonymous@anonymous.invalid>';
    headers['Privacy'] = 'id';
    if (callerId) headers['P-Preferred-Identity'] = `<sip:${callerId}@${trunk ? trunk.domain || trunk.address : 'localhost'}>`;
  } else if (callerId) {
    opts.callingNumber = callerId;
  }
  return { uri, opts };
}

function formatCallerId(raw: string, format: TrunkConfig['callerIdFormat'], region: string): string {
  if (!raw || format === 'asis') return raw;
  const p = normalizePhone(raw, region);
  if (!p.ok) return raw;
  return format === 'e164' ? p.e164 : p.national;
}
