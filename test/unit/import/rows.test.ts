import t from 'tap';
import { csvRows, sniffDelimiter, type RawRow } from '../../../lib/import/rows';

async function* text(...parts: string[]): AsyncGenerator<string> {
  yield* parts;
}
async function all(parts: string[], delimiter?: ',' | ';' | '\t' | '|'): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const b of csvRows(text(...parts), { delimiter, maxRecordSize: 200 })) out.push(...b);
  return out;
}

t.test('rows keep spreadsheet numbering across quoted newlines and chunk edges', async (t) => {
  const rows = await all(['id,phone,no', 'te\n1,"0901234', '5678","multi\nline ""q"""\n\n2,0312345678,x\n']);
  t.same(rows, [
    { row: 1, cells: ['id', 'phone', 'note'] },
    { row: 2, cells: ['1', '09012345678', 'multi\nline "q"'] },
    { row: 3, cells: ['2', '0312345678', 'x'] },
  ]);
});

t.test('delimiter sniffed from the header line', async (t) => {
  t.equal(sniffDelimiter('id\tphone\tname'), '\t');
  t.equal(sniffDelimiter('id;phone;name,x'), ';');
  t.equal(sniffDelimiter('phone'), ',');
  const rows = await all(['id\tphone\n', 'a\t0312345678\n']);
  t.same(rows[1]!.cells, ['a', '0312345678']);
});

t.test('malformed CSV stops with the row it follows', async (t) => {
  await t.rejects(all(['phone,name\n0312345678,a\n"0901234,b\n']), {
    name: 'ImportFileError',
    message: 'malformed CSV after row 2: Quote Not Closed: the parsing is finished with an opening quote at line 3',
  });
  await t.rejects(all(['phone,name\n0312345678,"a"x\n']), { message: /^malformed CSV after row 1: Invalid Closing Quote/ });
  await t.rejects(all(['phone,name\n0312345678,' + 'y'.repeat(300) + '\n']), { message: /^malformed CSV after row 1: Max Record Size/ });
});
