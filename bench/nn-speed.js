#!/usr/bin/env node
// Speed of the training and RF8-inference paths, measured in one run on this machine (one
// core, tfjs 4.22 wasm backend). Needs `npx tsc -p .`.
//   node bench/nn-speed.js [--json] [--repeats 10]
// - matmul: [128,784]x[784,256] plain vs with transposeB (the flag tfjs' own gradient uses);
// - MLP training step (batch 128): our transpose-free gradient (src/nn/ops.ts) vs tf.matMul's;
// - LM training step (batch 16 x 64, d 128, 2 layers);
// - RF8 inference: layerForward on the 256x784 layer (MAC/s) and MLP images/s.
// Reported: medians of --repeats, and the ratios that docs/training.md quotes.
// (tf.tidy callbacks return nothing: tidy walks a returned typed array element by element.)
import * as tfns from '../dist/nn/tf.js';
import { initTf, matmul, mlpTask, lmTask, initValues, ParamStore, buildRf8Mlp, mlpLayerSpecs, rf8MlpForward } from '../dist/nn/index.js';
import { layerForward } from '../dist/arith/index.js';
import { Rng } from '../dist/util/rng.js';

const tf = tfns.tf;
const argv = process.argv.slice(2);
const json = argv.includes('--json');
const ri = argv.indexOf('--repeats');
const repeats = ri >= 0 ? Number(argv[ri + 1]) : 10;

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}
function timeIt(f, n = repeats) {
  f();
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

await initTf();
const out = { backend: tf.getBackend(), repeats };

// matmul
{
  const a = tf.randomNormal([128, 784], 0, 1, 'float32', 1);
  const b = tf.randomNormal([784, 256], 0, 1, 'float32', 2);
  const bt = tf.transpose(b);
  const flop = 2 * 128 * 784 * 256;
  const plain = timeIt(() => tf.tidy(() => void tf.matMul(a, b).dataSync()));
  const trans = timeIt(() => tf.tidy(() => void tf.matMul(a, bt, false, true).dataSync()));
  out.matmul = { plainMs: plain, transposeBMs: trans, plainGflops: flop / plain / 1e6, transposeBGflops: flop / trans / 1e6, ratio: trans / plain };
}

// MLP training step
{
  const task = mlpTask();
  const store = new ParamStore(task.specs, initValues(task.specs, { dist: 'gaussian', beta0: 2 }, new Rng(1)));
  const batch = task.batch(new Rng(2), 128);
  const opt = tf.train.adam(1e-3);
  const ours = timeIt(() => tf.tidy(() => void opt.minimize(() => task.loss((n) => store.get(n), batch), false, store.list())));
  // the same model with tfjs' own matMul gradient
  const lossDefault = () => {
    let h = tf.tensor2d(batch.x, [128, 784]);
    for (let l = 1; l <= 3; l++) {
      h = tf.add(tf.matMul(h, store.get(`fc${l}.weight`)), store.get(`fc${l}.bias`));
      if (l < 3) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(batch.y, 'int32'), 10), h);
  };
  const dflt = timeIt(() => tf.tidy(() => void opt.minimize(lossDefault, false, store.list())));
  out.mlpStep = { oursMs: ours, tfDefaultGradMs: dflt, speedup: dflt / ours };
  store.dispose();
}

// LM training step
{
  const task = lmTask();
  const store = new ParamStore(task.specs, initValues(task.specs, { dist: 'gaussian', beta0: 2 }, new Rng(1)));
  const batch = task.batch(new Rng(2), 16);
  const opt = tf.train.adam(1e-3);
  const ms = timeIt(() => tf.tidy(() => void opt.minimize(() => task.loss((n) => store.get(n), batch), false, store.list())), Math.max(3, Math.floor(repeats / 3)));
  out.lmStep = { ms, tokensPerSecond: (16 * 64) / (ms / 1000), params: task.specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0) };
  store.dispose();
}

// RF8 inference
{
  const task = mlpTask();
  const values = initValues(task.specs, { dist: 'gg', beta0: 1.5 }, new Rng(3));
  const pack = buildRf8Mlp(task.cfg.sizes, task.specs, values, { x: task.data.train.x, n: 100 });
  const m = mlpLayerSpecs(task.cfg.sizes, values, pack);
  const spec = m.layers[0];
  const x = new Uint8Array(784).map((_, i) => (i * 37) & 0x3f);
  const lf = timeIt(() => layerForward(spec, x, m.inputs[0].scale));
  const img = timeIt(() => rf8MlpForward(m, task.data.test.x.subarray(0, 784)));
  out.rf8 = { layer256x784Ms: lf, macsPerSecond: (256 * 784) / (lf / 1000), mlpImagesPerSecond: 1000 / img };
}

if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
else {
  const f = (v, d = 2) => v.toFixed(d);
  console.log(`backend ${out.backend}, medians of ${repeats}`);
  console.log(`matmul [128,784]x[784,256]: plain ${f(out.matmul.plainMs)} ms (${f(out.matmul.plainGflops, 1)} GFLOP/s), transposeB ${f(out.matmul.transposeBMs)} ms (${f(out.matmul.transposeBGflops, 1)} GFLOP/s): ${f(out.matmul.ratio, 1)}x slower`);
  console.log(`MLP train step (batch 128): ${f(out.mlpStep.oursMs)} ms with transpose-free gradients, ${f(out.mlpStep.tfDefaultGradMs)} ms with tf.matMul's: ${f(out.mlpStep.speedup, 1)}x`);
  console.log(`LM train step (16 x 64 tokens, ${out.lmStep.params} params): ${f(out.lmStep.ms, 0)} ms, ${f(out.lmStep.tokensPerSecond, 0)} tokens/s`);
  console.log(`RF8 layerForward 256x784: ${f(out.rf8.layer256x784Ms)} ms (${f(out.rf8.macsPerSecond / 1e6, 1)} M MAC/s); MLP RF8 inference ${f(out.rf8.mlpImagesPerSecond, 0)} images/s`);
}
