import { openWeights } from '../io/open.js';
import type { TensorInfo, WeightSource } from '../io/source.js';
import type { Rf8Codes, ScaleGranularity } from '../io/rf8file.js';
import type { FormatName, Rounding } from '../format/traits.js';
import type { ScaleMethod } from '../quant/scale.js';
import type { GGFit } from '../gg/fit.js';
import { fitReport, isWideDtype, readFloatTensor, type TensorFitReport } from './commands/fit.js';
import { quantizeOne, type TensorQuantReport } from './commands/quantize.js';

/**
 * One tensor's work for `rf8 fit` / `rf8 quantize`, the same function in the main thread
 * (`--jobs 1`) and in a worker (src/cli/workers/tensor-worker.ts), so the outputs cannot differ.
 * The task names the file and the tensor; the data is read where the work runs.
 */
export type TensorTask =
  | { kind: 'fit'; path: string; info: TensorInfo; bound: boolean }
  | { kind: 'quantize'; path: string; info: TensorInfo; granularity: ScaleGranularity; format: FormatName | 'auto'; method: ScaleMethod; bound: boolean; candidates?: FormatName[]; rounding?: Rounding };

export type TensorTaskResult = { kind: 'fit'; report: TensorFitReport; fit: GGFit } | { kind: 'quantize'; report: TensorQuantReport; codes: Rf8Codes };

const sources = new Map<string, WeightSource>();
function source(path: string): WeightSource {
  let s = sources.get(path);
  if (!s) {
    s = openWeights(path);
    sources.set(path, s);
  }
  return s;
}
/** Close the weight files this thread opened. */
export function closeTaskSources(): void {
  for (const s of sources.values()) s.close();
  sources.clear();
}

/**
 * Every float32 tensor is read into this one buffer (grown to the largest so far): neither a fit
 * nor a quantization keeps its input (results are new arrays), and reusing the buffer leaves no
 * tensor-sized garbage behind for the collector to catch up with while the next tensor is read
 * (peak memory per thread: about one tensor plus the work's own arrays).
 */
let inBuf = new Float32Array(0);

export function runTensorTask(t: TensorTask): TensorTaskResult {
  if (inBuf.length < t.info.numel && !isWideDtype(t.info.dtype)) {
    inBuf = new Float32Array(0); // drop the old one before allocating the bigger one
    inBuf = new Float32Array(t.info.numel);
  }
  const data = readFloatTensor(source(t.path), t.info, t.path, undefined, inBuf);
  if (t.kind === 'fit') {
    const { report, fit } = fitReport({ name: t.info.name, shape: t.info.shape, dtype: t.info.dtype, data }, t.bound);
    return { kind: 'fit', report, fit };
  }
  const { report, codes } = quantizeOne(t.info, data, t.granularity, { format: t.format, method: t.method, bound: t.bound, file: t.path, ...(t.candidates ? { candidates: t.candidates } : {}), ...(t.rounding ? { rounding: t.rounding } : {}) });
  return { kind: 'quantize', report, codes };
}

/** The typed-array buffers of a result (transferred from a worker, not copied). */
export function transferList(r: TensorTaskResult): ArrayBuffer[] {
  if (r.kind !== 'quantize') return [];
  // only arrays that own their whole buffer (a view into a reused scratch buffer is copied)
  const own = (a: Uint8Array | Int8Array): ArrayBuffer[] => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer ? [a.buffer] : []);
  const list = [...own(r.codes.codes), ...own(r.codes.scales)];
  return list.filter((b, i) => list.indexOf(b) === i);
}
