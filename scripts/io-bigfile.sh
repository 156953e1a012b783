#!/usr/bin/env bash
# Peak-RSS check of streaming fit + quantize on a synthetic ~2 GB safetensors file (not run in CI).
#   bash scripts/io-bigfile.sh [workdir]     (default /tmp/rf8-bigfile; needs ~2.7 GB free)
# Generates the file (streaming), then measures with /usr/bin/time -v:
#   1. library fit:       forEachTensor + fitGG                 (scripts/io-bigfile.mjs fit)
#   2. library quantize:  quantizeWeightsFile -> RF8 safetensors (scripts/io-bigfile.mjs quantize)
#   3. rf8 fit <file>     (the CLI)
#   4. rf8 quantize <file> --out x.rf8.safetensors  (the CLI, streaming)
# and prints "Maximum resident set size" of each. Fails if 1, 2 or 4 reach LIMIT_MB (600).
# SKIP_CLI_FIT=1 leaves out step 3 (slow: the KS statistic sorts every tensor).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-/tmp/rf8-bigfile}"
LIMIT_MB="${LIMIT_MB:-600}"
TENSORS="${TENSORS:-32}" ROWS="${ROWS:-4096}" COLS="${COLS:-4096}"
METHOD="${METHOD:-gg}"
mkdir -p "$WORK"
BIG="$WORK/big.safetensors"
npx tsc -p . >/dev/null || true   # other areas' type errors do not block emitting dist/
[ -f "$BIG" ] || node scripts/io-bigfile.mjs gen "$BIG" "$TENSORS" "$ROWS" "$COLS"
ls -l "$BIG"

peak() { # label, command...
  local label="$1"; shift
  local log="$WORK/$label.time"
  /usr/bin/time -v "$@" >"$WORK/$label.out" 2>"$log" || { echo "$label failed:"; tail -5 "$log"; return 1; }
  local kb; kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  local wall; wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  printf '%-18s peak RSS %6d MB  wall %s\n' "$label" $((kb / 1024)) "$wall"
  echo $((kb / 1024)) >"$WORK/$label.mb"
}

peak lib-fit node scripts/io-bigfile.mjs fit "$BIG"
peak lib-quantize node scripts/io-bigfile.mjs quantize "$BIG" "$WORK/big.rf8.safetensors" "$METHOD"
cat "$WORK/lib-fit.out" "$WORK/lib-quantize.out"
[ -n "${SKIP_CLI_FIT:-}" ] || peak cli-fit node bin/rf8.js fit "$BIG" --json --no-bound || true
peak cli-quantize node bin/rf8.js quantize "$BIG" --out "$WORK/big.cli.rf8.safetensors" --scale-method "$METHOD" --no-bound --json
for l in lib-fit lib-quantize cli-quantize; do
  if [ "$(cat "$WORK/$l.mb")" -ge "$LIMIT_MB" ]; then echo "FAIL: $l peak RSS >= $LIMIT_MB MB"; exit 1; fi
done
echo "ok: library fit, library quantize and rf8 quantize stay under $LIMIT_MB MB"
