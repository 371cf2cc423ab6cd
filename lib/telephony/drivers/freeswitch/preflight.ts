/**
 * Pre-flight of a media server over a plain inbound event socket (modesl),
 * before fsmrf connects: fsmrf throws "No <profile> sip profile found" as an
 * uncaught exception inside a callback when the profile is missing (its
 * promise never settles, freeswitch.md), so we look first and refuse to start
 * with a message that says which file to fix.
 */
import type { FreeswitchConfig, FreeswitchMediaServerConfig } from '../../../config/sections/freeswitch';
import type { EslClient } from './ports';

export interface PreflightNeeds {
  spandsp: boolean;
  avmd: boolean;
}

export function needsFor(fs: FreeswitchConfig, ms: FreeswitchMediaServerConfig): PreflightNeeds {
  const native = fs.audioMode === 'native' || (fs.audioMode === 'auto' && !ms.local);
  return { spandsp: native, avmd: native && fs.beepDetector === 'avmd' };
}

/** Resolves with nothing, or rejects with an Error naming the server, what is missing and where to fix it. */
export async function preflightMediaServer(
  esl: EslClient,
  ms: FreeswitchMediaServerConfig,
  holdStream: string,
  needs: PreflightNeeds,
): Promise<void> {
  const where = `FreeSWITCH ${ms.address}:${ms.port}`;
  const sofia = await esl.api('sofia status');
  const profileRe = new RegExp(`^\\s*${escapeRe(ms.profile)}\\s.*sip:mod_sofia@`, 'm');
  if (!profileRe.test(sofia)) {
    throw new Error(
      `${where} has no running sofia profile "${ms.profile}" (telephony.freeswitch.mediaServers profile; freeswitch-conf/sip_profiles/drachtio_mrf.xml)`,
    );
  }
  const modules: Array<[string, boolean]> = [
    ['mod_local_stream', true],
    ['mod_tone_stream', true],
    ['mod_spandsp', needs.spandsp],
    ['mod_avmd', needs.avmd],
  ];
  for (const [mod, needed] of modules) {
    if (!needed) continue;
    const r = (await esl.api(`module_exists ${mod}`)).trim();
    if (r !== 'true') throw new Error(`${where} has not loaded ${mod} (freeswitch-conf/autoload_configs/modules.conf.xml)`);
  }
  if (!localStreamNames(await esl.api('local_stream show')).includes(holdStream)) {
    throw new Error(
      `${where} has no local_stream "${holdStream}" (telephony.freeswitch.holdStream; freeswitch-conf/autoload_configs/local_stream.conf.xml)`,
    );
  }
}

/**
 * Stream names in `local_stream show` output: FreeSWITCH 1.11 prints one
 * `NAME,DIRECTORY` line per stream (checked live, freeswitch.md); older
 * builds separated them with whitespace.
 */
export function localStreamNames(output: string): string[] {
  return output
    .split(/\r?\n/)
    .map((line) => line.trim().split(/[,\s]/)[0] ?? '')
    .filter((name) => name.length > 0 && !/^\+OK|^-ERR/.test(name));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
