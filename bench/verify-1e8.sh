#!/bin/bash
# 1e8-beat regression: 10 copies of a 1e7-beat rf8 gen results file (each copy starts with a clear),
# checked by rf8 verify in 2 shards of 5e7 beats each (two pipes, one per core), reports merged.
F=${1:-/tmp/rf8-verify-bench-10000000.txt}  # node bench/verify-throughput.mjs writes it
cd "$(dirname "$0")/.."
uptime
START=$(date +%s.%N)
( for i in 1 2 3 4 5; do cat $F; done ) | node bin/rf8.js verify - --json > ${TMPDIR:-/tmp}/rf8-1e8-a.json &
( for i in 1 2 3 4 5; do cat $F; done ) | node bin/rf8.js verify - --json > ${TMPDIR:-/tmp}/rf8-1e8-b.json &
wait
END=$(date +%s.%N)
node bin/rf8.js verify --merge ${TMPDIR:-/tmp}/rf8-1e8-a.json ${TMPDIR:-/tmp}/rf8-1e8-b.json --json > ${TMPDIR:-/tmp}/rf8-1e8-merged.json
echo "seconds $(echo "$END - $START" | bc)"
uptime
grep -E '"(lines|outputs|checked|pass|badLines)"' ${TMPDIR:-/tmp}/rf8-1e8-merged.json
