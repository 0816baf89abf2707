/**
 * Plain-JS forward pass of a small MLP (tanh hidden layers, linear output). Rollouts evaluate
 * the policy one observation at a time, where a TF.js call costs far more than the arithmetic;
 * production inference uses it too, so a saved policy runs without TF.js and bit-for-bit
 * reproducibly.
 */
import { InvalidInputError } from "../../core/errors.js";

export interface DenseLayer {
  /** Row-major [in x out]. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly inSize: number;
  readonly outSize: number;
}

export function mlpForward(layers: readonly DenseLayer[], input: ArrayLike<number>): Float64Array {
  let x = Float64Array.from(input as ArrayLike<number>);
  if (layers[0] && x.length !== layers[0].inSize) {
    throw new InvalidInputError("mlpForward: input size mismatch", { got: x.length, want: layers[0].inSize });
  }
  for (let l = 0; l < layers.length; l++) {
    const { kernel, bias, inSize, outSize } = layers[l]!;
    const y = new Float64Array(outSize);
    for (let o = 0; o < outSize; o++) y[o] = bias[o]!;
    for (let i = 0; i < inSize; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      const off = i * outSize;
      for (let o = 0; o < outSize; o++) y[o] = y[o]! + xi * kernel[off + o]!;
    }
    if (l < layers.length - 1) for (let o = 0; o < outSize; o++) y[o] = Math.tanh(y[o]!);
    x = y;
  }
  return x;
}
