#!/usr/bin/env bash
# Time the full default estimate sweep (rf8 estimate, defaults: 5 formats x N in {1,4,8,16},
# iCE40 HX8K, 3 nextpnr seeds) from an empty cache, then again from the filled cache, then the
# increment of --datapath (the MAC datapath variant, on top of the filled cache). Reports wall-clock seconds and the CPU seconds of the whole process
# tree (user + sys, children included), which is what the 2-core budget is about when the
# machine is shared: CPU / 2 is the wall time on 2 otherwise idle cores with --jobs 2.
# Usage: npm run build && bash bench/estimate-sweep.sh [extra rf8 estimate args]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
cache=$(mktemp -d /tmp/rf8-estimate-bench.XXXXXX)
out=$(mktemp -d /tmp/rf8-estimate-bench-out.XXXXXX)
run() {
  local tag=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$out/$tag.time" node bin/rf8.js estimate --cache-dir "$cache" --json "$@" > "$out/$tag.json" 2> "$out/$tag.err"
  read -r wall user sys < "$out/$tag.time"
  local runs
  runs=$(node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync('$out/$tag.json','utf8')).toolRuns))")
  echo "$tag: wall ${wall}s, cpu $(echo "$user + $sys" | bc)s (user ${user} sys ${sys}), tool runs ${runs}, load $(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "cores: $(nproc); $(yosys -V); $(nextpnr-ice40 --version 2>&1 | head -1)"
run cold "$@"
run cached "$@"
# the cached run must reproduce the cold run's hardware numbers exactly
node -e "
const a = JSON.parse(require('fs').readFileSync('$out/cold.json', 'utf8')).configs;
const b = JSON.parse(require('fs').readFileSync('$out/cached.json', 'utf8')).configs;
const strip = (c) => c.map(({ seconds, toolRuns, ...r }) => r);
if (JSON.stringify(strip(a)) !== JSON.stringify(strip(b))) { console.error('cached results differ from the cold run'); process.exit(1); }
console.log('cached run reproduces the cold run: ' + a.length + ' configurations');
"
run datapath-increment --datapath "$@"
echo "outputs in $out (cache $cache)"
