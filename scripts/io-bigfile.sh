#!/usr/bin/env bash
# Time and peak-RSS check of streaming fit + quantize on a synthetic 2.1 GB safetensors file
# (not run in CI; about 15 min on an idle 2-core machine, most of it the --jobs 1 reruns).
#   bash scripts/io-bigfile.sh [workdir]     (default /tmp/rf8-bigfile; needs ~4.5 GB free)
# Generates the file (streaming), then measures with /usr/bin/time -v:
#   1. library fit:       forEachTensor + fitGG                 (scripts/io-bigfile.mjs fit)
#   2. library quantize:  quantizeWeightsFile -> RF8 safetensors (scripts/io-bigfile.mjs quantize)
#   3. rf8 fit <file> --json               (the CLI, worker threads on every core)
#   4. rf8 quantize <file> --out x.safetensors --json   (the CLI, streaming, every core)
#   5. 3 and 4 again with --jobs 1; their outputs must be byte-identical to 3 and 4
# and prints the peak RSS and wall time of each. Fails if any step reaches LIMIT_MB (600) of
# RSS, if 3 takes more than FIT_LIMIT_S (120) or 4 more than QUANT_LIMIT_S (180) seconds, or if
# a --jobs 1 output differs. SKIP_JOBS1=1 leaves out step 5. The wall times only mean something
# on an otherwise idle machine: the load average is printed first.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-/tmp/rf8-bigfile}"
LIMIT_MB="${LIMIT_MB:-600}"
FIT_LIMIT_S="${FIT_LIMIT_S:-120}" QUANT_LIMIT_S="${QUANT_LIMIT_S:-180}"
TENSORS="${TENSORS:-32}" ROWS="${ROWS:-4096}" COLS="${COLS:-4096}"
METHOD="${METHOD:-gg}"
mkdir -p "$WORK"
BIG="$WORK/big.safetensors"
npx tsc -p . >/dev/null || true   # other areas' type errors do not block emitting dist/
[ -f "$BIG" ] || node scripts/io-bigfile.mjs gen "$BIG" "$TENSORS" "$ROWS" "$COLS"
ls -l "$BIG"
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

peak() { # label, command...
  local label="$1"; shift
  local log="$WORK/$label.time"
  /usr/bin/time -v "$@" >"$WORK/$label.out" 2>"$log" || { echo "$label failed:"; tail -5 "$log"; return 1; }
  local kb; kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  local wall; wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  local secs; secs=$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%d", s + 0.999 }' <<<"$wall")
  printf '%-18s peak RSS %6d MB  wall %s (%d s)\n' "$label" $((kb / 1024)) "$wall" "$secs"
  echo $((kb / 1024)) >"$WORK/$label.mb"
  echo "$secs" >"$WORK/$label.s"
}

FAIL=0
peak lib-fit node scripts/io-bigfile.mjs fit "$BIG"
peak lib-quantize node scripts/io-bigfile.mjs quantize "$BIG" "$WORK/big.rf8.safetensors" "$METHOD"
cat "$WORK/lib-fit.out" "$WORK/lib-quantize.out"
peak cli-fit node bin/rf8.js fit "$BIG" --json --no-bound
peak cli-quantize node bin/rf8.js quantize "$BIG" --out "$WORK/big.cli.safetensors" --scale-method "$METHOD" --no-bound --json
steps="lib-fit lib-quantize cli-fit cli-quantize"
if [ -z "${SKIP_JOBS1:-}" ]; then
  peak cli-fit-j1 node bin/rf8.js fit "$BIG" --json --no-bound --jobs 1
  peak cli-quantize-j1 node bin/rf8.js quantize "$BIG" --out "$WORK/big.cli-j1.safetensors" --scale-method "$METHOD" --no-bound --json --jobs 1
  steps="$steps cli-fit-j1 cli-quantize-j1"
  # the fit report's only run-dependent field is each fit's "ms" (its time)
  if cmp -s <(grep -v '"ms":' "$WORK/cli-fit.out") <(grep -v '"ms":' "$WORK/cli-fit-j1.out"); then echo "ok: rf8 fit --json output identical with --jobs 1 (timing fields aside)"
  else echo "FAIL: rf8 fit --json output differs with --jobs 1"; FAIL=1; fi
  if cmp -s "$WORK/big.cli.safetensors" "$WORK/big.cli-j1.safetensors"; then echo "ok: rf8 quantize output file identical with --jobs 1 ($(stat -c %s "$WORK/big.cli.safetensors") bytes)"
  else echo "FAIL: rf8 quantize output file differs with --jobs 1"; FAIL=1; fi
fi
for l in $steps; do
  if [ "$(cat "$WORK/$l.mb")" -ge "$LIMIT_MB" ]; then echo "FAIL: $l peak RSS >= $LIMIT_MB MB"; FAIL=1; fi
done
if [ "$(cat "$WORK/cli-fit.s")" -gt "$FIT_LIMIT_S" ]; then echo "FAIL: rf8 fit took more than $FIT_LIMIT_S s"; FAIL=1; fi
if [ "$(cat "$WORK/cli-quantize.s")" -gt "$QUANT_LIMIT_S" ]; then echo "FAIL: rf8 quantize took more than $QUANT_LIMIT_S s"; FAIL=1; fi
[ "$FAIL" = 0 ] || exit 1
echo "ok: every step under $LIMIT_MB MB; rf8 fit <= $FIT_LIMIT_S s, rf8 quantize <= $QUANT_LIMIT_S s"
