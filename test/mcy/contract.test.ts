import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mutantHarnessSpec } from '../../src/mcy/index.js';
import { generateRtl } from '../../src/rtl/index.js';
import { ensureSuite, getSuite } from '../../src/golden/index.js';
import { buildHarness } from '../../src/sim/build.js';
import { suiteArgs } from '../../src/sim/cosim.js';
import { haveTools } from '../sim/tools.js';

const execFileP = promisify(execFile);
const ok = haveTools('yosys', 'verilator', 'g++');

/**
 * The handshake contract of sim/mutant_harness.cpp (--contract) against two hand-made mutants of
 * rf8_dot's glue, selected by mutsel as yosys' mutate -ctrl does: 1 = in_ready = out_ready (the
 * engine stalls while its output register is empty), 2 = the input-stage valid resets to 1 (a
 * phantom beat of whatever is on the inputs during reset). The plain suite (and the stalled one)
 * cannot tell either from the design; the contract must kill both and pass mutsel = 0.
 */
describe.skipIf(!ok)('mutant harness: the cycle-level handshake contract', () => {
  it('kills a phantom reset beat and in_ready = out_ready; passes the unmutated design', { timeout: 300_000 }, async () => {
    const g = generateRtl({ a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 1 });
    const top = g.sources.find((f) => f.text.includes(`module ${g.top} (`))!;
    const adv = '  wire adv = ~out_valid | out_ready;';
    const v0 = "    if (rst) v0 <= 1'b0;";
    expect(top.text).toContain(adv);
    expect(top.text).toContain(v0);
    const text = top.text
      .replace(`module ${g.top} (`, `module ${g.top} (\n  input  wire [7:0] mutsel,`)
      .replace(adv, '  wire adv = (mutsel == 8\'d1) ? out_ready : (~out_valid | out_ready);')
      .replace(v0, "    if (rst) v0 <= (mutsel == 8'd2);");
    const sources = g.sources.map((f) => (f === top ? { name: f.name, text } : f));
    const m = await buildHarness({ sources, top: g.top, id: 'mcy-contract-test' }, mutantHarnessSpec(g.cfg));
    const d = getSuite('mac-e3m4-e3m4-n1');
    const args = suiteArgs(d, g.cfg);
    const dir = mkdtempSync(join(tmpdir(), 'rf8-contract-'));
    try {
      const bin = join(dir, 'mac.bin');
      await execFileP(m.exe, [ensureSuite(d), ...args, '--write-bin', bin, '--convert-only']);
      const run = async (pre: string[]): Promise<Map<number, { pass: boolean; mismatch?: { fields: number; pass?: string } }>> => {
        const { stdout } = await execFileP(m.exe, ['--mutants', '0,1,2', ...pre, '--suite', bin, ...args], { maxBuffer: 64 << 20 });
        const out = new Map<number, { pass: boolean; mismatch?: { fields: number; pass?: string } }>();
        const lines = stdout.trim().split('\n');
        for (let i = 0; i + 1 < lines.length; i += 2) out.set(Number(/^M (\d+)/.exec(lines[i]!)![1]), JSON.parse(lines[i + 1]!));
        return out;
      };
      // the plain stream: neither mutant shows (reset with zero data, no cycle-level check)
      const plain = await run([]);
      expect([0, 1, 2].map((id) => plain.get(id)!.pass)).toEqual([true, true, true]);
      // the plain stalled stream (harness.cpp --stall): the output beats are still right
      for (const id of [1, 2]) {
        const r = await execFileP(m.exe, [bin, '--bin', ...args, '--stall', '1,0.3,0.3', '--fault-sel', String(id)]);
        expect(JSON.parse(r.stdout).pass).toBe(true);
      }
      const c = await run(['--contract', '1,0.3,0.3']);
      expect(c.get(0)!.pass).toBe(true);
      // in_ready = out_ready: in_ready breaks the rule (field 64) once out_ready is low with the output register empty
      expect(c.get(1)!.pass).toBe(false);
      expect(c.get(1)!.mismatch!.fields & 64).toBe(64);
      // the phantom beat: an output beat nobody asked for (field 16), in the reset probes
      expect(c.get(2)!.pass).toBe(false);
      expect(c.get(2)!.mismatch!.fields & 16).toBe(16);
      expect(c.get(2)!.mismatch!.pass).toBe('reset');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
