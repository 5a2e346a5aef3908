import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { selectBackend } from '../model/selectBackend.ts';

/** Same random numbers on both backends. */
function data(shape: number[], seed: string): { shape: number[]; values: Float32Array } {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Float32Array.from({ length: n }, () => rng.range(-1, 1)) };
}

/** Runs `fn` on a backend and reads every output back. */
async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await selectBackend(backend);
  const outs = tf.tidy(fn);
  const vals = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outs);
  return vals;
}

function relErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

async function agree(label: string, fn: () => tf.Tensor[]): Promise<void> {
  const ref = await on('cpu', fn);
  const got = await on('wasm', fn);
  ref.forEach((r, i) => {
    const e = relErr(got[i]!, r);
    assert.ok(e < 1e-4, `${label} output ${i}: relative error ${e.toExponential(2)}`);
  });
}

describe('wasm kernel patches agree with the cpu backend', () => {
  for (const [stride, pad, size] of [
    [1, 'same', 9],
    [2, 'same', 9],
    [1, 'valid', 8],
    [2, 'valid', 9],
    [2, 'same', 8],
  ] as const) {
    it(`Conv2DBackpropFilter: stride ${stride}, ${pad} padding, ${size}x${size} input`, async () => {
      const x = data([2, size, size, 3], `x${stride}${pad}${size}`);
      const f = data([3, 3, 3, 4], `f${stride}${pad}${size}`);
      await agree('conv2d grads', () => {
        const xt = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
        const ft = tf.tensor4d(f.values, f.shape as [number, number, number, number]);
        const loss = (a: tf.Tensor, b: tf.Tensor) => {
          const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
          return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
        };
        const [dx, df] = tf.grads(loss)([xt, ft]);
        return [dx!, df!];
      });
    });
  }

  it('UnsortedSegmentSum: the gradient of an embedding lookup, with repeated ids', async () => {
    const e = data([10, 6], 'emb');
    await agree('gather grad', () => {
      const table = tf.tensor2d(e.values, [10, 6]);
      const ids = tf.tensor2d([1, 3, 3, 9, 0, 1, 2, 3], [2, 4], 'int32');
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), tf.reshape(tf.range(0, 48), [2, 4, 6]))))(table);
      return [g];
    });
  });

  for (const [ta, tb] of [
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`BatchMatMul with transposeA=${ta}, transposeB=${tb}: forward and gradients, batched`, async () => {
      const a = data(ta ? [3, 5, 4] : [3, 4, 5], `a${ta}${tb}`);
      const b = data(tb ? [3, 6, 5] : [3, 5, 6], `b${ta}${tb}`);
      await agree('matMul', () => {
        const at = tf.tensor3d(a.values, a.shape as [number, number, number]);
        const bt = tf.tensor3d(b.values, b.shape as [number, number, number]);
        const y = tf.matMul(at, bt, ta, tb);
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p as tf.Tensor3D, q as tf.Tensor3D, ta, tb))))([at, bt]);
        return [y, da!, db!];
      });
    });
  }

  it('does not leak tensors: a training-style step leaves the tensor count unchanged', async () => {
    await selectBackend('wasm');
    const f = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 1)) as tf.Variable<tf.Rank.R4>;
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x as tf.Tensor4D, f, 2, 'same')) as tf.Scalar);
      value.dispose();
      tf.dispose(grads);
    }
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([f, x]);
  });
});
