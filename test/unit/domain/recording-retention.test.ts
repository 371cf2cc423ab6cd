import t from 'tap';
import { pastRetention } from '../../../lib/domain/recording-retention';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 5, 0, 0, 0);

t.test('a recording is past retention once it started more than retentionDays ago', async (t) => {
  t.equal(pastRetention(NOW - 30 * DAY, NOW, 30), false, 'exactly 30 days: still kept');
  t.equal(pastRetention(NOW - 30 * DAY - 1, NOW, 30), true, '1 ms more: past retention');
  t.equal(pastRetention(NOW - DAY, NOW, 30), false, 'a day old: kept');
  t.equal(pastRetention(NOW - 10_000 * DAY, NOW, 0), false, '0 keeps recordings for ever');
});
