import { biasToAcc, layerForward, validateLayer, type LayerSpec } from '../arith/index.js';
import { f32Bits, getFormat } from '../format/index.js';
import { InputError } from '../util/errors.js';
import { resolveConfig, type RtlConfig } from './config.js';
import { Faults } from './faults.js';
import { generateRtl, type GeneratedRtl, type RtlFile } from './generate.js';
import { moduleNames } from './top.js';
import { fileHeader, lit, range, ubits } from './vlog.js';

/**
 * Layer engine `rf8_layer` (spec section 6): y = act(W x + b) for one LayerSpec, run on the
 * generated `rf8_dot` from memory images.
 *
 * - Weight memory: rows * beats words of 8N bits (word r*beats + j = lanes j*N .. j*N+N-1 of row r,
 *   lane i in bits [8i+7:8i], lanes past `cols` hold code 0x00 and are masked off).
 * - Init memory: one W-bit two's-complement word per row: the bias already rounded into
 *   accumulator units by src/arith `biasToAcc` (the reference defines it; the hardware does not
 *   round binary32; docs/layer.md).
 * - Scale memory: one int8 row scale Xw per row.
 * - Input vector buffer: `beats` words of 8N bits, filled by the input stream (one word a beat).
 * - Sequencer: once the buffer holds a whole vector, every row goes through rf8_dot in `beats`
 *   beats (first on beat 0, last on beat beats-1, the last beat's mask covers the lanes < cols);
 *   the input stream is accepted again as soon as the last beat of the last row is fetched.
 * - Output: one beat per row, in row order: the RF8 code (hidden layers, fused ReLU) or the
 *   binary32 pattern (last layer), with the accumulator and its nan/ovf flags.
 *
 * Memories are synchronous-read with a read enable (the fetch register stage is the memories'
 * output register), loaded by $readmemh from files named by string parameters.
 */
export interface LayerRtlOptions {
  /** MAC lanes N of the engine (default 8, at most 32). */
  lanes?: number;
  /** Pipeline registers of rf8_dot (default 2). */
  pipe?: number;
  /** Injected faults of rf8_dot (verification only). */
  faults?: readonly string[];
}

export interface LayerShape {
  wFormat: string;
  xFormat: string;
  rows: number;
  cols: number;
  W: number;
  out: { kind: 'rf8'; format: string; relu: boolean } | { kind: 'f32' };
}

export interface LayerRtlConfig {
  dot: RtlConfig;
  rows: number;
  cols: number;
  lanes: number;
  /** Input beats per vector = ceil(cols / lanes). */
  beats: number;
  /** Output: 'rf8' (8-bit code of dot.outs[0], fused ReLU if relu) or 'f32'. */
  out: 'rf8' | 'f32';
  relu: boolean;
  W: number;
  /** Files $readmemh reads (relative to the simulator's working directory by default). */
  files: { w: string; init: string; scale: string };
  /** Cycles per vector without stalls: rows * beats of issue + beats of input load (the load overlaps only the pipeline drain). */
  cyclesPerVector: number;
  id: string;
}

export const LAYER_FILES = Object.freeze({ w: 'rf8_layer_w.hex', init: 'rf8_layer_init.hex', scale: 'rf8_layer_scale.hex' });

/** The shape-only part of a LayerSpec the hardware depends on (weights, scales and biases are images). */
export function layerShape(spec: LayerSpec): LayerShape {
  return {
    wFormat: spec.wFormat,
    xFormat: spec.xFormat,
    rows: spec.rows,
    cols: spec.cols,
    W: spec.W,
    out: spec.out.kind === 'rf8' ? { kind: 'rf8', format: spec.out.format, relu: spec.out.relu } : { kind: 'f32' },
  };
}

export function resolveLayerConfig(shape: LayerShape, o: LayerRtlOptions = {}): LayerRtlConfig {
  const lanes = o.lanes ?? 8;
  const { rows, cols } = shape;
  if (!Number.isInteger(rows) || rows < 1 || rows > 1 << 16) throw new InputError(`layer rtl: rows must be in [1, 65536]: ${rows}`);
  if (!Number.isInteger(cols) || cols < 1 || cols > 1 << 16) throw new InputError(`layer rtl: cols must be in [1, 65536]: ${cols}`);
  const dot = resolveConfig({
    a: shape.wFormat,
    b: shape.xFormat,
    outs: shape.out.kind === 'rf8' ? [shape.out.format] : [],
    f32: shape.out.kind === 'f32',
    W: shape.W,
    nmax: Math.max(cols, 1),
    lanes,
    pipe: o.pipe ?? 2,
    faults: o.faults ?? [],
  });
  const beats = Math.ceil(cols / lanes);
  const out = shape.out.kind;
  const relu = shape.out.kind === 'rf8' && shape.out.relu;
  const id = `layer-${rows}x${cols}-${dot.id}${relu ? '-relu' : ''}`;
  return { dot, rows, cols, lanes, beats, out, relu, W: dot.W, files: { ...LAYER_FILES }, cyclesPerVector: rows * beats + beats, id };
}

/** Emit rf8_layer.sv. */
export function emitLayer(c: LayerRtlConfig, faults = new Faults()): string {
  const dn = moduleNames(c.dot);
  const N = c.lanes;
  const W = c.W;
  const B = c.beats;
  const R = c.rows;
  const WORDS = R * B;
  const AW = ubits(WORDS - 1);
  const RW = ubits(R - 1);
  const BW = ubits(B - 1);
  const lastLanes = c.cols - (B - 1) * N;
  const full = lit(N, 2n ** BigInt(N) - 1n);
  const lastMask = lit(N, 2n ** BigInt(lastLanes) - 1n);
  const rf8 = c.out === 'rf8';
  const L: string[] = [];
  L.push(
    fileHeader(`${c.dot.prefix}layer`, [
      `Layer engine: ${R} rows x ${c.cols} cols, weights ${c.dot.fa.name}, inputs ${c.dot.fb.name}, N = ${N} lanes, W = ${W}.`,
      `Output: ${rf8 ? `${c.dot.outs[0]!.name} codes${c.relu ? ' with fused ReLU' : ''} at scale cfg_xo` : 'binary32'}; one output beat per row, row order.`,
      `Input stream: ${B} beats of ${N} codes per vector (lane i = bits [8i+7:8i]); accepted while no row is being fetched.`,
      `Memories ($readmemh): W_FILE ${WORDS} x ${8 * N} bits, INIT_FILE ${R} x ${W} bits (bias in accumulator units, src/arith biasToAcc), SCALE_FILE ${R} x 8 bits (int8 Xw).`,
      `No stalls: ${R * B + B} cycles per vector (${R * B} issue + ${B} input load). Mirrors src/arith layerForward (src/rtl/layer.ts emulateLayer).`,
    ]),
  );
  const ports: string[] = ['input  wire clk', 'input  wire rst', 'input  wire [7:0] cfg_xb'];
  if (rf8) ports.push('input  wire [7:0] cfg_xo');
  ports.push('input  wire in_valid', 'output wire in_ready', `input  wire ${range(8 * N)} in_data`);
  ports.push('output wire out_valid', 'input  wire out_ready');
  if (rf8) ports.push('output wire [7:0] out_code');
  else ports.push('output wire [31:0] out_f32');
  ports.push(`output wire ${range(W)} out_acc`, 'output wire out_nan', 'output wire out_ovf');
  ports.push(...faults.port());
  L.push(`module ${c.dot.prefix}layer #(`);
  L.push(`  parameter W_FILE = "${c.files.w}",`);
  L.push(`  parameter INIT_FILE = "${c.files.init}",`);
  L.push(`  parameter SCALE_FILE = "${c.files.scale}"`);
  L.push(`) (`);
  L.push(ports.map((p) => '  ' + p).join(',\n'));
  L.push(`);`);
  L.push(`  // memories`);
  L.push(`  reg ${range(8 * N)} wmem [0:${WORDS - 1}];`);
  L.push(`  reg ${range(W)} imem [0:${R - 1}];`);
  L.push(`  reg [7:0] smem [0:${R - 1}];`);
  L.push(`  reg ${range(8 * N)} xbuf [0:${B - 1}];`);
  L.push(`  initial begin`);
  L.push(`    $readmemh(W_FILE, wmem);`);
  L.push(`    $readmemh(INIT_FILE, imem);`);
  L.push(`    $readmemh(SCALE_FILE, smem);`);
  L.push(`  end`);
  L.push('');
  L.push(`  // sequencer state`);
  L.push(`  reg running;                 // a whole vector is in xbuf; rows are being fetched`);
  L.push(`  reg ${range(BW)} ib;          // input beat counter`);
  L.push(`  reg ${range(RW)} row;`);
  L.push(`  reg ${range(BW)} beat;`);
  L.push(`  reg ${range(AW)} waddr;`);
  L.push(`  // fetch stage (the memories' read registers)`);
  L.push(`  reg fv, ff, fl;`);
  L.push(`  reg [${N - 1}:0] fm;`);
  L.push(`  reg ${range(8 * N)} fw;`);
  L.push(`  reg ${range(8 * N)} fx;`);
  L.push(`  reg ${range(W)} fi;`);
  L.push(`  reg [7:0] fs;`);
  L.push(`  wire d_ready;`);
  L.push(`  wire take = ~fv | d_ready;    // the fetch register is free or moves into rf8_dot this cycle`);
  L.push(`  wire lastBeat = beat == ${lit(BW, B - 1)};`);
  L.push(`  wire lastRow = row == ${lit(RW, R - 1)};`);
  L.push(`  assign in_ready = ~running;`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (rst) begin`);
  L.push(`      running <= 1'b0;`);
  L.push(`      ib <= ${lit(BW, 0)};`);
  L.push(`      row <= ${lit(RW, 0)};`);
  L.push(`      beat <= ${lit(BW, 0)};`);
  L.push(`      waddr <= ${lit(AW, 0)};`);
  L.push(`      fv <= 1'b0;`);
  L.push(`    end else begin`);
  L.push(`      if (~running & in_valid) begin`);
  L.push(`        if (ib == ${lit(BW, B - 1)}) begin`);
  L.push(`          ib <= ${lit(BW, 0)};`);
  L.push(`          running <= 1'b1;`);
  L.push(`        end else ib <= ib + ${lit(BW, 1)};`);
  L.push(`      end`);
  L.push(`      if (take) begin`);
  L.push(`        fv <= running;`);
  L.push(`        if (running) begin`);
  L.push(`          if (lastBeat) begin`);
  L.push(`            beat <= ${lit(BW, 0)};`);
  L.push(`            if (lastRow) begin`);
  L.push(`              row <= ${lit(RW, 0)};`);
  L.push(`              waddr <= ${lit(AW, 0)};`);
  L.push(`              running <= 1'b0;`);
  L.push(`            end else begin`);
  L.push(`              row <= row + ${lit(RW, 1)};`);
  L.push(`              waddr <= waddr + ${lit(AW, 1)};`);
  L.push(`            end`);
  L.push(`          end else begin`);
  L.push(`            beat <= beat + ${lit(BW, 1)};`);
  L.push(`            waddr <= waddr + ${lit(AW, 1)};`);
  L.push(`          end`);
  L.push(`        end`);
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`  // input buffer write port`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (~running & in_valid) xbuf[ib] <= in_data;`);
  L.push(`  end`);
  L.push(`  // memory read port (enable = take & running)`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (take & running) begin`);
  L.push(`      fw <= wmem[waddr];`);
  L.push(`      fx <= xbuf[beat];`);
  L.push(`      fi <= imem[row];`);
  L.push(`      fs <= smem[row];`);
  L.push(`      ff <= beat == ${lit(BW, 0)};`);
  L.push(`      fl <= lastBeat;`);
  L.push(`      fm <= lastBeat ? ${lastMask} : ${full};`);
  L.push(`    end`);
  L.push(`  end`);
  L.push('');
  L.push(`  // the dot-product engine`);
  const conns = [
    '.clk(clk)',
    '.rst(rst)',
    '.in_valid(fv)',
    '.in_ready(d_ready)',
    '.in_first(ff)',
    '.in_last(fl)',
    ...(rf8 ? [`.in_relu(1'b${c.relu ? 1 : 0})`] : []),
    '.in_mask(fm)',
    '.in_a(fw)',
    '.in_b(fx)',
    '.in_init(fi)',
    '.in_xa(fs)',
    '.in_xb(cfg_xb)',
    ...(rf8 ? ['.in_xo(cfg_xo)'] : []),
    '.out_valid(out_valid)',
    '.out_ready(out_ready)',
    '.out_acc(out_acc)',
    '.out_nan(out_nan)',
    '.out_ovf(out_ovf)',
    ...(rf8 ? ['.out_code(out_code)'] : ['.out_f32(out_f32)']),
    ...(faults.schema ? ['.fault_sel(fault_sel)'] : []),
  ];
  L.push(`  ${dn.top} u_dot (`);
  L.push(conns.map((x) => '    ' + x).join(',\n'));
  L.push(`  );`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

export interface GeneratedLayerRtl extends GeneratedRtl {
  layer: LayerRtlConfig;
  /** The rf8_dot inside. */
  dot: GeneratedRtl;
}

/** Generate rf8_layer (with its rf8_dot) for a layer shape. */
export function generateLayerRtl(shape: LayerShape | LayerSpec, o: LayerRtlOptions = {}): GeneratedLayerRtl {
  const sh = 'wCodes' in shape ? layerShape(shape) : shape;
  const c = resolveLayerConfig(sh, o);
  const dot = generateRtl(c.dot);
  const top = `${c.dot.prefix}layer`;
  const text = emitLayer(c, new Faults(c.dot.faults, c.dot.faultSchema));
  const sources: RtlFile[] = [...dot.sources, { name: `${top}.sv`, text }];
  const cfgJson = {
    generator: 'rf8kit src/rtl/layer.ts',
    id: c.id,
    top,
    rows: c.rows,
    cols: c.cols,
    lanes: c.lanes,
    beats: c.beats,
    out: c.out,
    relu: c.relu,
    W: c.W,
    files: c.files,
    cyclesPerVector: c.cyclesPerVector,
    dot: JSON.parse(dot.files.find((f) => f.name === 'config.json')!.text) as unknown,
  };
  const files: RtlFile[] = [...sources, { name: `${top}.f`, text: sources.map((s) => s.name).join('\n') + '\n' }, { name: 'config.json', text: JSON.stringify(cfgJson, null, 2) + '\n' }];
  return { cfg: { ...c.dot, id: c.id }, files, sources, top, layer: c, dot };
}

// ------------------------------------------------------------------------------ memory images

const hex = (v: bigint, bits: number): string => {
  const m = (1n << BigInt(bits)) - 1n;
  return (v & m).toString(16).padStart(Math.ceil(bits / 4), '0');
};

/** One $readmemh word of N lanes (lane i in bits [8i+7:8i]) from codes[off .. off+N) (past `end`: 0). */
export function laneWord(codes: ArrayLike<number>, off: number, end: number, N: number): string {
  let s = '';
  for (let i = N - 1; i >= 0; i--) {
    const k = off + i;
    s += (k < end ? codes[k]! : 0).toString(16).padStart(2, '0');
  }
  return s;
}

/** Accumulator init (bias in accumulator units) of every row, as the reference rounds it. */
export function layerInits(spec: LayerSpec, xScale: number): bigint[] {
  const wf = getFormat(spec.wFormat);
  const xf = getFormat(spec.xFormat);
  const out: bigint[] = [];
  for (let r = 0; r < spec.rows; r++) {
    const T = wf.tmin + xf.tmin + spec.wScales[r]! + xScale;
    out.push(spec.accInit ? spec.accInit[r]! : spec.bias ? biasToAcc(spec.bias[r]!, T, spec.W) : 0n);
  }
  return out;
}

export interface LayerImages {
  w: string;
  init: string;
  scale: string;
}

/** The three $readmemh images of a layer for an engine of N lanes. */
export function layerImages(spec: LayerSpec, xScale: number, N: number): LayerImages {
  validateLayer(spec);
  const B = Math.ceil(spec.cols / N);
  const w: string[] = [];
  for (let r = 0; r < spec.rows; r++) {
    const base = r * spec.cols;
    for (let j = 0; j < B; j++) w.push(laneWord(spec.wCodes, base + j * N, base + spec.cols, N));
  }
  const init = layerInits(spec, xScale).map((v) => hex(v, spec.W));
  const scale = Array.from(spec.wScales, (s) => hex(BigInt(s), 8));
  return { w: w.join('\n') + '\n', init: init.join('\n') + '\n', scale: scale.join('\n') + '\n' };
}

/** The input stream words of one vector (ceil(cols/N) words of N codes). */
export function inputWords(x: ArrayLike<number>, cols: number, N: number): string[] {
  const out: string[] = [];
  for (let j = 0; j < Math.ceil(cols / N); j++) out.push(laneWord(x, j * N, cols, N));
  return out;
}

/** Reference outputs of one layer on one vector, as the engine emits them: value bits, flags, acc. */
export interface LayerOut {
  /** RF8 code or binary32 bit pattern, per row. */
  val: Uint32Array;
  /** nan | ovf << 1, per row. */
  flags: Uint8Array;
  acc: bigint[];
}

/** What rf8_layer must emit for input x (the reference: src/arith layerForward on N lanes). */
export function emulateLayer(spec: LayerSpec, x: Uint8Array, xScale: number, N: number): LayerOut {
  const r = layerForward({ ...spec, lanes: N }, x, xScale);
  const val = new Uint32Array(spec.rows);
  if (r.out instanceof Float32Array) for (let i = 0; i < spec.rows; i++) val[i] = f32Bits(r.out[i]!) >>> 0;
  else val.set(r.out);
  const flags = new Uint8Array(spec.rows);
  for (let i = 0; i < spec.rows; i++) flags[i] = r.nan[i]! | (r.ovf[i]! << 1);
  return { val, flags, acc: Array.from(r.acc, (a) => BigInt(a)) };
}
