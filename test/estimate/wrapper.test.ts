import { describe, expect, it } from 'vitest';
import { wrapperVerilog, netlistPorts, WRAPPER_TOP, type PortInfo } from '../../src/estimate/index.js';

const ports: PortInfo[] = [
  { name: 'clk', direction: 'input', width: 1 },
  { name: 'rst', direction: 'input', width: 1 },
  { name: 'a', direction: 'input', width: 8 },
  { name: 'y', direction: 'output', width: 20 },
  { name: 'v', direction: 'output', width: 1 },
];

describe('place-and-route harness', () => {
  it('a 4-pin wrapper: every input bit from the serial chain, every output bit into the load/shift register', () => {
    const v = wrapperVerilog('dut', ports);
    expect(v).toContain(`module ${WRAPPER_TOP} (input wire clk, input wire si, input wire ld, output wire so);`);
    expect(v).toContain('reg [8:0] sr;'); // rst + a
    expect(v).toContain('.rst(sr[0:0])');
    expect(v).toContain('.a(sr[8:1])');
    expect(v).toContain('reg [20:0] q;'); // y + v
    expect(v).toContain('wire [20:0] o = {o_y, o_v};');
    expect(v).toContain('q <= ld ? o : {q[19:0], 1\'b0};');
    expect(v).toContain('.clk(clk)');
  });
  it('refuses a design without a clock or without outputs', () => {
    expect(() => wrapperVerilog('dut', ports.filter((p) => p.name !== 'clk'))).toThrow(/no 1-bit input clock/);
    expect(() => wrapperVerilog('dut', ports.filter((p) => p.direction === 'input'))).toThrow(/no outputs/);
  });
  it('reads ports from a yosys JSON netlist in declaration order', () => {
    const net = { modules: { dut: { ports: { clk: { direction: 'input', bits: [2] }, y: { direction: 'output', bits: [3, 4, 5] } } } } };
    expect(netlistPorts(JSON.stringify(net), 'dut')).toEqual([
      { name: 'clk', direction: 'input', width: 1 },
      { name: 'y', direction: 'output', width: 3 },
    ]);
    expect(() => netlistPorts(net, 'other')).toThrow(/no module 'other'/);
  });
});
