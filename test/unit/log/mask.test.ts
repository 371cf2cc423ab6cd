import t from 'tap';
import { maskDigits, serializeRequest } from '../../../lib/log';

t.test('phone numbers are masked in URLs too: formatted, percent-encoded, full-width', async (t) => {
  t.equal(maskDigits('GET /dnc/entries/09012345678'), 'GET /dnc/entries/***678');
  t.equal(maskDigits('/dnc/entries/090-1234-5678'), '/dnc/entries/***678');
  t.equal(maskDigits('/dnc/entries/%2B81%2090%201234%205678'), '/dnc/entries/***678');
  t.equal(maskDigits('/dnc/entries/+81 (3) 1234-5678'), '/dnc/entries/***678');
  t.equal(
    maskDigits('/dnc/entries/%EF%BC%90%EF%BC%99%EF%BC%90%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98'),
    '/dnc/entries/***６７８',
  );
  t.equal(maskDigits('sip:0312345678@127.0.0.1:5060'), 'sip:***678@127.0.0.1:5060');
  t.equal(
    serializeRequest({ method: 'GET', url: '/dnc/entries/03-1234-5678?phone=1' }).url,
    '/dnc/entries/03-1234-5678?[redacted]',
    'the serializer drops the query; masking is the destination’s job',
  );
});

t.test('what is not a phone number stays', async (t) => {
  for (const s of ['2026-12-04T16:08:06.123Z', '127.0.0.1:5060', 'rows 12 of 300', 'took 1234 ms', 'v1.13.16']) t.equal(maskDigits(s), s);
});
