import t from 'tap';
import { planColumns, templatePlan } from '../../../lib/import/header';

t.test('known headers map to fields, the rest to attributes', async (t) => {
  const p = planColumns(['管理ID', '名前', '電話番号', '都道府県', 'Key 1', 'ＴＥＬ備考'], { maxAttributes: 5 });
  t.same(p.fields, { id: 0, name: 1, phone: 2, key1: 4 });
  t.same(p.labels.phone, '電話番号');
  t.same(p.attributes, [
    { name: '都道府県', index: 3 },
    { name: 'ＴＥＬ備考', index: 5 },
  ]);
  const e = planColumns(['Phone Number', 'TimeZone', '\ufeffid'], { maxAttributes: 0 });
  t.same(e.fields, { phone: 0, timeZone: 1, id: 2 }, 'case, spaces and a stray BOM ignored');
});

t.test('mapping overrides and refusals', async (t) => {
  const p = planColumns(['TEL1', 'TEL2'], { mapping: { TEL2: 'phone', TEL1: 'attribute' }, maxAttributes: 5 });
  t.same(p.fields, { phone: 1 });
  const refuse = (header: string[], opts: Parameters<typeof planColumns>[1]) => {
    try {
      planColumns(header, opts);
      return 'accepted';
    } catch (e) {
      return (e as Error).message;
    }
  };
  t.equal(
    refuse(['name', 'city'], { maxAttributes: 5 }),
    'no phone column: header has "name", "city"; name one "phone" (or 電話番号) or give a mapping',
  );
  t.equal(
    refuse(['phone', 'a', 'b', 'c'], { maxAttributes: 2 }),
    'file has 3 extra columns; at most 2 are kept as attributes (import.maxAttributes)',
  );
  t.equal(refuse(['phone', 'x', 'X'], { maxAttributes: 2 }), 'header has column "X" twice');
  t.equal(refuse(['phone', ''], { maxAttributes: 2 }), 'header column 2 is empty; every column needs a name');
  t.equal(refuse(['phone', 'tel'], { maxAttributes: 2 }), 'columns "phone" and "tel" both map to field phone; give a mapping');
  t.equal(
    refuse(['phone'], { mapping: { nope: 'phone' }, maxAttributes: 2 }),
    'mapping names column "nope", which the header does not have',
  );
  t.equal(
    refuse(['phone'], { mapping: { phone: 'mobile' }, maxAttributes: 2 }),
    'mapping for column "phone" names unknown field "mobile"; fields: id, phone, name, key1, key2, timeZone, attribute',
  );
  t.same(templatePlan('clova').fields, { id: 0, phone: 1, key1: 2, key2: 3 });
});
