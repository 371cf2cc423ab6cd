/** One region: tone plans follow phone regions (config default, the number's own country). */
import t from 'tap';
import { validateConfig } from '../../../lib/config';
import { toneRegionForCountry, toneRegionForNumber } from '../../../lib/media/region';
import { mediaAnalyzerFactory } from '../../../lib/telephony/analysis';

t.test('media.defaultRegion follows phone.defaultRegion unless set', async (t) => {
  t.equal(validateConfig({}).media.defaultRegion, 'JP', 'phone JP (the default) → JP tones');
  t.equal(validateConfig({ phone: { defaultRegion: 'US' } }).media.defaultRegion, 'NA');
  t.equal(validateConfig({ phone: { defaultRegion: 'GB' } }).media.defaultRegion, 'UK');
  t.equal(validateConfig({ phone: { defaultRegion: 'FR' } }).media.defaultRegion, 'NA', 'no FR plan shipped: NA');
  t.equal(
    validateConfig({ phone: { defaultRegion: 'US' }, media: { defaultRegion: 'DE' } }).media.defaultRegion,
    'DE',
    'an explicit plan wins',
  );
  t.throws(() => validateConfig({ media: { defaultRegion: 'XX' } }), /media\.defaultRegion.*XX/, 'an unknown plan names the key');
});

t.test("a number picks its own country's tone plan", async (t) => {
  t.equal(toneRegionForCountry('CA'), 'NA');
  t.equal(toneRegionForNumber('0312345678', 'JP'), 'JP');
  t.equal(toneRegionForNumber('+12125550123', 'JP'), 'NA', 'international +1 → NA');
  t.equal(toneRegionForNumber('+442079460000', 'JP'), 'UK');
  t.equal(toneRegionForNumber('+81312345678', 'US'), 'JP');
  t.equal(toneRegionForNumber('not a number', 'DE'), 'DE');
});

t.test('a call asking for a region with no tone plan falls back to the default instead of failing', async (t) => {
  const make = mediaAnalyzerFactory(validateConfig({}).media);
  t.doesNotThrow(() => make({ early: true, answered: false, region: 'FR' }));
  t.doesNotThrow(() => make({ early: true, answered: false, region: 'JP' }));
});
