// rf8kit mutation-campaign harness (Verilator): sim/harness.cpp, unchanged, plus a mode that runs
// every suite against a list of mutants in one process.
//
// The model is the yosys-mutated rf8_dot (`mutate -ctrl mutsel W i`, as MCY does): mutant i is
// active when the input mutsel equals i, 0 is the unmutated design. dut_io.h's dut_fault() drives
// mutsel (the harness's --fault-sel value), so every mode of harness.cpp also works here
// (file mode, --interactive for the fast-check properties) with --fault-sel ID.
//
// Campaign mode:
//   mutant_harness --mutants ID[,ID...] --suite BIN [--lanes-in L] [--k-in K] [--outmap j,..] [--no-f32]
//                                       [--suite BIN ...]
//   BIN: binary vector files written by `--write-bin ... --convert-only` of this same model.
//   For each mutant, in order: run the suites in order and stop at the first mismatch. Prints,
//   per suite run, a line "M ID SUITE_INDEX" followed by harness.cpp's one-line JSON report.
//   stdout is flushed after every mutant (a partial run still reports what it finished).
//
// Handshake contract (campaign mode with --contract SEED,PIN,POUT before the first --suite): each
// suite is run against docs/rtl.md's cycle-level contract of rf8_dot instead of the plain stream:
//   - reset probes: 8 resets, each with seeded random in_valid, out_ready and data on every input
//     during the DUT_LAT + 2 reset cycles, then DUT_LAT + 8 idle cycles (in_valid = 0, random data): no
//     output beat may appear (a beat offered during reset is not a beat);
//   - the suite without stalls after such a reset: in_ready = ~out_valid | out_ready every cycle
//     (with out_ready high: a beat offered every cycle is accepted every cycle), every output beat
//     exactly DUT_LAT cycles after its last beat was accepted, and equal to the expected one;
//   - the suite again with seeded random input bubbles (random data while in_valid = 0) and
//     back-pressure (PIN / POUT): the same in_ready rule every cycle, the same output beats in order;
//   - after each stream, DUT_LAT + 8 idle cycles: no output beat beyond one per accepted last beat.
//   Mismatch fields beside harness.cpp's: 64 in_ready breaks the rule, 128 latency (no-stall pass).
#define main rf8_harness_main
#include "harness.cpp"
#undef main

// One cycle-level contract run of a suite (see the header). Returns 0 pass, 1 mismatch (prints the report).
static int run_contract(const char* path, const Opts& o, uint64_t seed, double p_in, double p_out) {
  g_file = path;
  size_t n = 0;
  const Rec* recs = map_bin(path, n, o);
  Xorshift rng(seed);
  auto rnd_beat = [&](Beat& b) {
    uint8_t* p = (uint8_t*)&b;
    for (size_t j = 0; j < sizeof b; j++) p[j] = (uint8_t)rng.next();
  };
  Sim sim;
  dut_fault(sim.top, o.fault_sel);
  Vdut* top = sim.top;
  Beat junk;
  int bad = 0;
  size_t bad_idx = 0, outs = 0, fed = 0;
  uint64_t bad_cycle = 0;
  const char* pass_name = "reset";
  Out got;
  auto random_reset = [&]() {
    // DUT_LAT + 2 reset cycles: every pipeline stage's data registers then hold random data (a stage
    // whose valid wrongly resets to 1 shows a phantom beat of it), not their power-up zeros
    top->rst = 1;
    for (int c = 0; c < DUT_LAT + 2; c++) {
      rnd_beat(junk);
      dut_drive(top, junk);
      top->in_valid = rng.next() & 1;
      top->out_ready = rng.next() & 1;
      sim.low();
      sim.high();
    }
    top->rst = 0;
  };
  // idle cycles: nothing accepted, so no output beat may appear; in_ready follows the rule
  auto idle = [&](int cycles) -> int {
    for (int c = 0; c < cycles; c++) {
      rnd_beat(junk);
      dut_drive(top, junk);
      top->in_valid = 0;
      top->out_ready = rng.next() & 1;
      sim.low();
      if (top->in_ready != (!top->out_valid || top->out_ready)) { bad_cycle = sim.cycle; return 64; }
      if (top->out_valid && top->out_ready) { bad_cycle = sim.cycle; return 16; }
      sim.high();
    }
    return 0;
  };
  for (int r = 0; r < 8 && !bad; r++) {
    random_reset();
    bad = idle(DUT_LAT + 8);
  }
  const uint32_t pin = (uint32_t)(p_in * 4294967295.0), pout = (uint32_t)(p_out * 4294967295.0);
  for (int pass = 0; pass < 2 && !bad; pass++) {
    const bool stall = pass == 1;
    pass_name = stall ? "stalled" : "no-stall";
    random_reset();
    uint32_t q[256];
    uint64_t qc[256];
    unsigned qh = 0, qt = 0;
    size_t i = 0;
    uint64_t limit = sim.cycle + (uint64_t)n * (stall ? 64 : 1) + 1000;
    while (i < n || qh != qt) {
      bool v = i < n && (!stall || rng.next() >= pin);
      if (v) dut_drive(top, recs[i].in);
      else {
        rnd_beat(junk);
        dut_drive(top, junk);
      }
      top->in_valid = v;
      top->out_ready = !stall || rng.next() >= pout;
      sim.low();
      if (top->in_ready != (!top->out_valid || top->out_ready)) { bad = 64; bad_cycle = sim.cycle; bad_idx = i < n ? i : 0; break; }
      if (top->out_valid && top->out_ready) {
        if (qh == qt) { bad = 16; bad_cycle = sim.cycle; break; }
        uint64_t acc_cycle = qc[qt & 255];
        uint32_t k = q[qt++ & 255];
        dut_sample(top, got);
        outs++;
        int b = compare(recs[k].exp, got, o);
        if (!stall && sim.cycle - acc_cycle != (uint64_t)DUT_LAT) b |= 128;
        if (b) { bad = b; bad_idx = k; bad_cycle = sim.cycle; break; }
      }
      if (v && top->in_ready) {
        if (recs[i].in.ctl & 2) {
          qc[qh & 255] = sim.cycle;
          q[qh++ & 255] = (uint32_t)i;
        }
        i++;
      }
      sim.high();
      if (sim.cycle > limit) { bad = 32; bad_cycle = sim.cycle; break; }
    }
    fed += i;
    if (!bad) bad = idle(DUT_LAT + 8);
  }
  printf("{\"file\":\"%s\",\"contract\":true,\"vectors\":%zu,\"fed\":%zu,\"outputs\":%zu,\"cycles\":%llu,", path, n, fed, outs, (unsigned long long)sim.cycle);
  if (bad) {
    printf("\"pass\":false,\"mismatch\":{\"pass\":\"%s\",\"cycle\":%llu,\"fields\":%d", pass_name, (unsigned long long)bad_cycle, bad);
    if ((bad & 15) || (bad & 128) || bad == 64) printf(",\"index\":%zu,\"line\":%u", bad_idx, recs[bad_idx].line);
    printf("}}\n");
    return 1;
  }
  printf("\"pass\":true}\n");
  return 0;
}

struct SuiteRun {
  const char* path;
  Opts o;
};

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "--mutants") return rf8_harness_main(argc, argv);
  init_hex();
  if (argc < 3) { fprintf(stderr, "--mutants needs a list\n"); return 2; }
  std::vector<uint64_t> ids;
  {
    std::string s = argv[2];
    size_t pos = 0;
    while (pos < s.size()) {
      size_t c = s.find(',', pos);
      std::string t = s.substr(pos, c == std::string::npos ? std::string::npos : c - pos);
      if (t.empty()) { fprintf(stderr, "--mutants: empty id\n"); return 2; }
      ids.push_back(strtoull(t.c_str(), nullptr, 10));
      pos = c == std::string::npos ? s.size() : c + 1;
    }
  }
  std::vector<SuiteRun> suites;
  bool contract = false;
  unsigned long long cseed = 1;
  double cpin = 0, cpout = 0;
  for (int i = 3; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&](void) -> const char* {
      if (i + 1 >= argc) { fprintf(stderr, "%s needs a value\n", a.c_str()); exit(2); }
      return argv[++i];
    };
    if (a == "--contract" && suites.empty()) {
      if (sscanf(val(), "%llu,%lf,%lf", &cseed, &cpin, &cpout) != 3) { fprintf(stderr, "--contract SEED,PIN,POUT\n"); return 2; }
      contract = true;
      continue;
    }
    if (a == "--suite") {
      SuiteRun r;
      r.path = val();
      for (int k = 0; k < DUT_K; k++) r.o.outmap[k] = k;
      r.o.bin = true;
      suites.push_back(r);
      continue;
    }
    if (suites.empty()) { fprintf(stderr, "%s before the first --suite\n", a.c_str()); return 2; }
    Opts& o = suites.back().o;
    if (a == "--lanes-in") o.lanes_in = atoi(val());
    else if (a == "--k-in") o.k_in = atoi(val());
    else if (a == "--no-f32") o.check_f32 = false;
    else if (a == "--outmap") {
      std::string s = val();
      size_t pos = 0;
      for (int k = 0; k < DUT_K; k++) {
        size_t c = s.find(',', pos);
        o.outmap[k] = atoi(s.substr(pos, c == std::string::npos ? std::string::npos : c - pos).c_str());
        pos = c == std::string::npos ? s.size() : c + 1;
      }
    } else { fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
    if (o.lanes_in != DUT_N && o.lanes_in != 1) { fprintf(stderr, "--lanes-in must be %d or 1\n", DUT_N); return 2; }
  }
  if (suites.empty()) { fprintf(stderr, "no --suite\n"); return 2; }
  for (uint64_t id : ids) {
    for (size_t s = 0; s < suites.size(); s++) {
      Opts o = suites[s].o;
      o.fault_sel = id;
      printf("M %llu %zu\n", (unsigned long long)id, s);
      int rc = contract ? run_contract(suites[s].path, o, cseed * 1000003ull + s, cpin, cpout) : run_file(suites[s].path, o);
      if (rc != 0) break;
    }
    fflush(stdout);
  }
  return 0;
}
