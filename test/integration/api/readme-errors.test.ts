/**
 * The README's error example is the server's real answer, byte for byte:
 * the JSON block under "## API" is compared with what the request it names returns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { errorCatalogue } from '../../../lib/api/errors';
import { auth, build } from '../../helpers/app';

t.test('the README error example is what the server answers', async (t) => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const api = readme.slice(readme.indexOf('\n## API\n'));
  t.match(api, /`POST \/campaigns\/c1\/resume` on a\ndraft campaign answers/, 'the README names the request');
  const block = /```json\n(.+)\n```/.exec(api)?.[1];
  t.ok(block, 'the README has the example');
  const { app } = await build(t);
  const hours = { timeZone: 'UTC', days: { mon: [{ from: '00:00', to: '24:00' }] } };
  const made = await app.inject({
    method: 'POST',
    url: '/campaigns',
    headers: auth('admin'),
    payload: { id: 'c1', name: 'c1', mode: 'progressive', hours },
  });
  t.equal(made.statusCode, 201, made.body);
  const res = await app.inject({ method: 'POST', url: '/campaigns/c1/resume', headers: auth('admin') });
  t.equal(res.body, block, 'identical to the README');
  const doc = (await app.inject({ url: '/openapi.json' })).json() as {
    components: { schemas: Record<string, { properties: Record<string, unknown> }> };
  };
  const errorSchema = Object.values(doc.components.schemas).find(
    (s) => s.properties && 'code' in s.properties && 'statusCode' in s.properties,
  );
  t.ok(errorSchema, 'the error shape is in the OpenAPI document');
  t.same((errorSchema!.properties.code as { enum: string[] }).enum, Object.keys(errorCatalogue), 'with every catalogue code');
});
