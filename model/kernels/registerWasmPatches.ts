import * as tf from '@tensorflow/tfjs';
import { batchMatMulTransposedConfig } from './batchMatMulTransposed.ts';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter.ts';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum.ts';

let done = false;

/**
 * Supplies what the wasm backend lacks for training (the filter gradient of conv2d, the gather gradient) and makes
 * transposed matMuls fast. Idempotent; call after the wasm backend is registered.
 */
export function registerWasmPatches(): void {
  if (done) return;
  for (const k of [conv2dBackpropFilterConfig, unsortedSegmentSumConfig]) {
    if (!tf.getKernel(k.kernelName, 'wasm')) tf.registerKernel(k);
  }
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (original) {
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel(batchMatMulTransposedConfig(original));
  }
  done = true;
}
