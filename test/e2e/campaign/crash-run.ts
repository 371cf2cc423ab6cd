/**
 * Crash safety: a dialer process driving a campaign is killed with SIGKILL
 * at random moments and restarted, in three runs with their own seeds.
 * Afterwards every contact has exactly the attempts and results it should:
 * none lost, none doubled, no attempt with two results, no attempt dialled
 * twice, no result code other than the expected one (interrupted attempts:
 * runner.interruptedCode). The carrier (SIPp) never hangs up an ACKed call
 * itself (digit 8 aside): every call it answered gets a BYE — from the dialer,
 * or from the next process ending the dead one's orphans through the dialog
 * journal, or, for a 2xx never ACKed (a process killed with it in hand), from
 * the carrier after 64·T1 as RFC 3261 §13.3.1.4 has it — and every call left
 * ringing a CANCEL (SIPp's own trace). The RTP
 * port range is narrow so restarted processes reuse ports; a stray stream of
 * fax tone into every port (a carrier streaming orphaned calls) is dropped by
 * the latches, counted in /metrics, and no contact is mis-scored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Test } from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { getCampaign } from '../../../lib/store/campaigns';
import { freePort } from '../../../lib/store';
import { writeWav } from '../../../lib/media/audio-file';
import { createSocket } from 'node:dgram';
import { encodeG711 } from '../../../lib/media/g711';
import { buildRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { workDir } from '../../helpers/work-dir';
import { startTestRedis } from '../../helpers/redis';
import { makeList, numbersFor, runCampaign, runnerConfig } from '../../helpers/campaign-env';

const ROOT = resolve(__dirname, '../../..');
// Agentless (recorded message) campaign: a person hears the message (1).
const EXPECTED: Record<number, number> = { 0: 1, 1: 4, 2: 5, 3: 3, 4: 2, 5: 6, 6: 13, 7: 7, 8: 9, 9: 8 };
const MAX_ATTEMPTS = 3;
const INTERRUPTED = 13; // dialer.runner.interruptedCode default (README)
const ADMIN = 'crash-test-admin-key-000';

/** Deterministic pseudo-random moments (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface SippCall {
  number: string;
  answered: boolean;
  final: boolean;
  byeIn: boolean;
  byeOut: boolean;
  /** The far end received an ACK for its 2xx. */
  acked: boolean;
  /** Port in the INVITE's Via: the dialer process that placed the call. */
  viaPort: string;
  /** The BYE came from another process than the INVITE (an orphan ended by the journal's claimer). */
  byeFromOther: boolean;
}

/** Per Call-ID, what SIPp's message trace shows: the INVITE's number, what it answered, what it received. */
function sippCalls(text: string): Map<string, SippCall> {
  const calls = new Map<string, SippCall>();
  for (const block of text.split(/^-{40,} .*$/m)) {
    const dir = /UDP message (received|sent)/.exec(block)?.[1];
    const start = /^(?:(INVITE|BYE|CANCEL|ACK) (\S+)|SIP\/2\.0 (\d{3}))/m.exec(block);
    const callId = /^Call-ID:\s*(\S+)/im.exec(block)?.[1];
    const cseq = /^CSeq:\s*\d+\s+(\w+)/im.exec(block)?.[1];
    if (!dir || !start || !callId) continue;
    const c = calls.get(callId) ?? {
      number: '',
      answered: false,
      final: false,
      byeIn: false,
      byeOut: false,
      acked: false,
      viaPort: '',
      byeFromOther: false,
    };
    const viaPort = /^Via:\s*SIP\/2\.0\/\w+\s+[^:;\s]+:(\d+)/im.exec(block)?.[1] ?? '';
    calls.set(callId, c);
    if (start[1] === 'INVITE' && dir === 'received') {
      c.number = /sip:\+?(\d+)@/.exec(start[2]!)?.[1] ?? '';
      c.viaPort = viaPort;
    }
    if (start[1] === 'BYE' && dir === 'received') {
      c.byeIn = true;
      // Another process's SIP socket than the INVITE's: the BYE of an orphan, sent by the process that took over.
      if (c.viaPort && viaPort !== c.viaPort) c.byeFromOther = true;
    }
    if (start[1] === 'BYE' && dir === 'sent') c.byeOut = true;
    if (start[1] === 'ACK' && dir === 'received') c.acked = true;
    const status = Number(start[3]);
    if (dir === 'sent' && cseq === 'INVITE' && status >= 200) {
      c.final = true;
      if (status < 300) c.answered = true;
    }
  }
  return calls;
}

/** The RTP packets a dialer process's latches dropped as foreign (another source or SSRC), from its /metrics. */
async function foreignDrops(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const text = await res.text();
    let n = 0;
    for (const m of text.matchAll(/^dialer_driver_dropped_total\{[^}]*reason="rtp_foreign_(?:ssrc|source)"[^}]*\} (\d+)/gm))
      n += Number(m[1]);
    return n;
  } catch {
    return 0; // not listening yet: nothing dropped worth counting
  }
}

/** One seeded run (crash.test.ts, crash-seed2.test.ts, crash-seed3.test.ts: ≥ 3 seeds, one file each for the 300 s file limit). */
export async function crashRun(t: Test, seed: number): Promise<void> {
  {
    const { redis, url } = await startTestRedis(t, 'crash:');
    const dir = workDir(t, 'dialer-crash-');
    const trace = join(dir, 'carrier.log');
    const carrier = await startSipp({
      scenario: 'carrier-simulator',
      calls: 100000,
      timeoutS: 900,
      keys: { hangup_ms: '1000' },
      args: ['-trace_msg', '-message_file', trace],
    });
    t.teardown(() => carrier.stop());
    const message = join(dir, 'message.wav');
    writeWav(
      message,
      new Int16Array(8000).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000))),
    );

    const digits = Array.from({ length: 40 }, (_, i) => i % 10);
    const numbers = numbersFor(digits);
    await makeList(redis, 'L', numbers);
    await runCampaign(redis, 'crash', 'L', {
      mode: 'agentless',
      agentless: { message },
      maxConcurrentCalls: 12,
      ringTimeoutSec: 2,
      maxAttempts: MAX_ATTEMPTS,
      retryIntervalSec: 1,
    });

    let n = 0;
    let apiPort = 0;
    // 24 even ports for 12 calls: a restarted process reuses the ports its predecessor's orphans stream to.
    const rtpMin = 30000 + 50 * Math.floor((seed % 1000) / 5);
    const startDialer = async (): Promise<ChildProcess> => {
      n++;
      const cfgFile = join(dir, `dialer-${n}.json`);
      apiPort = await freePort();
      writeFileSync(
        cfgFile,
        JSON.stringify({
          api: { port: apiPort, keys: [{ key: ADMIN, role: 'admin' }] },
          redis: { url, keyPrefix: 'crash:' },
          log: { level: 'warn' },
          telephony: {
            embedded: {
              sip: { host: '127.0.0.1', port: 0 },
              rtp: { portMin: rtpMin, portMax: rtpMin + 46 },
              // Restarted in place under the same owner id: the new process ends its predecessor's calls as it
              // starts, before it dials (the takeover by another process: dialog-journal.test.ts). With another
              // id and a long lease the orphans stream on while new calls are answered, and an orphan from the
              // same gateway media port (SIPp has one) can be latched before the call's own stream (README).
              dialogJournal: { leaseMs: 8000, sweepMs: 250 },
            },
            trunks: [{ name: 'carrier', address: carrier.address, callsPerSecond: 1000, maxChannels: 1000 }],
          },
          media: { amd: { silenceTimeoutMs: 2500 } },
          dialer: {
            runner: runnerConfig({ ownerId: 'crash-dialer', campaignLeaseMs: 1500, attemptLeaseMs: 3000 }),
            prompts: { dir: join(dir, 'prompts') },
          },
        }),
      );
      // node itself with tsx's loader: SIGKILL must hit the dialer, not a wrapper that would orphan it.
      const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
      // Its warnings and errors in the work folder, kept when the test fails.
      const out = openSync(join(dir, `dialer-${n}.log`), 'a');
      const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'app/server.ts')], {
        cwd: dir,
        env: { ...process.env, DIALER_CONFIG: cfgFile },
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      return child;
    };

    // A carrier that keeps streaming orphaned calls (what issue 14 recorded: fax audio from an orphan
    // scored a person as a fax): 2100 Hz fax answer tone into every port of the range, all run long.
    // The latches must drop it all (another source than the answered one) and no code may change.
    const stray = createSocket('udp4');
    await new Promise<void>((r) => stray.bind(0, '127.0.0.1', () => r()));
    const tone = encodeG711(
      'ulaw',
      new Int16Array(160).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 2100 * i) / 8000))),
    );
    let straySeq = 0;
    const strayTimer = setInterval(() => {
      straySeq = (straySeq + 1) & 0xffff;
      const pkt = buildRtp({ payloadType: 0, marker: false, seq: straySeq, timestamp: straySeq * 160, ssrc: 0xfa11fa11 }, tone);
      for (let p = rtpMin; p <= rtpMin + 46; p += 2) stray.send(pkt, p, '127.0.0.1');
    }, 20);
    t.teardown(() => {
      clearInterval(strayTimer);
      stray.close();
    });

    const random = rng(seed);
    /** Until the process serves its API: a kill during start-up would leave no call to orphan. */
    const booted = async () => {
      for (let i = 0, races = 0; i < 600; i++) {
        const ok = await fetch(`http://127.0.0.1:${apiPort}/health`)
          .then((r) => r.status < 500)
          .catch(() => false);
        if (ok) return;
        // Lost the race for its API port (another test process bound it between freePort and listen): again on another.
        const log = () => readFileSync(join(dir, `dialer-${n}.log`), 'utf8');
        if (dialer.exitCode === 1 && races < 3 && /api\.port .*EADDRINUSE/.test(log())) {
          races++;
          t.comment(`dialer-${n}: its API port was taken meanwhile; started again on another`);
          dialer = await startDialer();
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let dialer = await startDialer();
    t.teardown(() => dialer.kill('SIGKILL'));
    let kills = 0;
    let foreign = 0;
    const end = Date.now() + 200000;
    while ((await getCampaign(redis, 'crash'))!.state !== 'completed' && Date.now() < end) {
      if (kills < 3) {
        await booted();
        await new Promise((r) => setTimeout(r, 2500 + random() * 4000));
        if ((await getCampaign(redis, 'crash'))!.state === 'completed') break;
        foreign += await foreignDrops(apiPort);
        dialer.kill('SIGKILL');
        kills++;
        await new Promise((r) => setTimeout(r, random() * 500));
        dialer = await startDialer();
      } else {
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    t.equal((await getCampaign(redis, 'crash'))!.state, 'completed', `the campaign completed after ${kills} kills`);
    t.ok(kills >= 3, `the dialer was killed ${kills} times mid-campaign`);
    // The dead processes' journals are claimed by the live one, which sends the BYEs/CANCELs at once; SIPp
    // answers them towards the dead sockets (the call's first address), so the claimer's transactions end
    // at Timer F and the journals go after that. The BYEs themselves are checked in SIPp's trace below.
    // One crash window ends later: a process killed with a 2xx in hand, before its ACK and its "confirmed"
    // journal entry, leaves a call its claimer knows only as ringing (its CANCEL has no effect after the 2xx).
    // The carrier, as RFC 3261 §13.3.1.4 has it, retransmits that 2xx for 64·T1 (32 s) and then sends BYE
    // (test/e2e/campaign/carrier-no-ack.test.ts), so the wait covers 64·T1 after the last kill's restart.
    const orphansLeft = () => {
      const c = sippCalls(readFileSync(trace, 'utf8'));
      return [...c.values()].some((x) => (x.answered && !x.byeOut && !x.byeIn) || (x.number && !x.final));
    };
    const oEnd = Date.now() + 90000;
    while (orphansLeft() && Date.now() < oEnd) await new Promise((r) => setTimeout(r, 250));
    foreign += await foreignDrops(apiPort);

    const q = new DialQueue(redis, 'crash');
    const history = await q.history();
    const ids = history.map((h) => h.fields.attemptId);
    t.equal(new Set(ids).size, ids.length, 'no attempt has two results');
    const perContact = new Map<string, { no: number; code: number; interrupted: boolean }[]>();
    /** Each attempt's recorded detail, for a failure's message. */
    const detail = new Map<string, string>();
    for (const h of history) {
      const id = h.fields.ref!.split(':')[1]!;
      const data = JSON.parse(h.fields.data!) as { interrupted?: boolean };
      perContact.set(id, [
        ...(perContact.get(id) ?? []),
        { no: Number(h.fields.attemptNo), code: Number(h.fields.code), interrupted: !!data.interrupted },
      ]);
      detail.set(`${id}#${h.fields.attemptNo}`, h.fields.data!.slice(0, 300));
    }
    const invites = readFileSync(trace, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.startsWith('INVITE sip:'));
    const callIds = new Map<string, Set<string>>();
    const text = readFileSync(trace, 'utf8');
    for (const m of text.matchAll(/INVITE sip:\+?(\d+)@[^\n]*\n(?:[^\n]+\n)*?Call-ID:\s*(\S+)/gi)) {
      (callIds.get(m[1]!) ?? callIds.set(m[1]!, new Set()).get(m[1]!)!).add(m[2]!);
    }
    t.ok(invites.length > 0, 'the carrier saw INVITEs');

    // Every call the carrier answered got a BYE, from the dialer or the carrier (digit 8 hangs up itself, and
    // any 2xx never ACKed gets the carrier's BYE after 64·T1); none is left ringing.
    const calls = sippCalls(text);
    const onlyWe = [...calls.entries()].filter(([, c]) => c.answered && c.acked && !c.byeOut); // ACKed calls SIPp does not end itself
    const answered = onlyWe.length;
    const noAck = [...calls.entries()].filter(([, c]) => c.answered && !c.acked);
    if (noAck.length > 0)
      t.comment(
        `${noAck.length} answered call(s) killed between the 2xx and the ACK, ended by the carrier's BYE after 64·T1: ${noAck.map(([id]) => id).join(', ')}`,
      );
    const upLeft = [...calls.entries()].filter(([, c]) => c.answered && !c.byeIn && !c.byeOut);
    const ringing = [...calls.entries()].filter(([, c]) => c.number && !c.final);
    t.ok(answered > 0, `the carrier answered ${answered} calls that only the dialer could end`);
    const orphans = onlyWe.filter(([, c]) => c.byeFromOther).length;
    t.ok(orphans > 0, `${orphans} of them were left up by a killed process and got their BYE from its successor`);
    t.same(
      upLeft.map(([id, c]) => `${c.number} ${id}`),
      [],
      'every answered call got a BYE, from the dialer or the carrier (none left up at the carrier)',
    );
    t.same(
      ringing.map(([id, c]) => `${c.number} ${id}`),
      [],
      'no call left ringing (CANCEL or a final answer for every INVITE)',
    );
    t.ok(foreign > 0, `${kills} kills; stray RTP packets dropped as foreign by the processes' latches: ${foreign}`);

    let problems = 0;
    let interrupted = 0;
    digits.forEach((d, i) => {
      const id = `c${i}`;
      const rec = perContact.get(id) ?? [];
      const seq = rec.map((r) => r.no);
      const fail = (msg: string) => {
        problems++;
        const details = rec.map((r) => `#${r.no} ${detail.get(`${id}#${r.no}`)}`).join(' ');
        t.fail(`${id} (digit ${d}): ${msg}: ${JSON.stringify(rec)} ${details}`);
      };
      if (rec.length === 0) return fail('lost: no attempt at all');
      if (seq.join(',') !== rec.map((_, k) => k + 1).join(',')) fail('attempt numbers are not 1..n once each');
      for (const r of rec)
        if (r.code !== (r.interrupted ? INTERRUPTED : EXPECTED[d]))
          fail(`code ${r.code} where ${r.interrupted ? INTERRUPTED : EXPECTED[d]} was due`);
      interrupted += rec.filter((r) => r.interrupted).length;
      const last = rec[rec.length - 1]!;
      const retryable = ![1, 5, 6].includes(last.code);
      if (retryable && rec.length < MAX_ATTEMPTS) fail('stopped before its attempts were used although its result retries');
      const national = numbers[i]!.replace(/-/g, '').slice(1);
      const dialled = [...callIds.entries()].filter(([num]) => num.endsWith(national)).reduce((a, [, s]) => a + s.size, 0);
      if (dialled > rec.length) fail(`dialled ${dialled} times for ${rec.length} attempts`);
    });
    t.equal(problems, 0, `every contact is whole (${history.length} attempts, ${interrupted} closed as interrupted by a kill)`);
    const c = await q.counters();
    t.equal(c.remaining, 0, 'nothing left in flight or queued');
    t.equal(c.attempts, history.length, 'counters agree with the history');
  }
}
