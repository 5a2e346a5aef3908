import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildBenchmarks } from '../eval/buildBenchmarks.ts';
import { formatPairedDelta } from '../eval/formatPairedDelta.ts';
import { mcnemarExactP, pairedDelta } from '../eval/pairedDelta.ts';
import { bootstrapMean, gradeAnswer, macroF1, scoreAnswers } from '../eval/scoreAnswers.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { defaultKnowledgeDir, KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { buildRlItems, type RlSource } from '../rl/buildRlItems.ts';

const h = Hierarchy.fromFile();
const kb = KnowledgeBase.load(defaultKnowledgeDir, h).kb;
const labels = [['melanoma'], ['melanocytic_nevus'], ['bcc'], ['dermatofibroma'], ['seborrheic_keratosis'], ['actinic_keratosis']];
const sources: RlSource[] = Array.from({ length: 30 }, (_, i) => ({
  datasetVersionId: 'dataset-version-x',
  dataset: 'ham10000',
  sampleId: `s${i}`,
  imageKey: '',
  imageSha256: String(i).padStart(64, '0'),
  split: 'test',
  labelNodes: labels[i % labels.length]!,
  fitzpatrick: (i % 6) + 1,
}));
const items = buildRlItems(h, sources, 'eval').items;
const answer = (final: string) => `<thinking>x</thinking><final diagnosis>${final}</final diagnosis>`;

describe('evaluation benchmarks', () => {
  const bench = buildBenchmarks(h, kb, items, 'eval');
  test('every item gives an in-domain and a bucket question; path and DDx questions where they apply', () => {
    const by = (b: string) => bench.filter((x) => x.benchmark === b);
    assert.equal(by('indomain').length, items.length);
    assert.equal(by('bucket').length, items.length);
    assert.equal(by('hierarchical').length, items.filter((i) => i.path.length > 1).length);
    for (const q of by('hierarchical')) {
      const it = items.find((i) => i.itemId === q.itemId)!;
      assert.deepEqual(q.options.map((o) => o.node).sort(), [...it.path].sort(), 'options are the whole path');
      assert.equal(q.options.find((o) => o.letter === q.answer)!.node, it.labelNode, 'the finest node is the answer');
    }
    assert.ok(by('ddx').length > 0);
    for (const q of by('ddx')) {
      const node = q.options.find((o) => o.letter === q.answer)!.node!;
      for (const o of q.options) if (o.node !== node) assert.ok(kb.neighbours(node).includes(o.node!), `${o.node} is a DDx neighbour of ${node}`);
    }
    for (const q of by('bucket')) assert.deepEqual(q.options.map((o) => o.text), ['benign', 'malignant', 'precancerous in situ']);
  });

  test('grading reads letters, option text and, for the bucket question, a stated bucket', () => {
    const q = bench.find((x) => x.benchmark === 'bucket' && x.answerClass === 'malignant')!;
    assert.equal(gradeAnswer(q, answer('B'), h).correct, true);
    assert.equal(gradeAnswer(q, answer('melanoma (malignant)'), h).correct, true);
    assert.equal(gradeAnswer(q, answer('melanoma (benign)'), h).correct, false);
    assert.equal(gradeAnswer(q, 'no tags B', h).choice, null);
    const ind = bench.find((x) => x.benchmark === 'indomain')!;
    const right = ind.options.find((o) => o.letter === ind.answer)!;
    assert.equal(gradeAnswer(ind, answer(`${right.text} (benign)`), h).correct, true);
  });

  test('bootstrap interval brackets the mean and is seeded', () => {
    const xs = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 0 : 1));
    const a = bootstrapMean(xs, 's');
    assert.equal(a.value, 0.75);
    assert.ok(a.low < 0.75 && a.high > 0.75 && a.high - a.low < 0.15, JSON.stringify(a));
    assert.deepEqual(bootstrapMean(xs, 's'), a);
  });

  test("McNemar's exact p by hand", () => {
    assert.equal(mcnemarExactP(0, 0), 1);
    // 2 vs 1 discordant: P(X <= 1 | n 3) = 4/8, two-sided 1.
    assert.equal(mcnemarExactP(2, 1), 1);
    // 10 vs 0: 2 x 1/1024.
    assert.equal(mcnemarExactP(10, 0), 2 / 1024);
    assert.equal(mcnemarExactP(0, 10), 2 / 1024);
    // 8 vs 2: 2 x (1 + 10 + 45) / 1024.
    assert.ok(Math.abs(mcnemarExactP(8, 2) - 112 / 1024) < 1e-12);
    // Large counts stay finite and symmetric: 600 vs 500 is p about 0.003.
    const p = mcnemarExactP(600, 500);
    assert.ok(p > 0.001 && p < 0.005 && p === mcnemarExactP(500, 600), String(p));
  });

  test('paired change counts questions gained and lost, and its interval is tighter than two separate ones', () => {
    const before = [true, true, false, false, true, false];
    const after = [true, false, true, true, true, false];
    const d = pairedDelta(before, after, 's');
    assert.deepEqual([d.n, d.before, d.after, d.gained, d.lost], [6, 0.5, 4 / 6, 2, 1]);
    assert.ok(Math.abs(d.delta.value - 1 / 6) < 1e-12);
    assert.deepEqual(pairedDelta(before, after, 's'), d);
    assert.throws(() => pairedDelta(before, after.slice(1), 's'), /paired comparison of 6 and 5 answers/);
    // 300 questions, the second model right on 15 more and wrong on none that the first got: separate 95 %
    // intervals overlap, the paired one excludes 0, and the p value agrees.
    const a = Array.from({ length: 300 }, (_, i) => i % 2 === 0);
    const b = a.map((x, i) => x || i % 20 === 1);
    const paired = pairedDelta(a, b, 's');
    assert.equal(paired.gained, 15);
    assert.equal(paired.lost, 0);
    assert.ok(paired.delta.low > 0, JSON.stringify(paired.delta));
    assert.ok(bootstrapMean(a.map(Number), 'a').high > bootstrapMean(b.map(Number), 'b').low);
    assert.ok(paired.p < 0.001);
    assert.match(formatPairedDelta(paired), /^\+5\.0 points \[\+\d\.\d, \+\d\.\d\]; 15 gained, 0 lost; McNemar p < 0\.001$/);
    assert.equal(formatPairedDelta(pairedDelta(after, before, 's')).replace(/\[.*\]/, '[]'), '-16.7 points []; 1 gained, 2 lost; McNemar p 1.000');
  });

  test('macro-F1 by hand: two classes, one error', () => {
    // a: tp 1, fn 1 -> F1 2/3; b: tp 1, fp 1 -> 2/3.
    assert.ok(Math.abs(macroF1([{ truth: 'a', predicted: 'a' }, { truth: 'a', predicted: 'b' }, { truth: 'b', predicted: 'b' }]) - 2 / 3) < 1e-12);
    assert.equal(macroF1([{ truth: 'a', predicted: null }]), 0);
  });

  test('hierarchical accuracy credits the right group and category for a wrong disease', () => {
    const q = bench.find((x) => x.benchmark === 'hierarchical' && x.answerClass === 'melanoma')!;
    // Choosing the category node (an ancestor) is right at group and category, wrong at disease.
    const category = q.options.find((o) => o.node === q.path[1])!;
    const s = scoreAnswers([gradeAnswer(q, answer(category.letter), h)], h, 's');
    assert.deepEqual(s.levels, { group: 1, category: 1, disease: 0 });
    assert.equal(s.accuracy.value, 0);
  });
});
