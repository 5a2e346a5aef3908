import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LabelMap } from '../datasets/LabelMap.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { projectRoot } from '../devserver/projectRoot.ts';
import { tempDir } from './helpers/tempDir.ts';

const h = Hierarchy.fromFile();

describe('disease hierarchy', () => {
  it('is the versioned 265-node tree: root, 6 groups, 35 categories, 190 diseases, 33 subtypes', () => {
    assert.equal(h.size, 265);
    assert.match(h.version, /^\d+\.\d+\.\d+$/);
    assert.match(h.digest, /^[0-9a-f]{64}$/);
    const perLevel = [0, 0, 0, 0, 0];
    for (const n of h.nodes()) perLevel[h.depth(n.id)]!++;
    assert.deepEqual(perLevel, [1, 6, 35, 190, 33]);
  });

  it('answers path, depth, level, lowest common ancestor and leaves', () => {
    assert.deepEqual(h.path('melanoma_in_situ'), ['root', 'neoplasm_malignant', 'mal_melanocytic', 'melanoma', 'melanoma_in_situ']);
    assert.equal(h.depth('melanoma'), 3);
    assert.equal(h.level('mal_keratinocytic'), 'category');
    assert.equal(h.lca('bcc_nodular', 'scc_invasive'), 'mal_keratinocytic');
    assert.equal(h.lca('melanoma', 'melanocytic_nevus'), 'root');
    assert.equal(h.lca('nevus_blue', 'nevus_halo', 'lentigo_simplex'), 'ben_melanocytic');
    assert.ok(h.leaves('melanoma').includes('melanoma_nodular'));
    assert.ok(h.isAncestorOrSelf('neoplasm_benign', 'seborrheic_keratosis'));
    assert.throws(() => h.path('no_such_node'), /unknown hierarchy node "no_such_node"/);
  });

  it('gives every node a malignancy bucket, with Bowen disease precancerous as in Skin-R1', () => {
    assert.equal(h.bucket('melanoma_nodular'), 'malignant');
    assert.equal(h.bucket('actinic_keratosis'), 'precancerous_in_situ');
    assert.equal(h.bucket('scc_in_situ'), 'precancerous_in_situ');
    assert.equal(h.bucket('scc_invasive'), 'malignant');
    assert.equal(h.bucket('psoriasis_pustular'), 'non_neoplastic');
    assert.equal(h.bucket('dermatofibroma'), 'benign');
    assert.equal(h.bucket('root'), undefined);
    assert.equal(h.bucketOfSet(['seborrheic_keratosis', 'solar_lentigo', 'lichen_planus_like_keratosis']), 'benign');
    assert.equal(h.bucketOfSet(['actinic_keratosis', 'scc_in_situ']), 'precancerous_in_situ');
    assert.equal(h.bucketOfSet(['scc_invasive', 'scc_in_situ']), undefined, 'a set spanning buckets has none');
  });

  it('finds nodes by name or synonym, ignoring case and punctuation', () => {
    assert.equal(h.lookup("Bowen's disease"), 'scc_in_situ');
    assert.equal(h.lookup('granuloma pyogenic'), 'pyogenic_granuloma');
    assert.equal(h.lookup('BASAL CELL CARCINOMA'), 'bcc');
    assert.equal(h.lookup('nevocytic nevus'), 'melanocytic_nevus');
    assert.equal(h.lookup('no such disease'), undefined);
  });

  it('rejects a broken hierarchy file naming the file and the problem', () => {
    const dir = tempDir('hier');
    const write = (nodes: unknown[]) => {
      const f = path.join(dir, `h${Math.random()}.json`);
      writeFileSync(f, JSON.stringify({ name: 't', version: '1.0.0', buckets: ['benign'], nodes }));
      return f;
    };
    const root = { id: 'root', name: 'root', parent: null, synonyms: [] };
    const g = { id: 'g', name: 'g', parent: 'root', bucket: 'benign', synonyms: [] };
    assert.throws(() => Hierarchy.fromFile(write([root, g, g])), /h.*\.json: duplicate node id "g"/);
    assert.throws(() => Hierarchy.fromFile(write([root, { ...g, parent: 'nope' }])), /node "g" has unknown parent "nope"/);
    assert.throws(() => Hierarchy.fromFile(write([root, { ...g, bucket: undefined }])), /node "g" has no malignancy bucket/);
    const chain = ['a', 'b', 'c', 'd', 'e'].map((id, i, all) => ({ id, name: id, parent: i === 0 ? 'g' : all[i - 1], synonyms: [] }));
    assert.throws(() => Hierarchy.fromFile(write([root, g, ...chain])), /levels deep; at most 4/);
    assert.throws(() => Hierarchy.fromFile(write([root, g, { id: 'x', name: 'G', parent: 'g', synonyms: [] }])), /term "G" names both "g" and "x"/);
  });

  it('every label map of the project maps onto existing nodes', () => {
    const dirs = readdirSync(path.join(projectRoot, 'datasets'), { withFileTypes: true }).filter((d) => d.isDirectory());
    let maps = 0;
    for (const d of dirs) {
      const file = path.join(projectRoot, 'datasets', d.name, 'labels.json');
      try {
        const m = LabelMap.fromFile(file, h);
        maps++;
        assert.ok(m.entries.size > 0, file);
      } catch (e) {
        if ((e as Error).message.includes('ENOENT')) continue;
        throw e;
      }
    }
    assert.equal(maps, 5);
    const fitz = LabelMap.fromFile(path.join(projectRoot, 'datasets', 'fitzpatrick17k', 'labels.json'), h);
    assert.equal(fitz.entries.size, 114);
    assert.deepEqual(LabelMap.fromFile(path.join(projectRoot, 'datasets', 'ham10000', 'labels.json'), h).get('bkl')?.nodes, ['seborrheic_keratosis', 'solar_lentigo', 'lichen_planus_like_keratosis']);
  });
});
