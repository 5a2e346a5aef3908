import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { skinconConcepts } from '../datasets/skincon/adapter.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { importMarkdown } from '../knowledge/importMarkdown.ts';
import { defaultKnowledgeDir, KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { requiredNodes } from '../knowledge/requiredNodes.ts';
import { runCli } from './helpers/spawnCli.ts';
import { tempDir } from './helpers/tempDir.ts';

const h = Hierarchy.fromFile();
const featuresFile = path.join(defaultKnowledgeDir, '00-features.md');

/** A tiny knowledge folder: the project's feature vocabulary plus one chapter written by the test. */
function folderWith(chapter: string): string {
  const dir = tempDir('kb');
  copyFileSync(featuresFile, path.join(dir, '00-features.md'));
  writeFileSync(path.join(dir, '10-test.md'), chapter);
  return dir;
}

const goodChapter = `# Test chapter

## melanoma
### Morphology
- Lesion: macule, nodule
- Colour: multiple colours
- Border: irregular border
### Dermoscopy
- atypical pigment network, blue-whitish veil
### Rules
- An atypical pigment network with a blue-whitish veil indicates melanoma.
### Differential diagnosis
- melanocytic nevus: a nevus keeps a typical pigment network, melanoma has an atypical pigment network.

## melanocytic nevus
### Morphology
- Lesion: macule
- Colour: uniform colour
### Dermoscopy
- typical pigment network
### Rules
- A typical pigment network in a macule of uniform colour indicates a melanocytic nevus.
### Differential diagnosis
- melanoma: melanoma shows multiple colours and an irregular border.
`;

describe('knowledge base import', () => {
  it('reads Markdown chapters into the validated form: entries on hierarchy nodes, features by id, an undirected DDx graph', () => {
    const { kb, issues } = KnowledgeBase.load(folderWith(goodChapter), h);
    assert.deepEqual(issues, []);
    const mel = kb.entry('melanoma');
    assert.equal(mel.bucket, 'malignant');
    assert.deepEqual(mel.dermoscopy, ['atypical_pigment_network', 'blue_whitish_veil']);
    assert.deepEqual(mel.morphology.lesion, ['macule', 'nodule']);
    assert.deepEqual(kb.neighbours('melanoma'), ['melanocytic_nevus']);
    assert.deepEqual(kb.neighbours('melanocytic_nevus'), ['melanoma']);
    assert.equal(kb.contrast('melanoma', 'melanocytic_nevus').length, 2, 'both directions are kept as statements');
    assert.deepEqual(kb.conceptFeatures('pigment_network:atypical'), ['atypical_pigment_network']);
    assert.deepEqual(kb.conceptFeatures('Brown(Hyperpigmentation)'), ['brown_colour']);
  });

  it('names the file and line of every problem, and collects them all in one pass', () => {
    const bad = `# Broken chapter

## not a disease at all
### Rules
- Anything.

## melanoma
### Morphology
- Lesion: macule, purple unicorn
- Shape: round
### Dermoscopy
- atypical pigment network
### Rules
- An atypical pigment network with silvery scale indicates melanoma.
- A lesion that simply looks bad.
### Differential diagnosis
- psoriasis: psoriasis has silvery scale and melanoma has an atypical pigment network.
- dragon pox: it has scales.
### Prognosis
- poor
`;
    const { issues } = importMarkdown(folderWith(bad), h);
    const at = (line: number) => issues.filter((i) => i.file === '10-test.md' && i.line === line).map((i) => `${i.severity}: ${i.message}`);
    assert.match(at(3).join(), /"not a disease at all" is not a node, name or synonym of the disease hierarchy/);
    assert.match(at(9).join(), /unknown feature "purple unicorn" in melanoma/);
    assert.match(at(10).join(), /expected "- <aspect>: <features>"/);
    assert.match(at(14).join(), /mentions "silvery scale", which is not among the features of melanoma/);
    assert.match(at(15).join(), /names no feature of the vocabulary/);
    assert.match(at(17).join(), /^warning: differential "psoriasis" \(psoriasis\) has no entry/);
    assert.match(at(18).join(), /differential "dragon pox" is not a node/);
    assert.match(at(19).join(), /unknown section "Prognosis"/);
    assert.equal(issues.filter((i) => i.severity === 'error').length, 7);
    assert.throws(() => KnowledgeBase.load(folderWith(bad), h), /ValidationError|has 7 error\(s\)/);
  });

  it('rejects a feature phrase defined twice and an alias that names another feature', () => {
    const dup = `# Features\n\n## Lesion\n\n| Feature | Also called | Dataset concepts |\n|---|---|---|\n| papule | | |\n| bump | nodule | |\n`;
    const { issues } = importMarkdown(folderWith(dup + '\n' + goodChapter), h);
    const mine = issues.filter((i) => i.file === '10-test.md').map((i) => `${i.line}: ${i.message}`);
    assert.ok(mine.some((m) => /^7: feature "papule" is already defined at 00-features\.md:\d+/.test(m)), mine.join('\n'));
    assert.ok(mine.some((m) => /^8: "nodule" already names feature "nodule"/.test(m)), mine.join('\n'));
  });

  it('ignores HTML comments over several lines, and rejects "<" in knowledge text (it would break every trajectory)', () => {
    const commented = goodChapter.replace('### Rules\n- An atypical', '<!-- draft:\n- Anything at all.\n-->\n### Rules\n- An atypical');
    const { issues, data } = importMarkdown(folderWith(commented), h);
    assert.deepEqual(issues, []);
    assert.equal(data.diseases.find((e) => e.node === 'melanoma')!.rules.length, 1);
    const angled = importMarkdown(folderWith(goodChapter.replace('indicates melanoma.', 'indicates melanoma <b>always</b>.')), h).issues;
    assert.match(angled.map((i) => `${i.line}: ${i.message}`).join('\n'), /^11: knowledge text must not contain "<"/m);
  });

  it('is versioned by content: moving text does not change the digest, changing a rule does', () => {
    const a = KnowledgeBase.load(folderWith(goodChapter), h).kb.digest;
    const b = KnowledgeBase.load(folderWith(`<!-- a comment -->\n\n${goodChapter}\n\n`), h).kb.digest;
    const c = KnowledgeBase.load(folderWith(goodChapter.replace('with a blue-whitish veil indicates', 'and a blue-whitish veil point to')), h).kb.digest;
    assert.equal(a, b);
    assert.notEqual(a, c);
  });
});

describe("the project's knowledge base", () => {
  const { kb, issues } = KnowledgeBase.load(defaultKnowledgeDir, h);

  it('validates with no errors and no warnings', () => {
    assert.deepEqual(issues, []);
  });

  it('gives every disease node the six datasets use rules and at least one DDx neighbour', () => {
    const required = requiredNodes(h);
    assert.ok(required.length > 100, `${required.length} required nodes`);
    const cov = kb.coverage(required);
    assert.deepEqual({ missingEntry: cov.missingEntry, missingDdx: cov.missingDdx }, { missingEntry: [], missingDdx: [] });
  });

  it('covers neoplastic, inflammatory and infectious diseases, and every entry names visible features', () => {
    const groups = new Set(kb.diseases().map((e) => h.path(e.node)[1]));
    for (const g of ['neoplasm_malignant', 'neoplasm_premalignant', 'neoplasm_benign', 'inflammatory', 'infectious', 'other_nonneoplastic']) assert.ok(groups.has(g), g);
    for (const e of kb.diseases()) {
      const visible = [...Object.values(e.morphology).flat(), ...e.dermoscopy];
      assert.ok(visible.length >= 2, `${e.node} names ${visible.length} visible features`);
      assert.ok(e.rules.length >= 1, e.node);
    }
  });

  it('maps every Derm7pt checklist value and every SkinCon concept onto a feature', () => {
    assert.equal(skinconConcepts.length, 48);
    for (const c of skinconConcepts) assert.ok(kb.conceptFeatures(c).length > 0, `SkinCon ${c}`);
    const derm7pt = ['pigment_network:typical', 'pigment_network:atypical', 'streaks:regular', 'streaks:irregular', 'pigmentation:diffuse regular', 'pigmentation:localized irregular', 'regression_structures:blue areas', 'regression_structures:combinations', 'dots_and_globules:regular', 'dots_and_globules:irregular', 'blue_whitish_veil:present', 'vascular_structures:arborizing', 'vascular_structures:within regression', 'vascular_structures:wreath'];
    for (const c of derm7pt) assert.ok(kb.conceptFeatures(c).length > 0, `Derm7pt ${c}`);
  });

  it('skinr1 knowledge check --json reports the digest and full coverage, and fails on a broken folder', async () => {
    const ok = await runCli(['knowledge', 'check', '--require-coverage', '--json'], {});
    assert.equal(ok.code, 0, ok.stderr);
    const r = JSON.parse(ok.stdout);
    assert.equal(r.digest, kb.digest);
    assert.equal(r.coverage.complete, r.coverage.required);
    const bad = await runCli(['knowledge', 'check', folderWith('# Chapter\n\n## melanoma\n### Rules\n- It has a purple unicorn.\n'), '--json'], {});
    assert.equal(bad.code, 1);
    assert.ok(JSON.parse(bad.stdout).errors >= 1);
  });
});
