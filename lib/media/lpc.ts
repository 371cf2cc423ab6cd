/**
 * Linear prediction (the autocorrelation method): a frame's all-pole spectral envelope, E / |A(e^jω)|², the smooth
 * curve under its partials (Makhoul, "Linear prediction: a tutorial review", Proc. IEEE 63(4), 1975, §3.1 and §6).
 * spectral-lines.ts takes a partial as a peak that stands over this envelope (amd.musicLinesPeakTest "lpc"): a low
 * order fits the formants or a codec's coloured noise floor, not the partials themselves, so a partial keeps its
 * contrast where a neighbourhood mean of the power (which a chord's other partials and GSM's coding noise fill) loses it.
 */

/** Autocorrelation of `x` at lags 0…order into `r` (the windowed frame: the autocorrelation method). */
export function autocorrelation(x: Float64Array, order: number, r: Float64Array): Float64Array {
  const n = x.length;
  for (let l = 0; l <= order; l++) {
    let acc = 0;
    for (let i = l; i < n; i++) acc += x[i]! * x[i - l]!;
    r[l] = acc;
  }
  return r;
}

/**
 * Levinson–Durbin: the predictor A(z) = 1 + a1 z⁻¹ + … + a_p z⁻ᵖ whose all-pole model E / |A|² has the autocorrelation
 * `r` at lags 0…order, into `a` (a[0] = 1); returns the prediction error E (in r's units). `tmp` is scratch of order + 1.
 * A zero r[0] (digital silence) gives A = 1 and E = 0. The recursion stops at a reflection coefficient of magnitude 1
 * (a perfectly predictable frame), keeping the order reached.
 */
export function levinson(r: ArrayLike<number>, order: number, a: Float64Array, tmp: Float64Array): number {
  a.fill(0);
  a[0] = 1;
  let e = r[0]!;
  for (let i = 1; i <= order && e > 0; i++) {
    let acc = r[i]!;
    for (let j = 1; j < i; j++) acc += a[j]! * r[i - j]!;
    const k = -acc / e;
    if (!(Math.abs(k) < 1)) break;
    tmp.set(a);
    for (let j = 1; j < i; j++) a[j] = tmp[j]! + k * tmp[i - j]!;
    a[i] = k;
    e *= 1 - k * k;
  }
  return e;
}

/** |A(e^jω)|² at ω = 2πk/n, from tables of cos and sin of 2πm/n (m < n). */
export function predictorPowerAt(a: Float64Array, order: number, k: number, cos: Float64Array, sin: Float64Array): number {
  const n = cos.length;
  let re = 0;
  let im = 0;
  for (let j = 0, m = 0; j <= order; j++, m = (m + k) % n) {
    re += a[j]! * cos[m]!;
    im -= a[j]! * sin[m]!;
  }
  return re * re + im * im;
}
