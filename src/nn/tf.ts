/**
 * TensorFlow.js on the WebAssembly backend, in Node, with nothing downloaded: the .wasm binaries
 * are read from node_modules/@tensorflow/tfjs-backend-wasm/dist. Call `initTf()` before any
 * tensor work; it is idempotent. The pure-JS cpu backend is ~25x slower and is used only if
 * explicitly requested (RF8_TF_BACKEND=cpu), never as a silent fallback.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export { tf };

let ready: Promise<string> | undefined;

export function initTf(): Promise<string> {
  if (!ready) ready = doInit();
  return ready;
}

async function doInit(): Promise<string> {
  const want = process.env.RF8_TF_BACKEND ?? 'wasm';
  if (want === 'wasm') {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(dir + '/');
    try {
      setThreadsCount(1);
    } catch {
      /* only meaningful for the threaded build */
    }
  }
  const ok = await tf.setBackend(want);
  if (!ok) throw new Error(`tfjs backend '${want}' failed to initialize`);
  await tf.ready();
  tf.enableProdMode(); // no NaN checks / debug bookkeeping in the hot loop
  return tf.getBackend();
}
