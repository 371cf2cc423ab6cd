/**
 * The labelled detection corpus: persons, machines (with and without beeps),
 * fax, SIT + announcement, busy/reorder/ringback per region, ringback music,
 * silence, carrier announcements (references + unseen renditions) — all
 * through G.711 at several levels and signal-to-noise ratios. Written under
 * bench/.out/corpus-v<GEN_VERSION>/ with manifest.json; regenerated only when
 * GEN_VERSION changes. Two splits: "tune" and "holdout" (other voices, texts
 * and seeds), so figures can be checked for over-fitting.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REGIONS } from '../../lib/config/sections/media';
import { writeWav } from '../../lib/media/audio-file';
import type { G711Law } from '../../lib/media/g711';
import type { AnnouncementClass, SitCode } from '../../lib/media/types';
import { pool, speak, type SpeechSpec } from './speech';
import * as S from './synth';

export const GEN_VERSION = 3;

export type Expect = 'human' | 'machine' | 'fax' | 'sit' | 'busy' | 'reorder' | 'ringback' | 'silence' | 'announcement' | 'none';

export interface CorpusItem {
  id: string;
  /** Relative to the corpus folder; raw .ulaw / .alaw. */
  file: string;
  split: 'tune' | 'holdout';
  phase: 'early' | 'answered';
  region?: string;
  waitForBeep?: boolean;
  expect: Expect;
  sitCode?: SitCode;
  faxTone?: 'CED' | 'CNG';
  beep?: { freqHz: number; durationMs: number; endMs: number };
  announcementClass?: AnnouncementClass;
  carrier?: string;
  /** Persons: end of the greeting (the 2-second rule counts from here). */
  greetingEndMs?: number;
  desc: string;
}

export interface Corpus {
  dir: string;
  items: CorpusItem[];
  /** Folder of reference announcements (<carrier>/<class>.wav). */
  announcementsDir: string;
}

const VOICES = {
  tune: { en: ['en-us', 'en-gb', 'en-us+f3', 'en-us+m3'], ja: ['ja', 'ja+f2'] },
  holdout: { en: ['en-gb-scotland', 'en-029+f2', 'en-us-nyc', 'en-gb-x-rp+f4'], ja: ['ja+m4', 'ja+f4'] },
};

const PERSON_TEXTS = {
  tune: {
    en: ['Hello?', 'Hello.', 'Yes?', 'Hi.', 'Hello, who is this?', 'Hello, this is Sarah.', 'Yeah, hello?', 'Good morning, Smith residence.'],
    ja: ['もしもし', 'はい', 'はい、もしもし', 'はい、たなかです', 'もしもし、どちらさまですか'],
  },
  holdout: {
    en: ['Hello there?', 'Speaking.', 'Hey.', 'Hello, Mike speaking.', 'Yes, hello, who is calling?', 'Hi, this is Dave.'],
    ja: ['もしもし', 'はい、やまだです', 'もしもし、すずきです', 'はい、どうぞ'],
  },
};

const MACHINE_TEXTS = {
  tune: {
    en: [
      'Hi, you have reached the Johnson family. We cannot take your call right now. Please leave a message after the tone.',
      'Hello, this is Mark. I am away from my phone. Leave your name and number and I will call you back.',
      'The person you are trying to reach is not available. At the tone, please record your message. When you have finished recording, you may hang up.',
      'Thank you for calling Acme Dental. Our office is closed. Our hours are nine to five, Monday to Friday. Please leave a message.',
      'You have reached the voicemail of Lisa Chen. Please leave a message.',
    ],
    ja: ['ただいま、でんわに、でることが、できません。はっしんおんのあとに、メッセージを、おはなしください。', 'こちらは、やまだです。ただいま、るすにしております。ごようけんを、どうぞ。'],
  },
  holdout: {
    en: [
      'Hey, it is Tom. Sorry I missed you. Leave a message and I will get back to you as soon as I can.',
      'Welcome to the voice mailbox of extension four two one. The subscriber is not available. Please leave a message after the beep.',
      'Hello, you have reached Green Garden Services. All of our staff are busy. Please leave your details and we will return your call.',
      'Please leave a message for Anna after the tone. Thank you.',
    ],
    ja: ['おでんわ、ありがとうございます。ただいま、るすにしております。ピーという、おとのあとに、おなまえと、ごようけんを、おはなしください。'],
  },
};

const ANNOUNCEMENTS: Record<string, Record<AnnouncementClass, string>> = {
  carrierA: {
    6: 'The number you have dialed is not in service. Please check the number and dial again.',
    16: 'The subscriber you are calling is busy. Please call again later.',
    17: 'The mobile phone you are calling is switched off or outside the service area.',
    18: 'The person you are calling is not answering. Please try again later.',
    21: 'The number you have called does not accept incoming calls.',
    22: 'The subscriber you have called is roaming and cannot be reached at the moment.',
  },
  carrierB: {
    6: 'おかけになった、でんわばんごうは、げんざい、つかわれておりません。',
    16: 'ただいま、おはなしちゅうです。しばらくたってから、おかけなおしください。',
    17: 'おかけになった、でんわは、でんぱの、とどかない、ばしょにあるか、でんげんが、はいっていないため、かかりません。',
    18: 'おかけになった、でんわを、およびしましたが、おでになりません。',
    21: 'おかけになった、でんわは、おうけできません。',
    22: 'おかけになった、でんわは、かいがいで、ごりようちゅうのため、つながりません。',
  },
};
const UNKNOWN_ANNOUNCEMENTS = [
  'Your call cannot be completed as dialed. Please consult your directory.',
  'All circuits are busy now. Please try your call again later.',
  'ただいま、かいせんが、こみあっております。',
  'This call is being recorded for quality purposes.',
];
const ANN_VOICE: Record<string, string> = { carrierA: 'en-us+f2', carrierB: 'ja+f3' };

const SIT_DEF: Record<Exclude<SitCode, 'ITU'>, Array<[number, number]>> = {
  NC: [[985.2, 380], [1428.5, 380], [1776.7, 380]],
  IC: [[913.8, 274], [1370.6, 274], [1776.7, 380]],
  VC: [[985.2, 380], [1370.6, 274], [1776.7, 380]],
  RO: [[913.8, 274], [1428.5, 380], [1776.7, 380]],
};

export async function loadOrGenerate(root: string, log: (s: string) => void = () => {}): Promise<Corpus> {
  const dir = join(root, `corpus-v${GEN_VERSION}`);
  const manifest = join(dir, 'manifest.json');
  const annDir = join(dir, 'announcements');
  if (existsSync(manifest)) return { dir, items: JSON.parse(readFileSync(manifest, 'utf8')) as CorpusItem[], announcementsDir: annDir };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'audio'), { recursive: true });
  const cache = join(root, 'speech-cache');
  const t0 = Date.now();
  const items = await build(dir, cache, annDir);
  writeFileSync(manifest, JSON.stringify(items, null, 1));
  log(`corpus v${GEN_VERSION}: ${items.length} items generated in ${((Date.now() - t0) / 1000).toFixed(1)} s under ${dir}`);
  return { dir, items, announcementsDir: annDir };
}

type Job = () => Promise<CorpusItem>;

async function build(dir: string, cache: string, annDir: string): Promise<CorpusItem[]> {
  const jobs: Job[] = [];
  const say = (s: SpeechSpec) => speak(cache, s);
  const write = (id: string, x: Float64Array, law: G711Law) => {
    const file = `audio/${id}.${law}`;
    writeFileSync(join(dir, file), S.g711(x, law));
    return file;
  };
  const pick = <T>(r: () => number, a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const level = (r: () => number) => Math.pow(10, (-(r() * 14) - 1) / 20); // −1 … −15 dB
  const snrs = [Infinity, 30, 20, 15];

  // Reference announcements (the operator's recordings): one per carrier and class.
  mkdirSync(annDir, { recursive: true });
  const refSpecs: Array<{ carrier: string; cls: AnnouncementClass; spec: SpeechSpec }> = [];
  for (const [carrier, texts] of Object.entries(ANNOUNCEMENTS)) {
    mkdirSync(join(annDir, carrier), { recursive: true });
    for (const [cls, text] of Object.entries(texts)) refSpecs.push({ carrier, cls: Number(cls) as AnnouncementClass, spec: { voice: ANN_VOICE[carrier]!, text, speed: 165, pitch: 50 } });
  }
  await pool(refSpecs, 2, async ({ carrier, cls, spec }) => writeWav(join(annDir, carrier, `${cls}.wav`), await say(spec)));

  for (const split of ['tune', 'holdout'] as const) {
    const base = split === 'tune' ? 1000 : 9000;
    let seq = 0;
    const next = (kind: string) => {
      const n = seq++;
      const r = S.rng(base + n * 7919);
      return { id: `${split}-${kind}-${String(n).padStart(3, '0')}`, r, law: (n % 2 ? 'alaw' : 'ulaw') as G711Law };
    };

    // Persons: short greeting, then the person waits (room noise continues).
    for (let i = 0; i < 60; i++) {
      const { id, r, law } = next('human');
      const lang = i % 3 === 2 ? 'ja' : 'en';
      const spec: SpeechSpec = { voice: pick(r, VOICES[split][lang]), text: pick(r, PERSON_TEXTS[split][lang]), speed: 140 + Math.floor(r() * 60), pitch: 30 + Math.floor(r() * 40) };
      const lead = i % 4 === 0 ? 1000 + Math.floor(r() * 2000) : Math.floor(r() * 300);
      const snr = snrs[i % snrs.length]!;
      jobs.push(async () => {
        const sp = S.scale(await say(spec), level(r));
        const end = lead + S.audibleEndMs(sp);
        let x = S.concat(S.silence(lead), sp, S.silence(4000));
        if (snr !== Infinity) x = S.addNoise(x, S.rms(sp, true), snr, r);
        return { id, file: write(id, x, law), split, phase: 'answered', expect: 'human', greetingEndMs: end, desc: `${spec.voice} "${spec.text}" s${spec.speed} p${spec.pitch} lead ${lead} ms snr ${snr}` };
      });
    }

    // Machines: 3–15 s greetings, two thirds with a beep.
    for (let i = 0; i < 50; i++) {
      const { id, r, law } = next('machine');
      const lang = i % 4 === 3 ? 'ja' : 'en';
      let text = pick(r, MACHINE_TEXTS[split][lang]);
      if (i % 5 === 4) text = `${text} ${pick(r, MACHINE_TEXTS[split][lang])}`;
      const spec: SpeechSpec = { voice: pick(r, VOICES[split][lang]), text, speed: 140 + Math.floor(r() * 50), pitch: 30 + Math.floor(r() * 40) };
      const withBeep = i % 3 !== 0;
      const beepHz = pick(r, [440, 600, 800, 1000, 1400, 1800, 2000]);
      const beepMs = pick(r, [200, 300, 500, 800, 1000]);
      const lead = i % 4 === 0 ? 500 + Math.floor(r() * 1500) : Math.floor(r() * 300);
      const snr = snrs[i % snrs.length]!;
      jobs.push(async () => {
        const g = level(r);
        const sp = S.scale(await say(spec), g);
        const end = lead + S.audibleEndMs(sp);
        const gap = 300 + Math.floor(r() * 400);
        let x = S.concat(S.silence(lead), sp.subarray(0, Math.round((end - lead) * 8)), S.silence(gap));
        const beepAt = S.durationMs(x);
        if (withBeep) x = S.concat(x, S.tone([beepHz], beepMs, 12000 * g));
        x = S.concat(x, S.silence(2000));
        if (snr !== Infinity) x = S.addNoise(x, S.rms(sp, true), snr, r);
        return {
          id, file: write(id, x, law), split, phase: 'answered', expect: 'machine', waitForBeep: true, greetingEndMs: end,
          ...(withBeep ? { beep: { freqHz: beepHz, durationMs: beepMs, endMs: beepAt + beepMs } } : {}),
          desc: `${spec.voice} ${Math.round((end - lead) / 100) / 10} s greeting${withBeep ? `, beep ${beepHz} Hz ${beepMs} ms` : ''} snr ${snr}`,
        };
      });
    }

    // Fax: CED (answering fax) and CNG bursts.
    for (let i = 0; i < 12; i++) {
      const { id, r, law } = next('fax');
      const ced = i % 2 === 0;
      const amp = 3000 + r() * 8000;
      const snr = pick(r, [Infinity, 30, 20]);
      let x = ced ? S.concat(S.silence(200 + r() * 300), S.tone([2100 + (r() - 0.5) * 20], 3300, amp), S.silence(75), S.silence(1500)) : S.concat(S.silence(r() * 500), S.cadence([1100 + (r() - 0.5) * 40], [500, 3000], 7500, amp));
      if (snr !== Infinity) x = S.addNoise(x, amp / Math.SQRT2, snr, r);
      jobs.push(async () => ({ id, file: write(id, x, law), split, phase: 'answered', expect: 'fax', faxTone: ced ? 'CED' : 'CNG', desc: `${ced ? 'CED' : 'CNG'} snr ${snr}` }));
    }

    // SIT then announcement (early media).
    const sitCodes: SitCode[] = ['NC', 'IC', 'VC', 'RO', 'ITU'];
    for (let i = 0; i < 20; i++) {
      const { id, r, law } = next('sit');
      const code = sitCodes[i % sitCodes.length]!;
      const amp = 1500 + r() * 6000;
      const segs: Array<[number, number]> = code === 'ITU' ? [[950 + (r() - 0.5) * 60, 330 + (r() - 0.5) * 80], [1400 + (r() - 0.5) * 60, 330], [1800 + (r() - 0.5) * 60, 330]] : SIT_DEF[code];
      const snr = pick(r, [Infinity, 30, 20]);
      const cls = pick(r, [6, 16, 17, 18, 21, 22] as AnnouncementClass[]);
      const carrier = pick(r, ['carrierA', 'carrierB']);
      jobs.push(async () => {
        const ann = S.scale(await say({ voice: ANN_VOICE[carrier]!, text: ANNOUNCEMENTS[carrier]![cls], speed: 165, pitch: 50 }), amp / 20000);
        let x = S.concat(S.silence(100 + r() * 400), ...segs.map(([f, d]) => S.tone([f], d, amp)), S.silence(300), ann);
        if (snr !== Infinity) x = S.addNoise(x, amp / Math.SQRT2, snr, r);
        return { id, file: write(id, x, law), split, phase: 'early', expect: 'sit', sitCode: code, desc: `SIT ${code} ${segs.map(([f, d]) => `${f.toFixed(1)}/${d.toFixed(0)}`).join(' ')} snr ${snr}` };
      });
    }

    // Busy / reorder / ringback per region.
    for (const [region, plan] of Object.entries(DEFAULT_REGIONS)) {
      for (const kind of ['busy', 'reorder', 'ringback'] as const) {
        for (let k = 0; k < 3; k++) {
          const { id, r, law } = next(`${kind}-${region}`);
          const spec = plan[kind];
          const amp = 2000 + r() * 8000;
          const total = kind === 'ringback' ? 7000 : 4500;
          const phaseMs = r() * spec.cadenceMs.reduce((a, b) => a + b, 0);
          const am = region === 'JP' && kind === 'ringback' ? { hz: 16, depth: 0.8 } : undefined;
          let x = S.cadence(spec.freqsHz, spec.cadenceMs, total, amp, phaseMs, am);
          const snr = pick(r, [Infinity, 30, 20]);
          if (snr !== Infinity) x = S.addNoise(x, amp / Math.SQRT2 / spec.freqsHz.length, snr, r);
          // JP plays one tone for both busy and congestion: a detector can only say "busy".
          const expect: Expect = region === 'JP' && kind === 'reorder' ? 'busy' : kind;
          jobs.push(async () => ({ id, file: write(id, x, law), split, phase: 'early', region, expect, desc: `${region} ${kind} phase ${phaseMs.toFixed(0)} ms snr ${snr}` }));
        }
      }
    }

    // Ringback music (early media): no tone may be reported.
    for (let i = 0; i < 8; i++) {
      const { id, r, law } = next('music');
      const x = S.addNoise(S.music(8000, r, 1500 + r() * 4000), 1000, 30, r);
      jobs.push(async () => ({ id, file: write(id, x, law), split, phase: 'early', region: pick(r, ['NA', 'JP', 'UK', 'DE']), expect: 'none', desc: 'ringback music' }));
    }

    // Silence after answer: line noise only.
    for (let i = 0; i < 8; i++) {
      const { id, r, law } = next('silence');
      const x = i % 2 ? S.silence(7000) : S.addNoise(S.silence(7000), 60 + r() * 120, 0, r);
      jobs.push(async () => ({ id, file: write(id, x, law), split, phase: 'answered', expect: 'silence', desc: i % 2 ? 'digital silence' : 'line noise' }));
    }

    // Announcements: unseen renditions of the references (level, codec, shifted start, noise, tempo).
    for (const [carrier, texts] of Object.entries(ANNOUNCEMENTS)) {
      for (const clsS of Object.keys(texts)) {
        const cls = Number(clsS) as AnnouncementClass;
        for (let k = 0; k < 3; k++) {
          const { id, r, law } = next('ann');
          const tempo = split === 'holdout' ? pick(r, [0.97, 1.03]) : pick(r, [1, 0.98, 1.02]);
          const shift = k === 0 ? -(200 + r() * 1500) : r() * 2000; // negative: joined mid-announcement
          const snr = pick(r, [Infinity, 30, 20]);
          jobs.push(async () => {
            const a = await say({ voice: ANN_VOICE[carrier]!, text: texts[cls], speed: 165, pitch: 50, tempo });
            const g = level(r) * (r() < 0.5 ? 0.3 : 1);
            let x = shift < 0 ? S.scale(a.subarray(Math.round(-shift * 8)), g) : S.concat(S.silence(shift), S.scale(a, g));
            x = S.concat(x, S.silence(500));
            if (snr !== Infinity) x = S.addNoise(x, S.rms(a, true) * g, snr, r);
            return { id, file: write(id, x, law), split, phase: 'early', expect: 'announcement', announcementClass: cls, carrier, desc: `${carrier}/${cls} tempo ${tempo} shift ${shift.toFixed(0)} ms snr ${snr}` };
          });
        }
      }
    }
    // Announcements nobody registered: must not match.
    for (const text of UNKNOWN_ANNOUNCEMENTS) {
      const { id, r, law } = next('ann-unknown');
      jobs.push(async () => {
        const a = await say({ voice: /[ぁ-ん]/.test(text) ? 'ja+f3' : 'en-us+f2', text, speed: 165, pitch: 50 });
        const x = S.concat(S.silence(r() * 500), S.scale(a, level(r)), S.silence(500));
        return { id, file: write(id, x, law), split, phase: 'early', expect: 'none', desc: `unregistered announcement "${text.slice(0, 30)}"` };
      });
    }
  }
  return pool(jobs, 2, (j) => j());
}
