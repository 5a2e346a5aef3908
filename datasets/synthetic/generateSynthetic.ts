import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { derm7ptCriteria } from '../derm7pt/adapter.ts';
import { conceptList, sampleFeatures, sevenPointScore, syntheticClasses, type LesionFeatures, type SyntheticDx } from './lesionClasses.ts';
import { drawLesion, skinTones } from './drawLesion.ts';
import { Rng } from './Rng.ts';

export type SyntheticFormat = 'ham10000' | 'derm7pt';

export interface SyntheticOptions {
  format: SyntheticFormat;
  /** Number of images (HAM10000 style) or cases (Derm7pt style, two images each). */
  n: number;
  out: string;
  seed: string;
  width?: number;
  height?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticResult {
  format: SyntheticFormat;
  out: string;
  metadata: string;
  images: number;
  rows: number;
  /** Rows per diagnosis code. */
  classes: Record<string, number>;
}

const hamSites = ['back', 'lower extremity', 'trunk', 'upper extremity', 'abdomen', 'face', 'chest', 'foot', 'neck', 'scalp', 'hand'];
const derm7ptSites = ['back', 'lower limbs', 'abdomen', 'upper limbs', 'chest', 'head neck', 'acral', 'buttocks'];
const csvCell = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const csvRow = (cells: Array<string | number>) => cells.map(csvCell).join(',');

function pickDx(rng: Rng, allowed: SyntheticDx[]): SyntheticDx {
  const total = allowed.reduce((s, d) => s + syntheticClasses[d].weight, 0);
  let u = rng.next() * total;
  for (const d of allowed) {
    u -= syntheticClasses[d].weight;
    if (u <= 0) return d;
  }
  return allowed[allowed.length - 1]!;
}

async function writeJpeg(file: string, raw: Uint8Array, w: number, h: number, blur: boolean): Promise<void> {
  let img = sharp(Buffer.from(raw), { raw: { width: w, height: h, channels: 3 } });
  if (blur) img = img.blur(1.2);
  await writeFile(file, await img.jpeg({ quality: 90 }).toBuffer());
}

/**
 * Writes a synthetic dataset in a real format: a HAM10000-style folder (HAM10000_metadata.csv, images split over
 * HAM10000_images_part_1/_2, several images per lesion) or a Derm7pt-style folder (meta/meta.csv with the seven-point
 * criteria, split index files, a dermoscopic and a clinical image per case). The drawn pixels show the features the
 * metadata states; `synthetic_truth.csv` lists every image's diagnosis, Fitzpatrick type and concepts.
 */
export async function generateSynthetic(o: SyntheticOptions): Promise<SyntheticResult> {
  const w = o.width ?? 192;
  const h = o.height ?? 144;
  const rng = new Rng(`skinr1-synthetic:${o.format}:${o.seed}`);
  const truth: string[] = [csvRow(['image_file', 'dx', 'fitzpatrick', 'concepts'])];
  const classes: Record<string, number> = {};
  await mkdir(o.out, { recursive: true });

  if (o.format === 'ham10000') {
    const parts = ['HAM10000_images_part_1', 'HAM10000_images_part_2'];
    for (const p of parts) await mkdir(path.join(o.out, p), { recursive: true });
    const rows = [csvRow(['lesion_id', 'image_id', 'dx', 'dx_type', 'age', 'sex', 'localization'])];
    let image = 0;
    let lesion = 0;
    while (image < o.n) {
      lesion++;
      const lr = rng.fork(`lesion-${lesion}`);
      const dx = pickDx(lr, ['nv', 'mel', 'bkl', 'bcc', 'df', 'vasc', 'akiec']);
      const features = sampleFeatures(dx, lr);
      const fitz = lr.int(1, 6);
      const lesionId = `HAM_${String(9_000_000 + lesion).padStart(7, '0')}`;
      const age = lr.chance(0.03) ? '' : String(5 * lr.int(4, 17));
      const sex = lr.chance(0.02) ? 'unknown' : lr.pick(['male', 'female']);
      const site = lr.pick(hamSites);
      const dxType = dx === 'nv' ? lr.pick(['follow_up', 'histo', 'consensus']) : 'histo';
      // 1-3 images of the same lesion, drawn from the same features with a different view jitter.
      for (let k = 0; k < lr.int(1, 3) && image < o.n; k++, image++) {
        const imageId = `ISIC_${String(9_000_000 + image).padStart(7, '0')}`;
        const part = parts[image % 2]!;
        await writeJpeg(path.join(o.out, part, `${imageId}.jpg`), drawLesion(features, skinTones[fitz]!, lr.fork(`view-${k}`), w, h, 'derm'), w, h, false);
        rows.push(csvRow([lesionId, imageId, dx, dxType, age, sex, site]));
        truth.push(csvRow([`${part}/${imageId}.jpg`, dx, fitz, conceptList(features).join(';')]));
        classes[dx] = (classes[dx] ?? 0) + 1;
        o.onProgress?.(image + 1, o.n);
      }
    }
    // CRLF line endings, as the real HAM10000_metadata.csv has.
    const metadata = path.join(o.out, 'HAM10000_metadata.csv');
    await writeFile(metadata, rows.join('\r\n') + '\r\n');
    await writeFile(path.join(o.out, 'synthetic_truth.csv'), truth.join('\n') + '\n');
    return { format: o.format, out: o.out, metadata, images: image, rows: rows.length - 1, classes };
  }

  // Derm7pt style.
  const meta = path.join(o.out, 'meta');
  await mkdir(meta, { recursive: true });
  const header = ['case_num', 'diagnosis', 'seven_point_score', ...derm7ptCriteria, 'level_of_diagnostic_difficulty', 'elevation', 'location', 'sex', 'management', 'clinic', 'derm', 'case_id', 'notes'];
  const rows = [csvRow(header)];
  const split: Record<'train' | 'valid' | 'test', number[]> = { train: [], valid: [], test: [] };
  for (let c = 1; c <= o.n; c++) {
    const cr = rng.fork(`case-${c}`);
    const dx = pickDx(cr, ['dn', 'mel', 'bkl', 'bcc', 'df', 'vasc']);
    const features: LesionFeatures = sampleFeatures(dx, cr);
    const fitz = cr.int(1, 4); // Derm7pt's atlas is mostly light skin
    const folder = `Syn${dx.toUpperCase()}`;
    await mkdir(path.join(o.out, 'images', folder), { recursive: true });
    // Mixed extension case, as in the real release.
    const clinic = `${folder}/${folder}${String(2 * c - 1).padStart(3, '0')}.${c % 7 === 0 ? 'JPG' : 'jpg'}`;
    const derm = `${folder}/${folder.toLowerCase()}${String(2 * c).padStart(3, '0')}.jpg`;
    await writeJpeg(path.join(o.out, 'images', derm), drawLesion(features, skinTones[fitz]!, cr.fork('derm'), w, h, 'derm'), w, h, false);
    await writeJpeg(path.join(o.out, 'images', clinic), drawLesion(features, skinTones[fitz]!, cr.fork('clinic'), w, h, 'clinic'), w, h, true);
    const sp = features.sevenPoint;
    rows.push(
      csvRow([
        c,
        syntheticClasses[dx].derm7pt!,
        sevenPointScore(sp),
        ...derm7ptCriteria.map((k) => sp[k as keyof typeof sp]),
        cr.pick(['low', 'medium', 'high']),
        cr.pick(['flat', 'palpable', 'nodular']),
        cr.pick(derm7ptSites),
        cr.pick(['female', 'male']),
        dx === 'dn' ? cr.pick(['clinical follow up', 'no further examination', 'excision']) : 'excision',
        clinic,
        derm,
        '',
        '',
      ]),
    );
    const concepts = conceptList(features).join(';');
    truth.push(csvRow([`images/${derm}`, dx, fitz, concepts]), csvRow([`images/${clinic}`, dx, fitz, concepts]));
    classes[dx] = (classes[dx] ?? 0) + 1;
    const u = cr.next();
    split[u < 0.4 ? 'train' : u < 0.6 ? 'valid' : 'test'].push(c - 1);
    o.onProgress?.(c, o.n);
  }
  const metadata = path.join(meta, 'meta.csv');
  await writeFile(metadata, rows.join('\n') + '\n');
  for (const [name, idx] of Object.entries(split)) await writeFile(path.join(meta, `${name}_indexes.csv`), ['indexes', ...idx].join('\n') + '\n');
  await writeFile(path.join(o.out, 'synthetic_truth.csv'), truth.join('\n') + '\n');
  return { format: o.format, out: o.out, metadata, images: 2 * o.n, rows: o.n, classes };
}
