/**
 * FreeSWITCH-native detection events → the contract's Verdicts. Tone names are
 * ours: every descriptor in freeswitch-conf/autoload_configs/spandsp.conf.xml
 * names its tones `busy`, `reorder`, `ringback`, `sit` / `sit_nc|ic|vc|ro`,
 * `ced`, `cng`, `beep_<Hz>`; fsmrf reports mod_spandsp's fax detector as `fax`.
 */
import type { SitCode, Verdict } from '../../../media/types';

/** A voicemail beep descriptor requires this much steady tone (freeswitch.md: 300 ms, no false hit in speech). */
export const BEEP_MIN_MS = 300;

/**
 * The verdict a DETECTED_TONE means, or undefined for a tone we do not act on.
 * `atMs` is measured by the driver from the start of the analysed phase.
 */
export function verdictFromTone(tone: string, region: string, atMs: number): Verdict | undefined {
  const t = tone.trim().toLowerCase();
  if (t === 'busy') return { kind: 'busy', atMs, region, pattern: 'busy' };
  if (t === 'reorder' || t === 'congestion') return { kind: 'busy', atMs, region, pattern: 'reorder' };
  if (t === 'ringback') return { kind: 'ringback', atMs, region };
  if (t === 'ced') return { kind: 'fax', atMs, tone: 'CED' };
  // spandsp_start_fax_detect listens for CNG unless asked for CED; its event does not say which.
  if (t === 'cng' || t === 'fax') return { kind: 'fax', atMs, tone: 'CNG' };
  const sit = /^sit(?:_(nc|ic|vc|ro))?$/.exec(t);
  if (sit) {
    const code = (sit[1]?.toUpperCase() ?? 'ITU') as SitCode;
    return { kind: 'sit', atMs, code, freqsHz: SIT_FREQS[code] };
  }
  const beep = /^beep(?:_(\d+))?$/.exec(t);
  if (beep) return { kind: 'beep', atMs, freqHz: beep[1] ? Number(beep[1]) : 1000, durationMs: BEEP_MIN_MS };
  return undefined;
}

/** Bell SR-2275 / ITU-T E.180 frequencies of each SIT (tones-and-amd.md). */
const SIT_FREQS: Record<SitCode, number[]> = {
  NC: [985.2, 1428.5, 1776.7],
  IC: [913.8, 1370.6, 1776.7],
  VC: [985.2, 1370.6, 1776.7],
  RO: [913.8, 1428.5, 1776.7],
  ITU: [950, 1400, 1800],
};

/**
 * mod_avmd's `avmd::beep` CUSTOM event. Its body/headers carry the beep's
 * frequency (`Frequency`) and how long it lasted once `avmd::beep` fires.
 */
export function verdictFromAvmd(body: Record<string, string>, atMs: number): Verdict {
  const freq = Number(body['Frequency'] ?? body['frequency']);
  const dur = Number(body['Beep-Duration'] ?? body['beep-duration']);
  return {
    kind: 'beep',
    atMs,
    freqHz: Number.isFinite(freq) && freq > 0 ? Math.round(freq) : 0,
    durationMs: Number.isFinite(dur) && dur > 0 ? dur : BEEP_MIN_MS,
  };
}

/**
 * FreeSWITCH delivers some events twice (queued to the call and fired
 * globally, freeswitch.md): one verdict of each kind per phase is enough.
 */
export function dedupKey(v: Verdict): string {
  return v.kind;
}
