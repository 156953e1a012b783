// tb_dump.v: a plain Verilog test bench (Icarus Verilog or Verilator --binary) for handmac that
// knows nothing of rf8kit's internals: it reads vectors written by
//   rf8 gen -a rf8-e3m4 --outs rf8-e3m4 --no-f32 --format mem --out vectors.hex
// drives them into handmac, and dumps a results file for `rf8 verify`: the suite line format with
// the inputs copied and the design's outputs in the result fields ('-' for the flags and binary32
// the design does not have). Plusargs: +vectors=FILE +results=FILE [+n=COUNT]
// The vector word layout (165 bits, see the '//' header rf8 gen writes):
//   ctl[164:158] xa[157:150] xb[149:142] xo[141:134] init[133:99] mask[98] a[97:90] b[89:82]
//   acc[81:47] flags[46:45] f32[44:13] code[12:5] chk[4:0]   (expected fields unused here)
`timescale 1ns/1ps
module tb_dump;
  localparam MAXV = 400000;
  reg [164:0] mem [0:MAXV-1];
  reg [34:0] got_acc [0:MAXV-1];
  reg [7:0] got_y [0:MAXV-1];
  reg clock, reset_n, s_valid, m_ready;
  wire s_ready, m_valid;
  wire [34:0] m_acc;
  wire [7:0] m_y;
  reg [164:0] v;
  integer n, i, o, fd, cyc, k;
  reg [1023:0] vf, rf;
  integer pend [0:MAXV-1];
  integer ph, pt;
  handmac dut (
    .clock(clock), .reset_n(reset_n), .s_valid(s_valid), .s_ready(s_ready),
    .s_start(v[158]), .s_end(v[159]), .s_relu(v[160]), .s_lane_en(v[98]),
    .s_w(v[97:90]), .s_x(v[89:82]), .s_wexp(v[157:150]), .s_xexp(v[149:142]), .s_oexp(v[141:134]),
    .s_bias(v[133:99]), .m_valid(m_valid), .m_ready(m_ready), .m_acc(m_acc), .m_y(m_y), .bug_sel(3'd0));
  always #5 clock = ~clock;
  initial begin
    if (!$value$plusargs("vectors=%s", vf)) vf = "vectors.hex";
    if (!$value$plusargs("results=%s", rf)) rf = "results.txt";
    if (!$value$plusargs("n=%d", n)) n = 0;
    $readmemh(vf, mem);
    if (n == 0) while (n < MAXV && ^mem[n] !== 1'bx) n = n + 1;  // no +n: count the words read
    clock = 0; reset_n = 0; s_valid = 0; m_ready = 1; v = 0; ph = 0; pt = 0; cyc = 0;
    repeat (2) @(negedge clock);
    reset_n = 1;
    i = 0;
    while ((i < n || ph != pt) && cyc < n + 1000) begin
      if (i < n) begin v = mem[i]; s_valid = 1; end else s_valid = 0;
      @(posedge clock);
      // outputs of the previous cycles appear after this edge; take them at the next negedge
      if (s_valid && s_ready) begin
        if (v[159]) begin pend[ph] = i; ph = ph + 1; end
        i = i + 1;
      end
      @(negedge clock);
      if (m_valid && m_ready && ph != pt) begin got_acc[pend[pt]] = m_acc; got_y[pend[pt]] = m_y; pt = pt + 1; end
      cyc = cyc + 1;
    end
    fd = $fopen(rf, "w");
    $fwrite(fd, "# results of handmac (examples/handmac/tb_dump.v)\n# a: rf8-e3m4\n# b: rf8-e3m4\n# outs: rf8-e3m4\n# f32: no\n# W: 35\n# N: 1\n");
    for (k = 0; k < n; k = k + 1) begin
      v = mem[k];
      $fwrite(fd, "%h %h %h %h %h %h %h %h", v[164:158], v[157:150], v[149:142], v[141:134], v[133:99], v[98], v[97:90], v[89:82]);
      if (v[159]) $fwrite(fd, " %h - - %h\n", got_acc[k], got_y[k]);
      else $fwrite(fd, "\n");
    end
    $fclose(fd);
    $display("DUMPED %0d beats in %0d cycles", n, cyc);
    $finish;
  end
endmodule
