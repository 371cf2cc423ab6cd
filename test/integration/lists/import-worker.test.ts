import t from 'tap';
import ExcelJS from 'exceljs';
import { startTestRedis } from '../../helpers/redis';
import { createList, listKeys } from '../../../lib/store/lists';
import { runImport, type ImportRequest } from '../../../lib/import/run';
import { jobErrorsKey, jobKey } from '../../../lib/import/jobs';
import { ImportFileError } from '../../../lib/import/decode';

// The same file imported with parsing in this thread and in a worker thread
// must leave exactly the same list, job and error report.

/** 3,000 rows over many batches: bad numbers, duplicate IDs and numbers (also across batches), extra cells, attributes. */
function file(): string {
  const lines = ['id,phone,name,pref'];
  for (let i = 0; i < 3000; i++) {
    const id = i % 400 === 399 ? `C${i - 350}` : `C${i}`; // duplicate ID of an earlier batch
    const phone =
      i % 250 === 3
        ? '12-34'
        : i % 300 === 7
          ? `090${String(10000000 + i - 5).padStart(8, '0')}`
          : `090${String(10000000 + i).padStart(8, '0')}`;
    const extra = i % 500 === 11 ? ',surplus' : '';
    lines.push(`${id},${phone},"Name, ${i}",${i % 3 ? 'Tokyo' : ''}${extra}`);
  }
  return lines.join('\r\n') + '\r\n';
}

async function* chunks(text: string | Buffer, size = 4096, fail?: Error): AsyncGenerator<Buffer> {
  const b = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < b.length; i += size) {
    yield b.subarray(i, i + size);
    if (fail && i > b.length / 2) throw fail;
  }
}

t.test('worker thread and in-thread parsing give the same import', async (t) => {
  const { redis } = await startTestRedis(t);
  const limits = { maxFieldLength: 100, maxAttributes: 5, batchSize: 128, uploadLimitBytes: 1 << 20 };
  const snapshot = async (listId: string, jobId: string) => {
    const k = listKeys(listId);
    const order = await redis.zrange(k.order, '0', '-1');
    const records = await redis.hmget(k.contacts, ...order);
    const errors = await redis.lrange(jobErrorsKey(listId, jobId), 0, -1);
    return { order, records, errors, phones: await redis.hlen(k.phones) };
  };
  const run = async (listId: string, extra: Partial<ImportRequest>) => {
    await createList(redis, { id: listId, name: listId, profile: 'default' });
    const out = await runImport({ redis, listId, jobId: 'j', profile: 'default', region: 'JP', source: chunks(file()), limits, ...extra });
    return { out, snap: await snapshot(listId, 'j') };
  };
  const inline = await run('inline', { sizeHint: 10 });
  const worker = await run('worker', { workerFromBytes: 0 });
  const { job } = inline.out;
  t.match(job, { state: 'completed', format: 'csv', encoding: 'utf-8', rowsRead: 3000 });
  t.ok(job.rejected > 20 && job.accepted === 3000 - job.rejected, `some rows refused (${job.rejected})`);
  t.same(
    { ...worker.out.job, listId: 'inline', startedAt: '', finishedAt: '' },
    { ...job, startedAt: '', finishedAt: '' },
    'same job counters',
  );
  t.same(worker.out.firstErrors, inline.out.firstErrors, 'same first errors');
  t.same(worker.snap, inline.snap, 'same contacts, order and error report');
  const rowsOfErrors = inline.snap.errors.map((e) => (JSON.parse(e) as { row: number }).row);
  t.same(
    rowsOfErrors,
    [...rowsOfErrors].sort((x, y) => x - y),
    'the report is in row order',
  );
  const reasons = new Set(inline.snap.errors.map((e) => (JSON.parse(e) as { reason: string }).reason.replace(/[0-9+]+/g, '#')));
  t.ok(reasons.has('duplicate contact ID: the list already has it'), 'duplicate IDs reported');
  t.ok(
    [...reasons].some((r) => r.startsWith('duplicate phone number: contact C# of the list has it')),
    'duplicate numbers reported',
  );
  t.ok(
    [...reasons].some((r) => r.startsWith('row has # columns')),
    'extra cells reported',
  );
  t.ok(
    [...reasons].some((r) => r.startsWith('not a valid number')),
    'bad numbers reported',
  );
});

t.test('file-level faults through the worker thread: same error, rows before it kept', async (t) => {
  const { redis } = await startTestRedis(t);
  const limits = { maxFieldLength: 100, maxAttributes: 5, batchSize: 50, uploadLimitBytes: 1 << 20 };
  let n = 0;
  const importInto = async (source: AsyncIterable<Buffer>, extra: Partial<ImportRequest> = {}) => {
    const listId = `l${++n}`;
    await createList(redis, { id: listId, name: listId, profile: 'default' });
    return runImport({ redis, listId, profile: 'default', region: 'JP', source, limits, ...extra });
  };
  const rows = ['phone'];
  for (let i = 0; i < 120; i++) rows.push(`0312${100000 + i}`);
  const broken = [...rows, '"0312999999,unclosed', '0312888888'].join('\n');
  const a = await importInto(chunks(broken, 256), { sizeHint: 1 });
  const b = await importInto(chunks(broken, 256), { workerFromBytes: 0 });
  t.match(a, {
    fileError: { code: 'INVALID_FILE', message: /^malformed CSV after row 121: Quote Not Closed/ },
    job: { state: 'failed', accepted: 120 },
  });
  t.equal(b.fileError?.message, a.fileError?.message);
  t.match(b.job, { state: 'failed', accepted: 120, rowsRead: 120, error: a.job.error });

  // Past the 64 KiB the encoding sniffer reads first, so rows are parsed before the limit is hit.
  const many = ['phone'];
  for (let i = 0; i < 12000; i++) many.push(`0312${100000 + i}`);
  const over = { ...limits, uploadLimitBytes: 100_000 };
  const tooBig = await importInto(chunks(many.join('\n'), 4096), { workerFromBytes: 0, limits: over });
  const tooBigInline = await importInto(chunks(many.join('\n'), 4096), { sizeHint: 1, limits: over });
  t.ok(tooBig.fileError instanceof ImportFileError);
  t.match(tooBig.fileError, { code: 'PAYLOAD_TOO_LARGE', message: /100000 bytes/ });
  t.ok(tooBig.job.accepted > 5000, `rows read before the limit are kept (${tooBig.job.accepted})`);
  t.equal(tooBig.job.accepted, tooBigInline.job.accepted, 'as many as in-thread');

  const enc = await importInto(chunks(Buffer.from([0x70, 0x68, 0x6f, 0x6e, 0x65, 0x0a, 0x30, 0xff, 0xfe, 0x0a])), { workerFromBytes: 0 });
  t.match(enc.fileError, { code: 'INVALID_FILE', message: /neither UTF-8 nor Shift_JIS/ });

  // A source that breaks for another reason (a dropped connection): that error, the job failed.
  const reset = new Error('socket hang up');
  await t.rejects(importInto(chunks(rows.join('\n'), 64, reset), { workerFromBytes: 0, jobId: 'cut' }), reset);
  t.match(await redis.hgetall(jobKey(`l${n}`, 'cut')), { state: 'failed', error: 'internal error: socket hang up' });
});

t.test('XLSX through the worker thread: same rows and errors as in-thread', async (t) => {
  const { redis } = await startTestRedis(t);
  const limits = { maxFieldLength: 100, maxAttributes: 5, batchSize: 2, uploadLimitBytes: 1 << 20 };
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('対象');
  ws.addRow(['受信番号', 'Key 1', 'Key 2', '備考']);
  ws.addRow(['09012345678', 'ABC123', 'Z1', 'テキスト']);
  ws.addRow([1234, 'K2', 'b', { richText: [{ text: 'rich ' }, { text: 'text' }] }]);
  ws.addRow(['21234', 'bad-key', 'toolong', '']);
  ws.addRow(['0120123456', '', '', 'after']);
  ws.addRow(['09012345678', '', '', 'dup']);
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  const results = [];
  for (const [listId, extra] of [
    ['x1', { sizeHint: 1 }],
    ['x2', { workerFromBytes: 0 }],
  ] as const) {
    await createList(redis, { id: listId, name: listId, profile: 'clova' });
    const out = await runImport({
      redis,
      listId,
      jobId: 'j',
      profile: 'clova',
      region: 'JP',
      source: chunks(xlsx, 1024),
      limits,
      ...extra,
    });
    const k = listKeys(listId);
    const order = await redis.zrange(k.order, '0', '-1');
    results.push({
      job: { ...out.job, listId: '', startedAt: '', finishedAt: '' },
      errors: out.firstErrors,
      records: await redis.hmget(k.contacts, ...order),
    });
  }
  t.match(results[0]!.job, { format: 'xlsx', encoding: 'xlsx', rowsRead: 5, accepted: 3, rejected: 2 });
  t.same(results[1], results[0]);
});
