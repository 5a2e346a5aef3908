import * as tf from '@tensorflow/tfjs';
import { withTensors } from './kernelTensors.ts';

/**
 * Sum of rows by segment id, which the wasm backend lacks; autograd uses it for the gradient of `gather`, i.e. of every
 * embedding lookup. Computed as one-hot(segment ids)^T x rows, one matMul.
 */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as unknown as tf.UnsortedSegmentSumInputs;
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    return withTensors(backend as tf.KernelBackend, [x!, segmentIds!], (xt, ids) => {
      const rows = ids.size;
      const flatX = tf.reshape(xt, [rows, -1]);
      // wasm's OneHot writes int32 bits whatever dtype is asked for, so build it as int32 and cast.
      const oneHot = tf.cast(tf.oneHot(tf.cast(tf.reshape(ids, [rows]), 'int32'), numSegments), 'float32'); // [rows, S]
      const summed = tf.matMul(oneHot, tf.cast(flatX, 'float32'), true, false); // [S, rest]
      return tf.cast(tf.reshape(summed, [numSegments, ...xt.shape.slice(ids.rank)]), xt.dtype);
    });
  },
};
