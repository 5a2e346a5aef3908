/**
 * Training and decoding speed of the vision-language model on the active backend, in one run:
 * - SFT steps: samples/s and response tokens/s, and the achieved GFLOP/s of a step (FLOPs counted from the shapes,
 *   training ~ 3x forward) next to the backend's own large matMul GFLOP/s (their ratio says how much of the machine
 *   a step uses);
 * - greedy decoding tokens/s with and without the KV cache.
 * `npm run bench:sft [-- --json] [-- --presets tiny,small] [-- --steps N] [-- --backend wasm]`.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { AdamW } from '../model/AdamW.ts';
import { generate } from '../model/generate.ts';
import { generateBatch } from '../model/generateBatch.ts';
import { initParams } from '../model/initParams.ts';
import { selectBackend, type BackendChoice } from '../model/selectBackend.ts';
import { disposeBatch, makeBatch, trainStep, type Example } from '../model/trainStep.ts';
import { modelPresets, type ModelConfig, type ModelPreset } from '../schemas/model.ts';
import { median, printTable } from './table.ts';

const { values: args } = parseArgs({
  options: { json: { type: 'boolean' }, presets: { type: 'string', default: 'tiny,small' }, steps: { type: 'string', default: '8' }, backend: { type: 'string', default: 'auto' }, batch: { type: 'string', default: '8' } },
});
const steps = Number(args.steps);
const batchSize = Number(args.batch);
const info = await selectBackend(args.backend as BackendChoice);
// Lengths and vocabulary like the demo's: a 51-token prompt, a ~126-token response, ~1,600 tokens.
const PROMPT = 51;
const RESPONSE = 126;
const VOCAB = 1600;

/** Multiply-adds x 2 of one forward pass over one example. */
function forwardFlops(c: ModelConfig, vocab: number): number {
  let flops = 0;
  let side = c.imageSize;
  let cin = 3;
  for (const cout of c.convChannels) {
    side /= 2;
    flops += 2 * side * side * 9 * cin * cout;
    cin = cout;
  }
  const nv = side * side;
  const t = PROMPT + RESPONSE + 1;
  const l = nv + t;
  flops += 2 * nv * cin * c.dModel;
  const perToken = 2 * (3 * c.dModel * c.dModel + c.dModel * c.dModel + 2 * c.dModel * c.mlp);
  flops += c.layers * (l * perToken + 2 * 2 * l * l * c.dModel);
  // The vocabulary projection runs only where a response token is predicted (RESPONSE + <eos>).
  flops += 2 * (RESPONSE + 1) * c.dModel * vocab;
  return flops;
}

function examples(c: ModelConfig, n: number): Example[] {
  const rng = new Rng('bench');
  return Array.from({ length: n }, () => ({
    image: Float32Array.from({ length: c.imageSize * c.imageSize * 3 }, () => rng.next()),
    prompt: Array.from({ length: PROMPT }, () => 4 + Math.floor(rng.next() * (VOCAB - 4))),
    response: Array.from({ length: RESPONSE }, () => 4 + Math.floor(rng.next() * (VOCAB - 4))),
  }));
}

const n = 1024;
const a = tf.randomNormal([n, n]);
const b = tf.randomNormal([n, n]);
tf.matMul(a, b).dataSync();
const mm: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  // Read back outside tidy: tidy walks a returned typed array element by element (seconds for a 1M-float result).
  const c = tf.matMul(a, b);
  c.dataSync();
  c.dispose();
  mm.push(performance.now() - t0);
}
tf.dispose([a, b]);
const matmulGflops = (2 * n ** 3) / (median(mm) / 1000) / 1e9;

const rows: Array<Record<string, string | number>> = [];
for (const name of args.presets!.split(',') as ModelPreset[]) {
  const c = modelPresets[name];
  const params = initParams(c, VOCAB, 'bench');
  const opt = new AdamW();
  const batch = makeBatch(examples(c, batchSize), c.imageSize);
  trainStep(params, c, opt, batch, 1e-3, 1); // warm-up: kernels compiled, buffers allocated
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    trainStep(params, c, opt, batch, 1e-3, 1);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const gflops = (3 * forwardFlops(c, VOCAB) * batchSize) / (ms / 1000) / 1e9;
  disposeBatch(batch);
  const ex = examples(c, 1)[0]!;
  const decode = (kvCache: boolean) => {
    const t0 = performance.now();
    const out = generate(params, c, ex.image, ex.prompt, { maxTokens: 64, temperature: 1, seed: 'bench', kvCache });
    return out.length / ((performance.now() - t0) / 1000);
  };
  decode(true);
  const withCache = median([decode(true), decode(true), decode(true)]);
  const without = median([decode(false), decode(false), decode(false)]);
  // Rows decoded in lockstep (what rollouts and evaluation do): tokens of all rows per second.
  const batched = (rowsPerBatch: number) => {
    const t0 = performance.now();
    const outs = generateBatch(params, c, Array.from({ length: rowsPerBatch }, (_, i) => ({ image: ex.image, prompt: ex.prompt, seed: `bench${i}` })), { maxTokens: 64, temperature: 1 });
    return outs.reduce((a, o) => a + o.length, 0) / ((performance.now() - t0) / 1000);
  };
  batched(8);
  const batch8 = median([batched(8), batched(8), batched(8)]);
  const batch32 = median([batched(32), batched(32), batched(32)]);
  rows.push({
    preset: name,
    'step ms': ms.toFixed(0),
    'samples/s': ((batchSize / ms) * 1000).toFixed(1),
    'tokens/s': Math.round(((batchSize * (RESPONSE + 1)) / ms) * 1000),
    'step GFLOP/s': gflops.toFixed(2),
    'matMul GFLOP/s': matmulGflops.toFixed(1),
    'step/matMul': (gflops / matmulGflops).toFixed(2),
    'decode tok/s (KV cache)': withCache.toFixed(0),
    'decode tok/s (no cache)': without.toFixed(0),
    'cache speed-up': (withCache / without).toFixed(1),
    'decode tok/s, batch 8': batch8.toFixed(0),
    'decode tok/s, batch 32': batch32.toFixed(0),
    'batch 32 / batch 1': (batch32 / withCache).toFixed(1),
  });
  opt.dispose();
  tf.dispose([...params.values()]);
}
if (args.json) console.log(JSON.stringify({ backend: info.active, batchSize, steps, rows }, null, 2));
else printTable(`SFT on ${info.active} (${info.detail}); batch ${batchSize}, prompt ${PROMPT} + response ${RESPONSE} tokens, vocabulary ${VOCAB}, median of ${steps} steps`, rows);
