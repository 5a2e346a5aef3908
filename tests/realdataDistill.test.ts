import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { adapterSpec } from '../datasets/adapters.ts';
import { inspectSource } from '../datasets/inspectSource.ts';
import { projectRoot } from '../devserver/projectRoot.ts';
import { distillImages, type DistillOutcome } from '../distill/distillImages.ts';
import { randomPoolOf } from '../distill/planTrajectories.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { conceptKey, defaultKnowledgeDir, KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { DistillSampleSchema, type DistillSample } from '../schemas/distill.ts';

// Real metadata lives beside the repository, never in it (licences). Only a few images ship, so this reads the
// staged metadata (labels and concept annotations) directly: the knowledge base meets every real label and concept.
const R = path.resolve(projectRoot, '..', 'shared', 'realdata');
const present = existsSync(path.join(R, 'derm7pt', 'meta.csv'));

describe('distillation on the real metadata of the six datasets', { skip: present ? false : `no ${R}`, timeout: 300_000 }, () => {
  const h = Hierarchy.fromFile();
  const { kb } = KnowledgeBase.load(defaultKnowledgeDir, h);
  const pool = randomPoolOf(kb, h);

  async function distillReal(name: string, metadata: string, images: string, extra: Record<string, string> = {}): Promise<DistillOutcome> {
    const ins = await inspectSource(adapterSpec(name, path.join(R, metadata), path.join(R, images), Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, path.join(R, v)]))), h);
    let samples: DistillSample[];
    try {
      // Rows whose only problem is the missing image file still carry their real label and annotations.
      const rows = (await ins.con.runAndReadAll(`SELECT sample_id, image_key, modality, label_nodes, concepts, fitzpatrick FROM staged WHERE label_nodes IS NOT NULL AND (reason IS NULL OR reason = 'image_missing') ORDER BY sample_id`)).getRowObjectsJson();
      samples = rows.map((r) =>
        DistillSampleSchema.parse({
          datasetVersionId: 'dataset-version-000000000000000000000000',
          dataset: name,
          sampleId: r.sample_id,
          imageKey: r.image_key ?? '',
          imageSha256: '0'.repeat(64),
          split: 'train',
          modality: r.modality,
          labelNodes: r.label_nodes,
          concepts: r.concepts ?? null,
          fitzpatrick: r.fitzpatrick === null ? null : Number(r.fitzpatrick),
        }),
      );
    } finally {
      ins.close();
    }
    const keys = new Set(samples.flatMap((s) => (s.concepts ?? []).map(conceptKey)));
    return distillImages(samples, { kb, h, config: { seed: 'real', extraTypesPerSample: 2 }, conceptKeys: () => keys, randomPool: pool });
  }

  const types = (o: DistillOutcome) => [...new Set(o.records.map((r) => r.type))].sort();

  it('Derm7pt: every case with a specific label gets verified trajectories grounded in its 7-point checklist', async () => {
    const o = await distillReal('derm7pt', 'derm7pt/meta.csv', 'derm7pt');
    assert.equal(o.images, 2022);
    assert.deepEqual(o.rejected, {});
    assert.deepEqual(Object.keys(o.skipped).filter((k) => k !== 'label_not_specific'), [], JSON.stringify(o.skipped));
    assert.deepEqual(o.unmappedConcepts, {}, 'every checklist value means a feature');
    assert.deepEqual(types(o), [1, 2, 3, 4, 5]);
    // The checklist grounds the dermoscopic image of each case; the clinical photo is reasoned from the rules.
    assert.ok(o.records.every((r) => r.grounded === (r.modality === 'dermoscopic')));
    assert.ok(o.records.some((r) => r.present_features.includes('blue_whitish_veil')));
  });

  it('SkinCon: grounded in its 48 concepts, with no rejections and no unknown concept', async () => {
    const o = await distillReal('skincon', 'skincon/annotations_fitzpatrick17k.csv', 'skincon', { fitzpatrick17k: 'fitzpatrick17k/fitzpatrick17k.csv' });
    assert.deepEqual(o.rejected, {});
    assert.deepEqual(o.unmappedConcepts, {});
    assert.deepEqual(Object.keys(o.skipped).filter((k) => k !== 'label_not_specific'), []);
    assert.deepEqual(types(o), [1, 2, 3, 4, 5]);
    assert.ok(o.records.filter((r) => r.grounded).length === o.records.length);
  });

  for (const [name, metadata, images, extra] of [
    ['ham10000', 'ham10000/HAM10000_metadata.csv', 'ham10000', {}],
    ['isic2019', 'isic2019/ISIC_2019_Training_GroundTruth.csv', 'ham10000/images', {}],
    ['fitzpatrick17k', 'fitzpatrick17k/fitzpatrick17k.csv', 'fitzpatrick17k', {}],
    ['pad-ufes-20', 'pad-ufes-20/metadata.csv', 'pad-ufes-20/images', {}],
  ] as const) {
    it(`${name}: every specific label has knowledge; nothing is rejected`, async () => {
      const o = await distillReal(name, metadata, images, extra);
      assert.ok(o.images > 1000, `${o.images} images`);
      assert.deepEqual(o.rejected, {});
      assert.deepEqual(Object.keys(o.skipped).filter((k) => k !== 'label_not_specific'), [], JSON.stringify(o.skipped));
      assert.deepEqual(types(o), [1, 2, 3, 4, 5]);
    });
  }
});
