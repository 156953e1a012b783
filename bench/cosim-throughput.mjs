#!/usr/bin/env node
// Co-simulation throughput (file mode) vs the raw cycle rate of the same Verilated model, both
// measured in one harness run. Usage: npx tsc -p . && node bench/cosim-throughput.mjs [suite ...]
import { measureThroughput } from '../dist/sim/index.js';

const suites = process.argv.slice(2);
if (!suites.length) suites.push('mac-e3m4-e3m4-n1-1m', 'mac-e3m4-e3m4-n8-1m', 'prod-e3m4-e3m4');
const rows = [];
for (const s of suites) {
  // each suite on its own DUT, and the N = 1 suite also on the lighter rtl/ default N = 1 DUT
  for (const rtl of s === 'mac-e3m4-e3m4-n1-1m' ? [undefined, { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 1 }] : [undefined]) {
  const r = await measureThroughput(s, 3, (m) => process.stderr.write(m + '\n'), rtl);
  rows.push({
    suite: r.suite,
    dut: r.config,
    vectors: r.vectors,
    'file-mode Mvec/s': +(r.vectorsPerSec / 1e6).toFixed(2),
    'incl. file read Mvec/s': +(r.endToEndPerSec / 1e6).toFixed(2),
    'raw Mcycles/s': +(r.rawCyclesPerSec / 1e6).toFixed(2),
    ratio: +r.ratio.toFixed(2),
    'text parse Mlines/s': r.textParsePerSec ? +(r.textParsePerSec / 1e6).toFixed(2) : null,
  });
  }
}
console.table(rows);
console.log(JSON.stringify(rows));
