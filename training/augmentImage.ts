import { createHash } from 'node:crypto';

/** The eight symmetries of the square (identity, rotations, flips): a lesion's diagnosis does not depend on them. */
export const DIHEDRAL = 8;

/**
 * One of the eight symmetries applied to a square side x side RGB image (row-major, channels last). Bit 0 flips
 * left-right, bit 1 flips top-bottom, bit 2 swaps rows and columns; together they give every rotation and reflection.
 */
export function dihedral(px: Float32Array, side: number, op: number): Float32Array {
  if (op === 0) return px;
  if (px.length !== side * side * 3) throw new Error(`dihedral: expected ${side * side * 3} values, got ${px.length}`);
  const out = new Float32Array(px.length);
  const last = side - 1;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let sy = op & 2 ? last - y : y;
      let sx = op & 1 ? last - x : x;
      if (op & 4) [sy, sx] = [sx, sy];
      const d = (y * side + x) * 3;
      const s = (sy * side + sx) * 3;
      out[d] = px[s]!;
      out[d + 1] = px[s + 1]!;
      out[d + 2] = px[s + 2]!;
    }
  }
  return out;
}

/**
 * Which symmetry an example gets: a pure function of the seed, the epoch and its place in the epoch's order, so a
 * resumed shard sees exactly the images an uninterrupted one would (the checkpoint digests stay equal).
 */
export function augmentationOp(seed: string, epoch: number, position: number): number {
  return createHash('sha256').update(`augment\u0000${seed}\u0000${epoch}\u0000${position}`).digest()[0]! % DIHEDRAL;
}
