#!/usr/bin/env bash
# The full mutation-cover runs of docs/verification.md (issue 15): 1000 mutants of rf8_dot with
# N = 1 and N = 8 (rf8-e3m4 x rf8-e3m4, pipe 2) and of the layer engine rf8_layer (N = 4), every survivor classified formally, counterexamples
# written into golden/ (cex suites + manifest), repeated until none survives (the suites, the stalled
# re-runs and the handshake contract of sim/mutant_harness.cpp --contract on every survivor). Then the converter,
# decoder and multiplier proofs for every format. Results: runs/mcy/*.json, times in the logs
# (/usr/bin/time -v: wall and CPU of each run).
# Resumable: the suite runs and the classification results are cached per mutant beside the
# mutation design (.cache/rf8/mcy/<config>/runs-*.json, equiv/<id>/result-<method>.json).
# Usage: scripts/mutate-acceptance.sh [JOBS] [TIMEOUT] [PDR_TIMEOUT] [LAYER_TIMEOUT] [LAYER_PDR_TIMEOUT]   (sequential configurations;
# JOBS processes each; TIMEOUT seconds per solver call, default 40; PDR_TIMEOUT per PDR call,
# default 20: the values of the runs in docs/verification.md)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${1:-2}"
TIMEOUT="${2:-40}"
PDR_TIMEOUT="${3:-20}"
# the layer loop: its final run used 60 / 40 (docs/verification.md)
LAYER_TIMEOUT="${4:-60}"
LAYER_PDR_TIMEOUT="${5:-40}"
mkdir -p runs/mcy
npx tsc -p tsconfig.json
for N in 1 8; do
  /usr/bin/time -v node bin/rf8.js mutate -a rf8-e3m4 --lanes "$N" --count 1000 --seed 1 --jobs "$JOBS" --classify --update --timeout "$TIMEOUT" --pdr-timeout "$PDR_TIMEOUT" --json \
    > "runs/mcy/mutate-n$N.json" 2> "runs/mcy/mutate-n$N.log" || echo "mutate N=$N: exit $? (see runs/mcy/mutate-n$N.log)"
done
# the layer engine: rf8_layer on the campaign's seeded 16 x 16 layer (N = 4), its layer suites
/usr/bin/time -v node bin/rf8.js mutate --layer -a rf8-e3m4 --lanes 4 --count 1000 --seed 1 --jobs "$JOBS" --classify --update --timeout "$LAYER_TIMEOUT" --pdr-timeout "$LAYER_PDR_TIMEOUT" --json \
  > runs/mcy/mutate-layer-n4.json 2> runs/mcy/mutate-layer-n4.log || echo "mutate --layer: exit $? (see runs/mcy/mutate-layer-n4.log)"
/usr/bin/time -v node bin/rf8.js prove --block converter --all --json > runs/mcy/prove-converter.json 2> runs/mcy/prove-converter.log || true
# rf8 (greedy, its default) has no independent model (--all lists it as skipped); its nearest rounding has
/usr/bin/time -v node bin/rf8.js prove --block converter -a rf8:nearest --json > runs/mcy/prove-converter-rf8-nearest.json 2> runs/mcy/prove-converter-rf8-nearest.log || true
/usr/bin/time -v node bin/rf8.js prove --block decoder --all --json > runs/mcy/prove-decoder.json 2> runs/mcy/prove-decoder.log || true
/usr/bin/time -v node bin/rf8.js prove --block multiplier --all --json > runs/mcy/prove-multiplier.json 2> runs/mcy/prove-multiplier.log || true
