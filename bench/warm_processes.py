"""The warm 1000-op compute() across fresh processes (issue 11): one line per process, then the spread.

Each process builds `chain(lz, x10, 1000)` (bench/run.py's chain, 10 float64 elements) `--calls`
times outside the timer and times `compute()` alone, after 10 warm-up calls. Per process: the best
call, the median call, and the medians of the `lz._stats()` phases per call (lower, execute, and the
rest of the call). A per-process effect (a slow mode some processes fall into for good) shows as a
second cluster, which one process's best-of-N hides.

    .venv/bin/python bench/warm_processes.py [--procs 16] [--calls 200]
"""

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import statistics, sys, time
import numpy as np
import lazulite as lz
sys.path.insert(0, sys.argv[2])
from run import chain
x = lz.asarray(np.linspace(0.1, 1.0, 10))
for _ in range(10):
    chain(lz, x, 1000).compute()
calls, phase = int(sys.argv[1]), {"lower": [], "execute": []}
ts = []
for _ in range(calls):
    y = chain(lz, x, 1000)
    s0 = lz._stats()
    t0 = time.perf_counter()
    y.compute()
    ts.append(time.perf_counter() - t0)
    s1 = lz._stats()
    for k in phase:
        phase[k].append(s1[k + "_seconds"] - s0[k + "_seconds"])
rest = [t - lo - ex for t, lo, ex in zip(ts, phase["lower"], phase["execute"])]
us = lambda v: statistics.median(v) * 1e6
print(min(ts) * 1e6, us(ts), us(phase["lower"]), us(phase["execute"]), us(rest))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--procs", type=int, default=16, help="fresh processes (default 16)")
    ap.add_argument("--calls", type=int, default=200, help="timed calls per process (default 200)")
    args = ap.parse_args()
    here = str(Path(__file__).resolve().parent)
    rows = []
    print(f"{'process':>7} {'best us':>8} {'median':>8} {'lower':>7} {'execute':>8} {'rest':>6}")
    for i in range(args.procs):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.calls), here],
            capture_output=True, text=True, check=True,
        )
        row = [float(v) for v in out.stdout.split()]
        rows.append(row)
        print(f"{i:>7} {row[0]:8.1f} {row[1]:8.1f} {row[2]:7.1f} {row[3]:8.1f} {row[4]:6.1f}")
    for j, name in enumerate(["best", "median", "lower", "execute", "rest"]):
        col = sorted(r[j] for r in rows)
        print(f"{name:>8}: min {col[0]:.1f}  median {statistics.median(col):.1f}  max {col[-1]:.1f} us")


if __name__ == "__main__":
    main()
