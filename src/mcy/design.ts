import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRtl, type GeneratedRtl, type RtlOptions } from '../rtl/index.js';
import { cacheRoot } from '../sim/paths.js';
import { requireTool } from '../sim/tools.js';
import { InputError } from '../util/errors.js';
import { runYosys, yq } from './yosys.js';
import { writeFileAtomic } from '../util/atomic.js';

/**
 * The mutation design (MCY's "database"): the generated RTL read by yosys, `prep -top`, flattened,
 * written as RTLIL (design.il) and JSON; then `mutate -list` per block with quotas proportional
 * to the block's cells (even sampling over every block), and one mutated design holding every
 * mutant behind `mutate -ctrl mutsel W i` (mutant i active when mutsel == i; 0 = unmutated).
 */

export interface Mutation {
  /** 1-based mutant id (the mutsel value). */
  id: number;
  /** The module the mutated cell comes from (its own source file), e.g. rf8_cvt_o0; the top's glue logic is the top's name. */
  block: string;
  /** yosys mutation mode: inv, const0, const1, cnot0, cnot1. */
  mode: string;
  /** The flattened cell (instance path included). */
  cell: string;
  port: string;
  bit: number;
  /** file:line of the cell (file name only). */
  src: string;
  /** The `mutate` options as `mutate -list` wrote them (without -ctrl). */
  args: string;
}

export interface BlockInfo {
  block: string;
  cells: number;
  quota: number;
}

export interface PortInfo {
  name: string;
  dir: 'input' | 'output';
  width: number;
}

export interface MutationDesign {
  dir: string;
  g: GeneratedRtl;
  top: string;
  blocks: BlockInfo[];
  mutations: Mutation[];
  ctrlWidth: number;
  /** Ports of the mutated top (mutsel included). */
  ports: PortInfo[];
  /** The mutated design: Verilog (for Verilator) and RTLIL (for the proofs). */
  verilog: string;
  rtlil: string;
  /** The unmutated flattened design (RTLIL). */
  designIl: string;
  seed: number;
  count: number;
  yosysSec: number;
  cached: boolean;
}

export interface DesignOptions {
  rtl: RtlOptions;
  /**
   * A generated design to mutate instead of generateRtl(rtl) (e.g. rf8_layer from
   * generateLayerRtl: its top and every source file are blocks), with `files` written beside the
   * sources in yosys' working directory (rf8_layer's $readmemh images: yosys reads them at prep,
   * so the weights are constants of the design and the mutants are relative to that layer).
   */
  g?: GeneratedRtl;
  files?: { name: string; text: string }[];
  count: number;
  seed: number;
  log?: (m: string) => void;
}

const bitsFor = (n: number): number => Math.max(1, Math.ceil(Math.log2(n + 1)));

/** Largest-remainder apportionment of `count` over weights (every block with cells gets >= 1 when count allows). */
export function quotas(weights: number[], count: number): number[] {
  const tot = weights.reduce((s, w) => s + w, 0);
  if (!tot) return weights.map(() => 0);
  const exact = weights.map((w) => (count * w) / tot);
  const q = exact.map((x) => Math.floor(x));
  let left = count - q.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    q[i]!++;
    left--;
  }
  // a block with cells but a zero quota takes one from the largest (when count >= blocks)
  if (count >= weights.filter((w) => w > 0).length)
    for (let i = 0; i < q.length; i++)
      if (weights[i]! > 0 && q[i] === 0) {
        const j = q.indexOf(Math.max(...q));
        q[j]!--;
        q[i] = 1;
      }
  return q;
}

const fileOf = (src: string): string => {
  const own = src.split('|').pop()!;
  const f = own.replace(/:[0-9.\-]+$/, '');
  return f.slice(f.lastIndexOf('/') + 1);
};

/** Parse one `mutate -list` line into its fields. */
export function parseMutateLine(line: string): Omit<Mutation, 'id' | 'block'> | null {
  const t = line.trim();
  if (!t.startsWith('mutate ')) return null;
  const tok = t.split(/\s+/);
  const get = (k: string): string | undefined => {
    const i = tok.indexOf(k);
    return i >= 0 ? tok[i + 1] : undefined;
  };
  const srcs: string[] = [];
  for (let i = 0; i < tok.length; i++) if (tok[i] === '-src') srcs.push(tok[i + 1]!);
  const lastSrc = srcs[srcs.length - 1] ?? '';
  const f = lastSrc.replace(/^.*\//, '');
  return { mode: get('-mode') ?? '?', cell: get('-cell') ?? '?', port: get('-port') ?? '?', bit: Number(get('-portbit') ?? 0), src: f, args: t.slice('mutate '.length) };
}

/** Depth of every module of the sources below `top` (0), from the instantiations in their text (the longest path). */
export function moduleDepths(sources: { name: string; text: string }[], top: string): Map<string, number> {
  const names = sources.map((s) => s.name.replace(/\.sv$/, ''));
  const kids = new Map<string, string[]>();
  for (const s of sources) {
    const m = s.name.replace(/\.sv$/, '');
    kids.set(
      m,
      names.filter((n) => n !== m && new RegExp(`^\\s*${n}\\s+(#\\s*\\(|[A-Za-z_]\\w*\\s*\\()`, 'm').test(s.text)),
    );
  }
  const depth = new Map<string, number>([[top, 0]]);
  const visit = (m: string, d: number, seen: Set<string>): void => {
    for (const k of kids.get(m) ?? []) {
      if (seen.has(k)) continue;
      if ((depth.get(k) ?? -1) < d + 1) depth.set(k, d + 1);
      visit(k, d + 1, new Set([...seen, k]));
    }
  };
  visit(top, 0, new Set([top]));
  return depth;
}

/** Build (or take from the cache) the mutation design of a configuration. */
export async function mutationDesign(o: DesignOptions): Promise<MutationDesign> {
  requireTool('yosys');
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 65535) throw new InputError(`mutate: --count must be an integer in [1, 65535]: ${o.count}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 31 - 1) throw new InputError(`mutate: --seed must be an integer in [0, 2^31-1]: ${o.seed}`);
  const g = o.g ?? generateRtl({ ...o.rtl, faults: [], faultSchema: false });
  const extra = o.files ?? [];
  const yv = requireTool('yosys');
  const hash = createHash('sha256')
    .update('rf8-mcy-design-v1')
    .update(yv)
    .update(String(o.count))
    .update(String(o.seed));
  for (const s of g.sources) hash.update(s.name).update('\0').update(s.text).update('\0');
  for (const f of extra) hash.update('file:').update(f.name).update('\0').update(f.text).update('\0');
  const key = hash.digest('hex').slice(0, 12);
  const dir = join(cacheRoot(), 'mcy', `${g.cfg.id.slice(0, 80)}-c${o.count}-s${o.seed}-${key}`);
  const done = join(dir, 'design.json');
  if (existsSync(done)) {
    const d = JSON.parse(readFileSync(done, 'utf8')) as Omit<MutationDesign, 'g' | 'verilog' | 'rtlil' | 'designIl' | 'cached'>;
    // dir: where the cache is now (design.json keeps the path it was written at; a copied cache moves)
    return { ...d, dir, g, verilog: readFileSync(join(dir, 'mutated.v'), 'utf8'), rtlil: join(dir, 'mutated.il'), designIl: join(dir, 'design.il'), cached: true };
  }
  mkdirSync(join(dir, 'rtl'), { recursive: true });
  for (const s of g.sources) writeFileSync(join(dir, 'rtl', s.name), s.text);
  for (const f of extra) {
    if (!/^[A-Za-z0-9_.-]+$/.test(f.name)) throw new InputError(`mutate: design file name ${f.name}: letters, digits, _ . - only`);
    writeFileSync(join(dir, f.name), f.text);
  }
  const top = g.top;
  let yosysSec = 0;
  o.log?.(`yosys: reading ${g.cfg.id} (${g.sources.length} files), prep, flatten`);
  const r1 = await runYosys(
    dir,
    'prep',
    [`read_verilog ${g.sources.map((s) => yq(`rtl/${s.name}`)).join(' ')}`, `prep -top ${top}`, 'flatten', 'opt_clean', 'write_rtlil design.il', 'write_json flat.json', ''].join('\n'),
  );
  yosysSec += r1.seconds;
  const flat = JSON.parse(readFileSync(join(dir, 'flat.json'), 'utf8')) as {
    modules: Record<string, { ports: Record<string, { direction: string; bits: unknown[] }>; cells: Record<string, { type: string; attributes: { src?: string } }> }>;
  };
  const mod = flat.modules[top];
  if (!mod) throw new Error(`yosys: no module ${top} after flatten`);
  // block of a cell: the module of its own source file, the deepest module of the hierarchy among
  // its src components (flatten prepends instantiation sites, and for two levels yosys orders them
  // "outer site | own | inner site": the last component is only right for one level)
  const modNames = new Set(g.sources.map((s) => s.name.replace(/\.sv$/, '')));
  const depth = moduleDepths(g.sources, top);
  const cellsOf = new Map<string, number>();
  const children = new Map<string, Set<string>>();
  for (const c of Object.values(mod.cells)) {
    const src = c.attributes.src ?? '';
    const parts = src.split('|').map((p) => fileOf(p).replace(/\.sv$/, ''));
    let own = top;
    for (const x of parts) if (modNames.has(x) && (depth.get(x) ?? 0) > (depth.get(own) ?? 0)) own = x;
    cellsOf.set(own, (cellsOf.get(own) ?? 0) + 1);
    for (const anc of parts.slice(0, -1)) {
      if (!children.has(anc)) children.set(anc, new Set());
      if (anc !== own) children.get(anc)!.add(own);
    }
  }
  const blockNames = [...cellsOf.keys()].sort();
  const q = quotas(
    blockNames.map((b) => cellsOf.get(b)!),
    o.count,
  );
  const blocks: BlockInfo[] = blockNames.map((b, i) => ({ block: b, cells: cellsOf.get(b)!, quota: q[i]! }));
  // selection of a block's own cells: its source file minus its descendants' (the top: minus every other block)
  const sel = (b: string): string => {
    const others = b === top ? blockNames.filter((x) => x !== top) : [...(children.get(b) ?? [])];
    const base = b === top ? `${top}/c:*` : `${top}/c:* ${top}/a:src=*/${b}.sv:* %i`;
    return [base, ...others.map((x) => `${top}/a:src=*/${x}.sv:* %d`)].join(' ');
  };
  // a few extra per block: lines on a clock port are dropped (Verilator cannot take a mutated clock)
  const lists: string[] = [];
  blocks.forEach((b, i) => {
    if (b.quota > 0) lists.push(`mutate -list ${b.quota + Math.ceil(b.quota / 10) + 2} -seed ${o.seed + i} -o list-${b.block}.txt ${sel(b.block)}`);
  });
  o.log?.(`yosys: mutate -list over ${blocks.length} blocks (${blocks.map((b) => `${b.block} ${b.cells} cells -> ${b.quota}`).join(', ')})`);
  const r2 = await runYosys(dir, 'list', ['read_rtlil design.il', ...lists, ''].join('\n'));
  yosysSec += r2.seconds;
  const mutations: Mutation[] = [];
  for (const b of blocks) {
    if (!b.quota) continue;
    const p = join(dir, `list-${b.block}.txt`);
    const lines = existsSync(p) ? readFileSync(p, 'utf8').split('\n') : [];
    let taken = 0;
    for (const l of lines) {
      if (taken >= b.quota) break;
      const m = parseMutateLine(l);
      if (!m || /^\\?(CLK|clk)$/.test(m.port)) continue;
      // a memory cell's clock / enable / reset ports must stay as they are (yosys' memory kernel
      // asserts on a mutated read enable of a ROM port); its data and address ports are mutated
      const ct = (mod.cells[m.cell] ?? mod.cells[m.cell.replace(/^\\/, '')])?.type ?? '';
      if (ct.startsWith('$mem') && !/^(RD_DATA|RD_ADDR|WR_DATA|WR_ADDR|WR_EN)$/.test(m.port)) continue;
      mutations.push({ id: mutations.length + 1, block: b.block, ...m });
      taken++;
    }
    b.quota = taken;
  }
  const ctrlWidth = bitsFor(mutations.length);
  o.log?.(`yosys: ${mutations.length} mutants behind mutsel (${ctrlWidth} bits)`);
  const apply = mutations.map((m) => `mutate -ctrl mutsel ${ctrlWidth} ${m.id} ${m.args}`);
  const r3 = await runYosys(dir, 'mutate', ['read_rtlil design.il', ...apply, 'opt_clean', 'write_rtlil mutated.il', 'write_verilog -noattr mutated.v', 'write_json mutated.json', ''].join('\n'));
  yosysSec += r3.seconds;
  const mj = JSON.parse(readFileSync(join(dir, 'mutated.json'), 'utf8')) as typeof flat;
  const ports: PortInfo[] = Object.entries(mj.modules[top]!.ports).map(([name, p]) => ({ name, dir: p.direction === 'output' ? 'output' : 'input', width: p.bits.length }));
  const res = { dir, top, blocks, mutations, ctrlWidth, ports, seed: o.seed, count: o.count, yosysSec };
  writeFileAtomic(done, JSON.stringify(res));
  return { ...res, g, verilog: readFileSync(join(dir, 'mutated.v'), 'utf8'), rtlil: join(dir, 'mutated.il'), designIl: join(dir, 'design.il'), cached: false };
}
