import * as tf from '@tensorflow/tfjs';

/**
 * Wraps the wasm BatchMatMul so transposed operands are transposed explicitly first: the wasm kernel is ~19x slower (platform notes: 160 ms vs 8.6 ms)
 * with transposeA/transposeB set, and autograd emits exactly those for dense and attention layers. Same results.
 */
export function batchMatMulTransposedConfig(original: tf.KernelConfig): tf.KernelConfig {
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!transpose) throw new Error('the wasm backend has no Transpose kernel');
  return {
    ...original,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
      if (!transposeA && !transposeB) return original.kernelFunc(args);
      const backend = args.backend as tf.KernelBackend;
      const { a, b } = args.inputs as unknown as tf.BatchMatMulInputs;
      const swapLast = (t: tf.TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!];
        return transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const ta = transposeA ? swapLast(a!) : a!;
      const tb = transposeB ? swapLast(b!) : b!;
      try {
        return original.kernelFunc({ ...args, inputs: { a: ta, b: tb }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      } finally {
        if (ta !== a) backend.disposeData(ta.dataId);
        if (tb !== b) backend.disposeData(tb.dataId);
      }
    },
  };
}
