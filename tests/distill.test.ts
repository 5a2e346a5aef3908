import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distillImages } from '../distill/distillImages.ts';
import { groundSample } from '../distill/groundSample.ts';
import { planTrajectories, randomPoolOf } from '../distill/planTrajectories.ts';
import { renderTrajectory } from '../distill/renderTrajectory.ts';
import { resolveTarget } from '../distill/resolveTarget.ts';
import { verifyTrajectory } from '../distill/verifyTrajectory.ts';
import type { DistillSample } from '../schemas/distill.ts';
import { fixtureKnowledge } from './helpers/fixtureKnowledge.ts';

const { kb, h } = fixtureKnowledge();
const derm7ptKeys = new Set(['pigment network', 'streaks', 'pigmentation', 'regression structures', 'dots and globules', 'blue whitish veil', 'vascular structures']);
const melanomaConcepts = ['pigment_network:atypical', 'streaks:irregular', 'blue_whitish_veil:present'];
const pool = randomPoolOf(kb, h);

function plans(target: string, concepts: string[] | null, imageKey = 'img-1') {
  const grounding = groundSample(concepts, concepts ? derm7ptKeys : new Set(), kb);
  return planTrajectories({ target, grounding, seed: 'test', imageKey, extra: 4 }, kb, h, pool);
}

/** The first hypothesis a trajectory states, and the diagnosis it ends with. */
function hypotheses(text: string): { first: string | undefined; final: string | undefined } {
  return { first: /First hypothesis: (.+?)\./.exec(text)?.[1], final: /<final diagnosis>(.+?) \(/.exec(text)?.[1] };
}

describe('trajectory generation', () => {
  it('grounds an annotated image in its concepts: present ones, and absent ones of criteria annotated elsewhere', () => {
    const g = groundSample(melanomaConcepts, derm7ptKeys, kb);
    assert.equal(g.annotated, true);
    assert.deepEqual(g.present, ['atypical_pigment_network', 'blue_whitish_veil', 'irregular_streaks']);
    assert.ok(g.absent.includes('regression_structures') && g.absent.includes('arborizing_vessels'));
    assert.ok(!g.absent.includes('typical_pigment_network'), 'the network was annotated (atypical), so the typical one is not claimed absent');
    assert.equal(groundSample([], new Set(), kb).annotated, false, 'a dataset without concept annotations is unannotated');
  });

  it('resolves set labels to their category and skips sets that name no diagnosis', () => {
    assert.deepEqual(resolveTarget(['melanoma'], h, kb), { target: 'melanoma' });
    assert.deepEqual(resolveTarget(['actinic_keratosis', 'scc_in_situ'], h, kb), { skip: 'label_not_specific' });
    assert.deepEqual(resolveTarget(['bcc'], h, kb), { skip: 'no_knowledge' }, 'the fixture knows three diseases only');
  });

  it('produces all five types, each ending at the true diagnosis, and all verify', () => {
    const ps = plans('melanoma', melanomaConcepts);
    assert.deepEqual(ps.map((p) => p.type), [1, 2, 3], 'the fixture has no non-neighbour for melanoma, so types 4-5 are not offered');
    const sk = plans('seborrheic_keratosis', null);
    assert.deepEqual(sk.map((p) => p.type), [1, 2, 3, 4, 5]);
    for (const p of [...ps, ...sk]) {
      const text = renderTrajectory(p, kb, h);
      assert.match(text, /^<thinking>.+<\/thinking><final diagnosis>.+<\/final diagnosis>$/);
      const v = verifyTrajectory(text, p.target, p.grounding, kb, h);
      assert.ok(v.ok, `type ${p.type}: ${v.reason} ${v.detail}\n${text}`);
    }
  });

  it('type 3 starts from the wrong hypothesis (a DDx neighbour) and ends at the right one', () => {
    const t3 = plans('melanoma', melanomaConcepts).find((p) => p.type === 3)!;
    const text = renderTrajectory(t3, kb, h);
    const { first, final } = hypotheses(text);
    assert.notEqual(h.lookup(first!), 'melanoma');
    assert.ok(kb.neighbours('melanoma').includes(h.lookup(first!)!), `${first} is a DDx neighbour`);
    assert.equal(final, 'melanoma');
    assert.match(text, /so the hypothesis is revised\. Hierarchy: Malignant neoplasm > Malignant melanocytic neoplasm > melanoma\./);
    const t2 = plans('melanoma', melanomaConcepts).find((p) => p.type === 2)!;
    assert.equal(hypotheses(renderTrajectory(t2, kb, h)).first, 'melanoma', 'type 2 keeps its first hypothesis');
  });

  it('names what the annotations show as present and absent, and uses the rules when there are none', () => {
    const [t1] = plans('melanoma', melanomaConcepts);
    const text = renderTrajectory(t1!, kb, h);
    assert.match(text, /Annotated findings: present: atypical pigment network, blue-whitish veil and irregular streaks; absent: [^.]*regression structures/);
    const [u1] = plans('seborrheic_keratosis', null);
    assert.match(renderTrajectory(u1!, kb, h), /^<thinking>Findings: [^.]+\. Hierarchy: Benign neoplasm > Benign keratinocytic \(epidermal\) > seborrheic keratosis\. Rule: /);
  });

  it('is seeded per image: the same image gets the same plan, other images get other choices', () => {
    const a = plans('seborrheic_keratosis', null, 'x').map((p) => renderTrajectory(p, kb, h));
    const b = plans('seborrheic_keratosis', null, 'x').map((p) => renderTrajectory(p, kb, h));
    assert.deepEqual(a, b);
    const others = new Set(Array.from({ length: 12 }, (_, i) => plans('seborrheic_keratosis', null, `img-${i}`)[0]!.rules.target));
    assert.ok(others.size > 1, 'rules vary across images');
  });
});

describe('the trajectory verifier', () => {
  const p2 = plans('melanoma', melanomaConcepts).find((p) => p.type === 2)!;
  const good = renderTrajectory(p2, kb, h);
  const t1 = plans('melanoma', melanomaConcepts)[0]!;
  const goodT1 = renderTrajectory(t1, kb, h);
  const verdict = (text: string, target = 'melanoma', g = p2.grounding) => verifyTrajectory(text, target, g, kb, h);

  it('accepts the generated trajectory and reports the features it names', () => {
    const v = verdict(good);
    assert.ok(v.ok, v.detail);
    assert.ok(v.features.includes('atypical_pigment_network'));
  });

  const planted: Array<[string, string, () => string, string?]> = [
    ['unparseable', 'a missing closing tag', () => good.replace('</thinking>', '')],
    ['unparseable', 'text after the final diagnosis', () => `${good} Trust me.`],
    ['bad_final_format', 'no malignancy bucket', () => good.replace('melanoma (malignant)</final', 'melanoma</final')],
    ['wrong_diagnosis', 'the wrong final diagnosis', () => good.replace('<final diagnosis>melanoma (malignant)', '<final diagnosis>melanocytic nevus (benign)')],
    ['wrong_bucket', 'the wrong bucket', () => good.replace('melanoma (malignant)</final', 'melanoma (benign)</final')],
    ['no_hierarchy_walk', 'no walk down the hierarchy', () => good.replace(/Hierarchy: [^.]+\. /g, '')],
    ['invalid_hierarchy_path', 'a walk that does not exist', () => good.replace('Malignant neoplasm > Malignant melanocytic neoplasm', 'Benign neoplasm > Malignant melanocytic neoplasm')],
    ['path_not_target', 'a walk that ends elsewhere', () => goodT1.replace('Malignant neoplasm > Malignant melanocytic neoplasm > melanoma.', 'Benign neoplasm > Benign melanocytic > melanocytic nevus.')],
    ['feature_not_allowed', 'a feature of no mentioned disease', () => good.replace('Conclusion:', 'The plaque also has a silvery scale. Conclusion:')],
    ['contradicts_annotation', 'a feature claimed present that is annotated absent', () => good.replace('Annotated findings: present: atypical pigment network', 'Annotated findings: present: regression structures, atypical pigment network')],
    ['ungrounded', 'an annotated image without its findings', () => good.replace(/^<thinking>Annotated findings: [^.]+\. /, '<thinking>')],
  ];
  for (const [reason, what, make] of planted) {
    it(`rejects ${what} (${reason})`, () => {
      const text = make();
      assert.notEqual(text, good, 'the plant changed the text');
      const v = verdict(text);
      assert.equal(v.ok, false);
      assert.equal(v.reason, reason, v.detail);
    });
  }

  it('counts teacher texts that fail verification by reason and keeps the knowledge base text instead; nothing is lost', async () => {
    const sample: DistillSample = {
      datasetVersionId: 'dataset-version-000000000000000000000000',
      dataset: 'derm7pt',
      sampleId: '1',
      imageKey: 'derm',
      imageSha256: 'a'.repeat(64),
      split: 'train',
      labelNodes: ['melanoma'],
      concepts: melanomaConcepts,
      fitzpatrick: null,
    };
    const out = await distillImages([sample, { ...sample, sampleId: '2', labelNodes: ['actinic_keratosis', 'scc_in_situ'] }], {
      kb,
      h,
      config: { seed: 'test', extraTypesPerSample: 2 },
      conceptKeys: () => derm7ptKeys,
      randomPool: pool,
      // A teacher that hallucinates a feature in every text.
      teacher: async (p) => (p.type === 1 ? { rule: 'A silvery scale indicates melanoma.' } : { comparison: 'Honey-coloured crust settles it.' }),
    });
    assert.equal(out.images, 2);
    assert.deepEqual(out.skipped, { label_not_specific: 1 });
    assert.equal(out.records.length, 3);
    assert.deepEqual(out.teacherRejected, { feature_not_allowed: 3 });
    assert.ok(out.records.every((r) => !r.teacher && verdict(r.text, 'melanoma').ok));
    const good = await distillImages([sample], { kb, h, config: { seed: 'test', extraTypesPerSample: 0 }, conceptKeys: () => derm7ptKeys, randomPool: pool, teacher: async () => ({ rule: 'An atypical pigment network with irregular streaks indicates melanoma.' }) });
    assert.equal(good.records[0]!.teacher, true);
    assert.match(good.records[0]!.text, /Rule: An atypical pigment network with irregular streaks indicates melanoma\./);
  });
});
