/**
 * What the training loop needs from a model + dataset pair.
 */
import type { Rng } from '../util/rng.js';
import type { Getter, ParamSpec } from './params.js';
import type { tf } from './tf.js';

export interface Batch {
  /** MLP: images [n, 784]; LM: token ids [n, T]. */
  x: Float32Array | Int32Array;
  /** MLP: labels [n]; LM: next-token ids [n, T]. */
  y: Int32Array;
  n: number;
}

export interface EvalResult {
  /** Number of predictions scored (images or characters). */
  n: number;
  /** Mean cross-entropy in nats. */
  loss: number;
  /** Classification accuracy (MLP). */
  acc?: number;
  /** Bits per character = loss / ln 2 (LM). */
  bpc?: number;
}

export interface Task {
  kind: 'mlp' | 'lm';
  specs: ParamSpec[];
  /** The headline metric: accuracy (higher is better) or bits per character (lower is better). */
  metric: 'acc' | 'bpc';
  describe(): string;
  batch(rng: Rng, size: number): Batch;
  /** Mean task loss of a batch (call inside tf.tidy / optimizer.minimize). */
  loss(get: Getter, batch: Batch): tf.Scalar;
  evaluate(get: Getter, split: 'val' | 'test' | 'train', opts?: { limit?: number }): EvalResult;
}

/** The headline number of an evaluation. */
export function metricOf(task: Pick<Task, 'metric'>, r: EvalResult): number {
  return task.metric === 'acc' ? r.acc! : r.bpc!;
}
