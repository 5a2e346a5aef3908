import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { sha256Hex } from '../store/sha256.ts';
import { tempDir } from './helpers/tempDir.ts';

interface Truth {
  file: string;
  dx: string;
  concepts: string[];
}
const truthOf = (dir: string): Truth[] =>
  readFileSync(path.join(dir, 'synthetic_truth.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [file, dx, , concepts] = l.split(',');
      return { file: file!, dx: dx!, concepts: (concepts ?? '').split(';').filter(Boolean) };
    });

/** Fraction of pixels near a colour (the concepts are colours and shapes, so colour fractions show them). */
async function fractionNear(file: string, test: (r: number, g: number, b: number) => boolean): Promise<number> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) if (test(data[i]!, data[i + 1]!, data[i + 2]!)) n++;
  return n / (info.width * info.height);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('synthetic dataset generator', { timeout: 120_000 }, () => {
  it('writes a HAM10000-style folder: exact header, CRLF, images split over two part folders, several images per lesion', async () => {
    const dir = tempDir('syn1');
    const r = await generateSynthetic({ format: 'ham10000', n: 30, out: dir, seed: 's' });
    const text = readFileSync(r.metadata, 'latin1');
    assert.ok(text.startsWith('lesion_id,image_id,dx,dx_type,age,sex,localization\r\n'));
    const rows = text.trim().split('\r\n').slice(1).map((l) => l.split(','));
    assert.equal(rows.length, 30);
    assert.ok(new Set(rows.map((x) => x[0])).size < 30, 'some lesions have more than one image');
    assert.equal(readdirSync(path.join(dir, 'HAM10000_images_part_1')).length + readdirSync(path.join(dir, 'HAM10000_images_part_2')).length, 30);
    for (const row of rows) assert.ok(['nv', 'mel', 'bkl', 'bcc', 'df', 'vasc', 'akiec'].includes(row[2]!));
  });

  it('is deterministic: the same seed gives byte-identical metadata and images', async () => {
    const a = tempDir('syn-a');
    const b = tempDir('syn-b');
    await generateSynthetic({ format: 'derm7pt', n: 6, out: a, seed: 'same' });
    await generateSynthetic({ format: 'derm7pt', n: 6, out: b, seed: 'same' });
    const digest = (d: string) => truthOf(d).map((t) => sha256Hex(readFileSync(path.join(d, t.file))));
    assert.deepEqual(digest(a), digest(b));
    assert.equal(readFileSync(path.join(a, 'meta', 'meta.csv'), 'utf8'), readFileSync(path.join(b, 'meta', 'meta.csv'), 'utf8'));
    const c = tempDir('syn-c');
    await generateSynthetic({ format: 'derm7pt', n: 6, out: c, seed: 'other' });
    assert.notDeepEqual(digest(a), digest(c));
  });

  it('draws what the metadata says: veils are blue-white, lacunae red, milia white, melanomas darker and multi-coloured', async () => {
    const dir = tempDir('syn-px');
    await generateSynthetic({ format: 'ham10000', n: 160, out: dir, seed: 'pixels' });
    const truth = truthOf(dir);
    const blueWhite = (r: number, g: number, b: number) => b > r + 15 && b > 140 && g > 120;
    const red = (r: number, g: number, b: number) => r > 120 && r > g + 70 && r > b + 40;
    const black = (r: number, g: number, b: number) => r + g + b < 150;
    const f = (t: Truth, test: (r: number, g: number, b: number) => boolean) => fractionNear(path.join(dir, t.file), test);
    const withVeil = truth.filter((t) => t.concepts.includes('blue_whitish_veil:present'));
    const noVeil = truth.filter((t) => !t.concepts.includes('blue_whitish_veil:present') && !t.concepts.includes('regression_structures:blue areas'));
    assert.ok(withVeil.length >= 3 && noVeil.length >= 3);
    assert.ok(mean(await Promise.all(withVeil.map((t) => f(t, blueWhite)))) > 5 * mean(await Promise.all(noVeil.map((t) => f(t, blueWhite)))), 'veil pixels');
    const vasc = truth.filter((t) => t.dx === 'vasc');
    const nv = truth.filter((t) => t.dx === 'nv');
    const mel = truth.filter((t) => t.dx === 'mel');
    assert.ok(mean(await Promise.all(vasc.map((t) => f(t, red)))) > 10 * mean(await Promise.all(nv.map((t) => f(t, red)))), 'lacunae are red');
    assert.ok(mean(await Promise.all(mel.map((t) => f(t, black)))) > 2 * mean(await Promise.all(nv.map((t) => f(t, black)))), 'melanomas carry black');
  });

  it('is learnable but not trivial: a nearest-centroid classifier on 8 colour features beats the majority class by far', async () => {
    const dir = tempDir('syn-learn');
    await generateSynthetic({ format: 'ham10000', n: 420, out: dir, seed: 'learnable' });
    const truth = truthOf(dir);
    const features = await Promise.all(
      truth.map(async (t) => {
        const { data, info } = await sharp(path.join(dir, t.file)).resize(48, 36).raw().toBuffer({ resolveWithObject: true });
        const n = info.width * info.height;
        const skin = [data[0]!, data[1]!, data[2]!];
        const f = new Array<number>(8).fill(0);
        for (let i = 0; i < data.length; i += 3) {
          const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
          const lesion = Math.abs(r - skin[0]!) + Math.abs(g - skin[1]!) + Math.abs(b - skin[2]!) > 40;
          f[0]! += +lesion;
          f[1]! += +(r + g + b < 150);
          f[2]! += +(b > r + 15 && b > 140);
          f[3]! += +(r > 120 && r > g + 70 && r > b + 40);
          f[4]! += +(r > 230 && g > 225 && b > 210);
          f[5]! += +(r > 200 && g < 150 && b < 150);
          f[6]! += lesion ? r - g : 0;
          f[7]! += lesion ? b - g : 0;
        }
        return f.map((x, k) => (k >= 6 ? x / Math.max(1, f[0]!) / 50 : (x / n) * 10));
      }),
    );
    // Images are written lesion by lesion, so cutting at 300 keeps (nearly) every lesion on one side.
    const cut = 300;
    const classes = [...new Set(truth.map((t) => t.dx))];
    const centroid = new Map(
      classes.map((c) => {
        const idx = truth.slice(0, cut).flatMap((t, i) => (t.dx === c ? [i] : []));
        return [c, features[0]!.map((_, k) => mean(idx.map((i) => features[i]![k]!)))] as const;
      }),
    );
    let correct = 0;
    for (let i = cut; i < truth.length; i++) {
      const dist = (m: readonly number[]) => m.reduce((s, v, k) => s + (v - features[i]![k]!) ** 2, 0);
      const best = [...centroid].sort((a, b) => dist(a[1]) - dist(b[1]))[0]![0];
      correct += +(best === truth[i]!.dx);
    }
    const test = truth.slice(cut);
    const accuracy = correct / test.length;
    const majority = Math.max(...classes.map((c) => test.filter((t) => t.dx === c).length)) / test.length;
    assert.ok(accuracy > majority + 0.25, `accuracy ${accuracy.toFixed(2)} vs majority ${majority.toFixed(2)}`);
    assert.ok(accuracy < 0.98, `accuracy ${accuracy.toFixed(2)}: the classes should not be trivially separable by colour alone`);
  });
});
