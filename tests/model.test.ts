import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { AdamW, learningRateAt } from '../model/AdamW.ts';
import { crossEntropy, decode, embedTokens, encodeImages, forward, imageCondition, logitsOf } from '../model/forward.ts';
import { generate } from '../model/generate.ts';
import { batchesByLength, decodeAll } from '../model/generateBatch.ts';
import { initParams } from '../model/initParams.ts';
import { selectBackend } from '../model/selectBackend.ts';
import { disposeBatch, makeBatch, trainStep, type Example } from '../model/trainStep.ts';
import { Tokenizer } from '../model/Tokenizer.ts';
import { modelPresets } from '../schemas/model.ts';
import { sha256Hex } from '../store/sha256.ts';

const cfg = { ...modelPresets.tiny, maxLen: 48 };
const V = 40;

function digest(params: Map<string, tf.Variable>): string {
  return sha256Hex(Buffer.concat([...params.keys()].sort().map((k) => Buffer.from(params.get(k)!.dataSync().buffer))));
}

function examples(n: number, seed: string): Example[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    image: Float32Array.from({ length: cfg.imageSize * cfg.imageSize * 3 }, () => (i % 2 ? 0.8 : 0.2) + rng.range(-0.1, 0.1)),
    prompt: [5, 6, 7],
    // The response depends on the image: the model must look at it.
    response: i % 2 ? [10, 11, 12, 13] : [20, 21, 22],
  }));
}

describe('the vision-language model', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('cross-entropy (log-sum-exp with a written-out gradient) matches log-softmax in value and gradient', () => {
    const rng = new Rng('ce');
    const logits = tf.tensor2d(Array.from({ length: 6 * 50 }, () => rng.range(-8, 8)), [6, 50]);
    const targets = tf.tensor1d([0, 3, 49, 7, 7, 20], 'int32');
    const ours = tf.valueAndGrad((x: tf.Tensor) => crossEntropy(x as tf.Tensor2D, targets));
    const ref = tf.valueAndGrad((x: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(targets, 50).cast('float32')), -1))) as tf.Scalar);
    const a = ours(logits);
    const b = ref(logits);
    assert.ok(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!) < 1e-5);
    const ga = a.grad.dataSync();
    const gb = b.grad.dataSync();
    const err = Math.max(...Array.from(ga, (x, i) => Math.abs(x - gb[i]!))) / Math.max(...Array.from(gb, Math.abs));
    assert.ok(err < 1e-5, `relative gradient error ${err}`);
    tf.dispose([logits, targets, a.value, a.grad, b.value, b.grad]);
  });

  it('initialises the same weights from the same seed, and other weights from another', () => {
    const a = initParams(cfg, V, 's');
    const b = initParams(cfg, V, 's');
    const c = initParams(cfg, V, 't');
    assert.equal(digest(a), digest(b));
    assert.notEqual(digest(a), digest(c));
    tf.dispose([...a.values(), ...b.values(), ...c.values()]);
  });

  it('pools the visual grid: one token per cell by default, visualGrid^2 tokens that are the normed projection of the cell means', () => {
    const full = { ...cfg, visualGrid: undefined };
    const pooled = { ...cfg, visualGrid: 2 };
    const params = initParams(full, V, 'grid');
    const img = tf.randomUniform([2, cfg.imageSize, cfg.imageSize, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const cells = encodeImages(params, full, img);
    assert.deepEqual(cells.shape, [2, (cfg.imageSize / 8) ** 2, cfg.dModel]);
    // Pooled tokens from the same convolutions: recompute by hand from the 4x4 feature map.
    const expected = tf.tidy(() => {
      let x: tf.Tensor4D = img;
      for (let i = 0; i < cfg.convChannels.length; i++) x = tf.relu(tf.add(tf.conv2d(x, params.get(`enc.conv${i}.w`)! as tf.Tensor4D, 2, 'same'), params.get(`enc.conv${i}.b`)!)) as tf.Tensor4D;
      const topLeft = tf.mean(tf.slice(x, [0, 0, 0, 0], [2, 2, 2, -1]), [1, 2]) as tf.Tensor2D;
      const proj = tf.matMul(topLeft, params.get('enc.proj.w')! as tf.Tensor2D);
      const { mean, variance } = tf.moments(proj, -1, true);
      return tf.add(tf.div(tf.sub(proj, mean), tf.sqrt(tf.add(variance, 1e-5))), tf.slice(params.get('enc.pos')!, [0, 0], [1, -1]));
    });
    const pooledParams = new Map(params);
    pooledParams.set('enc.pos', tf.variable(tf.slice(params.get('enc.pos')!, [0, 0], [4, -1])));
    const got = encodeImages(pooledParams, pooled, img);
    assert.deepEqual(got.shape, [2, 4, cfg.dModel]);
    const diff = tf.max(tf.abs(tf.sub(tf.squeeze(tf.slice(got, [0, 0, 0], [2, 1, -1]), [1]), expected))).dataSync()[0]!;
    assert.ok(diff < 1e-4, `pooled token 0 differs by ${diff}`);
    tf.dispose([...params.values(), pooledParams.get('enc.pos')!, img, cells, expected, got]);
  });

  it('learns an image-dependent response: the masked loss falls far on a small batch, deterministically', () => {
    const run = () => {
      const params = initParams(cfg, V, 'fit');
      const opt = new AdamW();
      const batch = makeBatch(examples(4, 'data'), cfg.imageSize);
      const losses: number[] = [];
      for (let s = 0; s < 60; s++) losses.push(trainStep(params, cfg, opt, batch, learningRateAt(s, 60, 1e-2, 1e-3, 0.1), 1).loss);
      disposeBatch(batch);
      const d = digest(params);
      opt.dispose();
      tf.dispose([...params.values()]);
      return { losses, d };
    };
    const before = tf.memory().numTensors;
    const a = run();
    assert.ok(a.losses[59]! < a.losses[0]! * 0.1, `loss ${a.losses[0]} -> ${a.losses[59]}`);
    const b = run();
    assert.equal(a.d, b.d, 'same seed, data and order give the same weights');
    assert.equal(tf.memory().numTensors, before, 'training leaks no tensors');
  });

  it('decodes with the KV cache exactly as without it, and the cache path matches the full forward pass', () => {
    const params = initParams(cfg, V, 'kv');
    const ex = examples(1, 'kv')[0]!;
    const cached = generate(params, cfg, ex.image, ex.prompt, { maxTokens: 12, temperature: 0, seed: 'g' });
    const full = generate(params, cfg, ex.image, ex.prompt, { maxTokens: 12, temperature: 0, seed: 'g', kvCache: false });
    assert.deepEqual(cached, full);
    const sampledA = generate(params, cfg, ex.image, ex.prompt, { maxTokens: 12, temperature: 1, seed: 'x' });
    const sampledB = generate(params, cfg, ex.image, ex.prompt, { maxTokens: 12, temperature: 1, seed: 'x', kvCache: false });
    assert.deepEqual(sampledA, sampledB, 'sampling is seeded and the same with or without the cache');
    // Logits of the last position: full sequence vs prefix + one cached step.
    const tokens = [...ex.prompt, 2, 9];
    const diff = tf.tidy(() => {
      const img = tf.tensor4d(ex.image, [1, cfg.imageSize, cfg.imageSize, 3]);
      const all = forward(params, cfg, img, tf.tensor2d([tokens], undefined, 'int32'));
      const lastFull = tf.slice(all, [0, tokens.length - 1, 0], [1, 1, V]);
      const vis = encodeImages(params, cfg, img);
      const cond = imageCondition(params, vis);
      const pre = decode(params, cfg, tf.concat([vis, embedTokens(params, tf.tensor2d([tokens.slice(0, -1)], undefined, 'int32'), 0, cond)], 1) as tf.Tensor3D);
      const step = decode(params, cfg, embedTokens(params, tf.tensor2d([[tokens[tokens.length - 1]!]], undefined, 'int32'), tokens.length - 1, cond), pre.cache);
      return tf.max(tf.abs(tf.sub(lastFull, logitsOf(params, step.h)))).dataSync()[0]!;
    });
    assert.ok(diff < 1e-4, `max logit difference ${diff}`);
    tf.dispose([...params.values()]);
  });

  it('decodes a batch in lockstep as each row would alone: prompts of other lengths padded and masked, greedy and seeded sampling, order kept', async () => {
    const params = initParams(cfg, V, 'batch');
    const exs = examples(6, 'batch');
    // Rows of three prompt lengths, interleaved: batches mix lengths (padding), and every answer must come back in place.
    const rows = exs.map((ex, i) => ({ image: ex.image, prompt: [...ex.prompt, ...Array.from({ length: i % 3 }, () => 8 + i)], seed: `s${i}` }));
    let sampled: number[][] = [];
    for (const temperature of [0, 1]) {
      const alone = rows.map((r) => generate(params, cfg, r.image, r.prompt, { maxTokens: 10, temperature, seed: r.seed, kvCache: false }));
      const together = await decodeAll(params, cfg, rows, { maxNewTokens: 10, temperature, maxBatch: 4 });
      assert.deepEqual(together, alone, `temperature ${temperature}`);
      sampled = together;
    }
    assert.ok(new Set(sampled.map((t) => t.join(','))).size > 1, 'rows sample from their own streams');
    assert.deepEqual(batchesByLength([5, 6, 5, 5, 6], 2), [[0, 2], [3, 1], [4]]);
  });

  it('warms the learning rate up linearly, then decays it along a cosine to the minimum', () => {
    assert.equal(learningRateAt(0, 100, 1, 0.1, 0.1), 0.1);
    assert.equal(learningRateAt(9, 100, 1, 0.1, 0.1), 1);
    assert.ok(Math.abs(learningRateAt(55, 100, 1, 0.1, 0.1) - 0.55) < 0.01);
    assert.equal(learningRateAt(100, 100, 1, 0.1, 0.1), 0.1);
  });
});

describe('the word tokenizer', () => {
  it('round-trips text exactly, maps unknown words to <unk>, and is versioned by its tokens', () => {
    const text = '<thinking>Findings: papule, plaque and stuck-on appearance. Hierarchy: Benign neoplasm > Benign keratinocytic (epidermal) > seborrheic keratosis.</thinking><final diagnosis>seborrheic keratosis (benign)</final diagnosis>';
    const tok = Tokenizer.build([text, 'Stevens-Johnson syndrome / toxic epidermal necrolysis']);
    assert.equal(tok.decode(tok.encode(text)), text);
    assert.equal(tok.encode('<thinking>')[0], tok.id('<thinking>'), 'tags are single tokens');
    assert.ok(tok.encode('zebra papule').includes(1), 'an unknown word is <unk>');
    assert.equal(Tokenizer.build([text]).digest, Tokenizer.build([text]).digest);
    assert.notEqual(Tokenizer.build([text]).digest, tok.digest);
  });
});
