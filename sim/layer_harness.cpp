// rf8kit co-simulation harness for the generated rf8_layer (Verilator).
//
//   layer_harness --x X.hex --expect EXPECT.txt --n IMAGES --xb XB [--xo XO] [--out ACTUAL.txt]
//                 [--stall SEED,PIN,POUT] [--fault-sel ID]
//
// Mutation campaign mode (src/mcy/layer.ts; the model is the yosys-mutated rf8_layer with every
// mutant behind the input mutsel, driven by layer_io.h's l_fault):
//   layer_harness --mutants ID[,ID...] --suite X.hex,EXPECT.txt,N,XB,XO,SEED,PIN,POUT [--suite ...]
//   For each mutant, in order, each suite in order (stop at the first failing one): a reset held
//   L_RST cycles with seeded random in_valid, out_ready and in_data, then L_IDLE idle cycles
//   (in_valid = 0, random data) in which no output beat may appear; the stream (stalls when PIN or
//   POUT > 0) with every output compared; then L_IDLE idle cycles: no output beat beyond one per
//   row of every image; every output beat must come in the cycle the unmutated design (mutsel = 0,
//   run first on every suite) gives it. Prints per suite run "M ID SUITE_INDEX" and a one-line JSON
//   report {"pass":..,"mismatch":{"line":OUTPUT_INDEX+1,"fields":F}} (fields: 1 acc, 2 flags,
//   4 value, 16 unexpected output beat, 32 timeout, 64 an output beat in another cycle than the
//   unmutated design's).
//
// Run in the directory holding the layer's $readmemh images (rf8_layer_w.hex, rf8_layer_init.hex,
// rf8_layer_scale.hex: the names are rf8_layer's parameters). X.hex holds the input stream, one
// word of L_N codes per line (L_BEATS lines per image); EXPECT.txt one line per output beat
// 'IMG ROW VAL FLAGS ACC' (hex fields, '#' lines are comments). Every output is compared
// (value = RF8 code or binary32 pattern, flags = nan | ovf << 1, the W-bit accumulator), every
// output is written to ACTUAL.txt in the same format, and one JSON document goes to stdout:
// counts, the first mismatch, cycles and the simulation rate.
//
// Exit: 0 all equal, 1 mismatches, 2 bad input.
#include "Vdut.h"
#include "verilated.h"
#include "layer_io.h"
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

[[noreturn]] static void die(const char* what, const char* file, size_t line) {
  if (line) fprintf(stderr, "%s:%zu: %s\n", file, line, what);
  else fprintf(stderr, "%s: %s\n", file, what);
  exit(2);
}

static int hexv(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parse one hex field into little-endian bytes (out zeroed, nbytes wide). Returns digits read.
static int field(const char*& p, uint8_t* out, int nbytes, const char* file, size_t line) {
  while (*p == ' ' || *p == '\t') p++;
  const char* s = p;
  while (hexv((unsigned char)*p) >= 0) p++;
  int nd = (int)(p - s);
  if (nd == 0) die("expected a hex field", file, line);
  if (nd > 2 * nbytes) die("hex field too wide", file, line);
  memset(out, 0, nbytes);
  int bi = 0;
  const char* q = p;
  while (q > s) {
    int lo = hexv((unsigned char)*--q);
    int hi = q > s ? hexv((unsigned char)*--q) : 0;
    out[bi++] = (uint8_t)(lo | (hi << 4));
  }
  return nd;
}

static std::vector<std::string> read_lines(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) die("cannot open", path, 0);
  std::vector<std::string> v;
  std::string cur;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == '\n') {
      v.push_back(cur);
      cur.clear();
    } else if (c != '\r') cur.push_back((char)c);
  }
  if (!cur.empty()) v.push_back(cur);
  fclose(f);
  return v;
}

struct OutRec {
  uint32_t val;
  uint8_t flags;
  uint64_t acc[L_WW];
};

static const uint64_t ACC_TOP = (L_W % 64) ? ((1ull << (L_W % 64)) - 1) : ~0ull;

static void hex_acc(const uint64_t* w, char* out) {
  int nd = (L_W + 3) / 4;
  for (int i = 0; i < nd; i++) {
    int bit = 4 * (nd - 1 - i);
    out[i] = "0123456789abcdef"[(w[bit / 64] >> (bit % 64)) & 15];
  }
  out[nd] = 0;
}

static void print_rec(const char* key, const OutRec& r) {
  char acc[80];
  hex_acc(r.acc, acc);
  printf("\"%s\":{\"val\":\"%0*x\",\"flags\":%u,\"acc\":\"%s\"}", key, L_RF8 ? 2 : 8, r.val, r.flags, acc);
}

static int compare(const OutRec& e, const OutRec& a) {
  int bad = 0;
  if (e.val != a.val) bad |= 4;
  if (e.flags != a.flags) bad |= 2;
  for (int i = 0; i < L_WW; i++) {
    uint64_t m = i == L_WW - 1 ? ACC_TOP : ~0ull;
    if ((e.acc[i] ^ a.acc[i]) & m) bad |= 1;
  }
  return bad;
}

struct Xorshift {
  uint64_t s;
  explicit Xorshift(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(s >> 32);
  }
};

static double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}


struct Suite {
  std::vector<uint8_t> xs;
  std::vector<OutRec> exp;
  size_t n = 0, words = 0;
  int xb = 0, xo = 0;
  unsigned long long seed = 0;
  double p_in = 0, p_out = 0;
};

static void load_suite(Suite& s, const char* xfile, const char* efile) {
  std::vector<std::string> xl = read_lines(xfile);
  s.xs.reserve(s.n * L_BEATS * L_NB);
  for (size_t li = 0; li < xl.size(); li++) {
    const char* p = xl[li].c_str();
    while (*p == ' ') p++;
    if (!*p || *p == '#' || *p == '/') continue;
    uint8_t b[L_NB];
    field(p, b, L_NB, xfile, li + 1);
    s.xs.insert(s.xs.end(), b, b + L_NB);
    s.words++;
  }
  if (s.words != s.n * L_BEATS) die("input stream length is not n * beats words", xfile, 0);
  std::vector<std::string> el = read_lines(efile);
  const size_t total = s.n * L_ROWS;
  s.exp.assign(total, OutRec{});
  size_t k = 0;
  for (size_t li = 0; li < el.size(); li++) {
    const char* p = el[li].c_str();
    while (*p == ' ') p++;
    if (!*p || *p == '#') continue;
    if (k >= total) die("more expected outputs than n * rows", efile, li + 1);
    uint8_t t[8];
    field(p, t, 4, efile, li + 1);
    uint32_t img;
    memcpy(&img, t, 4);
    field(p, t, 4, efile, li + 1);
    uint32_t row;
    memcpy(&row, t, 4);
    if (img != k / L_ROWS || row != k % L_ROWS) die("expected outputs out of order", efile, li + 1);
    OutRec& r = s.exp[k];
    memset(&r, 0, sizeof r);
    field(p, t, 4, efile, li + 1);
    memcpy(&r.val, t, 4);
    field(p, t, 1, efile, li + 1);
    r.flags = t[0];
    field(p, (uint8_t*)r.acc, 8 * L_WW, efile, li + 1);
    k++;
  }
  if (k != total) die("fewer expected outputs than n * rows", efile, 0);
}

struct RunResult {
  size_t outs = 0, fed = 0, mism = 0, first = 0;
  int first_fields = 0;
  bool timeout = false;
  uint64_t cycles = 0;
  double sim_s = 0;
};

#ifndef L_RST
#define L_RST 8
#endif
#ifndef L_IDLE
#define L_IDLE 24
#endif

// One run of a suite. probe: the campaign's checks (a reset with random inputs, idle cycles
// before and after the stream in which no output beat may appear) and a stop at the first
// mismatch; without it every output is compared and kept in *act.
static RunResult run_suite(const Suite& s, uint64_t mutsel, bool probe, std::vector<OutRec>* act, std::vector<uint64_t>* cyc_out = nullptr, const std::vector<uint64_t>* cyc_ref = nullptr) {
  RunResult res;
  VerilatedContext* ctx = new VerilatedContext;
  Vdut* top = new Vdut{ctx};
  l_fault(top, mutsel);
  uint64_t cycle = 0;
  auto low = [&]() {
    top->clk = 0;
    top->eval();
  };
  auto high = [&]() {
    top->clk = 1;
    top->eval();
    cycle++;
  };
  Xorshift rng(s.seed);
  Xorshift junk(s.seed ^ 0x5eedull);
  uint8_t rnd[L_NB];
  auto rnd_word = [&]() {
    for (int j = 0; j < L_NB; j++) rnd[j] = (uint8_t)junk.next();
    l_drive(top, rnd);
  };
  top->clk = 0;
  top->rst = 1;
  top->in_valid = 0;
  top->out_ready = 1;
  l_cfg(top, s.xb, s.xo);
  top->eval();
  const int rst_cycles = probe ? L_RST : 2;
  for (int i = 0; i < rst_cycles; i++) {
    if (probe) {
      rnd_word();
      top->in_valid = junk.next() & 1;
      top->out_ready = junk.next() & 1;
    }
    low();
    high();
  }
  top->rst = 0;
  const size_t total = s.n * L_ROWS;
  const uint32_t pin = (uint32_t)(s.p_in * 4294967295.0), pout = (uint32_t)(s.p_out * 4294967295.0);
  const bool stall = s.p_in > 0 || s.p_out > 0;
  auto bad = [&](int f) {
    if (!res.mism) {
      res.first = res.outs;
      res.first_fields = f;
    }
    res.mism++;
  };
  auto idle = [&]() {
    for (int c = 0; c < L_IDLE; c++) {
      rnd_word();
      top->in_valid = 0;
      top->out_ready = junk.next() & 1;
      low();
      if (top->out_valid && top->out_ready) {
        bad(16);
        return;
      }
      high();
    }
  };
  if (probe) idle();
  const uint64_t limit = cycle + (uint64_t)(s.n * (uint64_t)(L_ROWS * L_BEATS + L_BEATS) + 1000) * (stall ? 16 : 2);
  double t2 = now_s();
  while (res.outs < total && !(probe && res.mism)) {
    bool v = res.fed < s.words && (!stall || rng.next() >= pin);
    if (v) l_drive(top, &s.xs[res.fed * L_NB]);
    else if (probe) rnd_word();
    top->in_valid = v;
    top->out_ready = !stall || rng.next() >= pout;
    low();
    if (top->out_valid && top->out_ready) {
      OutRec r;
      memset(&r, 0, sizeof r);
      l_sample(top, r.val, r.flags, r.acc);
      int b = compare(s.exp[res.outs], r);
      // the campaign: every output beat in the cycle the unmutated design gives it (MCY compares with the original)
      if (cyc_ref && res.outs < cyc_ref->size() && (*cyc_ref)[res.outs] != cycle) b |= 64;
      if (cyc_out) cyc_out->push_back(cycle);
      if (b) bad(b);
      if (act) (*act)[res.outs] = r;
      res.outs++;
    }
    if (v && top->in_ready) res.fed++;
    high();
    if (cycle > limit) {
      res.timeout = true;
      break;
    }
  }
  if (probe && !res.mism && !res.timeout) idle();
  res.sim_s = now_s() - t2;
  res.cycles = cycle;
  top->final();
  delete top;
  delete ctx;
  return res;
}

static int campaign(const char* list, const std::vector<Suite>& suites) {
  std::vector<uint64_t> ids;
  for (const char* p = list; *p;) {
    char* e;
    unsigned long long v = strtoull(p, &e, 10);
    if (e == p) {
      fprintf(stderr, "--mutants: a list of ids: %s\n", list);
      return 2;
    }
    ids.push_back(v);
    p = *e == ',' ? e + 1 : e;
  }
  // the unmutated design's cycle of every output beat of every suite (the timing reference)
  std::vector<std::vector<uint64_t>> ref(suites.size());
  for (size_t si = 0; si < suites.size(); si++) {
    RunResult r = run_suite(suites[si], 0, true, nullptr, &ref[si]);
    if (r.mism || r.timeout) {
      printf("M 0 %zu\n{\"pass\":false,\"outputs\":%zu,\"cycles\":%llu,\"mismatch\":{\"line\":%zu,\"fields\":%d}}\n", si, r.outs, (unsigned long long)r.cycles, r.first + 1, r.timeout && !r.mism ? 32 : r.first_fields);
      fflush(stdout);
      return 0;
    }
  }
  for (uint64_t id : ids) {
    for (size_t si = 0; si < suites.size(); si++) {
      RunResult r = run_suite(suites[si], id, true, nullptr, nullptr, &ref[si]);
      bool pass = !r.mism && !r.timeout;
      printf("M %llu %zu\n{\"pass\":%s,\"outputs\":%zu,\"cycles\":%llu", (unsigned long long)id, si, pass ? "true" : "false", r.outs, (unsigned long long)r.cycles);
      if (!pass) printf(",\"mismatch\":{\"line\":%zu,\"fields\":%d}", r.first + 1, r.timeout && !r.mism ? 32 : r.first_fields);
      printf("}\n");
      if (!pass) break;
    }
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  const char *xfile = nullptr, *efile = nullptr, *ofile = nullptr, *mutants = nullptr;
  long n = -1;
  int xb = 0, xo = 0;
  unsigned long long seed = 0, fault_sel = 0;
  double p_in = 0, p_out = 0;
  std::vector<Suite> suites;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) {
        fprintf(stderr, "%s needs a value\n", a.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (a == "--x") xfile = val();
    else if (a == "--expect") efile = val();
    else if (a == "--out") ofile = val();
    else if (a == "--n") n = atol(val());
    else if (a == "--xb") xb = atoi(val());
    else if (a == "--xo") xo = atoi(val());
    else if (a == "--fault-sel") fault_sel = strtoull(val(), nullptr, 0);
    else if (a == "--mutants") mutants = val();
    else if (a == "--suite") {
      std::string v = val();
      char xf[512], ef[512];
      Suite s;
      long sn;
      if (sscanf(v.c_str(), "%511[^,],%511[^,],%ld,%d,%d,%llu,%lf,%lf", xf, ef, &sn, &s.xb, &s.xo, &s.seed, &s.p_in, &s.p_out) != 8 || sn < 0) {
        fprintf(stderr, "--suite X.hex,EXPECT.txt,N,XB,XO,SEED,PIN,POUT: %s\n", v.c_str());
        return 2;
      }
      s.n = (size_t)sn;
      load_suite(s, xf, ef);
      suites.push_back(std::move(s));
    } else if (a == "--stall") {
      if (sscanf(val(), "%llu,%lf,%lf", &seed, &p_in, &p_out) != 3) {
        fprintf(stderr, "--stall SEED,PIN,POUT\n");
        return 2;
      }
    } else {
      fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (mutants) {
    if (suites.empty()) {
      fprintf(stderr, "--mutants needs at least one --suite\n");
      return 2;
    }
    return campaign(mutants, suites);
  }
  if (!xfile || !efile || n < 0) {
    fprintf(stderr, "usage: layer_harness --x X.hex --expect EXPECT.txt --n IMAGES --xb XB [--xo XO] [--out ACTUAL.txt] [--stall S,PIN,POUT] [--fault-sel ID]\n");
    return 2;
  }
  if (xb < -128 || xb > 127 || xo < -128 || xo > 127) {
    fprintf(stderr, "--xb/--xo must be int8\n");
    return 2;
  }
  double t0 = now_s();
  Suite s;
  s.n = (size_t)n;
  s.xb = xb;
  s.xo = xo;
  s.seed = seed;
  s.p_in = p_in;
  s.p_out = p_out;
  load_suite(s, xfile, efile);
  double t1 = now_s();
  const size_t total = s.n * L_ROWS;
  std::vector<OutRec> act(total);
  // the plain run compares every output (no early stop)
  const RunResult r = run_suite(s, fault_sel, false, &act);
  const size_t outs = r.outs, mism = r.mism, first = r.first, fed = r.fed;
  const int first_fields = r.first_fields;
  const bool timeout = r.timeout;
  const uint64_t cycle = r.cycles;
  const double sim_s = r.sim_s;
  const std::vector<OutRec>& exp = s.exp;

  if (ofile) {
    std::string tmp = std::string(ofile) + ".tmp";
    FILE* f = fopen(tmp.c_str(), "wb");
    if (!f) die("cannot write", ofile, 0);
    fprintf(f, "# rf8_layer outputs (Verilator): IMG ROW VAL FLAGS ACC\n");
    char acc[80];
    for (size_t i = 0; i < outs; i++) {
      hex_acc(act[i].acc, acc);
      fprintf(f, "%zx %zx %0*x %x %s\n", i / L_ROWS, i % L_ROWS, L_RF8 ? 2 : 8, act[i].val, act[i].flags, acc);
    }
    if (fclose(f) != 0 || rename(tmp.c_str(), ofile) != 0) die("cannot write", ofile, 0);
  }

  printf("{\"vectors\":%zu,\"outputs\":%zu,\"expected\":%zu,\"fed\":%zu,\"mismatches\":%zu,\"timeout\":%s,\"cycles\":%llu,\"parse_s\":%.6f,\"sim_s\":%.6f,\"cycles_per_s\":%.1f,",
         (size_t)n, outs, total, fed, mism, timeout ? "true" : "false", (unsigned long long)cycle, t1 - t0, sim_s, sim_s > 0 ? cycle / sim_s : 0.0);
  printf("\"dut\":{\"N\":%d,\"rows\":%d,\"cols\":%d,\"beats\":%d,\"W\":%d,\"rf8\":%d}", L_N, L_ROWS, L_COLS, L_BEATS, L_W, L_RF8);
  if (mism) {
    printf(",\"first\":{\"index\":%zu,\"image\":%zu,\"row\":%zu,\"fields\":%d,", first, first / L_ROWS, first % L_ROWS, first_fields);
    print_rec("expected", exp[first]);
    printf(",");
    print_rec("actual", act[first]);
    printf("}");
  }
  printf(",\"pass\":%s}\n", (!mism && !timeout) ? "true" : "false");
  return (!mism && !timeout) ? 0 : 1;
}
