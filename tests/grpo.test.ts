import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../model/AdamW.ts';
import { disposeRolloutBatch, groupAdvantages, grpoStep, makeRolloutBatch, tokenLogProbs, type Rollout } from '../model/grpoStep.ts';
import { initParams, isVisionTower, type Params } from '../model/initParams.ts';
import { selectBackend } from '../model/selectBackend.ts';
import { modelPresets } from '../schemas/model.ts';
import { sha256Hex } from '../store/sha256.ts';

const cfg = { ...modelPresets.tiny, maxLen: 40 };
const V = 30;
const image = Float32Array.from({ length: cfg.imageSize * cfg.imageSize * 3 }, (_, i) => Math.sin(i));
// A group of four completions of one prompt; the first two end with <eos>, the others were cut at the length limit.
const group: Rollout[] = [
  { image, prompt: [5, 6], completion: [10, 11, 12], ended: true },
  { image, prompt: [5, 6], completion: [20, 21], ended: true },
  { image, prompt: [5, 6], completion: [10, 22, 23, 24], ended: false },
  { image, prompt: [5, 6], completion: [25], ended: false },
];

function digest(params: Params): string {
  return sha256Hex(Buffer.concat([...params.keys()].sort().map((k) => Buffer.from(params.get(k)!.dataSync().buffer))));
}

/** Mean log p over each completion's tokens. */
function sequenceLogProbs(params: Params, rollouts: Rollout[]): number[] {
  const b = makeRolloutBatch(rollouts, cfg.imageSize);
  const lp = tf.tidy(() => tf.squeeze(tf.matMul(b.perSequence, tf.reshape(tokenLogProbs(params, cfg, b), [-1, 1]))));
  const out = Array.from(lp.dataSync());
  lp.dispose();
  disposeRolloutBatch(b);
  return out;
}

describe('GRPO', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('normalises advantages within each group with the sample standard deviation', () => {
    // Rewards 2, 1, 1, 0: mean 1, sample std sqrt(2/3).
    const a = groupAdvantages([2, 1, 1, 0, 0.5, 0.5, 0.5, 0.5], 4);
    const s = Math.sqrt(2 / 3) + 1e-4;
    assert.deepEqual(a.slice(0, 4).map((x) => +x.toFixed(9)), [1 / s, 0, 0, -1 / s].map((x) => +x.toFixed(9)));
    assert.deepEqual(a.slice(4), [0, 0, 0, 0], 'a group with equal rewards teaches nothing');
    assert.throws(() => groupAdvantages([1, 2, 3], 2), /groups of 2/);
  });

  it('masks only completion tokens, with <eos> only for completions that ended', () => {
    const b = makeRolloutBatch(group, cfg.imageSize);
    assert.deepEqual(b.lengths, [4, 3, 4, 1]);
    const t = b.inputs.shape[1];
    // Prompt (2) and <bos>: the first position is the one whose target is the completion's first token, input position 2.
    assert.deepEqual(Array.from(b.positions.dataSync()).slice(0, 4), [2, 3, 4, 5]);
    assert.deepEqual(Array.from(b.targets.dataSync()).slice(0, 4), [10, 11, 12, 3], 'the first completion ends with <eos> (3)');
    assert.deepEqual(Array.from(b.positions.dataSync()).slice(11), [3 * t + 2], 'the cut completion has no <eos> target');
    assert.deepEqual(Array.from(b.perSequence.sum(1).dataSync()).map((x) => +x.toFixed(6)), [1, 1, 1, 1]);
    disposeRolloutBatch(b);
  });

  it('raises the likelihood of completions with positive advantage and lowers the others; KL is 0 at the reference', () => {
    const params = initParams(cfg, V, 'grpo');
    const reference = initParams(cfg, V, 'grpo');
    const opt = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const rewards = [2, 1.75, 0, 1];
    const advantages = groupAdvantages(rewards, 4);
    const before = sequenceLogProbs(params, group);
    const b = makeRolloutBatch(group, cfg.imageSize);
    const ref = tf.tidy(() => tokenLogProbs(reference, cfg, b));
    const kls: number[] = [];
    for (let i = 0; i < 5; i++) {
      const old = tf.tidy(() => tokenLogProbs(params, cfg, b));
      kls.push(grpoStep(params, cfg, opt, b, { advantages, oldLogProbs: old, refLogProbs: ref, beta: 0.04, clipEpsilon: 0.2, lr: 3e-3, gradClip: 1 }).kl);
      old.dispose();
    }
    const after = sequenceLogProbs(params, group);
    assert.ok(Math.abs(kls[0]!) < 1e-6, `KL at the reference ${kls[0]}`);
    assert.ok(kls[4]! > 0, 'KL grows as the policy moves');
    assert.ok(after[0]! > before[0]!, 'best completion more likely');
    assert.ok(after[2]! < before[2]!, 'worst completion less likely');
    tf.dispose([ref, ...params.values(), ...reference.values()]);
    opt.dispose();
    disposeRolloutBatch(b);
  });

  it('is deterministic: the same update from the same weights gives the same weights (what replay after a lost worker relies on)', () => {
    const run = () => {
      const params = initParams(cfg, V, 'det');
      const opt = new AdamW();
      const b = makeRolloutBatch(group, cfg.imageSize);
      for (let i = 0; i < 3; i++) {
        const old = tf.tidy(() => tokenLogProbs(params, cfg, b));
        grpoStep(params, cfg, opt, b, { advantages: groupAdvantages([1, 0, 2, 0.5], 4), oldLogProbs: old, refLogProbs: old, beta: 0.04, clipEpsilon: 0.2, lr: 1e-3, gradClip: 1 });
        old.dispose();
      }
      const d = digest(params);
      tf.dispose([...params.values()]);
      opt.dispose();
      disposeRolloutBatch(b);
      return d;
    };
    const n = tf.memory().numTensors;
    assert.equal(run(), run());
    assert.equal(tf.memory().numTensors, n, 'no tensors leak');
  });

  it("leaves frozen weights (the vision tower, as the method's RL does) exactly as they were and trains the rest", () => {
    const params = initParams(cfg, V, 'frozen');
    const copy = new Map([...params].map(([n, v]) => [n, Array.from(v.dataSync())]));
    const opt = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
    const b = makeRolloutBatch(group, cfg.imageSize);
    const old = tf.tidy(() => tokenLogProbs(params, cfg, b));
    grpoStep(params, cfg, opt, b, { advantages: groupAdvantages([2, 1.75, 0, 1], 4), oldLogProbs: old, refLogProbs: old, beta: 0.04, clipEpsilon: 0.2, lr: 1e-2, gradClip: 1, frozen: isVisionTower });
    const changed = [...params].filter(([n, v]) => Array.from(v.dataSync()).some((x, i) => x !== copy.get(n)![i])).map(([n]) => n);
    const tower = [...params.keys()].filter(isVisionTower);
    assert.ok(tower.length > 0, 'the preset has a vision tower');
    assert.deepEqual(changed.filter(isVisionTower), [], 'no vision-tower weight moved');
    assert.ok(changed.includes('enc.proj.w') && changed.includes('dec0.attn.qkv'), `the merger and decoder train (changed: ${changed.join(', ')})`);
    assert.ok(tower.every((n) => !opt.m.has(n)), 'the optimizer keeps no state for frozen weights');
    tf.dispose([old, ...params.values()]);
    opt.dispose();
    disposeRolloutBatch(b);
  });
});
