import t from 'tap';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { build, auth } from '../../helpers/app';
import { startTestRedis } from '../../helpers/redis';
import { inlineRow, writeWorkbook } from '../../helpers/xlsx-writer';
import { createList } from '../../../lib/store/lists';
import { runImport } from '../../../lib/import/run';

const admin = auth('admin');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The reported upload: one 600 MB shared string, deflated to about 600 KB. */
async function bomb(): Promise<Buffer> {
  async function* strings(): AsyncGenerator<string> {
    yield '<si><t>';
    const mb = 'A'.repeat(1 << 20);
    for (let i = 0; i < 600; i++) yield mb;
    yield '</t></si>';
  }
  const out = new PassThrough();
  const bufs: Buffer[] = [];
  out.on('data', (b: Buffer) => bufs.push(b));
  await writeWorkbook(out, {
    sheetData: `<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row>`,
    sharedStrings: strings(),
  });
  return Buffer.concat(bufs);
}

t.test('ten shared-string bombs at once: each refused naming the limit or told to retry; the server stays up', async (t) => {
  const { app } = await build(t, { import: { maxConcurrent: 2, maxQueued: 4 } });
  await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'L', name: 'L' } });
  const file = await bomb();
  t.ok(file.length < 1_000_000, `the bomb is ${file.length} bytes`);
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      app.inject({ method: 'POST', url: '/lists/L/imports', headers: { ...admin, 'content-type': XLSX }, payload: file }),
    ),
  );
  for (const r of answers) {
    if (r.statusCode === 503) {
      t.match(r.json(), { code: 'BUSY', message: /import\.maxConcurrent, import\.maxQueued/ });
      t.match(r.headers['retry-after'], /^[0-9]+$/);
    } else {
      t.equal(r.statusCode, 413);
      t.match(r.json(), {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'shared string 0 is longer than 32767 characters (import.xlsx.maxCellChars)',
        details: { job: { state: 'failed' } },
      });
    }
  }
  t.ok(
    answers.some((r) => r.statusCode === 413),
    'the bombs that ran were refused by the cell limit',
  );
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'still serving');
  const ok = await app.inject({
    method: 'POST',
    url: '/lists/L/imports',
    headers: { ...admin, 'content-type': 'text/csv' },
    payload: 'phone\n0312345678\n',
  });
  t.match(ok.json(), { job: { state: 'completed', accepted: 1 } }, 'and importing');
});

t.test('imports beyond maxConcurrent wait in the queue; beyond maxQueued they get 503 with Retry-After', async (t) => {
  const { app } = await build(t, { import: { maxConcurrent: 2, maxQueued: 1 } });
  await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'L', name: 'L' } });
  // Uploads that are still being sent hold their turn.
  const bodies = [new PassThrough(), new PassThrough(), new PassThrough()];
  const held = bodies.map((b, i) => {
    b.write('id,phone\n');
    return app.inject({
      method: 'POST',
      url: `/lists/L/imports?jobId=j${i}`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: b,
    });
  });
  // Two run, one waits: wait until the two running jobs are visible.
  for (let i = 0; i < 200; i++) {
    const r = await app.inject({ method: 'GET', url: '/lists/L/imports', headers: admin });
    if (r.json().imports.length >= 2) break;
    await new Promise((res) => setTimeout(res, 25));
  }
  const refused = await app.inject({
    method: 'POST',
    url: '/lists/L/imports',
    headers: { ...admin, 'content-type': 'text/csv' },
    payload: 'phone\n0312345678\n',
  });
  t.equal(refused.statusCode, 503);
  t.match(refused.json(), {
    code: 'BUSY',
    message: /^2 imports are running and 1 are waiting \(import\.maxConcurrent, import\.maxQueued\): retry in [0-9]+ s$/,
    details: { running: 2, queued: 1 },
  });
  t.ok(Number(refused.headers['retry-after']) >= 1, `Retry-After: ${refused.headers['retry-after']}`);
  bodies.forEach((b, i) => b.end(`C${i},031234567${i}\n`));
  const done = await Promise.all(held);
  t.same(
    done.map((r) => r.statusCode),
    [200, 200, 200],
    'the queued import ran when a turn was free',
  );
  const after = await app.inject({
    method: 'POST',
    url: '/lists/L/imports',
    headers: { ...admin, 'content-type': 'text/csv' },
    payload: 'phone\n0312345699\n',
  });
  t.equal(after.statusCode, 200, 'turns are given back');
});

t.test('the parse worker starts whatever the working directory', async (t) => {
  const { redis } = await startTestRedis(t);
  await createList(redis, { id: 'w', name: 'w', profile: 'default' });
  const cwd = process.cwd();
  process.chdir(tmpdir());
  t.teardown(() => process.chdir(cwd));
  async function* src(): AsyncGenerator<Buffer> {
    yield Buffer.from('id,phone\nA,0312345678\n');
  }
  const limits = { maxFieldLength: 100, maxAttributes: 5, batchSize: 100, uploadLimitBytes: 1 << 20 };
  const { job } = await runImport({
    redis,
    listId: 'w',
    jobId: 'j',
    profile: 'default',
    region: 'JP',
    source: src(),
    limits,
    workerFromBytes: 0,
  });
  t.match(job, { state: 'completed', accepted: 1 });
  // And an XLSX through the worker from there too.
  const out = new PassThrough();
  const bufs: Buffer[] = [];
  out.on('data', (b: Buffer) => bufs.push(b));
  await writeWorkbook(out, { sheetData: inlineRow(1, ['id', 'phone']) + inlineRow(2, ['B', '0312345679']) });
  async function* xsrc(): AsyncGenerator<Buffer> {
    yield Buffer.concat(bufs);
  }
  const x = await runImport({
    redis,
    listId: 'w',
    jobId: 'k',
    profile: 'default',
    region: 'JP',
    source: xsrc(),
    limits,
    workerFromBytes: 0,
  });
  t.match(x.job, { state: 'completed', format: 'xlsx', accepted: 1 });
});
