/** The mixer's who-hears-whom table, summing with clipping, codec per listener, and the jitter FIFO. */
import t from 'tap';
import { hears, Mixer, type MixPort } from '../../../lib/telephony/drivers/embedded/media/mixer';
import { FrameFifo } from '../../../lib/telephony/drivers/embedded/media/fifo';
import { decodeG711, type G711Law } from '../../../lib/media/g711';

t.test('who hears whom', async (t) => {
  t.same(hears('listen', 'supervisor'), ['agent', 'customer']);
  t.same(hears('listen', 'agent'), ['customer']);
  t.same(hears('listen', 'customer'), ['agent']);
  t.same(hears('whisper', 'agent'), ['customer', 'supervisor']);
  t.same(hears('whisper', 'customer'), ['agent'], 'a whisper never reaches the customer');
  t.same(hears('barge', 'customer'), ['agent', 'supervisor']);
  t.same(hears('barge', 'agent'), ['customer', 'supervisor']);
});

function port(law: G711Law) {
  const sent: Int16Array[] = [];
  const p: MixPort = { law, sendFrame: (b) => sent.push(decodeG711(law, b)) };
  return { p, sent };
}
const frame = (v: number) => new Int16Array(160).fill(v);

t.test("sums per listener, clips, encodes in each listener's law", async (t) => {
  const a = port('ulaw');
  const c = port('ulaw');
  const s = port('alaw');
  const m = new Mixer('barge', { agent: a.p, customer: c.p, supervisor: s.p });
  m.push('agent', frame(1000));
  m.push('customer', frame(2000));
  m.push('supervisor', frame(30000));
  m.tick();
  const near = (x: number, y: number) => Math.abs(x - y) <= Math.abs(y) * 0.07 + 16;
  t.ok(near(s.sent[0]![0]!, 3000), `supervisor gets agent + customer (${s.sent[0]![0]})`);
  t.ok(near(a.sent[0]![0]!, 32000), `agent gets customer + supervisor, clipped (${a.sent[0]![0]})`);
  t.ok(near(c.sent[0]![0]!, 31000), `customer gets agent + supervisor (${c.sent[0]![0]})`);
  m.mode = 'listen';
  m.push('agent', frame(1000));
  m.push('supervisor', frame(5000));
  m.tick();
  t.ok(near(a.sent[1]![0]!, 0), 'listen: nothing from the supervisor reaches the agent (customer sent nothing this tick)');
  t.ok(near(c.sent[1]![0]!, 1000), 'listen: customer hears only the agent');
});

t.test('the FIFO takes whole frames, pads with silence and drops the oldest beyond its capacity', async (t) => {
  const f = new FrameFifo(480);
  const out = new Int16Array(160);
  f.push(new Int16Array(80).fill(1));
  t.equal(f.pull(out), 80);
  t.same([out[79], out[80]], [1, 0]);
  for (let i = 0; i < 4; i++) f.push(frame(i + 1));
  t.equal(f.available, 480);
  t.equal(f.dropped, 160);
  f.pull(out);
  t.equal(out[0], 2, 'the oldest frame was dropped');
});
