import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { parseAnswer, TAGS } from '../distill/trajectoryText.ts';
import { readChoice } from '../rl/hierarchicalReward.ts';
import { withChoicePrompts } from '../training/choicePrompt.ts';
import type { SftRow } from '../training/sftExamples.ts';

const h = Hierarchy.fromFile();
const targets = ['melanoma', 'bcc', 'keratoacanthoma', 'scc_in_situ', 'melanocytic_nevus', 'mycosis_fungoides', 'sebaceous_carcinoma', 'leukemia_cutis'];
const rows: SftRow[] = targets.map((target, i) => ({
  trajectoryId: `trajectory-${i}`,
  imageSha256: String(i).repeat(64).slice(0, 64),
  prompt: 'Describe the lesion and give the diagnosis.',
  text: `${TAGS.thinkingOpen}reasoning about sample ${i}${TAGS.thinkingClose}${TAGS.finalOpen}${h.node(target).name} (malignant)${TAGS.finalClose}`,
  type: 1,
  target,
}));

/** The options a multiple-choice prompt offers, read back from its "A: text B: text" list. */
function offered(prompt: string): Array<{ letter: string; text: string }> {
  const list = /answer: what type of abnormality does it show\? (.*)\. Inside <thinking>/.exec(prompt)?.[1];
  assert.ok(list, `not a multiple-choice prompt: ${prompt}`);
  return list.split(/ (?=[A-F]: )/).map((s) => ({ letter: s[0]!, text: s.slice(3) }));
}

describe('withChoicePrompts', () => {
  test('share 0 leaves every row as it was', () => {
    assert.deepEqual(withChoicePrompts(rows, h, 'seed', 0), rows);
  });

  test("answers name the finest offered option on the target's path and keep the reasoning", () => {
    const out = withChoicePrompts(rows, h, 'seed', 1);
    assert.equal(out.length, rows.length);
    for (const [i, r] of out.entries()) {
      const options = offered(r.prompt).map((o) => ({ ...o, node: h.lookup(o.text)!, score: 0 }));
      const parsed = parseAnswer(r.text)!;
      assert.equal(parsed.thinking, `reasoning about sample ${i}`);
      assert.equal(parsed.bucket, 'malignant');
      const path = h.path(r.target);
      const onPath = options.filter((o) => path.includes(o.node)).sort((a, b) => path.indexOf(b.node) - path.indexOf(a.node));
      assert.ok(onPath.length >= 1, `row ${i} offers no correct option`);
      // The reward's own parser must read the finest correct option from the answer.
      assert.equal(readChoice(parsed.final, options, h), onPath[0]!.letter, `row ${i}: ${parsed.final}`);
      assert.equal(parsed.final, `${onPath[0]!.text} (malignant)`);
    }
  });

  test('the same seed draws the same options, another seed others, and a share draws prompts for about that share', () => {
    const once = withChoicePrompts(rows, h, 'seed', 1);
    assert.deepEqual(withChoicePrompts(rows, h, 'seed', 1), once);
    assert.notDeepEqual(withChoicePrompts(rows, h, 'other seed', 1).map((r) => r.prompt), once.map((r) => r.prompt));
    const many = Array.from({ length: 400 }, (_, i) => ({ ...rows[i % rows.length]!, trajectoryId: `trajectory-many-${i}` }));
    const changed = withChoicePrompts(many, h, 'seed', 0.5).filter((r, i) => r.prompt !== many[i]!.prompt).length;
    assert.ok(changed > 160 && changed < 240, `${changed} of 400 got a multiple-choice prompt at share 0.5`);
  });
});
