/**
 * Target devices of the estimate flow: the yosys synthesis command for each, whether the
 * installed tools can place and route it (nextpnr-ice40 only), and its capacity for the
 * "does it fit" test.
 */
import { InputError } from '../util/errors.js';

export type DeviceName = 'hx8k' | 'up5k' | 'xc7' | 'ecp5';
export type Family = 'ice40' | 'xc7' | 'ecp5';

export interface Capacity {
  /** Logic cells (iCE40 LC = LUT4 + FF + carry), LUT6 (xc7) or LUT4 (ecp5). */
  luts: number;
  ffs: number;
  dsps: number;
  /** Block RAMs (iCE40 4 kbit, xc7 36 kbit, ecp5 18 kbit). */
  brams: number;
}

export interface Device {
  name: DeviceName;
  family: Family;
  /** Human description, with the part the capacities are taken from. */
  part: string;
  /** yosys synthesis command (without -top / -json). */
  synth: string[];
  /** nextpnr-ice40 device + package arguments; undefined where the installed tools cannot place and route. */
  pnr?: string[];
  capacity: Capacity;
}

export const DEVICES: Record<DeviceName, Device> = {
  hx8k: {
    name: 'hx8k',
    family: 'ice40',
    part: 'iCE40HX8K-CT256 (7680 LC, 32 BRAM 4k, no DSP)',
    synth: ['synth_ice40'],
    pnr: ['--hx8k', '--package', 'ct256'],
    capacity: { luts: 7680, ffs: 7680, dsps: 0, brams: 32 },
  },
  up5k: {
    name: 'up5k',
    family: 'ice40',
    part: 'iCE40UP5K-SG48 (5280 LC, 8 SB_MAC16, 30 BRAM 4k, 4 SPRAM)',
    synth: ['synth_ice40', '-dsp'],
    pnr: ['--up5k', '--package', 'sg48'],
    capacity: { luts: 5280, ffs: 5280, dsps: 8, brams: 30 },
  },
  xc7: {
    name: 'xc7',
    family: 'xc7',
    part: 'Xilinx 7-series, capacity of an XC7A35T (20800 LUT6, 41600 FF, 90 DSP48E1, 50 RAMB36); synthesis only',
    synth: ['synth_xilinx', '-family', 'xc7', '-flatten'],
    capacity: { luts: 20800, ffs: 41600, dsps: 90, brams: 50 },
  },
  ecp5: {
    name: 'ecp5',
    family: 'ecp5',
    part: 'Lattice ECP5, capacity of an LFE5U-25F (24288 LUT4, 24288 FF, 28 MULT18, 56 DP16KD); synthesis only',
    synth: ['synth_ecp5'],
    capacity: { luts: 24288, ffs: 24288, dsps: 28, brams: 56 },
  },
};

export const DEVICE_NAMES = Object.keys(DEVICES) as DeviceName[];

export function getDevice(name: string): Device {
  const d = (DEVICES as Record<string, Device>)[name];
  if (!d) throw new InputError(`unknown device '${name}' (one of: ${DEVICE_NAMES.join(', ')})`);
  return d;
}
