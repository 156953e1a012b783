import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { resolveConfig, type RtlConfig } from '../rtl/index.js';
import { InputError } from '../util/errors.js';
import { packageRoot } from '../sim/paths.js';
import { requireTool } from '../sim/tools.js';

/**
 * The port map of an external design (schemas/rf8-portmap.schema.json, docs/verify-your-rtl.md):
 * which port of the user's top plays which role. Validated with one-line errors naming the map
 * file, the port and the problem; names and widths are checked against the design's real ports.
 */
export interface PortMap {
  top?: string;
  config: { a?: string; b?: string; modes?: string[]; lanes?: number; W?: number; latency?: number };
  clock: string;
  reset: { port: string; active: 'high' | 'low' };
  handshake: { kind: 'valid-ready' | 'valid'; in_valid: string; in_ready?: string; out_valid: string; out_ready?: string };
  inputs: {
    first: string;
    last: string;
    relu?: string;
    xa?: string;
    xb?: string;
    xo?: string;
    init?: string;
    mask?: string;
    a: string | string[];
    b: string | string[];
    mode_a?: string;
    mode_b?: string;
    fault_sel?: string;
  };
  outputs: { acc?: string; nan?: string; ovf?: string; f32?: string; codes?: Record<string, string> };
}

export const INPUT_ROLES = ['first', 'last', 'relu', 'xa', 'xb', 'xo', 'init', 'mask', 'a', 'b', 'mode_a', 'mode_b', 'fault_sel'] as const;
export const REQUIRED_INPUTS = ['first', 'last', 'a', 'b'] as const;
export const OUTPUT_ROLES = ['acc', 'nan', 'ovf', 'f32', 'codes'] as const;

/** A design's port: direction and width. */
export interface Port {
  dir: 'input' | 'output' | 'inout';
  width: number;
}

/** The resolved design: map, configuration, which outputs exist. */
export interface DutDesign {
  map: PortMap;
  mapFile: string;
  files: string[];
  top: string;
  cfg: RtlConfig;
  /** Outputs present (absent ones are not checked): bit0 acc, bit1 nan, bit2 ovf. */
  has: { acc: boolean; nan: boolean; ovf: boolean };
  /** Inputs present (absent ones are tied off: the property generator keeps them at their tie value). */
  inputs: { relu: boolean; xa: boolean; xb: boolean; xo: boolean; init: boolean; mask: boolean; mode: boolean };
  ports: Record<string, Port>;
  /** Parameter overrides of the top (e.g. a bug switch): NAME -> Verilog literal. */
  params: Record<string, string>;
}

function err(file: string, what: string): never {
  throw new InputError(what, file);
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Structural validation (the JSON Schema's rules, with messages naming the role). */
export function validateMap(raw: unknown, file: string): PortMap {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) err(file, 'not a JSON object');
  const m = raw as Record<string, unknown>;
  const allowedTop = ['$schema', 'top', 'config', 'clock', 'reset', 'handshake', 'inputs', 'outputs'];
  for (const k of Object.keys(m)) if (!allowedTop.includes(k)) err(file, `${k}: unknown key (one of: ${allowedTop.join(', ')})`);
  for (const k of ['config', 'clock', 'reset', 'handshake', 'inputs', 'outputs']) if (m[k] === undefined) err(file, `${k}: missing`);
  const name = (path: string, v: unknown): string => {
    if (!isStr(v)) err(file, `${path}: expected a port name (string)`);
    if (!IDENT.test(v)) err(file, `${path}: '${v}' is not a Verilog identifier`);
    return v;
  };
  const obj = (path: string, v: unknown): Record<string, unknown> => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) err(file, `${path}: expected an object`);
    return v as Record<string, unknown>;
  };
  const cfg = obj('config', m.config);
  for (const k of Object.keys(cfg)) if (!['a', 'b', 'modes', 'lanes', 'W', 'latency'].includes(k)) err(file, `config.${k}: unknown key`);
  name('clock', m.clock);
  const rst = obj('reset', m.reset);
  name('reset.port', rst.port);
  if (rst.active !== 'high' && rst.active !== 'low') err(file, `reset.active: expected "high" or "low"`);
  const hs = obj('handshake', m.handshake);
  if (hs.kind !== 'valid-ready' && hs.kind !== 'valid') err(file, `handshake.kind: expected "valid-ready" or "valid"`);
  for (const k of Object.keys(hs)) if (!['kind', 'in_valid', 'in_ready', 'out_valid', 'out_ready'].includes(k)) err(file, `handshake.${k}: unknown key`);
  name('handshake.in_valid', hs.in_valid);
  name('handshake.out_valid', hs.out_valid);
  if (hs.kind === 'valid-ready') {
    name('handshake.in_ready', hs.in_ready);
    name('handshake.out_ready', hs.out_ready);
  } else for (const k of ['in_ready', 'out_ready']) if (hs[k] !== undefined) err(file, `handshake.${k}: a valid-only handshake has no ready (kind "valid-ready" has)`);
  const ins = obj('inputs', m.inputs);
  for (const k of Object.keys(ins)) if (!(INPUT_ROLES as readonly string[]).includes(k)) err(file, `inputs.${k}: unknown role (one of: ${INPUT_ROLES.join(', ')})`);
  for (const k of REQUIRED_INPUTS) if (ins[k] === undefined) err(file, `inputs.${k}: missing role (required: ${REQUIRED_INPUTS.join(', ')})`);
  for (const [k, v] of Object.entries(ins)) {
    if ((k === 'a' || k === 'b') && Array.isArray(v)) v.forEach((x, i) => name(`inputs.${k}[${i}]`, x));
    else name(`inputs.${k}`, v);
  }
  const outs = obj('outputs', m.outputs);
  for (const k of Object.keys(outs)) if (!(OUTPUT_ROLES as readonly string[]).includes(k)) err(file, `outputs.${k}: unknown role (one of: ${OUTPUT_ROLES.join(', ')})`);
  for (const [k, v] of Object.entries(outs)) {
    if (k === 'codes') for (const [f, p] of Object.entries(obj('outputs.codes', v))) name(`outputs.codes.${f}`, p);
    else name(`outputs.${k}`, v);
  }
  if (!Object.keys(outs).filter((k) => k !== 'codes').length && !Object.keys((outs.codes as object) ?? {}).length) err(file, 'outputs: the design has no mapped output (nothing to check)');
  return m as unknown as PortMap;
}

/** The top module's ports, from Verilator's --xml-only output. */
export function readPorts(files: string[], top: string, extra: string[] = []): Record<string, Port> {
  requireTool('verilator');
  for (const f of files) if (!existsSync(f)) throw new InputError('no such file', f);
  const dir = mkdtempSync(join(tmpdir(), 'rf8-ports-'));
  try {
    try {
      execFileSync('verilator', ['--xml-only', '-Wno-fatal', '--top-module', top, '-Mdir', dir, '--xml-output', join(dir, 'dut.xml'), ...extra, ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const x = e as { stderr?: Buffer };
      const first = (x.stderr?.toString() ?? '').split('\n').find((l) => l.startsWith('%Error')) ?? 'verilator could not read the design';
      throw new InputError(`--dut: ${first.trim()}`, files[0]);
    }
    const xml = readFileSync(join(dir, 'dut.xml'), 'utf8');
    const types = new Map<string, number>();
    for (const t of xml.matchAll(/<basicdtype [^>]*?id="(\d+)"[^>]*?>/g)) {
      const l = /left="(-?\d+)"/.exec(t[0]);
      const r = /right="(-?\d+)"/.exec(t[0]);
      types.set(t[1]!, l && r ? Math.abs(Number(l[1]) - Number(r[1])) + 1 : 1);
    }
    const mod = /<module [^>]*topModule="1"[^>]*>([\s\S]*?)<\/module>/.exec(xml);
    if (!mod) throw new InputError(`--top: module '${top}' not found`, files[0]);
    const ports: Record<string, Port> = {};
    // the module's ports carry a pinIndex (function and task arguments have a dir but no pin)
    for (const v of mod[1]!.matchAll(/<var [^>]*?name="([^"]+)"[^>]*?dtype_id="(\d+)"[^>]*?dir="(input|output|inout)"[^>]*?pinIndex="\d+"[^>]*?>/g)) ports[v[1]!] = { dir: v[3] as Port['dir'], width: types.get(v[2]!) ?? 1 };
    return ports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Load, validate and resolve a port map against the design's real ports. */
export function loadDesign(mapFile: string, files: string[], topOpt?: string, override: Partial<PortMap['config']> = {}, params: Record<string, string> = {}): DutDesign {
  for (const [k, v] of Object.entries(params)) if (!IDENT.test(k) || !/^[0-9a-zA-Z_'"]+$/.test(v)) throw new InputError(`--param: expected NAME=VALUE (a Verilog literal): ${k}=${v}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(mapFile, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read the port map: ${(e as Error).message.split('\n')[0]}`, mapFile);
  }
  const map = validateMap(raw, mapFile);
  const top = topOpt ?? map.top;
  if (!top) err(mapFile, 'top: no top module (give --top NAME or "top" in the map)');
  const c = { ...map.config, ...Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)) };
  const codes = Object.keys(map.outputs.codes ?? {});
  let cfg: RtlConfig;
  try {
    cfg = resolveConfig({
      ...(c.modes ? { modes: c.modes } : { a: c.a ?? 'rf8-e3m4', b: c.b ?? c.a ?? 'rf8-e3m4' }),
      lanes: c.lanes ?? 1,
      ...(c.W !== undefined ? { W: c.W } : {}),
      outs: codes,
      // resolveConfig wants a converter; a design with acc/flags only gets f32 off below
      f32: map.outputs.f32 !== undefined || !codes.length,
    });
    cfg = { ...cfg, f32: map.outputs.f32 !== undefined };
  } catch (e) {
    err(mapFile, `config: ${(e as Error).message}`);
  }
  const ports = readPorts(files, top);
  const N = cfg.lanes;
  const want = (role: string, port: string, width: number, dir: 'input' | 'output'): void => {
    const p = ports[port];
    if (!p) err(mapFile, `${role}: port '${port}' is not a port of ${top} (its ports: ${Object.keys(ports).join(', ')})`);
    if (p.dir !== dir) err(mapFile, `${role}: port '${port}' is an ${p.dir}, expected an ${dir}`);
    if (p.width !== width) err(mapFile, `${role}: port '${port}' is ${p.width} bits wide, expected ${width}`);
  };
  want('clock', map.clock, 1, 'input');
  want('reset.port', map.reset.port, 1, 'input');
  want('handshake.in_valid', map.handshake.in_valid, 1, 'input');
  want('handshake.out_valid', map.handshake.out_valid, 1, 'output');
  if (map.handshake.in_ready) want('handshake.in_ready', map.handshake.in_ready, 1, 'output');
  if (map.handshake.out_ready) want('handshake.out_ready', map.handshake.out_ready, 1, 'input');
  const I = map.inputs;
  const widths: Record<string, number> = { first: 1, last: 1, relu: 1, xa: 8, xb: 8, xo: 8, init: cfg.W, mask: N, mode_a: 2, mode_b: 2 };
  for (const [k, w] of Object.entries(widths)) {
    const p = (I as Record<string, unknown>)[k];
    if (typeof p === 'string') want(`inputs.${k}`, p, w, 'input');
  }
  for (const k of ['a', 'b'] as const) {
    const p = I[k];
    if (Array.isArray(p)) {
      if (p.length !== N) err(mapFile, `inputs.${k}: ${p.length} lane ports, the design has ${N} lanes (config.lanes)`);
      p.forEach((x, i) => want(`inputs.${k}[${i}]`, x, 8, 'input'));
    } else want(`inputs.${k}`, p, 8 * N, 'input');
  }
  if (I.fault_sel) {
    const p = ports[I.fault_sel];
    if (!p) err(mapFile, `inputs.fault_sel: port '${I.fault_sel}' is not a port of ${top}`);
    if (p.dir !== 'input' || p.width > 64) err(mapFile, `inputs.fault_sel: port '${I.fault_sel}' must be an input of at most 64 bits`);
  }
  if (cfg.multi && (!I.mode_a || !I.mode_b)) err(mapFile, `inputs.${!I.mode_a ? 'mode_a' : 'mode_b'}: missing role (a multi-mode design, config.modes)`);
  if (!cfg.multi && (I.mode_a || I.mode_b)) err(mapFile, `inputs.${I.mode_a ? 'mode_a' : 'mode_b'}: a mode input needs config.modes`);
  const O = map.outputs;
  if (O.acc) want('outputs.acc', O.acc, cfg.W, 'output');
  if (O.nan) want('outputs.nan', O.nan, 1, 'output');
  if (O.ovf) want('outputs.ovf', O.ovf, 1, 'output');
  if (O.f32) want('outputs.f32', O.f32, 32, 'output');
  for (const [f, p] of Object.entries(O.codes ?? {})) want(`outputs.codes.${f}`, p, 8, 'output');
  // every input of the design must be driven: an unmapped input is an error (it would float)
  const mapped = new Set<string>([map.clock, map.reset.port, map.handshake.in_valid, ...(map.handshake.out_ready ? [map.handshake.out_ready] : [])]);
  for (const v of Object.values(I)) for (const x of Array.isArray(v) ? v : [v]) mapped.add(x);
  for (const [n, p] of Object.entries(ports)) if (p.dir === 'input' && !mapped.has(n)) err(mapFile, `${n}: input port of ${top} has no role in the map`);
  const latency = c.latency ?? -1;
  return {
    map,
    mapFile,
    files,
    top,
    cfg: { ...cfg, latency, faultSchema: !!I.fault_sel, id: `dut-${top}-${cfg.id.replace(/-p\d+-/, '-')}${Object.entries(params).map(([k, v]) => `-${k}${v}`).join('')}`, prefix: 'rf8_' },
    has: { acc: !!O.acc, nan: !!O.nan, ovf: !!O.ovf },
    inputs: { relu: !!I.relu, xa: !!I.xa, xb: !!I.xb, xo: !!I.xo, init: !!I.init, mask: !!I.mask, mode: !!I.mode_a },
    ports,
    params,
  };
}

export const ADAPTER = 'rf8_dut_adapter';

/**
 * The adapter: a module with the interface of rf8kit's own engine (rf8_dot: the ports sim/harness.cpp
 * and the Icarus test bench drive) around the user's top. Absent inputs are tied off (relu 0,
 * scales 0, init 0, mask all ones); absent outputs read 0 and are not checked.
 */
export function adapterVerilog(d: DutDesign): string {
  const { cfg, map } = d;
  const N = cfg.lanes;
  const W = cfg.W;
  const K = cfg.outs.length;
  const I = map.inputs;
  const O = map.outputs;
  const conns: string[] = [];
  const c = (port: string, expr: string): void => void conns.push(`    .${port}(${expr})`);
  c(map.clock, 'clk');
  c(map.reset.port, map.reset.active === 'high' ? 'rst' : '~rst');
  c(map.handshake.in_valid, 'in_valid');
  if (map.handshake.in_ready) c(map.handshake.in_ready, 'in_ready_w');
  c(map.handshake.out_valid, 'out_valid_w');
  if (map.handshake.out_ready) c(map.handshake.out_ready, 'out_ready');
  c(I.first, 'in_first');
  c(I.last, 'in_last');
  if (I.relu) c(I.relu, K ? 'in_relu' : "1'b0");
  if (I.xa) c(I.xa, 'in_xa');
  if (I.xb) c(I.xb, 'in_xb');
  if (I.xo) c(I.xo, K ? 'in_xo' : "8'd0");
  if (I.init) c(I.init, 'in_init');
  if (I.mask) c(I.mask, 'in_mask');
  if (I.mode_a) c(I.mode_a, 'in_mode_a');
  if (I.mode_b) c(I.mode_b, 'in_mode_b');
  if (I.fault_sel) c(I.fault_sel, `fault_sel[${d.ports[I.fault_sel]!.width - 1}:0]`);
  for (const k of ['a', 'b'] as const) {
    const p = I[k];
    if (Array.isArray(p)) p.forEach((x, i) => c(x, `in_${k}[${8 * i + 7}:${8 * i}]`));
    else c(p, `in_${k}`);
  }
  if (O.acc) c(O.acc, 'out_acc_w');
  if (O.nan) c(O.nan, 'out_nan_w');
  if (O.ovf) c(O.ovf, 'out_ovf_w');
  if (O.f32) c(O.f32, 'out_f32');
  cfg.outs.forEach((f, k) => c(O.codes![f.name]!, `out_code[${8 * k + 7}:${8 * k}]`));
  const L: string[] = [];
  L.push(`// ${ADAPTER}: generated by rf8kit (src/verify-hw/portmap.ts) from ${basename(d.mapFile)}.`);
  L.push(`// Wraps ${d.top} (${map.handshake.kind} handshake, reset active ${map.reset.active}) into the interface of rf8kit's engine.`);
  L.push(`module ${ADAPTER} (`);
  L.push('  input  wire clk,');
  L.push('  input  wire rst,');
  L.push('  input  wire in_valid,');
  L.push('  output wire in_ready,');
  L.push('  input  wire in_first,');
  L.push('  input  wire in_last,');
  if (K) L.push('  input  wire in_relu,');
  L.push(`  input  wire [${N - 1}:0] in_mask,`);
  L.push(`  input  wire [${8 * N - 1}:0] in_a,`);
  L.push(`  input  wire [${8 * N - 1}:0] in_b,`);
  L.push(`  input  wire [${W - 1}:0] in_init,`);
  L.push('  input  wire [7:0] in_xa,');
  L.push('  input  wire [7:0] in_xb,');
  if (K) L.push('  input  wire [7:0] in_xo,');
  if (cfg.modesA.modes.length > 1) L.push('  input  wire [1:0] in_mode_a,');
  if (cfg.modesB.modes.length > 1) L.push('  input  wire [1:0] in_mode_b,');
  if (I.fault_sel) L.push('  input  wire [63:0] fault_sel,');
  L.push('  output wire out_valid,');
  L.push('  input  wire out_ready,');
  L.push(`  output wire [${W - 1}:0] out_acc,`);
  L.push('  output wire out_nan,');
  L.push(`  output wire out_ovf${cfg.f32 || K ? ',' : ''}`);
  if (cfg.f32) L.push(`  output wire [31:0] out_f32${K ? ',' : ''}`);
  if (K) L.push(`  output wire [${8 * K - 1}:0] out_code`);
  L.push(');');
  L.push(`  wire in_ready_w, out_valid_w, out_nan_w, out_ovf_w;`);
  L.push(`  wire [${W - 1}:0] out_acc_w;`);
  L.push(`  assign in_ready = ${map.handshake.in_ready ? 'in_ready_w' : "1'b1"};`);
  L.push('  assign out_valid = out_valid_w;');
  L.push(`  assign out_acc = ${O.acc ? 'out_acc_w' : `{${W}{1'b0}}`};`);
  L.push(`  assign out_nan = ${O.nan ? 'out_nan_w' : "1'b0"};`);
  L.push(`  assign out_ovf = ${O.ovf ? 'out_ovf_w' : "1'b0"};`);
  if (!map.handshake.in_ready) L.push("  assign in_ready_w = 1'b1;");
  if (!O.acc) L.push(`  assign out_acc_w = {${W}{1'b0}};`);
  if (!O.nan) L.push("  assign out_nan_w = 1'b0;");
  if (!O.ovf) L.push("  assign out_ovf_w = 1'b0;");
  // absent inputs: the engine's ports exist and are ignored (the reference sees the tie values only when the generator respects them)
  const pv = Object.entries(d.params);
  L.push(`  ${d.top} ${pv.length ? `#(${pv.map(([k, v]) => `.${k}(${v})`).join(', ')}) ` : ''}dut (`);
  L.push(conns.join(',\n'));
  L.push('  );');
  L.push('endmodule');
  return L.join('\n') + '\n';
}

/** Harness options for the outputs the design has (--check: bit0 acc, bit1 nan, bit2 ovf). */
export function checkMask(d: DutDesign): number {
  return (d.has.acc ? 1 : 0) | (d.has.nan ? 2 : 0) | (d.has.ovf ? 4 : 0);
}

/** The example's folder (examples/handmac) in the package. */
export function examplesDir(): string {
  return join(packageRoot(), 'examples');
}
