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
#define main rf8_harness_main
#include "harness.cpp"
#undef main

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
  for (int i = 3; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&](void) -> const char* {
      if (i + 1 >= argc) { fprintf(stderr, "%s needs a value\n", a.c_str()); exit(2); }
      return argv[++i];
    };
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
      int rc = run_file(suites[s].path, o);
      if (rc != 0) break;
    }
    fflush(stdout);
  }
  return 0;
}
