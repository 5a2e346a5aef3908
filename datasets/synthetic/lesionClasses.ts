import type { Rng } from './Rng.ts';

/** Derm7pt's seven-point criteria with the values the synthetic images can show. */
export interface SevenPoint {
  pigment_network: 'absent' | 'typical' | 'atypical';
  streaks: 'absent' | 'regular' | 'irregular';
  pigmentation: 'absent' | 'diffuse regular' | 'diffuse irregular';
  regression_structures: 'absent' | 'blue areas' | 'white areas';
  dots_and_globules: 'absent' | 'regular' | 'irregular';
  blue_whitish_veil: 'absent' | 'present';
  vascular_structures: 'absent' | 'arborizing' | 'dotted';
}

/** Everything the renderer draws for one lesion; the metadata states exactly these features. */
export interface LesionFeatures {
  dx: SyntheticDx;
  sevenPoint: SevenPoint;
  /** 0 = round, ~0.3 = very irregular outline. */
  borderIrregularity: number;
  /** 0 = symmetric; shifts the pigment off-centre and stretches the outline. */
  asymmetry: number;
  /** Number of distinct pigment colours. */
  colours: number;
  milia: boolean;
  scale: boolean;
  lacunae: boolean;
  centralWhitePatch: boolean;
  pearly: boolean;
  /** Radius as a fraction of the image's shorter side. */
  size: number;
}

export type SyntheticDx = 'nv' | 'dn' | 'mel' | 'bkl' | 'bcc' | 'df' | 'vasc' | 'akiec';

/**
 * Each class's Derm7pt label (null: not drawn in Derm7pt style) and its share. Derm7pt has no plain "nevus": its nevi
 * are Clark (dysplastic) nevi, drawn as their own class with an atypical look, so that the finer label is something an
 * image can show; its melanomas use Derm7pt's plain "melanoma", the node HAM10000's mel maps to.
 */
export const syntheticClasses: Record<SyntheticDx, { derm7pt: string | null; weight: number }> = {
  nv: { derm7pt: null, weight: 0.3 },
  dn: { derm7pt: 'clark nevus', weight: 0.3 },
  mel: { derm7pt: 'melanoma', weight: 0.2 },
  bkl: { derm7pt: 'seborrheic keratosis', weight: 0.12 },
  bcc: { derm7pt: 'basal cell carcinoma', weight: 0.12 },
  df: { derm7pt: 'dermatofibroma', weight: 0.08 },
  vasc: { derm7pt: 'vascular lesion', weight: 0.08 },
  akiec: { derm7pt: null, weight: 0.1 },
};

const none: SevenPoint = {
  pigment_network: 'absent',
  streaks: 'absent',
  pigmentation: 'absent',
  regression_structures: 'absent',
  dots_and_globules: 'absent',
  blue_whitish_veil: 'absent',
  vascular_structures: 'absent',
};

/**
 * Draws a lesion's features from its diagnosis. Each class has its textbook signature most of the time, with
 * overlap (a nevus with a few irregular dots, a melanoma without a veil), so the classes are separable, not trivial.
 */
export function sampleFeatures(dx: SyntheticDx, rng: Rng): LesionFeatures {
  const f: LesionFeatures = {
    dx,
    sevenPoint: { ...none },
    borderIrregularity: 0.04,
    asymmetry: 0.05,
    colours: 1,
    milia: false,
    scale: false,
    lacunae: false,
    centralWhitePatch: false,
    pearly: false,
    size: rng.range(0.22, 0.32),
  };
  const sp = f.sevenPoint;
  switch (dx) {
    case 'nv':
      sp.pigment_network = rng.chance(0.85) ? 'typical' : 'absent';
      sp.dots_and_globules = rng.chance(0.5) ? 'regular' : rng.chance(0.15) ? 'irregular' : 'absent';
      sp.pigmentation = 'diffuse regular';
      sp.streaks = rng.chance(0.1) ? 'regular' : 'absent';
      f.borderIrregularity = rng.range(0.01, 0.06);
      f.asymmetry = rng.range(0, 0.08);
      f.colours = rng.chance(0.8) ? 1 : 2;
      break;
    case 'dn':
      // Dysplastic: bigger, two or three colours, a patchy network, mildly irregular; no veil or streaks.
      sp.pigment_network = rng.chance(0.6) ? 'atypical' : 'typical';
      sp.dots_and_globules = rng.chance(0.5) ? 'irregular' : 'regular';
      sp.pigmentation = rng.chance(0.4) ? 'diffuse irregular' : 'diffuse regular';
      f.borderIrregularity = rng.range(0.07, 0.13);
      f.asymmetry = rng.range(0.08, 0.16);
      f.colours = rng.chance(0.7) ? 2 : 3;
      f.size = rng.range(0.32, 0.4);
      break;
    case 'mel':
      sp.pigment_network = rng.chance(0.8) ? 'atypical' : 'absent';
      sp.streaks = rng.chance(0.6) ? 'irregular' : 'absent';
      sp.dots_and_globules = rng.chance(0.7) ? 'irregular' : 'absent';
      sp.blue_whitish_veil = rng.chance(0.6) ? 'present' : 'absent';
      sp.regression_structures = rng.chance(0.35) ? rng.pick(['blue areas', 'white areas'] as const) : 'absent';
      sp.pigmentation = 'diffuse irregular';
      sp.vascular_structures = rng.chance(0.1) ? 'dotted' : 'absent';
      f.borderIrregularity = rng.range(0.12, 0.3);
      f.asymmetry = rng.range(0.15, 0.35);
      f.colours = rng.int(3, 4);
      f.size = rng.range(0.28, 0.4);
      break;
    case 'bkl':
      f.milia = true;
      f.scale = rng.chance(0.4);
      sp.pigmentation = 'diffuse regular';
      sp.dots_and_globules = rng.chance(0.2) ? 'regular' : 'absent';
      f.borderIrregularity = rng.range(0.05, 0.12);
      f.asymmetry = rng.range(0.05, 0.15);
      f.colours = rng.chance(0.6) ? 1 : 2;
      break;
    case 'bcc':
      sp.vascular_structures = 'arborizing';
      sp.dots_and_globules = rng.chance(0.6) ? 'irregular' : 'absent';
      f.pearly = true;
      f.borderIrregularity = rng.range(0.05, 0.15);
      f.asymmetry = rng.range(0.05, 0.2);
      break;
    case 'df':
      f.centralWhitePatch = true;
      sp.pigment_network = 'typical';
      sp.pigmentation = 'diffuse regular';
      f.borderIrregularity = rng.range(0.02, 0.07);
      f.size = rng.range(0.18, 0.26);
      break;
    case 'vasc':
      f.lacunae = true;
      f.borderIrregularity = rng.range(0.02, 0.08);
      f.size = rng.range(0.16, 0.26);
      break;
    case 'akiec':
      f.scale = true;
      sp.vascular_structures = 'dotted';
      f.borderIrregularity = rng.range(0.08, 0.18);
      f.asymmetry = rng.range(0.05, 0.2);
      f.size = rng.range(0.26, 0.36);
      break;
  }
  return f;
}

/** Derm7pt's scoring: major criteria 2 points, minor criteria 1. */
export function sevenPointScore(sp: SevenPoint): number {
  let s = 0;
  if (sp.pigment_network === 'atypical') s += 2;
  if (sp.blue_whitish_veil === 'present') s += 2;
  if (sp.vascular_structures === 'dotted') s += 2;
  if (sp.pigmentation === 'diffuse irregular') s += 1;
  if (sp.streaks === 'irregular') s += 1;
  if (sp.dots_and_globules === 'irregular') s += 1;
  if (sp.regression_structures !== 'absent') s += 1;
  return s;
}

/** The features as concept names (what grounded trajectories may say is visible). */
export function conceptList(f: LesionFeatures): string[] {
  const out = Object.entries(f.sevenPoint)
    .filter(([, v]) => v !== 'absent')
    .map(([k, v]) => `${k}:${v}`);
  if (f.borderIrregularity > 0.1) out.push('irregular_border');
  if (f.asymmetry > 0.12) out.push('asymmetry');
  if (f.colours >= 3) out.push('multiple_colours');
  if (f.milia) out.push('milia_like_cysts');
  if (f.scale) out.push('scale');
  if (f.lacunae) out.push('red_lacunae');
  if (f.centralWhitePatch) out.push('central_white_patch');
  if (f.pearly) out.push('pearly_translucent');
  return out;
}
