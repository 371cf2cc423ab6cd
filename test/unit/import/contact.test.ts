import t from 'tap';
import { decodeOutcome, decodeRecord, encodeRecord, validateContact, type ValidationOptions } from '../../../lib/domain/contact';

const def: ValidationOptions = { profile: 'default', region: 'JP', maxFieldLength: 50, maxAttributes: 2 };
const clova: ValidationOptions = { ...def, profile: 'clova' };

t.test('default profile normalises Japanese numbers and records their type', async (t) => {
  const m = validateContact({ phone: '090-1234-5678', name: ' 山田 ' }, def);
  t.ok(m.ok);
  if (m.ok) t.match(m.record, { phone: '+819012345678', rawPhone: '090-1234-5678', phoneType: 'mobile', name: '山田' });
  const l = validateContact({ phone: '０３（１２３４）５６７８' }, def);
  t.ok(l.ok && l.record.phone === '+81312345678' && l.record.phoneType === 'landline', 'full-width digits and brackets');
  const bad = validateContact({ phone: '12-34' }, def);
  t.notOk(bad.ok);
  if (!bad.ok)
    t.same(
      bad.errors.map((e) => e.column),
      ['phone'],
    );
});

t.test('clova profile applies seed 000 rules exactly', async (t) => {
  const reason = (input: Parameters<typeof validateContact>[0]) => {
    const v = validateContact(input, clova);
    return v.ok ? 'ok' : v.errors.map((e) => `${e.column}: ${e.reason}`).join('; ');
  };
  t.equal(reason({ phone: '0312345678', key1: 'ABCDE12345', key2: 'Z9' }), 'ok');
  t.equal(reason({ phone: '1234' }), 'ok', '4 digits starting with 1');
  t.equal(reason({ phone: '0'.repeat(20) }), 'ok', '20 digits');
  t.equal(reason({ phone: '0'.repeat(21) }), 'phone: phone number must have 4 to 20 digits');
  t.equal(reason({ phone: '012' }), 'phone: phone number must have 4 to 20 digits');
  t.equal(reason({ phone: '2345678' }), 'phone: phone number must start with 0 or 1');
  t.equal(reason({ phone: '090-1234-5678' }), 'phone: phone number must be digits only');
  t.equal(reason({ phone: '09012345678', key1: 'ABCDE123456' }), 'key1: Key 1 must be at most 10 characters');
  t.equal(reason({ phone: '09012345678', key1: 'AB-1' }), 'key1: Key 1 must be letters A–Z and digits only');
  t.equal(reason({ phone: '09012345678', key2: 'ABC' }), 'key2: Key 2 must be at most 2 characters');
  t.equal(reason({ phone: '09012345678', key2: 'あ' }), 'key2: Key 2 must be letters A–Z and digits only');
  const v = validateContact({ phone: '09012345678' }, clova);
  t.ok(v.ok && v.record.phone === '09012345678' && v.record.phoneType === 'mobile', 'kept as typed, type best effort');
});

t.test('every problem of a row is reported, oversize values shortened', async (t) => {
  const v = validateContact(
    { id: 'x\u0001', phone: '', name: 'n'.repeat(300), timeZone: 'Mars/Base', attributes: { a: '1', b: '2' } },
    def,
  );
  t.notOk(v.ok);
  if (v.ok) return;
  t.same(
    v.errors.map((e) => [e.column, e.reason]),
    [
      ['id', 'contact ID has control characters'],
      ['phone', 'phone number is missing'],
      ['name', 'longer than 50 characters (import.maxFieldLength)'],
      ['timeZone', 'not an IANA time zone (e.g. Asia/Tokyo)'],
    ],
  );
  t.equal(v.errors[2]!.value.length, 101, 'value preview is cut to 100 characters + ellipsis');
  const many = validateContact({ phone: '0312345678', attributes: { a: '1', b: '2', c: '3' } }, def);
  t.notOk(many.ok);
  if (!many.ok) t.equal(many.errors[0]!.reason, 'more than 2 attributes (import.maxAttributes)');
  const tooLongId = validateContact({ id: 'i'.repeat(65), phone: '0312345678' }, def);
  t.notOk(tooLongId.ok);
});

t.test('record encoding round-trips and outcome decoding', async (t) => {
  const v = validateContact(
    { phone: '0312345678', name: '"quoted", 名前', key1: 'k', timeZone: 'Asia/Tokyo', attributes: { 都道府県: '東京都', empty: '' } },
    def,
  );
  t.ok(v.ok);
  if (!v.ok) return;
  t.same(decodeRecord(encodeRecord(v.record)), v.record);
  t.same(v.record.attributes, { 都道府県: '東京都' }, 'empty attributes are not stored');
  t.same(decodeOutcome(null), { attempts: 0, lastResult: null, lastAttemptAt: null, firstAttemptAt: null });
  t.same(decodeOutcome('2,4,1700000000000,1600000000000'), {
    attempts: 2,
    lastResult: 4,
    lastAttemptAt: new Date(1700000000000).toISOString(),
    firstAttemptAt: new Date(1600000000000).toISOString(),
  });
});
