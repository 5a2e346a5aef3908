import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { buildRlItems, type RlSource } from '../rl/buildRlItems.ts';
import { finalContent, formatReward, readChoice, scoreCompletion, statedBucket } from '../rl/hierarchicalReward.ts';
import type { RlItem } from '../schemas/rl.ts';

const h = Hierarchy.fromFile();

// Hand-built: path malignant neoplasm > malignant melanocytic neoplasm > melanoma, with the category and the disease
// chosen (indices 1 and 2 of 3): scores 2/3 x 0.75 = 0.5 and 0.75.
const item: RlItem = {
  itemId: 'rl-test',
  datasetVersionId: 'dataset-version-x',
  dataset: 'ham10000',
  sampleId: 's1',
  imageKey: '',
  imageSha256: 'a'.repeat(64),
  split: 'test',
  fitzpatrick: null,
  labelNode: 'melanoma',
  path: h.path('melanoma').slice(1),
  bucket: 'malignant',
  options: [
    { letter: 'A', node: 'melanocytic_nevus', text: 'Melanocytic nevus', score: 0 },
    { letter: 'B', node: 'melanoma', text: 'Melanoma', score: 0.75 },
    { letter: 'C', node: h.path('melanoma')[2]!, text: h.node(h.path('melanoma')[2]!).name, score: 0.5 },
    { letter: 'D', node: 'bcc', text: 'Basal cell carcinoma', score: 0 },
  ],
  answer: 'B',
  prompt: '',
};
const wrap = (final: string, thinking = 'Irregular network and blue-white veil.') => `<thinking>${thinking}</thinking><final diagnosis>${final}</final diagnosis>`;

describe('reward: format', () => {
  test('exactly thinking then final diagnosis, whitespace around allowed, case-insensitive tags', () => {
    assert.equal(formatReward(wrap('B (malignant)')), 1);
    assert.equal(formatReward(`  <THINKING>x</THINKING>\n <final diagnosis>B</final diagnosis>\n`), 1);
  });
  test('anything before, after or missing fails', () => {
    assert.equal(formatReward(`Sure. ${wrap('B')}`), 0);
    assert.equal(formatReward(`${wrap('B')} done`), 0);
    assert.equal(formatReward('<final diagnosis>B</final diagnosis>'), 0);
    assert.equal(formatReward('<thinking>x</thinking>'), 0);
    assert.equal(formatReward('<thinking>x<final diagnosis>B</final diagnosis>'), 0);
    assert.equal(formatReward(''), 0);
  });
});

describe('reward: reading the chosen option', () => {
  test('a letter, bare or bracketed, at the start', () => {
    for (const s of ['B', '(B)', '[B]', 'B:', 'B: Melanoma', ' B. malignant', 'B (malignant)']) assert.equal(readChoice(s, item.options), 'B', s);
  });
  test('a word that starts with a capital letter is not a letter', () => {
    assert.equal(readChoice('Basal cell carcinoma (malignant)', item.options), 'D');
    assert.equal(readChoice('Acral something', item.options), null);
  });
  test('the option text, ignoring case, punctuation and a trailing bucket', () => {
    assert.equal(readChoice('melanoma (malignant)', item.options), 'B');
    assert.equal(readChoice('MELANOCYTIC NEVUS', item.options), 'A');
    assert.equal(readChoice(`${item.options[2]!.text.toLowerCase()} (malignant)`, item.options), 'C');
  });
  test('a synonym of an option node counts only with the hierarchy', () => {
    const syn = h.node('bcc').synonyms?.find((s) => s.toLowerCase() !== 'basal cell carcinoma');
    if (!syn) return;
    assert.equal(readChoice(syn, item.options), null);
    assert.equal(readChoice(syn, item.options, h), 'D');
  });
  test('a letter that is not an option falls back to the text; nothing matching gives null', () => {
    assert.equal(readChoice('E', item.options), null);
    assert.equal(readChoice('psoriasis (benign)', item.options), null);
    assert.equal(readChoice('', item.options), null);
  });
  test('final content and the stated bucket', () => {
    assert.equal(finalContent(wrap(' B (malignant) ')), 'B (malignant)');
    assert.equal(finalContent('<thinking>x</thinking>'), null);
    assert.equal(statedBucket('melanoma (malignant)'), 'malignant');
    assert.equal(statedBucket('actinic keratosis (precancerous in situ)'), 'precancerous_in_situ');
    assert.equal(statedBucket('benign, not malignant'), 'benign');
    assert.equal(statedBucket('psoriasis (non-neoplastic)'), null);
  });
});

describe('reward: totals', () => {
  test('the answer with the right bucket earns 2.0', () => {
    assert.deepEqual(scoreCompletion(wrap('B (malignant)'), item, 'hierarchical'), { format: 1, option: 0.75, malignancy: 0.25, total: 2, choice: 'B', correct: true });
  });
  test('a correct ancestor earns partial credit in the hierarchical variant and nothing in the flat one', () => {
    const c = wrap(`${item.options[2]!.text} (malignant)`);
    assert.equal(scoreCompletion(c, item, 'hierarchical').option, 0.5);
    assert.equal(scoreCompletion(c, item, 'hierarchical').total, 1.75);
    assert.equal(scoreCompletion(c, item, 'flat').option, 0);
    assert.equal(scoreCompletion(c, item, 'flat').correct, false);
  });
  test('a distractor with the wrong bucket earns only the format', () => {
    assert.deepEqual(scoreCompletion(wrap('A (benign)'), item, 'hierarchical'), { format: 1, option: 0, malignancy: 0, total: 1, choice: 'A', correct: false });
  });
  test('a malformed completion still earns what its final diagnosis shows', () => {
    const r = scoreCompletion('I think <final diagnosis>Melanoma, malignant</final diagnosis>', item, 'hierarchical');
    assert.deepEqual(r, { format: 0, option: 0.75, malignancy: 0.25, total: 1, choice: 'B', correct: true });
  });
  test('no final diagnosis earns nothing', () => {
    assert.equal(scoreCompletion('<thinking>melanoma, malignant</thinking>', item, 'hierarchical').total, 0);
    assert.equal(scoreCompletion('', item, 'flat').total, 0);
  });
});

describe('hierarchy-aware multiple-choice items', () => {
  const src = (i: number, labelNodes: string[], dataset = 'ham10000', split = 'train'): RlSource => ({
    datasetVersionId: `dataset-version-${dataset}`,
    dataset,
    sampleId: `s${i}`,
    imageKey: '',
    imageSha256: String(i).padStart(64, '0'),
    split,
    labelNodes,
    fitzpatrick: null,
  });
  const labels = [['melanoma'], ['melanocytic_nevus'], ['bcc'], ['dermatofibroma'], ['seborrheic_keratosis', 'solar_lentigo'], ['actinic_keratosis']];
  const sources = Array.from({ length: 120 }, (_, i) => src(i, labels[i % labels.length]!));

  test('scores follow (i+1)/(max chosen+1) x 0.75, the finest correct option is the answer, distractors are off-path nodes of the dataset', () => {
    const { items, skipped } = buildRlItems(h, sources, 'seed');
    assert.equal(items.length + Object.values(skipped).reduce((a, b) => a + b, 0), sources.length);
    const pool = new Set(sources.flatMap((s) => h.path(h.lca(...s.labelNodes)).slice(1)));
    const ks = new Set<number>();
    for (const it of items) {
      const correct = it.options.filter((o) => o.score > 0);
      ks.add(correct.length);
      assert.ok(correct.length >= 1 && correct.length <= Math.min(3, it.path.length));
      const idx = correct.map((o) => it.path.indexOf(o.node));
      assert.ok(idx.every((i) => i >= 0), 'correct options lie on the path');
      const max = Math.max(...idx);
      for (const o of correct) assert.ok(Math.abs(o.score - ((it.path.indexOf(o.node) + 1) / (max + 1)) * 0.75) < 1e-12);
      assert.equal(it.options.find((o) => o.letter === it.answer)!.node, it.path[max]);
      assert.equal(it.options.find((o) => o.letter === it.answer)!.score, 0.75);
      for (const o of it.options.filter((x) => x.score === 0)) {
        assert.ok(!it.path.includes(o.node));
        assert.ok(pool.has(o.node), `${o.node} comes from the dataset's label paths`);
      }
      assert.deepEqual(it.options.map((o) => o.letter), ['A', 'B', 'C', 'D'].slice(0, it.options.length));
      for (const o of it.options) assert.ok(it.prompt.includes(`${o.letter}: ${o.text}`));
    }
    assert.deepEqual([...ks].sort(), [1, 2, 3], 'k takes every value');
    // A set label (HAM bkl) resolves to its lowest common ancestor, a category.
    const bkl = items.find((i) => i.sampleId === 's4')!;
    assert.equal(h.level(bkl.labelNode), 'category');
  });

  test('seeded and stable: the same seed gives the same items, another seed others; an item does not depend on its neighbours', () => {
    const a = buildRlItems(h, sources, 'seed').items;
    assert.deepEqual(buildRlItems(h, sources, 'seed').items, a);
    assert.notDeepEqual(buildRlItems(h, sources, 'other').items, a);
    const alone = buildRlItems(h, [...sources.slice(0, 12), src(999, ['melanoma'])], 'seed').items;
    const first = alone.find((i) => i.sampleId === 's0')!;
    assert.deepEqual(first.options.filter((o) => o.score > 0), a.find((i) => i.sampleId === 's0')!.options.filter((o) => o.score > 0));
  });

  test('samples without a neoplastic bucket or a known label are skipped and counted', () => {
    const { items, skipped } = buildRlItems(h, [src(1, ['melanoma']), src(2, ['psoriasis']), src(3, ['no_such_node'])], 'seed');
    assert.equal(items.length, 1);
    assert.deepEqual(skipped, { no_neoplastic_bucket: 1, label_not_in_hierarchy: 1 });
  });
});
