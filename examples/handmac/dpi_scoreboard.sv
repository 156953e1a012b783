// dpi_scoreboard.sv: a SystemVerilog scoreboard that checks handmac against rf8kit's DPI-C
// reference model (rf8 dpi --out DIR: rf8_ref.c + rf8_ref_pkg.sv), under Verilator:
//   $ verilator --binary --timing -Wno-fatal --top-module dpi_scoreboard \
//     DIR/rf8_ref_pkg.sv examples/handmac/handmac.v examples/handmac/dpi_scoreboard.sv DIR/rf8_ref.c
//   $ obj_dir/Vdpi_scoreboard +vectors=vectors.hex +n=COUNT [+bug=K]
// Stimulus: the inputs of an `rf8 gen --format mem` image (tb_dump.v documents the layout). Every
// accepted beat goes into the reference MAC (rf8_mac_*); every beat with s_end queues the expected
// accumulator and code (rf8_acc_to_format); every output beat is compared in order. A mismatch
// prints the inputs and both sides as codes and values and the accumulator value, and fails.
`timescale 1ns/1ps
module dpi_scoreboard;
  import rf8_ref_pkg::*;
  localparam MAXV = 400000;
  reg [164:0] mem [0:MAXV-1];
  reg clock = 0, reset_n = 0, s_valid = 0, m_ready = 1;
  wire s_ready, m_valid;
  wire [34:0] m_acc;
  wire [7:0] m_y;
  reg [164:0] v = 0;
  reg [2:0] bug = 0;
  handmac #(.BUG(8)) dut (
    .clock(clock), .reset_n(reset_n), .s_valid(s_valid), .s_ready(s_ready),
    .s_start(v[158]), .s_end(v[159]), .s_relu(v[160]), .s_lane_en(v[98]),
    .s_w(v[97:90]), .s_x(v[89:82]), .s_wexp(v[157:150]), .s_xexp(v[149:142]), .s_oexp(v[141:134]),
    .s_bias(v[133:99]), .m_valid(m_valid), .m_ready(m_ready), .m_acc(m_acc), .m_y(m_y), .bug_sel(bug));
  always #5 clock = ~clock;

  typedef struct { int beat; longint acc; int y; int t; int xo; int a; int b; int xa; int xb; int relu; int nan; } exp_t;
  exp_t q[$];
  chandle m;
  int n = 0, i = 0, outs = 0, errors = 0, cyc = 0, k;
  string vf;

  function automatic longint sext35(input [34:0] x);
    return x[34] ? longint'({29'h1fffffff, x}) : longint'({29'h0, x});
  endfunction

  initial begin
    if (!$value$plusargs("vectors=%s", vf)) vf = "vectors.hex";
    if (!$value$plusargs("n=%d", n)) n = 0;
    if (!$value$plusargs("bug=%d", k)) k = 0;
    bug = k[2:0];
    $readmemh(vf, mem);
    m = rf8_mac_new(RF8_RF8_E3M4, RF8_RF8_E3M4, 35, 1);
    rf8_mac_clear(m, 0);
    repeat (2) @(negedge clock);
    reset_n = 1;
    while ((i < n || q.size() != 0) && errors == 0 && cyc < n + 1000) begin
      if (i < n) begin v = mem[i]; s_valid = 1; end else s_valid = 0;
      @(posedge clock);
      if (m_valid && m_ready) check();
      if (s_valid && s_ready) begin
        exp_t e;
        if (v[158]) rf8_mac_clear(m, sext35(v[133:99]));
        rf8_mac_lane(m, 0, int'(v[97:90]), int'(v[89:82]));
        rf8_mac_step(m, int'(v[98]));
        if (v[159]) begin
          e.beat = i;
          e.acc = rf8_mac_acc(m);
          e.nan = rf8_mac_flags(m) & 1;
          e.xa = int'($signed(v[157:150]));
          e.xb = int'($signed(v[149:142]));
          e.xo = int'($signed(v[141:134]));
          e.t = rf8_tmin(RF8_RF8_E3M4) * 2 + e.xa + e.xb;
          e.relu = int'(v[160]);
          e.y = rf8_acc_to_format(RF8_RF8_E3M4, e.acc, e.nan, e.t, e.xo, e.relu);
          e.a = int'(v[97:90]);
          e.b = int'(v[89:82]);
          q.push_back(e);
        end
        i = i + 1;
      end
      @(negedge clock);
      cyc = cyc + 1;
    end
    if (errors == 0 && (i != n || q.size() != 0)) begin
      $display("SCOREBOARD FAIL: %0d of %0d beats accepted, %0d outputs missing", i, n, q.size());
      errors = errors + 1;
    end
    if (errors == 0) $display("SCOREBOARD PASS %0d beats, %0d outputs", n, outs);
    $finish;
  end

  task automatic check();
    exp_t e;
    longint got;
    if (q.size() == 0) begin
      $display("SCOREBOARD MISMATCH unexpected output beat at cycle %0d", cyc);
      errors = errors + 1;
      return;
    end
    e = q.pop_front();
    got = sext35(m_acc);
    outs = outs + 1;
    if (got != e.acc || int'(m_y) != e.y) begin
      $display("SCOREBOARD MISMATCH beat %0d (output %0d): %s%s", e.beat, outs - 1, got != e.acc ? "acc " : "", int'(m_y) != e.y ? "rf8-e3m4" : "");
      $display("  inputs:   a 0x%02h (%g) b 0x%02h (%g) xa %0d xb %0d xo %0d relu %0d", e.a, rf8_decode_value(RF8_RF8_E3M4, e.a, e.xa), e.b, rf8_decode_value(RF8_RF8_E3M4, e.b, e.xb), e.xa, e.xb, e.xo, e.relu);
      $display("  expected: acc %0d (value %g = acc * 2^%0d) nan %0d rf8-e3m4 0x%02h (%g)", e.acc, rf8_acc_value(e.acc, e.t), e.t, e.nan, e.y, rf8_decode_value(RF8_RF8_E3M4, e.y, e.xo));
      $display("  actual:   acc %0d (value %g) rf8-e3m4 0x%02h (%g)", got, rf8_acc_value(got, e.t), m_y, rf8_decode_value(RF8_RF8_E3M4, int'(m_y), e.xo));
      errors = errors + 1;
    end
  endtask
endmodule
