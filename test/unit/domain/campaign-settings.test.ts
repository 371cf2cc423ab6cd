/**
 * One source for a campaign's shape and defaults (issue 13): the settings' TypeBox schemas in
 * lib/domain/campaign-settings.ts, the defaults in `campaignDefaults()`, and the API's bodies built from
 * both (lib/api/routes/campaigns.schema.ts). The defaults a client sees stated in the create body are the
 * domain's, every default is valid against its own setting's schema, and PATCH states none.
 */
import t from 'tap';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CAMPAIGN_SETTINGS, CampaignSettingsSchema, campaignDefaults } from '../../../lib/domain/campaign';
import { createCampaignBody, patchCampaignBody } from '../../../lib/api/routes/campaigns.schema';
import { WEEKDAYS } from '../../../lib/rules/hours';

const ajv = addFormats(new Ajv({ strict: false }));

t.test('campaignDefaults() has every setting of the schema, and only those', async (t) => {
  t.same(Object.keys(campaignDefaults()).sort(), Object.keys(CAMPAIGN_SETTINGS).sort());
});

t.test('every default is valid against its setting’s schema', async (t) => {
  const d: Record<string, unknown> = campaignDefaults();
  for (const [k, schema] of Object.entries(CAMPAIGN_SETTINGS)) {
    // name has no usable default: a campaign must be given one (the create body requires it).
    if (k === 'name') continue;
    t.ok(ajv.validate(schema, d[k]), `${k}: ${JSON.stringify(d[k])} ${ajv.errorsText(ajv.errors)}`);
  }
  t.ok(ajv.validate(CampaignSettingsSchema, { ...d, name: 'x' }), 'and all of them together');
});

t.test('the create body states the domain’s defaults, nothing else', async (t) => {
  const d: Record<string, unknown> = campaignDefaults();
  const props = createCampaignBody.properties as Record<string, { default?: unknown }>;
  const stated = Object.entries(props).filter(([, s]) => 'default' in s);
  t.ok(stated.length >= 10, `${stated.length} defaults stated`);
  for (const [k, s] of stated) t.same(s.default, d[k], `${k} = ${JSON.stringify(d[k])}`);
  t.same(createCampaignBody.required, ['name'], 'only name is required');

  // ajv fills them in, as the API does (useDefaults), from the same values.
  const body: Record<string, unknown> = { name: 'spring' };
  t.ok(new Ajv({ strict: false, useDefaults: true }).addFormat('date-time', true).validate(createCampaignBody, body));
  for (const [k] of stated) t.same(body[k], d[k], `filled: ${k}`);
});

t.test('PATCH states no default anywhere (an absent setting keeps its value)', async (t) => {
  t.notMatch(JSON.stringify(patchCampaignBody), /"default"/);
  t.equal(patchCampaignBody.required, undefined);
  t.equal(patchCampaignBody.minProperties, 1);
});

t.test('the hours description states campaignDefaults().hours', async (t) => {
  const { hours } = campaignDefaults();
  const open = WEEKDAYS.filter((w) => hours.days[w]?.length);
  t.same(open, ['mon', 'tue', 'wed', 'thu', 'fri']);
  const ranges = new Set(open.map((w) => JSON.stringify(hours.days[w])));
  t.same([...ranges], [JSON.stringify([{ from: '09:00', to: '17:00' }])]);
  t.match(CAMPAIGN_SETTINGS.hours.description, `Default: Mon–Fri 09:00–17:00 ${hours.timeZone}`);
});
