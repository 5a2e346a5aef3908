import * as tf from '@tensorflow/tfjs';
import { withTensors } from './kernelTensors.ts';

/**
 * The filter gradient of a 2-D convolution, which the wasm backend lacks (so no conv net trains on it). Computed as a
 * convolution itself: with channels and batch swapped, the padded input convolved by the output gradient, dilated by
 * the forward strides, gives dW at every kernel offset; the first KH x KW positions are the gradient.
 */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as unknown as tf.Conv2DBackpropFilterInputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm patch): only NHWC is supported, got ${dataFormat}`);
    const info = tf.backend_util.computeConv2DInfo(x!.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const [kh, kw] = [filterShape[0], filterShape[1]];
    return withTensors(backend as tf.KernelBackend, [x!, dy!], (xt, dyt) => {
      const { top, bottom, left, right } = info.padInfo;
      // Pad so the 'valid' correlation below sees exactly the positions the forward pass used.
      const needH = (info.outHeight - 1) * info.strideHeight + kh;
      const needW = (info.outWidth - 1) * info.strideWidth + kw;
      const hp = xt.shape[1]! + top + bottom;
      const wp = xt.shape[2]! + left + right;
      const padded = tf.pad(xt as tf.Tensor4D, [[0, 0], [top, bottom + Math.max(0, needH - hp)], [left, right + Math.max(0, needW - wp)], [0, 0]]);
      const xT = tf.transpose(padded, [3, 1, 2, 0]); // [Ci, Hp, Wp, B]
      const dyT = tf.transpose(dyt as tf.Tensor4D, [1, 2, 0, 3]); // [Ho, Wo, B, Co] as a filter
      const corr = tf.conv2d(xT as tf.Tensor4D, dyT as tf.Tensor4D, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]); // [Ci, >=KH, >=KW, Co]
      const cut = tf.slice(corr, [0, 0, 0, 0], [corr.shape[0], kh, kw, corr.shape[3]]);
      return tf.transpose(cut, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
    });
  },
};
