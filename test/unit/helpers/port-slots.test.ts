/**
 * The live servers' port ranges are disjoint across test processes
 * (test/helpers/port-slots.ts): a claim held by a live process is never
 * handed out again, one held by a dead process is taken over, and a
 * released one is free again.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimPortSlot, FIRST_PORT, SLOT_SIZE, SLOTS } from '../../helpers/port-slots';

const overlap = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];

t.test('slots claimed in one process never overlap, and each names its holder', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'port-slots-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const slots = await Promise.all(Array.from({ length: 12 }, () => claimPortSlot(dir)));
  t.ok(
    slots.every((s) => s.range[1] < 20000),
    'all below the embedded driver’s default RTP range',
  );
  for (let i = 0; i < slots.length; i++) {
    const [a, b] = slots[i]!.range;
    t.equal(b - a + 1, SLOT_SIZE, 'full size');
    t.equal(a % 2, 0, 'even start (RTP on even ports, RTCP the odd one above)');
    for (let j = 0; j < i; j++) t.notOk(overlap(slots[i]!.range, slots[j]!.range), `slot ${i} apart from slot ${j}`);
  }
  const files = readdirSync(dir);
  t.equal(files.length, 12, 'one claim file each');
  t.ok(
    files.every((f) => readFileSync(join(dir, f), 'utf8') === String(process.pid)),
    'each names this process',
  );
  for (const s of slots) s.release();
  t.same(readdirSync(dir), [], 'released claims are gone');
});

t.test("a live process's claim is skipped; a dead process's claim is taken over", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'port-slots-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A pid that surely is dead: a child that has exited.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  // Every slot but two held: slot-0 by a live process (the parent of this one), slot-1 by the dead one.
  for (let i = 2; i < SLOTS; i++) writeFileSync(join(dir, `slot-${i}`), String(process.ppid));
  writeFileSync(join(dir, 'slot-0'), String(process.ppid));
  writeFileSync(join(dir, 'slot-1'), dead);
  const got = await claimPortSlot(dir);
  t.same(got.range, [FIRST_PORT + SLOT_SIZE, FIRST_PORT + 2 * SLOT_SIZE - 1], 'the dead holder’s slot');
  t.equal(readFileSync(join(dir, 'slot-1'), 'utf8'), String(process.pid), 'now held by this process');
  await t.rejects(claimPortSlot(dir), /no free port slot/, 'all held by live processes: a clear error, not an overlap');
  got.release();
  const again = await claimPortSlot(dir);
  t.same(again.range, got.range, 'a released slot is free again');
  again.release();
});
