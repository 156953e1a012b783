import { describe, expect, it } from 'vitest';
import { measureThroughput } from '../../src/sim/index.js';
import { haveTools } from './tools.js';

const ok = haveTools('verilator', 'g++');

describe.skipIf(!ok)('co-simulation throughput (file mode vs raw cycle rate, one run)', () => {
  it('>= 5e6 vectors/s and >= half of the raw cycle rate (rtl/ default N = 1 DUT, 1e6 beats, best of 5)', { timeout: 1_200_000 }, async () => {
    const r = await measureThroughput('mac-e3m4-e3m4-n1-1m', 5, undefined, { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 1 }, 5e6);
    expect(r.vectors).toBe(1_000_000);
    // the harness's own cost: file mode keeps at least half of the model's raw cycle rate (same run)
    expect(r.ratio).toBeGreaterThanOrEqual(0.5);
    // the absolute rate also depends on how busy the (shared, 2-core) machine is: asserted whenever the
    // model itself runs at full speed (raw >= 1e7 cycles/s, as on an idle machine), else reported
    if (r.rawCyclesPerSec >= 1e7) expect(r.vectorsPerSec).toBeGreaterThanOrEqual(5e6);
    else console.warn(`machine busy: raw ${(r.rawCyclesPerSec / 1e6).toFixed(2)} Mcycles/s, file mode ${(r.vectorsPerSec / 1e6).toFixed(2)} Mvec/s`);
  });
});
