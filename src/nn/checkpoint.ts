/**
 * Checkpoints: a folder with
 *   model.safetensors  every parameter as F32 under its own name (training layout: dense weights
 *                      [in, out]), plus, when RF8 data is present, every weight / embedding as an
 *                      RF8 tensor `rf8.<name>` (U8 codes [rows = outputs, cols]) with per-row
 *                      scales `rf8.<name>.rf8_scale` (I8), in the RF8 safetensors layout of
 *                      src/io (so `openRf8` reads them); __metadata__ "rf8kit.acts" holds the
 *                      calibrated activation quantizers (JSON) and "rf8kit.model" the model.
 *   run.json           the sidecar: model config, training config and seed, data split,
 *                      metrics per step and per evaluation, RF8 summary, lineage.
 * No timestamps or timings are written, so a run repeated with the same seed writes the same
 * bytes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openRf8, openSafetensors, Rf8SafetensorsWriter, type Rf8PlanEntry } from '../io/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { lmSpecs, type LmConfig } from './lm.js';
import { mlpSpecs, type MlpConfig } from './mlp.js';
import { isRateParam, numel, type ParamSpec, type Values } from './params.js';
import type { ActQuant, Rf8Pack } from './rf8.js';

export const CKPT_WEIGHTS = 'model.safetensors';
export const CKPT_SIDECAR = 'run.json';
export const RF8_PREFIX = 'rf8.';

export type ModelDesc = { kind: 'mlp'; config: MlpConfig } | { kind: 'lm'; config: LmConfig };

export interface RunSidecar {
  kind: 'rf8kit-run';
  version: 1;
  model: ModelDesc;
  /** How the weights were made: training config (train), or DeepShape settings + parent. */
  train?: unknown;
  deepshape?: unknown;
  parent?: string;
  seed?: number;
  data: unknown;
  params: { total: number; rate: number };
  metrics: Record<string, unknown>;
  rf8?: { acts: Record<string, ActQuant>; weights: Record<string, { format: string; sqnrDb: number }>; eval?: unknown };
  notes?: string[];
}

export function specsOf(model: ModelDesc): ParamSpec[] {
  if (model.kind === 'mlp') return mlpSpecs(model.config.sizes);
  if (model.kind === 'lm') return lmSpecs(model.config);
  throw new InputError(`unknown model kind '${String((model as { kind: unknown }).kind)}'`);
}

export interface Checkpoint {
  dir: string;
  sidecar: RunSidecar;
  specs: ParamSpec[];
  values: Values;
  pack?: Rf8Pack;
}

/** Write a checkpoint folder (atomically, file by file). */
export function saveCheckpoint(dir: string, ck: { sidecar: RunSidecar; values: Values; pack?: Rf8Pack }): void {
  const specs = specsOf(ck.sidecar.model);
  const plan: Rf8PlanEntry[] = specs.map((s) => ({ name: s.name, shape: s.shape, kind: 'float' as const }));
  const rf8Names: string[] = [];
  if (ck.pack) {
    for (const s of specs) {
      if (!isRateParam(s)) continue;
      const w = ck.pack.weights[s.name];
      if (!w) throw new Error(`RF8 pack lacks ${s.name}`);
      plan.push({ name: RF8_PREFIX + s.name, shape: [w.rows, w.cols], kind: 'rf8', granularity: 'row', sourceDtype: 'F32' });
      rf8Names.push(s.name);
    }
  }
  const metadata: Record<string, string> = { 'rf8kit.model': JSON.stringify(ck.sidecar.model) };
  if (ck.pack) metadata['rf8kit.acts'] = JSON.stringify(ck.pack.acts);
  const w = new Rf8SafetensorsWriter(join(dir, CKPT_WEIGHTS), plan, { metadata });
  try {
    for (const s of specs) {
      const v = ck.values.get(s.name);
      if (!v || v.length !== numel(s.shape)) throw new Error(`parameter '${s.name}' missing or of the wrong size`);
      w.writeFloat(s.name, v);
    }
    for (const n of rf8Names) {
      const t = ck.pack!.weights[n]!;
      w.writeRf8(RF8_PREFIX + n, { format: t.format, codes: t.codes, scales: t.scales, extra: { layout: 'rows=outputs', sqnr_db: Number(t.sqnrDb.toFixed(3)) } });
    }
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
  const side: RunSidecar = { ...ck.sidecar };
  if (ck.pack) {
    side.rf8 = {
      ...(side.rf8 ?? {}),
      acts: ck.pack.acts,
      weights: Object.fromEntries(rf8Names.map((n) => [n, { format: ck.pack!.weights[n]!.format, sqnrDb: Number(ck.pack!.weights[n]!.sqnrDb.toFixed(3)) }])),
    };
  }
  writeFileAtomic(join(dir, CKPT_SIDECAR), JSON.stringify(side, null, 1) + '\n');
}

/** Resolve a checkpoint argument: the folder, its model.safetensors, or its run.json. */
export function checkpointDir(path: string): string {
  if (!existsSync(path)) throw new InputError('no such checkpoint (give the folder written by rf8 train / rf8 deepshape)', path);
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  if (!statSync(path).isDirectory() && ![CKPT_WEIGHTS, CKPT_SIDECAR].includes(basename(path))) {
    throw new InputError(`a checkpoint is a folder holding ${CKPT_WEIGHTS} and ${CKPT_SIDECAR}`, path);
  }
  for (const f of [CKPT_WEIGHTS, CKPT_SIDECAR]) if (!existsSync(join(dir, f))) throw new InputError(`checkpoint folder lacks ${f}`, dir);
  return dir;
}

export function loadCheckpoint(path: string): Checkpoint {
  const dir = checkpointDir(path);
  const sidePath = join(dir, CKPT_SIDECAR);
  let sidecar: RunSidecar;
  try {
    sidecar = JSON.parse(readFileSync(sidePath, 'utf8')) as RunSidecar;
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, sidePath);
  }
  if (sidecar?.kind !== 'rf8kit-run' || sidecar.version !== 1) throw new InputError('not an rf8kit run sidecar (kind rf8kit-run, version 1)', sidePath);
  const specs = specsOf(sidecar.model);
  const wPath = join(dir, CKPT_WEIGHTS);
  const src = openSafetensors(wPath);
  const values: Values = new Map();
  let hasRf8 = false;
  try {
    const names = new Set(src.listTensors().map((t) => t.name));
    for (const s of specs) {
      if (!names.has(s.name)) throw new InputError(`tensor '${s.name}' is missing`, wPath);
      const info = src.tensorInfo(s.name);
      if (info.shape.join(',') !== s.shape.join(',')) throw new InputError(`tensor '${s.name}' has shape [${info.shape.join(', ')}], the model needs [${s.shape.join(', ')}]`, wPath);
      values.set(s.name, src.readTensor(s.name));
    }
    hasRf8 = specs.some((s) => names.has(RF8_PREFIX + s.name));
  } finally {
    src.close();
  }
  let pack: Rf8Pack | undefined;
  if (hasRf8) {
    const f = openRf8(wPath);
    try {
      const acts = JSON.parse(f.metadata['rf8kit.acts'] ?? 'null') as Record<string, ActQuant> | null;
      if (!acts) throw new InputError('RF8 tensors present but no rf8kit.acts metadata', wPath);
      pack = { weights: {}, acts };
      for (const s of specs) {
        if (!isRateParam(s)) continue;
        const t = f.read(RF8_PREFIX + s.name);
        if (t.shape.length !== 2) throw new InputError(`RF8 tensor '${t.name}' should be 2-D`, wPath);
        const sqnr = Number(t.meta['sqnr_db']);
        pack.weights[s.name] = { format: t.format, rows: t.shape[0]!, cols: t.shape[1]!, codes: t.codes, scales: t.scales, sqnrDb: sqnr };
      }
    } finally {
      f.close();
    }
  }
  return { dir, sidecar, specs, values, ...(pack ? { pack } : {}) };
}
