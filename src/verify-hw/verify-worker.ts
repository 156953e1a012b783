import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { runPart, type VerifyConfig } from './verify.js';

/** One part of `rf8 verify --jobs J`: a byte range of the file, cut at clears. */
const w = workerData as { cfgIn: VerifyConfig; path: string; begin: number; stop: number; maxFirst: number };
try {
  parentPort!.postMessage(runPart(w.cfgIn, w.path, w.begin, w.stop, w.maxFirst));
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message, input: e instanceof InputError });
}
