/**
 * The shared 20 ms pacer after a stall: network senders catch up at most 5
 * frames (the rest are dropped, so the far end's delay stays bounded);
 * senders that keep time (recorders) get a tick for every 20 ms that passed,
 * so a recording's clock stays the call's.
 */
import t from 'tap';
import { Pacer, type PacedSender } from '../../../lib/telephony/drivers/embedded/rtp/pacer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('after a 400 ms stall a recorder gets every tick, an RTP sender at most 5 late ones', async (t) => {
  const pacer = new Pacer();
  t.teardown(() => pacer.stop());
  const rtp = {
    ticks: 0,
    tick() {
      this.ticks++;
    },
  };
  const recorder: PacedSender & { ticks: number } = {
    keepsTime: true,
    ticks: 0,
    tick() {
      this.ticks++;
    },
  };
  pacer.add(rtp);
  pacer.add(recorder);
  for (let i = 0; i < 1000 && rtp.ticks < 2; i++) await sleep(5);
  // The whole process held up (a busy loop): 20 ticks fall due at once.
  const until = performance.now() + 400;
  while (performance.now() < until);
  const before = recorder.ticks;
  for (let i = 0; i < 1000 && recorder.ticks < before + 20; i++) await sleep(5);
  pacer.stop();
  t.ok(recorder.ticks >= before + 20, `the recorder was ticked for the whole stall (${recorder.ticks - before} ticks after it)`);
  t.equal(recorder.ticks * 2, pacer.stats.frames, 'the recorder got every round');
  t.ok(rtp.ticks <= recorder.ticks - 14, `the RTP sender dropped the stall's frames beyond 5 (${rtp.ticks} of ${recorder.ticks})`);
  t.equal(pacer.stats.skipped, recorder.ticks - rtp.ticks, 'only the RTP sender counts as skipped');
});
