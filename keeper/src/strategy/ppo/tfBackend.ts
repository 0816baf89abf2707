/**
 * TensorFlow.js backend selection for training. Order: the native `@tensorflow/tfjs-node`
 * binding when it is installed (fastest), else the WebAssembly backend (about 3x faster than
 * the pure-JS one for our dense layers), else the pure-JS "cpu" backend with a log line.
 * Inference of a trained policy does not need TF.js at all (see mlp.ts).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export type TfModule = typeof tf;

let ready: Promise<{ tf: TfModule; backend: string }> | null = null;

/** Initialises TF.js once per process and reports which backend is active. */
export function initTf(log: (msg: string) => void = () => {}): Promise<{ tf: TfModule; backend: string }> {
  ready ??= selectBackend(log);
  return ready;
}

async function selectBackend(log: (msg: string) => void): Promise<{ tf: TfModule; backend: string }> {
  // A variable specifier keeps the optional native binding out of type-checking and bundling.
  const nativeName = "@tensorflow/tfjs-node";
  try {
    const native: unknown = await import(nativeName);
    if (native && (await tf.setBackend("tensorflow"))) {
      await tf.ready();
      return { tf, backend: tf.getBackend() };
    }
  } catch {
    // Not installed: fall through to WebAssembly.
  }
  try {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist")}/`);
    if (await tf.setBackend("wasm")) {
      await tf.ready();
      return { tf, backend: tf.getBackend() };
    }
  } catch (cause) {
    log(`tfjs: wasm backend failed (${String(cause)}); falling back to cpu`);
  }
  await tf.setBackend("cpu");
  await tf.ready();
  log("tfjs: using the pure-JS cpu backend (slow)");
  return { tf, backend: tf.getBackend() };
}
