import type { PairedDelta } from '../schemas/evaluation.ts';

const signed = (x: number) => `${x >= 0 ? '+' : '-'}${Math.abs(100 * x).toFixed(1)}`;

/** One paired change in words, the same in the run report and the terminal: "+5.3 points [+2.5, +8.1]; 53 gained, 21 lost; McNemar p 0.000". */
export function formatPairedDelta(d: PairedDelta): string {
  return `${signed(d.delta.value)} points [${signed(d.delta.low)}, ${signed(d.delta.high)}]; ${d.gained} gained, ${d.lost} lost; McNemar ${d.p < 0.001 ? 'p < 0.001' : `p ${d.p.toFixed(3)}`}`;
}
