// rf8kit co-simulation harness for the generated rf8_dot (Verilator).
//
// File mode:        harness FILE [--raw-cycles M] [--stall SEED,PIN,POUT] [--lanes-in L] [--outmap j,..]
//                            [--no-f32] [--check MASK] [--trace out.fst --trace-from C --trace-to C]
//   --check MASK: which of acc (bit0), nan (bit1), ovf (bit2) are compared (default 7; an external
//   design wrapped by rf8kit's adapter may lack some, src/verify-hw/portmap.ts)
//   Parses a golden vector file (text, one beat per line: ctl xa xb xo init mask a b acc flags f32 out),
//   streams the beats through the DUT one per cycle, compares every output beat in C++ and prints
//   one JSON document. With --raw-cycles it also clocks the model M cycles with no I/O (inputs
//   cycled from a small in-cache ring, no compare) so both rates come from one run.
// Interactive mode: harness --interactive   (line protocol, see src/sim/protocol.ts)
//
// Exit: 0 pass, 1 mismatch, 2 bad input.
#include "Vdut.h"
#include "verilated.h"
#include "dut_io.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif
#include <chrono>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the harness packs vectors little-endian");

static const char* g_file = "";

[[noreturn]] static void die_input(const char* msg, size_t line) {
  if (line) fprintf(stderr, "%s:%zu: %s\n", g_file, line, msg);
  else fprintf(stderr, "%s: %s\n", g_file, msg);
  exit(2);
}

static signed char HEXV[256];
static void init_hex() {
  memset(HEXV, -1, sizeof HEXV);
  for (int i = 0; i < 10; i++) HEXV['0' + i] = (signed char)i;
  for (int i = 0; i < 6; i++) HEXV['a' + i] = HEXV['A' + i] = (signed char)(10 + i);
}

// Parse one hex field (big-endian digits) into nbytes little-endian bytes. Returns digits read.
// A '-' stands for an absent field (zero).
static inline int parse_field(const char*& p, const char* end, uint8_t* out, int nbytes, size_t line) {
  while (p < end && *p == ' ') p++;
  const char* s = p;
  if (nbytes <= 8) {  // fast path: accumulate into one word
    uint64_t v = 0;
    int c;
    while (p < end && (c = HEXV[(unsigned char)*p]) >= 0) {
      v = (v << 4) | (uint64_t)c;
      p++;
    }
    int nd = (int)(p - s);
    if (nd == 0) {
      if (p < end && *p == '-') {
        p++;
        memset(out, 0, nbytes);
        return 0;
      }
      die_input("expected a hex field", line);
    }
    if (nd > 2 * nbytes) die_input("hex field too wide", line);
    memcpy(out, &v, nbytes);  // little-endian host
    return nd;
  }
  while (p < end && HEXV[(unsigned char)*p] >= 0) p++;
  int nd = (int)(p - s);
  if (nd == 0) {
    if (p < end && *p == '-') {  // absent field
      p++;
      memset(out, 0, nbytes);
      return 0;
    }
    die_input("expected a hex field", line);
  }
  if (nd > 2 * nbytes) die_input("hex field too wide", line);
  memset(out, 0, nbytes);
  int bi = 0;
  const char* q = p;
  while (q > s) {
    int lo = HEXV[(unsigned char)*--q];
    int hi = (q > s) ? HEXV[(unsigned char)*--q] : 0;
    out[bi++] = (uint8_t)(lo | (hi << 4));
  }
  return nd;
}

struct Rec {
  Beat in;
  Out exp;
  uint32_t line;
};

struct Opts {
  int lanes_in = DUT_N;   // lanes of the suite: DUT_N, or 1 (placed in lane i mod N)
  int k_in = DUT_K;       // codes per line in the suite
  int outmap[DUT_K > 0 ? DUT_K : 1];  // DUT code k compares with suite column outmap[k] (-1: skip)
  bool check_f32 = DUT_F32 != 0;
  uint64_t raw_cycles = 0;
  uint32_t stall_seed = 0;
  double p_in = 0, p_out = 0;  // probabilities of an input bubble / output backpressure
  const char* trace = nullptr;
  const char* write_bin = nullptr;  // also save the parsed records (binary vector file)
  bool bin = false;                 // FILE is a binary vector file written by --write-bin
  bool convert_only = false;        // with --write-bin: parse and save, no simulation
  uint64_t fault_sel = 0;           // mutant schemata: which injected fault is active
  int check = 7;                    // outputs compared besides f32/codes: bit0 acc, bit1 nan, bit2 ovf (external designs map a subset)
  uint64_t trace_from = 0, trace_to = 0;
};

static const uint64_t WMASK_TOP = (DUT_W % 64) ? ((1ull << (DUT_W % 64)) - 1) : ~0ull;

static void parse_file(const char* path, std::vector<Rec>& recs, const Opts& o) {
  FILE* f = fopen(path, "rb");
  if (!f) die_input("cannot open", 0);
  std::vector<char> buf;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf.resize((size_t)sz + 1);
  if (sz > 0 && fread(buf.data(), 1, (size_t)sz, f) != (size_t)sz) die_input("read error", 0);
  fclose(f);
  buf[(size_t)sz] = '\n';
  const char* p = buf.data();
  const char* end = p + sz;
  size_t line = 0;
  size_t est = 0;
  for (const char* q = p; q < end; q++) est += (*q == '\n');
  recs.reserve(est);
  const int ab_bytes = o.lanes_in;
  uint8_t tmp[64];
  size_t idx = 0;
  while (p < end) {
    line++;
    const char* eol = (const char*)memchr(p, '\n', (size_t)(end - p) + 1);
    if (!eol) eol = end;
    if (p == eol || *p == '#' || *p == '\r') {
      p = eol + 1;
      continue;
    }
    const char* le = eol;
    if (le > p && le[-1] == '\r') le--;
    recs.emplace_back();
    Rec& r = recs.back();
    memset(&r, 0, sizeof r);
    r.line = (uint32_t)line;
    parse_field(p, le, tmp, 1, line);
    r.in.ctl = tmp[0];
    parse_field(p, le, tmp, 1, line);
    r.in.xa = tmp[0];
    parse_field(p, le, tmp, 1, line);
    r.in.xb = tmp[0];
    parse_field(p, le, tmp, 1, line);
    r.in.xo = tmp[0];
    parse_field(p, le, (uint8_t*)r.in.init, 8 * DUT_WW, line);
    parse_field(p, le, tmp, 4, line);
    uint32_t mask;
    memcpy(&mask, tmp, 4);
    uint8_t a[64], b[64];
    parse_field(p, le, a, ab_bytes, line);
    parse_field(p, le, b, ab_bytes, line);
    if (o.lanes_in == DUT_N) {
      r.in.mask = mask;
      memcpy(r.in.a, a, DUT_N);
      memcpy(r.in.b, b, DUT_N);
    } else {  // one-lane suite: rotate over the DUT's lanes
      int j = (int)(idx % DUT_N);
      r.in.mask = (mask & 1u) << j;
      r.in.a[j] = a[0];
      r.in.b[j] = b[0];
    }
    parse_field(p, le, (uint8_t*)r.exp.acc, 8 * DUT_WW, line);
    parse_field(p, le, tmp, 1, line);
    r.exp.flags = tmp[0];
    parse_field(p, le, tmp, 4, line);
    memcpy(&r.exp.f32, tmp, 4);
    uint8_t codes[64];
    parse_field(p, le, codes, o.k_in > 0 ? o.k_in : 1, line);
    for (int k = 0; k < DUT_K; k++) r.exp.code[k] = o.outmap[k] >= 0 ? codes[o.outmap[k]] : 0;
    while (p < le && *p == ' ') p++;
    if (p != le) die_input("trailing characters", line);
    idx++;
    p = eol + 1;
  }
}

struct BinHeader {
  char magic[8];
  uint32_t rec_size, n, w, k, lanes_in, k_in, check_f32, outmap_hash;
  uint64_t count;
};

static uint32_t outmap_hash(const Opts& o) {
  uint32_t h = 2166136261u;
  for (int k = 0; k < DUT_K; k++) h = (h ^ (uint32_t)(o.outmap[k] + 7)) * 16777619u;
  return h;
}

static BinHeader bin_header(const Opts& o, uint64_t count) {
  BinHeader h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, "RF8VBIN1", 8);
  h.rec_size = sizeof(Rec);
  h.n = DUT_N;
  h.w = DUT_W;
  h.k = DUT_K;
  h.lanes_in = (uint32_t)o.lanes_in;
  h.k_in = (uint32_t)o.k_in;
  h.check_f32 = o.check_f32;
  h.outmap_hash = outmap_hash(o);
  h.count = count;
  return h;
}

static void write_bin(const char* path, const std::vector<Rec>& recs, const Opts& o) {
  std::string tmp = std::string(path) + "." + std::to_string((long)getpid()) + ".tmp";
  FILE* f = fopen(tmp.c_str(), "wb");
  if (!f) die_input("cannot write the binary vector file", 0);
  BinHeader h = bin_header(o, recs.size());
  bool ok = fwrite(&h, sizeof h, 1, f) == 1 && (recs.empty() || fwrite(recs.data(), sizeof(Rec), recs.size(), f) == recs.size());
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path) != 0) {
    remove(tmp.c_str());
    die_input("cannot write the binary vector file", 0);
  }
}

// Map a binary vector file (prefaulted: the read is timed with the file, not the simulation;
// no copy, no parse).
static const Rec* map_bin(const char* path, size_t& n, const Opts& o) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) die_input("cannot open", 0);
  struct stat st;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(BinHeader)) die_input("not a binary vector file", 0);
  void* m = mmap(nullptr, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close(fd);
  if (m == MAP_FAILED) die_input("cannot map the binary vector file", 0);
  BinHeader h, want = bin_header(o, 0);
  memcpy(&h, m, sizeof h);
  want.count = h.count;
  if (memcmp(&h, &want, sizeof h) != 0) die_input("binary vector file was written for another DUT configuration or mapping", 0);
  if (sizeof(BinHeader) + h.count * sizeof(Rec) > (size_t)st.st_size) die_input("truncated binary vector file", 0);
  madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
  n = (size_t)h.count;
  return (const Rec*)((const char*)m + sizeof(BinHeader));
}

static void hex_words(const uint64_t* w, int bits, char* out) {
  int nd = (bits + 3) / 4;
  for (int i = 0; i < nd; i++) {
    int bit = 4 * (nd - 1 - i);
    out[i] = "0123456789abcdef"[(w[bit / 64] >> (bit % 64)) & 15];
  }
  out[nd] = 0;
}
static void hex_bytes(const uint8_t* b, int n, char* out) {
  for (int i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[n - 1 - i]);
  out[2 * n] = 0;
}

static void print_out_json(const char* key, const Out& o) {
  char acc[80], codes[80];
  hex_words(o.acc, DUT_W, acc);
  hex_bytes(o.code, DUT_K, codes);
  printf("\"%s\":{\"acc\":\"%s\",\"flags\":%u,\"f32\":\"%08x\",\"codes\":\"%s\"}", key, acc, o.flags, o.f32, codes);
}

// Returns a bitmask of mismatching fields: 1 acc, 2 flags, 4 f32, 8 codes.
static inline int compare(const Out& e, const Out& a, const Opts& o) {
  int bad = 0;
  if (o.check & 1)
    for (int i = 0; i < DUT_WW; i++) {
      uint64_t m = (i == DUT_WW - 1) ? WMASK_TOP : ~0ull;
      if ((e.acc[i] ^ a.acc[i]) & m) bad |= 1;
    }
  if ((e.flags ^ a.flags) & ((o.check >> 1) & 3)) bad |= 2;
  if (o.check_f32 && e.f32 != a.f32) bad |= 4;
  for (int k = 0; k < DUT_K; k++)
    if (o.outmap[k] >= 0 && e.code[k] != a.code[k]) bad |= 8;
  return bad;
}

struct Xorshift {
  uint64_t s;
  explicit Xorshift(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  inline uint32_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(s >> 32);
  }
};

struct Sim {
  VerilatedContext* ctx;
  Vdut* top;
  uint64_t cycle = 0;
#if VM_TRACE
  VerilatedFstC* tfp = nullptr;
  uint64_t tfrom = 0, tto = 0;
#endif
  Sim() {
    ctx = new VerilatedContext;
    top = new Vdut{ctx};
    top->clk = 0;
    top->rst = 1;
    top->in_valid = 0;
    top->out_ready = 1;
    top->eval();
  }
  ~Sim() {
#if VM_TRACE
    if (tfp) tfp->close();
#endif
    top->final();
    delete top;
    delete ctx;
  }
  inline void dump(uint64_t t) {
#if VM_TRACE
    if (tfp && cycle >= tfrom && cycle <= tto) tfp->dump(t);
#else
    (void)t;
#endif
  }
  // Low phase: inputs settle; caller reads handshakes; then the rising edge.
  inline void low() {
    top->clk = 0;
    top->eval();
    dump(2 * cycle);
  }
  inline void high() {
    top->clk = 1;
    top->eval();
    dump(2 * cycle + 1);
    cycle++;
  }
  void reset() {
    top->rst = 1;
    top->in_valid = 0;
    top->out_ready = 1;
    for (int i = 0; i < 2; i++) {
      low();
      high();
    }
    top->rst = 0;
  }
};

static double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

static int run_file(const char* path, const Opts& o) {
  g_file = path;
  std::vector<Rec> store;
  const Rec* recs = nullptr;
  size_t n = 0;
  double t0 = now_s();
  if (o.bin) recs = map_bin(path, n, o);
  else {
    parse_file(path, store, o);
    recs = store.data();
    n = store.size();
  }
  double t1 = now_s();
  if (o.write_bin) write_bin(o.write_bin, store, o);
  if (o.convert_only) {
    printf("{\"file\":\"%s\",\"converted\":%zu,\"parse_s\":%.6f,\"parse_per_s\":%.1f}\n", path, n, t1 - t0, (t1 - t0) > 0 ? n / (t1 - t0) : 0);
    return 0;
  }
  Sim sim;
#if VM_TRACE
  if (o.trace) {
    Verilated::traceEverOn(true);
    sim.tfp = new VerilatedFstC;
    sim.top->trace(sim.tfp, 99);
    sim.tfp->open(o.trace);
    sim.tfrom = o.trace_from;
    sim.tto = o.trace_to;
  }
#endif
  dut_fault(sim.top, o.fault_sel);
  sim.reset();
  Vdut* top = sim.top;
  uint32_t q[256];
  unsigned qh = 0, qt = 0;  // FIFO of record indices awaiting an output beat
  size_t i = 0, outs = 0;
  Xorshift rng(o.stall_seed);
  const bool stall = o.p_in > 0 || o.p_out > 0;
  const uint32_t pin = (uint32_t)(o.p_in * 4294967295.0), pout = (uint32_t)(o.p_out * 4294967295.0);
  uint64_t limit = sim.cycle + (uint64_t)n * (stall ? 64 : 1) + 1000;
  int bad = 0;
  size_t bad_idx = 0;
  Out got;
  uint64_t bad_cycle = 0;
  int64_t lat_accept = -1, latency = -1;  // measured: cycles from the first accepted 'last' beat to its output
  double t2 = now_s();
  if (!stall) {
    top->out_ready = 1;
    while (i < n || qh != qt) {
      if (i < n) {
        const Rec& r = recs[i];
        dut_drive(top, r.in);
        top->in_valid = 1;
      } else {
        top->in_valid = 0;
      }
      sim.low();
      if (top->out_valid) {
        if (qh == qt) { fprintf(stderr, "unexpected output beat at cycle %llu\n", (unsigned long long)sim.cycle); bad = 16; bad_cycle = sim.cycle; break; }
        if (latency < 0) latency = (int64_t)sim.cycle - lat_accept;
        uint32_t k = q[qt++ & 255];
        dut_sample(top, got);
        outs++;
        int b = compare(recs[k].exp, got, o);
        if (b) { bad = b; bad_idx = k; bad_cycle = sim.cycle; break; }
      }
      if (i < n) {
        if (recs[i].in.ctl & 2) {
          if (lat_accept < 0) lat_accept = (int64_t)sim.cycle;
          q[qh++ & 255] = (uint32_t)i;
        }
        i++;
      }
      sim.high();
      if (sim.cycle > limit) { bad = 32; bad_cycle = sim.cycle; break; }
    }
  } else {
    while (i < n || qh != qt) {
      bool v = i < n && rng.next() >= pin;
      if (v) dut_drive(top, recs[i].in);
      top->in_valid = v;
      top->out_ready = rng.next() >= pout;
      sim.low();
      if (top->out_valid && top->out_ready) {
        if (qh == qt) { bad = 16; bad_cycle = sim.cycle; break; }
        uint32_t k = q[qt++ & 255];
        dut_sample(top, got);
        outs++;
        int b = compare(recs[k].exp, got, o);
        if (b) { bad = b; bad_idx = k; bad_cycle = sim.cycle; break; }
      }
      if (v && top->in_ready) {
        if (recs[i].in.ctl & 2) q[qh++ & 255] = (uint32_t)i;
        i++;
      }
      sim.high();
      if (sim.cycle > limit) { bad = 32; bad_cycle = sim.cycle; break; }
    }
  }
  double t3 = now_s();
  // raw cycle rate: same model, inputs from a small ring in cache, no parsing, no compare
  double raw_rate = 0;
  uint64_t raw_done = 0;
  if (o.raw_cycles && n) {
    Sim rs;
    dut_fault(rs.top, o.fault_sel);
    rs.reset();
    Vdut* rt = rs.top;
    const size_t ring = n < 1024 ? n : 1024;
    rt->out_ready = 1;
    rt->in_valid = 1;
    double r0 = now_s();
    size_t j = 0;
    for (uint64_t c = 0; c < o.raw_cycles; c++) {
      dut_drive(rt, recs[j].in);
      if (++j == ring) j = 0;
      rs.low();
      rs.high();
    }
    double r1 = now_s();
    raw_done = o.raw_cycles;
    raw_rate = (double)o.raw_cycles / (r1 - r0);
  }
  const double sim_s = t3 - t2, parse_s = t1 - t0;
  printf("{\"file\":\"%s\",\"format\":\"%s\",\"vectors\":%zu,\"fed\":%zu,\"outputs\":%zu,\"cycles\":%llu,\"parse_s\":%.6f,\"sim_s\":%.6f,", path, o.bin ? "binary" : "text", n, i, outs,
         (unsigned long long)sim.cycle, parse_s, sim_s);
  printf("\"vectors_per_s\":%.1f,\"end_to_end_per_s\":%.1f,\"raw_cycles\":%llu,\"raw_cycles_per_s\":%.1f,", sim_s > 0 ? (double)i / sim_s : 0,
         (parse_s + sim_s) > 0 ? (double)i / (parse_s + sim_s) : 0, (unsigned long long)raw_done, raw_rate);
  printf("\"dut\":{\"N\":%d,\"W\":%d,\"K\":%d,\"f32\":%d,\"latency\":%d},\"latency_measured\":%lld,", DUT_N, DUT_W, DUT_K, DUT_F32, DUT_LAT, (long long)latency);
  if (bad) {
    printf("\"pass\":false,\"mismatch\":{\"cycle\":%llu,\"fields\":%d", (unsigned long long)bad_cycle, bad);
    if (bad < 16) {
      const Rec& r = recs[bad_idx];
      char init[80], a[80], b[80];
      hex_words(r.in.init, DUT_W, init);
      hex_bytes(r.in.a, DUT_N, a);
      hex_bytes(r.in.b, DUT_N, b);
      printf(",\"index\":%zu,\"line\":%u,\"in\":{\"ctl\":%u,\"xa\":%u,\"xb\":%u,\"xo\":%u,\"init\":\"%s\",\"mask\":%u,\"a\":\"%s\",\"b\":\"%s\"},", bad_idx, r.line, r.in.ctl,
             r.in.xa, r.in.xb, r.in.xo, init, r.in.mask, a, b);
      print_out_json("expected", r.exp);
      printf(",");
      print_out_json("actual", got);
    }
    printf("}}\n");
    return 1;
  }
  printf("\"pass\":true}\n");
  return 0;
}

// ------------------------------------------------------------------ interactive line protocol
//   b CTL XA XB XO INIT MASK A B   queue one beat (hex fields as in the vector files)
//   g                              run the queued beats, drain; prints 'o ACC FLAGS F32 CODES' per
//                                  output beat, then 'd CYCLES'
//   r                              reset (prints 'd 0')
//   s SEED PIN POUT                random input bubbles / output backpressure (decimal; prints 'd 0')
//   i                              prints 'i N W K F32 LATENCY'
//   q                              quit
static int run_interactive(const Opts& o0) {
  Opts o = o0;
  Sim sim;
  dut_fault(sim.top, o.fault_sel);
  sim.reset();
  Vdut* top = sim.top;
  std::vector<Beat> beats;
  char line[4096];
  uint8_t tmp[64];
  Xorshift rng(1);
  uint32_t pin = 0, pout = 0;
  size_t ln = 0;
  g_file = "<stdin>";
  while (fgets(line, sizeof line, stdin)) {
    ln++;
    size_t L = strlen(line);
    while (L && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = 0;
    const char* p = line + 1;
    const char* e = line + L;
    switch (line[0]) {
      case 'b': {
        Beat b;
        memset(&b, 0, sizeof b);
        parse_field(p, e, tmp, 1, ln); b.ctl = tmp[0];
        parse_field(p, e, tmp, 1, ln); b.xa = tmp[0];
        parse_field(p, e, tmp, 1, ln); b.xb = tmp[0];
        parse_field(p, e, tmp, 1, ln); b.xo = tmp[0];
        parse_field(p, e, (uint8_t*)b.init, 8 * DUT_WW, ln);
        parse_field(p, e, tmp, 4, ln); memcpy(&b.mask, tmp, 4);
        parse_field(p, e, b.a, DUT_N, ln);
        parse_field(p, e, b.b, DUT_N, ln);
        beats.push_back(b);
        break;
      }
      case 'g': {
        size_t i = 0, pending = 0;
        uint64_t limit = sim.cycle + beats.size() * 64 + 1000;
        Out got;
        char acc[80], codes[80];
        for (;;) {
          bool v = i < beats.size() && (pin == 0 || rng.next() >= pin);
          if (v) dut_drive(top, beats[i]);
          top->in_valid = v;
          top->out_ready = pout == 0 || rng.next() >= pout;
          sim.low();
          if (top->out_valid && top->out_ready) {
            dut_sample(top, got);
            hex_words(got.acc, DUT_W, acc);
            hex_bytes(got.code, DUT_K, codes);
            printf("o %s %x %08x %s\n", acc, got.flags, got.f32, DUT_K ? codes : "-");
            if (pending) pending--;
          }
          if (v && top->in_ready) {
            if (beats[i].ctl & 2) pending++;
            i++;
          }
          sim.high();
          if (i >= beats.size() && pending == 0) {
            // drain: the pipeline is empty once no output is due
            break;
          }
          if (sim.cycle > limit) {
            printf("e timeout\n");
            break;
          }
        }
        beats.clear();
        printf("d %llu\n", (unsigned long long)sim.cycle);
        fflush(stdout);
        break;
      }
      case 'r':
        beats.clear();
        sim.reset();
        printf("d 0\n");
        fflush(stdout);
        break;
      case 's': {
        unsigned long long seed = 0;
        double a = 0, b = 0;
        if (sscanf(p, "%llu %lf %lf", &seed, &a, &b) != 3) die_input("s SEED PIN POUT", ln);
        rng = Xorshift(seed);
        pin = (uint32_t)(a * 4294967295.0);
        pout = (uint32_t)(b * 4294967295.0);
        printf("d 0\n");
        fflush(stdout);
        break;
      }
      case 'i':
        printf("i %d %d %d %d %d\n", DUT_N, DUT_W, DUT_K, DUT_F32, DUT_LAT);
        fflush(stdout);
        break;
      case 'q':
        return 0;
      case 0:
      case '#':
        break;
      default:
        die_input("unknown command", ln);
    }
  }
  return 0;
}

int main(int argc, char** argv) {
  init_hex();
  Opts o;
  for (int k = 0; k < DUT_K; k++) o.outmap[k] = k;
  const char* file = nullptr;
  bool interactive = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&](void) -> const char* {
      if (i + 1 >= argc) { fprintf(stderr, "%s needs a value\n", a.c_str()); exit(2); }
      return argv[++i];
    };
    if (a == "--interactive") interactive = true;
    else if (a == "--raw-cycles") o.raw_cycles = strtoull(val(), nullptr, 10);
    else if (a == "--lanes-in") o.lanes_in = atoi(val());
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
    } else if (a == "--stall") {
      unsigned long long seed;
      if (sscanf(val(), "%llu,%lf,%lf", &seed, &o.p_in, &o.p_out) != 3) { fprintf(stderr, "--stall SEED,PIN,POUT\n"); return 2; }
      o.stall_seed = (uint32_t)seed;
    } else if (a == "--trace") o.trace = val();
    else if (a == "--write-bin") o.write_bin = val();
    else if (a == "--bin") o.bin = true;
    else if (a == "--convert-only") o.convert_only = true;
    else if (a == "--fault-sel") o.fault_sel = strtoull(val(), nullptr, 0);
    else if (a == "--check") o.check = atoi(val());
    else if (a == "--trace-from") o.trace_from = strtoull(val(), nullptr, 10);
    else if (a == "--trace-to") o.trace_to = strtoull(val(), nullptr, 10);
    else if (a[0] == '-') { fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
    else file = argv[i];
  }
  if (o.lanes_in != DUT_N && o.lanes_in != 1) { fprintf(stderr, "--lanes-in must be %d or 1\n", DUT_N); return 2; }
#if !VM_TRACE
  if (o.trace) { fprintf(stderr, "this model was built without tracing\n"); return 2; }
#endif
  if (interactive) return run_interactive(o);
  if (!file) { fprintf(stderr, "usage: harness FILE [options] | --interactive\n"); return 2; }
  return run_file(file, o);
}
