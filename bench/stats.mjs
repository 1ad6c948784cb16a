// Statistics shared by the benchmark's scripts.

/**
 * The middle value of `xs` (the mean of the two middle ones for an even count).
 * @param {readonly number[]} xs
 */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The nearest-rank percentile `p` (0 < p <= 1) of `xs`; 0 for no values.
 * @param {readonly number[]} xs
 * @param {number} p
 */
export function percentile(xs, p) {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}

/**
 * A number rounded to 4 significant digits (whole numbers above that): the compact figures' precision.
 * @param {number | null | undefined} x
 * @returns {number | null}
 */
export const sig = (x) =>
  x === undefined || x === null || !Number.isFinite(x) ? null : Math.abs(x) >= 1e4 ? Math.round(x) : Number(x.toPrecision(4));
