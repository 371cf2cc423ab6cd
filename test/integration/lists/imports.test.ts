import t from 'tap';
import { PassThrough } from 'node:stream';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { build, auth } from '../../helpers/app';
import { getContact, iterateContacts } from '../../../lib/store/contacts';
import { getList } from '../../../lib/store/lists';

const admin = auth('admin');

t.test('imports', async (t) => {
  const { app } = await build(t, { import: { batchSize: 50, maxFieldLength: 40, maxAttributes: 3 } });
  const redis = app.redis;
  let n = 0;
  const newList = async (profile = 'default') => {
    const id = `l${++n}`;
    await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id, name: id, profile } });
    return id;
  };
  const upload = (list: string, body: Buffer | string | PassThrough, q = '', type = 'text/csv') =>
    app.inject({ method: 'POST', url: `/lists/${list}/imports${q}`, headers: { ...admin, 'content-type': type }, payload: body });
  const ids = async (list: string) => {
    const out: string[] = [];
    for await (const c of iterateContacts(redis, list)) out.push(c.id);
    return out;
  };
  const count = async (list: string) => (await getList(redis, list))!.counts.contacts;

  const JP = '管理ID,電話番号,名前,都道府県\r\nA1,090-1234-5678,山田太郎,東京都\r\nA2,06-1234-5678,髙橋花子,大阪府\r\n';

  t.test('UTF-8, UTF-8 with BOM and Shift_JIS files give the same contacts', async (t) => {
    for (const [label, bytes] of [
      ['utf-8', Buffer.from(JP)],
      ['utf-8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JP)])],
      ['shift_jis', iconv.encode(JP, 'cp932')],
    ] as const) {
      const list = await newList();
      const r = await upload(list, bytes);
      t.equal(r.statusCode, 200, label);
      t.match(r.json().job, { state: 'completed', format: 'csv', encoding: label, rowsRead: 2, accepted: 2, rejected: 0 });
      t.match(
        await getContact(redis, list, 'A2'),
        { phone: '+81612345678', name: '髙橋花子', phoneType: 'landline', attributes: { 都道府県: '大阪府' } },
        `${label}: decoded`,
      );
    }
  });

  t.test('a file in neither encoding is refused and nothing is written', async (t) => {
    const list = await newList();
    let r = await upload(list, iconv.encode(JP, 'euc-jp'));
    t.equal(r.statusCode, 400);
    t.match(r.json(), {
      code: 'INVALID_FILE',
      message: 'file is neither UTF-8 nor Shift_JIS (CP932) text; save it as CSV UTF-8 or pass encoding=shift_jis|utf-8',
      details: { job: { state: 'failed', accepted: 0 } },
    });
    r = await upload(list, iconv.encode(JP, 'cp932'), '?encoding=utf-8');
    t.equal(r.statusCode, 400);
    t.match(r.json().message, /^file is not valid UTF-8 .*pass encoding=shift_jis$/);
    t.equal(await count(list), 0);
    r = await app.inject({ method: 'GET', url: `/lists/${list}/imports`, headers: admin });
    t.same(
      r.json().imports.map((j: { state: string }) => j.state),
      ['failed', 'failed'],
      'failed jobs are listed with their reason',
    );
  });

  t.test('row errors: invalid numbers, duplicates, oversize fields, extra cells — valid rows kept', async (t) => {
    const list = await newList();
    await app.inject({ method: 'POST', url: `/lists/${list}/contacts`, headers: admin, payload: { id: 'old', phone: '0312340000' } });
    const csv = [
      'id,phone,name,note',
      'r2,0312340001,ok,',
      'r3,12-34,bad number,',
      'r4,0312340001,dup number in file,',
      'r2,0312340004,dup id in file,',
      'old,0312340005,dup id of list,',
      'r7,03-1234-0000,dup number of list,',
      `r8,0312340008,${'x'.repeat(41)},`,
      'r9,0312340009,too many cells,,surplus',
      'r10,0312340010,trailing empty cell,,',
      ',0312340011,generated id,',
    ].join('\n');
    const r = await upload(list, csv, '?jobId=rowjob');
    t.equal(r.statusCode, 200);
    t.match(r.json().job, { id: 'rowjob', state: 'completed', rowsRead: 10, accepted: 3, rejected: 7, errorsStored: 7 });
    const expected = [
      { row: 3, column: 'phone', value: '12-34', reason: 'not a valid number in region JP' },
      { row: 8, column: 'name', value: 'x'.repeat(41), reason: 'longer than 40 characters (import.maxFieldLength)' },
      { row: 9, column: 'column 5', value: 'surplus', reason: 'row has 5 columns; the header has 4' },
      { row: 4, column: 'phone', value: '0312340001', reason: 'duplicate phone number: contact r2 of the list has it (+81312340001)' },
      { row: 5, column: 'id', value: 'r2', reason: 'duplicate contact ID: the list already has it' },
      { row: 6, column: 'id', value: 'old', reason: 'duplicate contact ID: the list already has it' },
      { row: 7, column: 'phone', value: '03-1234-0000', reason: 'duplicate phone number: contact old of the list has it (+81312340000)' },
    ];
    const json = await app.inject({ method: 'GET', url: `/lists/${list}/imports/rowjob/errors`, headers: admin });
    t.equal(json.statusCode, 200);
    t.same(
      json.json().sort((a: { row: number }, b: { row: number }) => a.row - b.row),
      expected.slice().sort((a, b) => a.row - b.row),
    );
    const csvReport = await app.inject({ method: 'GET', url: `/lists/${list}/imports/rowjob/errors?format=csv`, headers: admin });
    t.equal(csvReport.headers['content-type'], 'text/csv; charset=utf-8');
    const lines = csvReport.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    t.equal(lines[0], 'row,column,value,reason');
    t.equal(lines.length, 8);
    t.ok(lines.includes('4,phone,0312340001,duplicate phone number: contact r2 of the list has it (+81312340001)'));
    t.same(await ids(list), ['old', 'r2', 'r10', 'auto-1'], 'valid rows kept in file order');
    t.equal((await app.inject({ method: 'GET', url: `/lists/${list}/imports/nojob`, headers: admin })).statusCode, 404);
  });

  t.test('all-or-nothing: one bad row, nothing imported; clean file, everything', async (t) => {
    const list = await newList();
    const rows = ['phone,id'];
    for (let i = 0; i < 120; i++) rows.push(`031234${String(1000 + i)},a${i}`);
    rows.push('not-a-number,bad');
    let r = await upload(list, rows.join('\n'), '?allOrNothing=true');
    t.equal(r.statusCode, 422);
    t.match(r.json(), {
      code: 'UNPROCESSABLE',
      message: '1 row(s) rejected; nothing was imported (allOrNothing)',
      details: { job: { state: 'rolled-back', accepted: 0, rejected: 1, rowsRead: 121 }, errors: [{ row: 122, column: 'phone' }] },
    });
    t.equal(await count(list), 0);
    t.equal(await redis.hlen(`l:{l:${list}}:contacts`), 0, 'reserved rows removed');
    t.equal(await redis.hlen(`l:{l:${list}}:phones`), 0, 'number index clean');
    rows.pop();
    r = await upload(list, rows.join('\n'), '?allOrNothing=true');
    t.equal(r.statusCode, 200);
    t.match(r.json().job, { state: 'completed', accepted: 120 });
    t.equal(await count(list), 120);
    t.equal((await ids(list))[0], 'a0');
  });

  t.test('malformed CSV: rows before the fault kept, the fault named', async (t) => {
    const list = await newList();
    const rows = ['phone,name'];
    for (let i = 0; i < 60; i++) rows.push(`031234${1000 + i},n${i}`);
    rows.push('"0312349999,unclosed', '0312348888,after');
    const r = await upload(list, rows.join('\n'));
    t.equal(r.statusCode, 400);
    t.match(r.json(), {
      code: 'INVALID_FILE',
      message: 'malformed CSV after row 61: Quote Not Closed: the parsing is finished with an opening quote at line 63',
      details: { job: { state: 'failed', accepted: 60 } },
    });
    t.equal(await count(list), 60);
    const list2 = await newList();
    const r2 = await upload(list2, rows.join('\n'), '?allOrNothing=true');
    t.equal(r2.statusCode, 400);
    t.equal(await count(list2), 0, 'all-or-nothing keeps none');
    t.equal(await redis.hlen(`l:{l:${list2}}:contacts`), 0);
  });

  t.test('header problems are refused before any row is written', async (t) => {
    const list = await newList();
    let r = await upload(list, 'name,city\nx,y\n');
    t.match(r.json(), {
      statusCode: 400,
      code: 'INVALID_FILE',
      message: 'no phone column: header has "name", "city"; name one "phone" (or 電話番号) or give a mapping',
    });
    r = await upload(list, 'phone,a,b,c,d\n0312345678,1,2,3,4\n');
    t.match(r.json(), { statusCode: 400, message: 'file has 4 extra columns; at most 3 are kept as attributes (import.maxAttributes)' });
    r = await upload(list, 'TEL,MEMO\n0312345678,x\n', `?mapping=${encodeURIComponent('{"TEL":"phone"}')}`);
    t.match(r.json().job, { accepted: 1 });
    r = await upload(list, 'TEL\n0312345679\n', '?mapping=%7Bbad');
    t.match(r.json(), { statusCode: 400, code: 'VALIDATION_FAILED', message: /^querystring.mapping is not valid JSON/ });
    r = await upload(list, '');
    t.match(r.json(), { statusCode: 400, message: 'file is empty' });
    r = await upload(list, 'x1,0312345670,A\n', '?header=false', 'text/csv');
    t.match(r.json().job, { accepted: 1, rowsRead: 1 }, 'header=false: template column order');
    t.match(await getContact(redis, list, 'x1'), { phone: '+81312345670', name: 'A' });
    r = await app.inject({
      method: 'POST',
      url: `/lists/${list}/imports`,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: { phone: 'x' },
    });
    t.equal(r.statusCode, 415);
    t.equal(r.json().code, 'UNSUPPORTED_MEDIA_TYPE');
    t.equal((await upload('nolist', 'phone\n0312345678\n')).statusCode, 404);
  });

  t.test('XLSX import (first sheet, text and number cells, rich text)', async (t) => {
    const list = await newList('clova');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('対象');
    ws.addRow(['受信番号', 'Key 1', 'Key 2', '備考']);
    ws.addRow(['09012345678', 'ABC123', 'Z1', 'テキスト']);
    ws.addRow([1234, 'K2', 'b', { richText: [{ text: 'rich ' }, { text: 'text' }] }]);
    ws.addRow(['21234', 'bad-key', 'toolong', '']);
    ws.addRow([]);
    ws.addRow(['0120123456', '', '', 'after blank']);
    wb.addWorksheet('other').addRow(['phone']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await upload(list, buf, '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    t.equal(r.statusCode, 200);
    t.match(r.json().job, { format: 'xlsx', rowsRead: 4, accepted: 3, rejected: 1 });
    t.same(
      r.json().errors.map((e: { row: number; column: string; reason: string }) => [e.row, e.column, e.reason]),
      [
        [4, '受信番号', 'phone number must start with 0 or 1'],
        [4, 'Key 1', 'Key 1 must be letters A–Z and digits only'],
        [4, 'Key 2', 'Key 2 must be at most 2 characters'],
      ],
    );
    const contacts = [];
    for await (const c of iterateContacts(redis, list)) contacts.push(c);
    t.match(contacts, [
      { phone: '09012345678', key1: 'ABC123', key2: 'Z1', attributes: { 備考: 'テキスト' } },
      { phone: '1234', key1: 'K2', key2: 'b', attributes: { 備考: 'rich text' } },
      { phone: '0120123456', phoneType: 'tollfree' },
    ]);
    const bad = await upload(list, Buffer.from('PK\x03\x04garbage'), '', 'application/octet-stream');
    t.equal(bad.statusCode, 400);
    t.match(bad.json().message, /^not a readable XLSX workbook/);
    const notZip = await upload(list, 'phone\n0312345678\n', '?format=xlsx');
    t.match(notZip.json(), { statusCode: 400, message: 'format is xlsx but the file is not an XLSX workbook (not a ZIP archive)' });
  });

  t.test('multipart upload and head-of-list import', async (t) => {
    const list = await newList();
    await app.inject({ method: 'POST', url: `/lists/${list}/contacts`, headers: admin, payload: { id: 'first', phone: '0312340000' } });
    const boundary = '----dialer';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="urgent.csv"',
      'Content-Type: text/csv',
      '',
      'id,phone',
      'u1,0312340001',
      'u2,0312340002',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const r = await upload(list, body, '?head=true', `multipart/form-data; boundary=${boundary}`);
    t.equal(r.statusCode, 200);
    t.match(r.json().job, { head: true, accepted: 2 });
    t.same(await ids(list), ['u1', 'u2', 'first']);
  });

  t.test('progress is visible while a file streams in', async (t) => {
    const list = await newList();
    const body = new PassThrough();
    const pending = upload(list, body, '?jobId=live');
    body.write('phone,id\n');
    // More than the 64 KiB the encoding sniffer reads before it decides.
    for (let i = 0; i < 5000; i++) body.write(`0312${String(100000 + i)},p${i}\n`);
    let seen: { state: string; rowsRead: number; accepted: number } | undefined;
    for (let i = 0; i < 200 && !(seen && seen.accepted >= 1000); i++) {
      const s = await app.inject({ method: 'GET', url: `/lists/${list}/imports/live`, headers: admin });
      if (s.statusCode === 200) seen = s.json();
      await new Promise((res) => setTimeout(res, 20));
    }
    t.match(seen, { state: 'running' }, 'still running while the upload is open');
    t.ok(seen!.accepted >= 1000, `batches already written (${seen!.accepted})`);
    for (let i = 5000; i < 5060; i++) body.write(`0312${String(100000 + i)},p${i}\n`);
    body.end();
    const r = await pending;
    t.match(r.json().job, { id: 'live', state: 'completed', rowsRead: 5060, accepted: 5060 });
    const again = await upload(list, 'phone\n0312999999\n', '?jobId=live');
    t.match(again.json(), { statusCode: 409, code: 'DUPLICATE', message: 'import job live already exists' });
  });

  t.test('upload limit', async (t) => {
    const small = await build(t, { api: { uploadLimitBytes: 2048 } });
    await small.app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'big', name: 'big' } });
    const rows = ['phone'];
    for (let i = 0; i < 400; i++) rows.push(`0312${100000 + i}`);
    const r = await small.app.inject({
      method: 'POST',
      url: '/lists/big/imports',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: rows.join('\n'),
    });
    t.equal(r.statusCode, 413);
    t.match(r.json(), { code: 'PAYLOAD_TOO_LARGE', message: /2048 bytes/ });
  });
});
