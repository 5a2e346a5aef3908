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
  const grounding = groundSample(concepts, concepts ? derm7ptKeys : new Set(), kb, 'dermoscopic');
  return planTrajectories({ target, grounding, seed: 'test', imageKey, extra: 4 }, kb, h, pool);
}

/** The first hypothesis a trajectory states, and the diagnosis it ends with. */
function hypotheses(text: string): { first: string | undefined; final: string | undefined } {
  return { first: /First hypothesis: (.+?)\./.exec(text)?.[1], final: /<final diagnosis>(.+?) \(/.exec(text)?.[1] };
}

describe('trajectory generation', () => {
  it('grounds an annotated image in its concepts: present ones, and absent ones of criteria annotated elsewhere', () => {
    const g = groundSample(melanomaConcepts, derm7ptKeys, kb, 'dermoscopic');
    assert.equal(g.annotated, true);
    assert.deepEqual(g.present, ['atypical_pigment_network', 'blue_whitish_veil', 'irregular_streaks']);
    assert.ok(g.absent.includes('regression_structures') && g.absent.includes('arborizing_vessels'));
    assert.ok(!g.absent.includes('typical_pigment_network'), 'the network was annotated (atypical), so the typical one is not claimed absent');
    assert.equal(groundSample([], new Set(), kb, 'dermoscopic').annotated, false, 'a dataset without concept annotations is unannotated');
  });

  it('does not ground a clinical photo in dermoscopic findings (Derm7pt has one of each per case)', () => {
    const g = groundSample(melanomaConcepts, derm7ptKeys, kb, 'clinical');
    assert.deepEqual(g, { annotated: false, present: [], absent: [], unmapped: [] });
    const skincon = groundSample(['Plaque', 'Scale'], new Set(['plaque', 'scale', 'nodule']), kb, 'clinical');
    assert.deepEqual([skincon.annotated, skincon.present, skincon.absent], [true, ['plaque', 'scale'], ['nodule']]);
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
      modality: 'dermoscopic',
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
    assert.deepEqual(out.teacherRejected, { teacher_off_target: 1, teacher_wrong_conclusion: 2 });
    assert.ok(out.records.every((r) => !r.teacher && verdict(r.text, 'melanoma').ok));
    const good = await distillImages([sample], { kb, h, config: { seed: 'test', extraTypesPerSample: 0 }, conceptKeys: () => derm7ptKeys, randomPool: pool, teacher: async () => ({ rule: 'An atypical pigment network with irregular streaks indicates melanoma.' }) });
    assert.equal(good.records[0]!.teacher, true);
    assert.match(good.records[0]!.text, /Rule: An atypical pigment network with irregular streaks indicates melanoma\./);
  });

  const sample: DistillSample = {
    datasetVersionId: 'dataset-version-000000000000000000000000',
    dataset: 'derm7pt',
    sampleId: 'm',
    imageKey: 'derm',
    imageSha256: 'b'.repeat(64),
    split: 'train',
    modality: 'dermoscopic',
    labelNodes: ['melanoma'],
    concepts: ['pigment_network:atypical', 'streaks:irregular'],
    fitzpatrick: null,
  };
  const withTeacher = (teacher: NonNullable<Parameters<typeof distillImages>[1]['teacher']>, extra = 2) =>
    distillImages([sample], { kb, h, config: { seed: 'test', extraTypesPerSample: extra }, conceptKeys: () => derm7ptKeys, randomPool: pool, teacher });
  const teacherCases: Array<[string, string, NonNullable<Parameters<typeof distillImages>[1]['teacher']>]> = [
    ['teacher_no_feature', 'a refusal instead of a rule', async (p) => (p.type === 1 ? { rule: "I'm sorry, but I can't help with that request." } : null)],
    ['teacher_contradicts_annotation', 'a rule claiming a feature annotated absent', async (p) => (p.type === 1 ? { rule: 'A blue-whitish veil is clearly visible, which indicates melanoma.' } : null)],
    ['teacher_off_target', "a rule arguing from another disease's features", async (p) => (p.type === 1 ? { rule: 'A typical pigment network and a uniform colour as in a melanocytic nevus.' } : null)],
    ['teacher_wrong_conclusion', 'a comparison that concludes the other diagnosis', async (p) => (p.type === 1 ? null : { comparison: `This lesion is ${h.node(p.other!).name}, not melanoma, despite the atypical pigment network.` })],
  ];
  for (const [reason, what, teacher] of teacherCases) {
    it(`catches ${what} from a teacher (${reason}) and keeps the knowledge base's words`, async () => {
      const out = await withTeacher(teacher);
      assert.deepEqual(Object.keys(out.teacherRejected), [reason]);
      assert.ok(out.records.every((r) => !r.teacher));
      assert.deepEqual(out.rejected, {});
    });
  }
});

describe('distillation is independent of how the work is cut', () => {
  it('the same images give the same trajectories in one pass or in shards of any size', async () => {
    const nodes = ['melanoma', 'melanocytic_nevus', 'seborrheic_keratosis'];
    const samples: DistillSample[] = Array.from({ length: 30 }, (_, i) => ({
      datasetVersionId: 'dataset-version-000000000000000000000000',
      dataset: 'syn',
      sampleId: String(i).padStart(3, '0'),
      imageKey: '',
      imageSha256: String(i).padStart(64, '0'),
      split: 'train',
      modality: 'dermoscopic',
      labelNodes: [nodes[i % 3]!],
      concepts: i % 2 ? melanomaConcepts : null,
      fitzpatrick: null,
    }));
    const run = (xs: DistillSample[]) => distillImages(xs, { kb, h, config: { seed: 'cut', extraTypesPerSample: 2 }, conceptKeys: () => derm7ptKeys, randomPool: pool });
    const whole = (await run(samples)).records;
    for (const size of [1, 7, 13]) {
      const parts: typeof whole = [];
      for (let i = 0; i < samples.length; i += size) parts.push(...(await run(samples.slice(i, i + size))).records);
      assert.deepEqual(parts, whole, `shards of ${size}`);
    }
  });

  it('never offers a hierarchy relative as the look-alike (dysplastic nevus is a melanocytic nevus)', async () => {
    const { defaultKnowledgeDir, KnowledgeBase } = await import('../knowledge/KnowledgeBase.ts');
    const project = KnowledgeBase.load(defaultKnowledgeDir, h).kb;
    assert.ok(project.neighbours('nevus_dysplastic').includes('melanocytic_nevus'), 'the knowledge base links them');
    const g = groundSample(null, new Set(), project, 'dermoscopic');
    for (let i = 0; i < 40; i++) {
      const ps = planTrajectories({ target: 'nevus_dysplastic', grounding: g, seed: 's', imageKey: `k${i}`, extra: 4 }, project, h, randomPoolOf(project, h));
      for (const p of ps) if (p.other) assert.ok(!h.isAncestorOrSelf(p.other, 'nevus_dysplastic'), `${p.type}: ${p.other}`);
    }
  });
});
