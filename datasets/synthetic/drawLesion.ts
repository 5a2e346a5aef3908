import type { LesionFeatures } from './lesionClasses.ts';
import type { Rng } from './Rng.ts';

export type Rgb = readonly [number, number, number];

/** Background skin colours for Fitzpatrick types I-VI. */
export const skinTones: Record<number, Rgb> = {
  1: [246, 224, 208],
  2: [234, 198, 172],
  3: [212, 168, 134],
  4: [178, 128, 94],
  5: [128, 88, 62],
  6: [86, 58, 42],
};

/** A raw RGB image being drawn on. */
class Canvas {
  readonly px: Float32Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = new Float32Array(w * h * 3);
  }

  blend(x: number, y: number, c: Rgb, a: number): void {
    if (x < 0 || y < 0 || x >= this.w || y >= this.h || a <= 0) return;
    const i = (y * this.w + x) * 3;
    const k = Math.min(1, a);
    this.px[i] = this.px[i]! * (1 - k) + c[0] * k;
    this.px[i + 1] = this.px[i + 1]! * (1 - k) + c[1] * k;
    this.px[i + 2] = this.px[i + 2]! * (1 - k) + c[2] * k;
  }

  disk(cx: number, cy: number, r: number, c: Rgb, a: number): void {
    for (let y = Math.floor(cy - r - 1); y <= cy + r + 1; y++) {
      for (let x = Math.floor(cx - r - 1); x <= cx + r + 1; x++) {
        const d = Math.hypot(x - cx, y - cy);
        this.blend(x, y, c, a * Math.min(1, Math.max(0, r + 0.5 - d)));
      }
    }
  }

  line(x0: number, y0: number, x1: number, y1: number, width: number, c: Rgb, a: number): void {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let i = 0; i <= n; i++) this.disk(x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, width / 2, c, a);
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.px.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(this.px[i]!)));
    return out;
  }
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** Pigment palettes, lightest first; a lesion with n colours uses the first n. */
const pigment: Rgb[] = [[168, 116, 76], [104, 64, 40], [42, 28, 24], [96, 104, 132]];

/**
 * Renders a dermoscopy-like (or, for `clinic`, a farther and softer) image of a lesion whose pixels show exactly the
 * given features: outline irregularity and asymmetry, colours, pigment network, dots, streaks, veil, regression,
 * vessels, milia-like cysts, scale, lacunae, a central white patch, a pearly surface, on the given skin tone.
 */
export function drawLesion(f: LesionFeatures, skin: Rgb, rng: Rng, w: number, h: number, view: 'derm' | 'clinic'): Uint8Array {
  const cv = new Canvas(w, h);
  const minSide = Math.min(w, h);
  // Skin with a faint texture.
  const tx = rng.range(0, 6.28);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const t = 4 * Math.sin(x * 0.21 + tx) * Math.sin(y * 0.17 - tx) + rng.range(-5, 5);
      cv.px[i] = skin[0] + t;
      cv.px[i + 1] = skin[1] + t;
      cv.px[i + 2] = skin[2] + t;
    }
  }

  const scale = view === 'clinic' ? 0.45 : 1;
  const R = f.size * minSide * scale;
  const cx = w / 2 + rng.range(-0.06, 0.06) * w * scale;
  const cy = h / 2 + rng.range(-0.06, 0.06) * h * scale;
  const rot = rng.range(0, Math.PI);
  const sx = 1 + f.asymmetry;
  const sy = 1 - f.asymmetry * 0.5;
  const harmonics = [2, 3, 4, 5, 7].map((k) => ({ k, amp: (f.borderIrregularity * rng.range(0.4, 1.2)) / Math.sqrt(k - 1), ph: rng.range(0, 6.28) }));
  const off = { x: rng.range(-1, 1) * f.asymmetry * 2, y: rng.range(-1, 1) * f.asymmetry * 2 };
  const field = [0, 1, 2].map(() => ({ fx: rng.range(1.5, 4), fy: rng.range(1.5, 4), ph: rng.range(0, 6.28) }));
  const netPeriod = rng.range(5, 7) * (view === 'clinic' ? 0.6 : 1);
  const netAngle = rng.range(0, Math.PI);
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const base = (() => {
    switch (f.dx) {
      case 'bcc':
        return mix(skin, [226, 176, 178], 0.55);
      case 'vasc':
        return mix(skin, [176, 52, 70], 0.7);
      case 'akiec':
        return mix(skin, [214, 112, 108], 0.6);
      case 'df':
        return mix(skin, [170, 118, 90], 0.55);
      case 'bkl':
        return mix(skin, pigment[0]!, 0.75);
      default:
        return mix(skin, pigment[0]!, 0.85);
    }
  })();
  const palette = f.dx === 'nv' || f.dx === 'dn' || f.dx === 'mel' || f.dx === 'bkl' ? pigment.slice(0, Math.max(1, f.colours)) : [base];

  // t: 0 at the centre, 1 on the (irregular) border. Kept per pixel for the overlays below.
  const tmap = new Float32Array(w * h).fill(9);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * cos + dy * sin) / (R * sx);
      const v = (-dx * sin + dy * cos) / (R * sy);
      const rho = Math.hypot(u, v);
      if (rho > 1.6) continue;
      const phi = Math.atan2(v, u);
      let rb = 1;
      for (const hm of harmonics) rb += hm.amp * Math.sin(hm.k * phi + hm.ph);
      const t = rho / rb;
      tmap[y * w + x] = t;
      const edge = Math.min(1, Math.max(0, (1 - t) / 0.07));
      if (edge <= 0) continue;
      let c: Rgb = base;
      if (palette.length > 1) {
        let s = 0;
        for (const q of field) s += Math.sin((u + off.x) * q.fx + q.ph) * Math.sin((v + off.y) * q.fy - q.ph);
        const idx = Math.min(palette.length - 1, Math.max(0, Math.floor(((s / 3 + 1) / 2) * palette.length * 1.2 - 0.1)));
        c = mix(palette[idx]!, skin, 0.1);
      } else if (f.dx === 'nv' || f.dx === 'dn' || f.dx === 'bkl') {
        c = mix(palette[0]!, pigment[1]!, Math.max(0, 0.5 - t * 0.5)); // darker centre
      }
      cv.blend(x, y, c, edge * 0.92);
    }
  }
  const inside = (x: number, y: number, lo = 0, hi = 1) => {
    const t = tmap[Math.round(y) * w + Math.round(x)] ?? 9;
    return t >= lo && t < hi;
  };
  const pointAt = (tLo: number, tHi: number, angleLo = 0, angleHi = 2 * Math.PI): [number, number] => {
    for (let k = 0; k < 50; k++) {
      const a = rng.range(angleLo, angleHi);
      const r = rng.range(tLo, tHi) * R;
      const x = cx + Math.cos(a) * r * sx;
      const y = cy + Math.sin(a) * r * sy;
      if (x >= 0 && y >= 0 && x < w && y < h && inside(x, y, tLo * 0.8, tHi)) return [x, y];
    }
    return [cx, cy];
  };
  const sp = f.sevenPoint;
  const dark = pigment[1]!;

  if (sp.pigment_network !== 'absent') {
    const atypical = sp.pigment_network === 'atypical';
    const ca = Math.cos(netAngle);
    const sa = Math.sin(netAngle);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const t = tmap[y * w + x]!;
        const ring = f.centralWhitePatch ? t > 0.5 && t < 1 : t > 0.25 && t < 0.97;
        if (!ring) continue;
        const a = x * ca + y * sa;
        const b = -x * sa + y * ca;
        const p = atypical ? netPeriod * (1 + 0.5 * Math.sin(a * 0.07) * Math.cos(b * 0.05)) : netPeriod;
        const line = Math.min(Math.abs(Math.sin((Math.PI * a) / p)), Math.abs(Math.sin((Math.PI * b) / p)));
        const thick = atypical ? 0.18 + 0.22 * Math.abs(Math.sin(a * 0.05 + b * 0.03)) : 0.2;
        const broken = atypical && Math.sin(a * 0.11) * Math.sin(b * 0.13) > 0.45;
        if (line < thick && !broken) cv.blend(x, y, atypical ? pigment[2]! : dark, atypical ? 0.55 : 0.4);
      }
    }
  }
  if (f.centralWhitePatch) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x, y, 0, 0.45)) cv.blend(x, y, [238, 230, 222], 0.8 * Math.min(1, (0.45 - tmap[y * w + x]!) / 0.1));
  }
  if (f.pearly) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x, y, 0, 0.9)) cv.blend(x, y, [240, 214, 214], 0.18);
    for (let k = 0; k < rng.int(2, 5) && sp.dots_and_globules !== 'absent'; k++) {
      const [x, y] = pointAt(0.1, 0.8);
      cv.disk(x, y, rng.range(2, 4) * scale + 1, [84, 92, 124], 0.75); // blue-grey ovoid nests
    }
  } else if (sp.dots_and_globules === 'regular') {
    const n = rng.int(8, 14);
    for (let k = 0; k < n; k++) {
      const [x, y] = pointAt(0.2, 0.65, (2 * Math.PI * k) / n, (2 * Math.PI * (k + 1)) / n);
      cv.disk(x, y, 1.8 * Math.max(scale, 0.6), dark, 0.85);
    }
  } else if (sp.dots_and_globules === 'irregular') {
    const a0 = rng.range(0, 6.28);
    for (let k = 0; k < rng.int(12, 24); k++) {
      const [x, y] = pointAt(0.45, 1.0, a0, a0 + rng.range(2, 4));
      cv.disk(x, y, rng.range(0.8, 3.2) * Math.max(scale, 0.6), rng.chance(0.6) ? pigment[2]! : dark, 0.9);
    }
  }
  if (sp.streaks !== 'absent') {
    const regular = sp.streaks === 'regular';
    const a0 = rng.range(0, 6.28);
    const n = regular ? rng.int(14, 20) : rng.int(6, 11);
    for (let k = 0; k < n; k++) {
      const a = regular ? (2 * Math.PI * k) / n : a0 + rng.range(0, 2.2);
      const r0 = R * 0.85;
      const r1 = R * (regular ? 1.12 : rng.range(1.1, 1.35));
      cv.line(cx + Math.cos(a) * r0 * sx, cy + Math.sin(a) * r0 * sy, cx + Math.cos(a) * r1 * sx, cy + Math.sin(a) * r1 * sy, 1.6 * Math.max(scale, 0.6), dark, 0.8);
    }
  }
  if (sp.blue_whitish_veil === 'present') {
    const vx = cx + rng.range(-0.3, 0.3) * R;
    const vy = cy + rng.range(-0.3, 0.3) * R;
    const vr = R * rng.range(0.35, 0.55);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x, y, 0, 0.95) && Math.hypot(x - vx, y - vy) < vr) cv.blend(x, y, [136, 158, 190], 0.6);
  }
  if (sp.regression_structures !== 'absent') {
    const white = sp.regression_structures === 'white areas';
    const a0 = rng.range(0, 6.28);
    for (let k = 0; k < (white ? 6 : 40); k++) {
      const [x, y] = pointAt(0.2, 0.85, a0, a0 + 1.4);
      if (white) cv.disk(x, y, rng.range(2, 4), [236, 232, 228], 0.7);
      else cv.disk(x, y, 0.9, [110, 120, 150], 0.9); // peppering
    }
  }
  if (sp.vascular_structures === 'arborizing') {
    for (let tree = 0; tree < rng.int(2, 4); tree++) {
      const grow = (x: number, y: number, a: number, len: number, width: number, depth: number): void => {
        if (depth > 4 || len < 2) return;
        const x1 = x + Math.cos(a) * len;
        const y1 = y + Math.sin(a) * len;
        cv.line(x, y, x1, y1, width, [172, 24, 40], 0.9);
        grow(x1, y1, a + rng.range(0.3, 0.7), len * 0.7, width * 0.7, depth + 1);
        grow(x1, y1, a - rng.range(0.3, 0.7), len * 0.7, width * 0.7, depth + 1);
      };
      const [x, y] = pointAt(0, 0.4);
      grow(x, y, rng.range(0, 6.28), R * 0.35, 2.2 * Math.max(scale, 0.5), 0);
    }
  } else if (sp.vascular_structures === 'dotted') {
    for (let k = 0; k < rng.int(40, 80); k++) {
      const [x, y] = pointAt(0, 0.95);
      cv.disk(x, y, 0.9, [178, 30, 44], 0.9);
    }
  }
  if (f.milia) {
    for (let k = 0; k < rng.int(4, 9); k++) {
      const [x, y] = pointAt(0.05, 0.85);
      cv.disk(x, y, rng.range(1.4, 2.6) * Math.max(scale, 0.6), [244, 240, 226], 0.9);
    }
  }
  if (f.lacunae) {
    for (let k = 0; k < rng.int(12, 22); k++) {
      const [x, y] = pointAt(0, 0.85);
      cv.disk(x, y, rng.range(2.5, 5) * Math.max(scale, 0.5), rng.chance(0.6) ? [150, 18, 48] : [104, 32, 86], 0.85);
    }
  }
  if (f.scale) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x, y, 0, 0.95) && rng.chance(0.14)) cv.blend(x, y, [246, 244, 238], 0.6);
  }
  // Hairs cross some images, as in real dermoscopy.
  if (view === 'derm' && rng.chance(0.3)) {
    for (let k = 0; k < rng.int(1, 3); k++) {
      let x = rng.range(0, w);
      let y = rng.range(0, h);
      let a = rng.range(0, 6.28);
      for (let s = 0; s < 40; s++) {
        const x1 = x + Math.cos(a) * 4;
        const y1 = y + Math.sin(a) * 4;
        cv.line(x, y, x1, y1, 1, [40, 30, 26], 0.7);
        x = x1;
        y = y1;
        a += rng.range(-0.15, 0.15);
      }
    }
  }
  return cv.toBytes();
}
