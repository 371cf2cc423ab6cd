/**
 * What clients see of the campaign routes stays what it was when their schemas moved from hand-written
 * JSON Schema to the domain's TypeBox schemas (issue 13): the `Campaign` component and each campaign
 * operation's parameters, request body (defaults included) and success replies in /openapi.json are
 * deep-equal to the document recorded before the move (test/fixtures/openapi/campaigns.json). A change
 * here is a change to the API: make it on purpose, and record the fixture again.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../helpers/app';

interface Operation {
  parameters?: unknown;
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
interface Recorded {
  components: { Campaign: unknown };
  operations: Record<string, Operation>;
}

const recorded = JSON.parse(readFileSync(join(__dirname, '../../fixtures/openapi/campaigns.json'), 'utf8')) as Recorded;

t.test('the campaign routes in /openapi.json are as recorded before the TypeBox move', async (t) => {
  const { app } = await build(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    components: { schemas: Record<string, unknown> };
    paths: Record<string, Record<string, Operation>>;
  };
  t.same(doc.components.schemas.Campaign, recorded.components.Campaign, 'the Campaign component');
  t.ok(Object.keys(recorded.operations).length >= 14, 'every operation of lib/api/routes/campaigns.ts is recorded');
  for (const [name, want] of Object.entries(recorded.operations)) {
    const [method, path] = name.split(' ') as [string, string];
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) {
      t.fail(`${name} is missing from the document`);
      continue;
    }
    const success = Object.fromEntries(Object.entries(op.responses).filter(([code]) => code.startsWith('2')));
    t.strictSame(
      { parameters: op.parameters, requestBody: op.requestBody, responses: success },
      { parameters: want.parameters, requestBody: want.requestBody, responses: want.responses },
      name,
    );
  }
});
