import t from 'tap';
import { normalizePhone, checkClovaPhone, checkClovaKey1, checkClovaKey2 } from '../../../lib/domain/phone';

t.test('Japanese numbers normalise to E.164 with their type', async (t) => {
  t.match(normalizePhone('03-1234-5678', 'JP'), { ok: true, e164: '+81312345678', national: '0312345678', type: 'landline' });
  t.match(normalizePhone('090-1234-5678', 'JP'), { ok: true, e164: '+819012345678', type: 'mobile' });
  t.match(normalizePhone('０９０－１２３４－５６７８', 'JP'), { ok: true, e164: '+819012345678' }, 'full-width digits and dash');
  t.match(normalizePhone('+81 3 1234 5678', 'JP'), { ok: true, e164: '+81312345678' });
  t.match(normalizePhone('0120-123-456', 'JP'), { ok: true, type: 'tollfree' });
});

t.test('other regions by prefix or configured region', async (t) => {
  t.match(normalizePhone('+1 212 555 0123', 'JP'), { ok: true, e164: '+12125550123', region: 'US' });
  t.match(normalizePhone('(212) 555-0123', 'US'), { ok: true, e164: '+12125550123' });
});

t.test('invalid numbers are refused with a reason', async (t) => {
  t.same(normalizePhone('', 'JP'), { ok: false, reason: 'phone number is empty' });
  t.match(normalizePhone('12345', 'JP'), { ok: false, reason: /not a valid number/ });
  t.match(normalizePhone('090-abcd-5678', 'JP'), { ok: false, reason: /characters other than digits/ });
  t.match(normalizePhone('0'.repeat(25), 'JP'), { ok: false, reason: /longer than 20/ });
});

t.test('seed 000 (clova) rules exactly', async (t) => {
  t.match(checkClovaPhone('0312345678'), { ok: true, e164: '0312345678' });
  t.match(checkClovaPhone('1234'), { ok: true });
  t.match(checkClovaPhone('123'), { ok: false, reason: /4 to 20/ });
  t.match(checkClovaPhone('0'.repeat(21)), { ok: false, reason: /4 to 20/ });
  t.match(checkClovaPhone('812345'), { ok: false, reason: /start with 0 or 1/ });
  t.match(checkClovaPhone('03-1234'), { ok: false, reason: /digits only/ });
  t.equal(checkClovaKey1('AB12345678'), undefined);
  t.match(checkClovaKey1('AB123456789'), /at most 10/);
  t.match(checkClovaKey1('ab-1'), /letters/);
  t.equal(checkClovaKey2('A1'), undefined);
  t.match(checkClovaKey2('ABC'), /at most 2/);
});
