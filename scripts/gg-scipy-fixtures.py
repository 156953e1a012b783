#!/usr/bin/env python3
"""Produce test/fixtures/gg/scipy-gennorm.json: scipy.stats.gennorm MLE fits (floc=0) of 1e6
samples drawn by rf8kit's own seeded sampler (sampleGG, see scripts/gg-samples.mjs).

Only the seeds, the sampler parameters and scipy's fitted values are committed; the test
(test/gg/scipy.test.ts) regenerates the samples from the seeds and fits them with fitGG.

Run from the repository root after `npx tsc -p .`, with Debian's scipy
(`apt-get install -y python3-scipy`):
    /usr/bin/python3 scripts/gg-scipy-fixtures.py [--out test/fixtures/gg/scipy-gennorm.json]
It also prints scipy's fit time per case (wall clock, time.perf_counter around gennorm.fit).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
from scipy import stats

CASES = [  # (seed, alpha, beta)
    (3001, 0.02, 0.3),
    (3002, 0.02, 0.5),
    (3003, 0.02, 1.0),
    (3004, 0.02, 1.5),
    (3005, 0.02, 2.0),
    (3006, 0.02, 4.0),
]
N = 1_000_000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/fixtures/gg/scipy-gennorm.json')
    args = ap.parse_args()
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed, alpha, beta in CASES:
            path = os.path.join(tmp, f'gg-{seed}.f64')
            subprocess.run(['node', 'scripts/gg-samples.mjs', str(seed), repr(alpha), repr(beta), str(N), path], check=True)
            x = np.fromfile(path, dtype='<f8')
            assert x.size == N
            t0 = time.perf_counter()
            b, loc, scale = stats.gennorm.fit(x, floc=0)
            dt = time.perf_counter() - t0
            ll = float(np.sum(stats.gennorm.logpdf(x, b, loc=0, scale=scale)))
            print(f'seed {seed} alpha {alpha} beta {beta}: scipy beta {b:.6f} alpha {scale:.8f} '
                  f'loglik {ll:.3f}  fit {dt:.3f} s', file=sys.stderr)
            cases.append({'seed': seed, 'alpha': alpha, 'beta': beta, 'n': N,
                          'scipy': {'beta': float(b), 'alpha': float(scale), 'loglik': ll, 'fitSeconds': round(dt, 3)}})
    doc = {
        'description': 'scipy.stats.gennorm.fit(x, floc=0) on n samples of rf8kit sampleGG(new Rng(seed), alpha, beta, n)',
        'producedBy': '/usr/bin/python3 scripts/gg-scipy-fixtures.py (after npx tsc -p .)',
        'scipyVersion': scipy.__version__,
        'numpyVersion': np.__version__,
        'cases': cases,
    }
    with open(args.out, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
