/** Commander argument parser for counts and sizes: a clear error instead of NaN. */
export function positiveInt(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`expected a positive integer, got "${v}"`);
  return Number(v);
}
