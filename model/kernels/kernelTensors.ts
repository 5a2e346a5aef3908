import * as tf from '@tensorflow/tfjs';

/**
 * A kernel receives and returns TensorInfos. These helpers let a kernel written with tf ops borrow its inputs as
 * Tensors (taking a reference, so disposing the wrapper leaves the caller's data alone) and hand its result back
 * (keeping the data alive after the wrapper is disposed).
 */
export function borrow(info: tf.TensorInfo, backend: tf.KernelBackend): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

export function handOut(t: tf.Tensor, backend: tf.KernelBackend): tf.TensorInfo {
  backend.incRef(t.dataId);
  const info: tf.TensorInfo = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  t.dispose();
  return info;
}

/** Runs `fn` on borrowed inputs inside a tidy scope and hands out its result. */
export function withTensors(backend: tf.KernelBackend, inputs: tf.TensorInfo[], fn: (...ts: tf.Tensor[]) => tf.Tensor): tf.TensorInfo {
  const borrowed = inputs.map((i) => borrow(i, backend));
  try {
    const out = tf.tidy(() => fn(...borrowed));
    return handOut(out, backend);
  } finally {
    for (const b of borrowed) b.dispose();
  }
}
