/**
 * The streaming part of `rf8 fit` / `rf8 quantize`: open any weight source, visit its tensors
 * one at a time, let the caller's function quantize each, and write the RF8 safetensors output
 * atomically. Peak memory is about one input tensor (float32) plus its codes, whatever the size
 * of the file. The quantizer itself is passed in (src/quant stays independent of src/io).
 */
import { InputError } from '../util/errors.js';
import { q } from './file.js';
import { openWeights, type OpenOptions } from './open.js';
import { Rf8SafetensorsWriter, type Rf8Codes, type Rf8PlanEntry, type ScaleGranularity } from './rf8file.js';
import type { TensorInfo } from './source.js';

export type TensorDecision = { kind: 'rf8'; granularity: ScaleGranularity } | { kind: 'float' } | { kind: 'skip' };

/** Default policy: readable tensors of rank >= 2 are quantized with per-row scales; rank 0/1 (biases, norms) stay float32; unreadable ones are an error. */
export function defaultDecision(info: TensorInfo): TensorDecision {
  if (!info.supported) throw new InputError(`tensor ${q(info.name)}: ${info.reason ?? 'unsupported'} (cannot quantize or keep it)`, info.file);
  return info.shape.length >= 2 ? { kind: 'rf8', granularity: 'row' } : { kind: 'float' };
}

export interface QuantizeFileOptions extends OpenOptions {
  input: string;
  output: string;
  /** What to do with each tensor (default: defaultDecision). */
  decide?: (info: TensorInfo) => TensorDecision;
  /**
   * Quantize one tensor (row-major data: Float64Array for float64 sources, so no value is rounded
   * twice; Float32Array otherwise). Must return codes of numel and scales of 1 or shape[0].
   */
  quantize: (info: TensorInfo, data: Float32Array | Float64Array, granularity: ScaleGranularity) => Rf8Codes;
  /** Extra `__metadata__` entries. */
  metadata?: Record<string, string>;
  /** Called after each tensor (progress). */
  onTensor?: (info: TensorInfo, index: number, total: number, decision: TensorDecision) => void;
}

export interface QuantizeFileSummary {
  input: string;
  output: string;
  quantized: number;
  kept: number;
  skipped: number;
  inputBytes: number;
  outputElements: number;
}

/**
 * Quantize a whole weight file to RF8 safetensors, one tensor in memory at a time. The output
 * appears atomically at the end (temp file + fsync + rename); on any error nothing is written.
 */
export function quantizeWeightsFile(opts: QuantizeFileOptions): QuantizeFileSummary {
  const { src, infos, decisions, w, summary } = begin(opts);
  try {
    try {
      infos.forEach((info, k) => {
        const d = decisions[k]!;
        if (d.kind === 'skip') summary.skipped++;
        else {
          const data = isFloat64(info) ? src.readTensorF64(info.name) : src.readTensor(info.name);
          summary.inputBytes += info.byteSize;
          summary.outputElements += info.numel;
          if (d.kind === 'float') {
            w.writeFloat(info.name, data instanceof Float32Array ? data : Float32Array.from(data));
            summary.kept++;
          } else {
            w.writeRf8(info.name, opts.quantize(info, data, d.granularity));
            summary.quantized++;
          }
        }
        opts.onTensor?.(info, k, infos.length, d);
      });
      w.commit();
    } catch (e) {
      w.abort();
      throw e;
    }
    return summary;
  } finally {
    src.close();
  }
}

export interface QuantizeFileAsyncOptions extends Omit<QuantizeFileOptions, 'quantize'> {
  /**
   * Quantize tensor `info` elsewhere (e.g. a worker thread that reads the tensor itself). Called
   * up to `window` tensors ahead of the writer; results are written in file order, so the output
   * is the same bytes as the sequential quantizeWeightsFile with the same quantizer.
   */
  quantizeAsync: (info: TensorInfo, granularity: ScaleGranularity) => Promise<Rf8Codes>;
  /**
   * How many of the largest tensors may be in flight (default 2): the tensors started and not yet
   * written hold fewer than (window + 1) x (the largest quantized tensor's values), so `window`
   * large tensors run at once with any number of small ones between them, and the memory stays
   * about `window` tensors.
   */
  window?: number;
}

/** quantizeWeightsFile with the quantization done asynchronously, `window` tensors at a time. */
export async function quantizeWeightsFileAsync(opts: QuantizeFileAsyncOptions): Promise<QuantizeFileSummary> {
  const { src, infos, decisions, w, summary } = begin(opts);
  const window = Math.max(1, opts.window ?? 2);
  const size = infos.map((info, k) => (decisions[k]!.kind === 'rf8' ? info.numel : 0));
  const budget = (window + 1) * size.reduce((a, b) => Math.max(a, b), 1) - 1;
  const pending = new Map<number, Promise<Rf8Codes>>();
  let next = 0;
  let held = 0; // values of the tensors started and not yet written
  const launch = (): void => {
    for (; next < infos.length; next++) {
      const d = decisions[next]!;
      if (d.kind !== 'rf8') continue;
      if (held > 0 && held + size[next]! > budget) break;
      const p = opts.quantizeAsync(infos[next]!, d.granularity);
      p.catch(() => undefined); // rejections are rethrown in file order below
      pending.set(next, p);
      held += size[next]!;
    }
  };
  try {
    try {
      for (let k = 0; k < infos.length; k++) {
        launch();
        const info = infos[k]!;
        const d = decisions[k]!;
        if (d.kind === 'skip') summary.skipped++;
        else {
          summary.inputBytes += info.byteSize;
          summary.outputElements += info.numel;
          if (d.kind === 'float') {
            const data = isFloat64(info) ? src.readTensorF64(info.name) : src.readTensor(info.name);
            w.writeFloat(info.name, data instanceof Float32Array ? data : Float32Array.from(data));
            summary.kept++;
          } else {
            const codes = await pending.get(k)!;
            pending.delete(k);
            w.writeRf8(info.name, codes);
            held -= size[k]!;
            summary.quantized++;
          }
        }
        opts.onTensor?.(info, k, infos.length, d);
      }
      w.commit();
    } catch (e) {
      w.abort();
      throw e;
    }
    return summary;
  } finally {
    src.close();
  }
}

function begin(opts: Omit<QuantizeFileOptions, 'quantize'>) {
  const decide = opts.decide ?? defaultDecision;
  const src = openWeights(opts.input, opts);
  try {
    const infos = src.listTensors();
    const decisions = infos.map((i) => decide(i));
    const plan: Rf8PlanEntry[] = [];
    infos.forEach((info, k) => {
      const d = decisions[k]!;
      if (d.kind === 'rf8') plan.push({ name: info.name, shape: info.shape, kind: 'rf8', granularity: d.granularity, sourceDtype: info.dtype });
      else if (d.kind === 'float') plan.push({ name: info.name, shape: info.shape, kind: 'float' });
    });
    const w = new Rf8SafetensorsWriter(opts.output, plan, { metadata: { 'rf8.source': opts.input.split(/[\\/]/).pop() ?? '', ...(opts.metadata ?? {}) } });
    const summary: QuantizeFileSummary = { input: opts.input, output: opts.output, quantized: 0, kept: 0, skipped: 0, inputBytes: 0, outputElements: 0 };
    return { src, infos, decisions, w, summary };
  } catch (e) {
    src.close();
    throw e;
  }
}

/** Float64 sources (safetensors/GGUF F64, .npy f8) are handed to the quantizer as Float64Array. */
export function isFloat64(info: TensorInfo): boolean {
  return /^(F64|[<>=|]?f8|float64)$/.test(info.dtype);
}
