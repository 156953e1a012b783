#!/usr/bin/env bash
# Installs what rf8kit needs on a fresh machine, and nothing when it is already there:
#  - Debian packages: verilator, yosys, nextpnr-ice40, iverilog (RTL co-simulation and FPGA
#    estimates) and python3-numpy (checks the documented Python decoder); via apt-get when run
#    as root, otherwise it prints the exact command to run.
#  - node_modules: `npm ci` from package-lock.json (the registry only; nothing downloads later).
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS="verilator yosys nextpnr-ice40 iverilog python3-numpy g++ zlib1g-dev"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: apt-get install$missing" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
  else
    echo "setup: missing Debian packages:$missing" >&2
    echo "setup: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
    if [ -n "${CI:-}" ] || [ -n "${RF8_REQUIRE_TOOLS:-}" ]; then exit 1; fi
    echo "setup: continuing; stages that need these tools will fail and say which package" >&2
  fi
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
