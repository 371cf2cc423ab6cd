/** Table tests for the pure parts of messaging: SMS length, templates, keywords, addresses, composing. */
import t from 'tap';
import { smsEncoding, smsInfo, linkLengthWarning } from '../../../lib/messaging/text';
import { render, templateFields, checkTemplate, TemplateError, contactValues } from '../../../lib/messaging/template';
import { classify, customKeywordProblems, normalizeKeyword } from '../../../lib/messaging/keywords';
import { checkEmail, checkNumber } from '../../../lib/messaging/address';
import { compose } from '../../../lib/messaging/compose';
import { validateMessageCampaign, messageCampaignDefaults } from '../../../lib/messaging/campaign';

t.test('SMS encoding and segments (3GPP TS 23.038 / 23.040)', async (t) => {
  t.equal(smsEncoding('Hello {world} €5'), 'GSM-7');
  t.equal(smsEncoding('こんにちは'), 'UCS-2');
  t.equal(smsEncoding('emoji 🙂'), 'UCS-2');
  t.equal(smsInfo('a'.repeat(160)).segments, 1);
  t.equal(smsInfo('a'.repeat(161)).segments, 2);
  t.equal(smsInfo('a'.repeat(306)).segments, 2);
  t.equal(smsInfo('a'.repeat(307)).segments, 3);
  t.equal(smsInfo('{'.repeat(80)).units, 160, 'extension characters take two septets');
  t.equal(smsInfo('{'.repeat(81)).segments, 2);
  t.equal(smsInfo('あ'.repeat(70)).segments, 1);
  t.equal(smsInfo('あ'.repeat(71)).segments, 2);
  t.equal(smsInfo('あ'.repeat(134)).segments, 2);
  t.equal(smsInfo('あ'.repeat(135)).segments, 3);
});

t.test('link warning only for linked SMS over one segment', async (t) => {
  t.equal(linkLengthWarning(`https://x.example ${'a'.repeat(142)}`), undefined, '160 exactly');
  t.match(linkLengthWarning(`https://x.example ${'a'.repeat(143)}`)!, /161 GSM-7 characters, over the 160/);
  t.equal(linkLengthWarning('a'.repeat(300)), undefined, 'no link, no warning');
  t.match(linkLengthWarning(`www.x.jp ${'あ'.repeat(62)}`)!, /UCS-2.*over the 70/);
});

t.test('templates', async (t) => {
  t.same(templateFields('Hi {{name}}, {{ amount }} by {{name}}'), ['name', 'amount']);
  t.equal(render('Hi {{name}}, {{ amount }}', { name: 'Ann', amount: '¥1,000' }), 'Hi Ann, ¥1,000');
  t.equal(render('<b>{{x}}</b>', { x: 'a&b' }), '<b>a&b</b>', 'no HTML escaping');
  t.throws(
    () => render('Hi {{name}} {{due}}', { name: 'A', due: '' }),
    new TemplateError('template refers to field(s) without a value: due'),
  );
  t.same(
    (() => {
      try {
        render('Hi {{a}} {{b}}', {});
      } catch (e) {
        return (e as TemplateError).missing;
      }
    })(),
    ['a', 'b'],
  );
  t.match(checkTemplate('Hi {{name'), /unbalanced/);
  t.equal(checkTemplate('Hi {{name}}'), undefined);
  const v = contactValues({ id: 'c1', phone: '+81', name: 'N', attributes: { amount: '5', name: 'ignored' } });
  t.equal(v.amount, '5');
  t.equal(v['attributes.amount'], '5');
  t.equal(v.name, 'N', 'a contact field is not overridden by an attribute of the same name');
});

t.test('keywords', async (t) => {
  const cases: [string, string][] = [
    ['STOP', 'opt-out'],
    ['  stop  ', 'opt-out'],
    ['Stop.', 'opt-out'],
    ['STOPALL', 'opt-out'],
    ['unsubscribe', 'opt-out'],
    ['Cancel', 'opt-out'],
    ['end', 'opt-out'],
    ['QUIT', 'opt-out'],
    ['ＳＴＯＰ', 'opt-out'],
    ['START', 'opt-in'],
    ['yes', 'opt-in'],
    ['Unstop', 'opt-in'],
    ['HELP', 'help'],
    ['info', 'help'],
    ['stop sending me these', 'none'],
    ['I will be late', 'none'],
    ['', 'none'],
  ];
  for (const [text, action] of cases) t.equal(classify(text).action, action, JSON.stringify(text));
  t.same(classify('balance', [{ keyword: 'BALANCE', reply: 'Your balance is online' }]), {
    action: 'custom',
    keyword: 'BALANCE',
    reply: 'Your balance is online',
  });
  t.equal(classify('stop', [{ keyword: 'stop', reply: 'x' }]).action, 'opt-out', 'opt-out cannot be redefined');
  t.same(
    customKeywordProblems([
      { keyword: 'Stop', reply: 'x' },
      { keyword: 'A', reply: 'y' },
      { keyword: 'a', reply: 'z' },
      { keyword: 'B', reply: ' ' },
    ]),
    [
      'custom keyword "Stop" is reserved (opt-out, opt-in and help words cannot be redefined)',
      'custom keyword "a" is given twice',
      'custom keyword "B" has an empty reply',
    ],
  );
  t.equal(normalizeKeyword(' help!  '), 'HELP');
});

t.test('addresses', async (t) => {
  for (const ok of ['a@b.co', 'first.last+tag@sub.example.jp', "o'neil@example.com"]) t.ok(checkEmail(ok).ok, ok);
  for (const bad of ['', 'a@', '@b.co', 'a@@b.co', 'a..b@c.co', 'a@b', 'a b@c.co', `${'x'.repeat(65)}@b.co`, '.a@b.co'])
    t.notOk(checkEmail(bad).ok, bad);
  t.same(checkNumber('090-1234-5678', 'JP'), { ok: true, address: '+819012345678' });
  t.notOk(checkNumber('12ab', 'JP').ok);
});

t.test('compose', async (t) => {
  const base = { kind: 'sms' as const, template: 'Hi {{name}}', region: 'JP', maxBodyChars: 20 };
  t.same(compose(base, '090-1234-5678', { name: 'Ann' }), {
    ok: true,
    to: '+819012345678',
    body: 'Hi Ann',
    subject: undefined,
    warning: undefined,
  });
  t.match(compose(base, '090-1234-5678', {}), { ok: false, field: 'template' });
  t.match(compose(base, undefined, { name: 'A' }), { ok: false, field: 'to', reason: 'no phone number' });
  t.match(compose(base, '090-1234-5678', { name: 'x'.repeat(20) }), { ok: false, field: 'body', reason: /23 characters; at most 20/ });
  t.match(compose({ ...base, messageField: 'msg' }, '090-1234-5678', { msg: 'own text' }), { ok: true, body: 'own text' });
  t.match(
    compose({ ...base, kind: 'email', subject: 'S\r\nBcc: x@y.z', template: 'x' }, 'a@b.co', {}),
    { ok: false, field: 'subject' },
    'no header injection through the subject',
  );
});

t.test('campaign validation', async (t) => {
  const c = { ...messageCampaignDefaults(), name: 'n', kind: 'email' as const, listId: 'l' };
  t.same(validateMessageCampaign(c), [
    'give a template or a messageField (a per-contact message column)',
    'an e-mail campaign needs a subject',
  ]);
  t.match(validateMessageCampaign({ ...c, template: 'x', subject: 's', window: { timeZone: 'Mars/Base', days: {} } }), [/window.timeZone/]);
  t.same(validateMessageCampaign({ ...c, kind: 'sms', template: 'Hi' }), []);
});
