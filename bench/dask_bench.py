"""lazulite.chunked against dask.array + NumPy on one 2-worker LocalCluster, same inputs, same chunks.

Inputs are generated on the workers and persisted there once (both sides read the same chunks); each
workload's result is persisted and waited for (nothing large travels to the client), best of N runs
after a warm-up (so lazulite's compilation on the workers is excluded). The ratio is dask.array's time
divided by lazulite's: above 1 means lazulite.chunked is faster.

    python bench/dask_bench.py [--log2 26] [--chunk-log2 22] [--runs 3] [--threads 1]

The issue's size is 2^28 float64 elements (``--log2 28``: 2 GiB per array, about 12 GiB on the
workers at the peak); the default is 2^26 (512 MiB per array), quicker on a 2-core machine.
"""

import argparse
import logging
import time

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, wait

import lazulite.chunked as xc


def workloads(xs, ys, zs, ms, ms4):
    """(name, dask.array expression, lazulite.chunked expression) over the same persisted chunks."""
    lx, ly, lz_ = xc.from_dask(xs), xc.from_dask(ys), xc.from_dask(zs)
    lm, lm4 = xc.from_dask(ms), xc.from_dask(ms4)
    return [
        ("a*b+c", lambda e: xs * ys + zs + e, lambda e: (lx * ly + lz_ + e).to_dask()),
        ("sin(x)**2+cos(x)**2-exp(-x*x)",
         lambda e: da.sin(xs) ** 2 + da.cos(xs) ** 2 - da.exp(-xs * xs) + e,
         lambda e: (xc.sin(lx) ** 2 + xc.cos(lx) ** 2 - xc.exp(-lx * lx) + e).to_dask()),
        ("sum(sqrt(x*x+y*y))", lambda e: da.sqrt(xs * xs + ys * ys).sum() + e,
         lambda e: (xc.sum(xc.sqrt(lx * lx + ly * ly)) + e).to_dask()),
        ("softmax over rows",
         lambda e: _softmax(da, ms) + e,
         lambda e: (_softmax(xc, lm) + e).to_dask()),
        ("softmax, rows over 4 chunks (merged)",
         lambda e: _softmax(da, ms4) + e,
         lambda e: (_softmax(xc, lm4) + e).to_dask()),
        ("softmax, rows over 4 chunks (xc.softmax, 2 passes)",
         lambda e: _softmax(da, ms4) + e,
         lambda e: _unmerged(lambda: xc.softmax(lm4, axis=1) + e, ms4)),
    ]


def _unmerged(make, m):
    """Build under a budget whose "auto" chunk is half a merged row block: rows do not merge, so
    ``xc.softmax`` takes its two-pass path (per-chunk statistics combined online, then the output)."""
    merged = m.dtype.itemsize * m.chunksize[0] * m.shape[1]
    old = xc.set_memory_budget(merged // 2 * xc._memory.CHUNKS_PER_TASK)
    try:
        return make().to_dask()
    finally:
        xc.set_memory_budget(old)


def _softmax(xp, m):
    e = xp.exp(m - xp.max(m, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def best(client, make, runs):
    times = []
    for i in range(runs + 1):
        # a distinct last step per run (fused into the last task on both sides) gives new task keys,
        # so no run finds an earlier run's result still on the cluster
        expr = make(i * 1e-300)
        t = time.perf_counter()
        fut = client.persist(expr)
        wait(fut)
        dt = time.perf_counter() - t
        del fut
        if i:
            times.append(dt)
    return min(times)


def _peak_rss():
    # VmHWM: the high-water mark of this process's own address space (getrusage's ru_maxrss is kept
    # across exec on Linux, so a worker spawned by a large parent would report the parent's size)
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _read_bytes():
    """Bytes this (worker) process has read from storage so far (/proc/self/io)."""
    with open("/proc/self/io") as f:
        for line in f:
            if line.startswith("read_bytes:"):
                return int(line.split()[1])
    return 0


def _loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def out_of_core(args):
    """Zarr inputs (by default twice the workers' memory limits together; ``--inputs-gib`` sets the
    total), reduced and standardised back to Zarr; time, bytes read (the workers' /proc/self/io) and every
    worker's peak memory against its limit and the per-task budget."""
    import shutil
    import tempfile

    limit = args.worker_memory_mib * 2**20
    cols = 4096
    total = args.inputs_gib * 2**30 if args.inputs_gib else 2 * 2 * limit
    rows = int(total) // (2 * 8 * cols)  # two float64 inputs of rows x cols
    tmp = tempfile.mkdtemp(prefix="lz-ooc-", dir=args.tmp)
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=limit,
                          dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            budget = xc.memory_budget()
            i = xc.reshape(xc.arange(rows * cols, dtype=xc.float64), (rows, cols))
            t = time.perf_counter()
            xc.to_zarr(xc.sin(i * 1e-3), f"{tmp}/x.zarr", compressors=None)
            xc.to_zarr(xc.cos(i * 7e-4), f"{tmp}/y.zarr", compressors=None)
            tw = time.perf_counter() - t
            x, y = xc.from_zarr(f"{tmp}/x.zarr"), xc.from_zarr(f"{tmp}/y.zarr")
            nbytes = 2 * rows * cols * 8
            print(f"out of core: 2 workers x {args.worker_memory_mib} MiB limit, per-task budget "
                  f"{budget / 2**20:.0f} MiB, chunks {x.to_dask().chunksize}, inputs {rows}x{cols} "
                  f"x2, {nbytes / 2**30:.2f} GiB on disk (written in {tw:.1f} s); load average "
                  f"{_loadavg()}", flush=True)
            r0 = sum(client.run(_read_bytes).values())
            t = time.perf_counter()
            s = float(xc.sum(xc.sqrt(x * x + y * y)))
            t1 = time.perf_counter() - t
            r1 = sum(client.run(_read_bytes).values())
            print(f"| `sum(sqrt(x*x+y*y))` | {t1:.2f} s | {(r1 - r0) / 2**30:.2f} GiB read "
                  f"({nbytes / 2**30:.2f} GiB of inputs) | {(r1 - r0) / t1 / 2**20:.0f} MiB/s | "
                  f"= {s:.6e} | load {_loadavg()} |", flush=True)
            shutil.rmtree(f"{tmp}/y.zarr")  # not needed any more: the disk holds x and the output
            t = time.perf_counter()
            xc.to_zarr((x - xc.mean(x, axis=0)) / xc.std(x, axis=0), f"{tmp}/z.zarr",
                       compressors=None)
            t2 = time.perf_counter() - t
            r2 = sum(client.run(_read_bytes).values())
            print(f"| standardise to Zarr | {t2:.2f} s | {(r2 - r1) / 2**30:.2f} GiB read "
                  f"(x is {nbytes / 2 / 2**30:.2f} GiB) | {nbytes / 2 / 2**30:.2f} GiB written | "
                  f"load {_loadavg()} |", flush=True)
            peaks = client.run(_peak_rss)
            print("worker peak RSS (MiB):", {w: round(p / 2**20) for w, p in peaks.items()},
                  f"limit {args.worker_memory_mib} MiB, per-task budget {budget / 2**20:.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log2", type=int, default=26, help="elements per input (log2)")
    ap.add_argument("--chunk-log2", type=int, default=22, help="elements per chunk (log2)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="threads per worker")
    ap.add_argument("--only", default=None, help="only the workloads whose name contains this")
    ap.add_argument("--out-of-core", action="store_true",
                    help="only the out-of-core run (Zarr inputs twice the workers' memory)")
    ap.add_argument("--worker-memory-mib", type=int, default=512)
    ap.add_argument("--inputs-gib", type=float, default=None,
                    help="out of core: total size of the two Zarr inputs (default: twice the workers' "
                         "limits together)")
    ap.add_argument("--tmp", default=None, help="folder for the Zarr stores")
    args = ap.parse_args()
    if args.out_of_core:
        out_of_core(args)
        return
    n, c = 2**args.log2, 2**args.chunk_log2
    with LocalCluster(n_workers=2, threads_per_worker=args.threads, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        rs = da.random.default_rng(0)
        side = 2 ** (args.log2 // 2)
        # lazily made; persisted on the workers only when a selected workload uses them
        xs, ys, zs = (rs.standard_normal(n, chunks=c) for _ in range(3))
        ms = rs.standard_normal((n // side, side), chunks=(c // side, side))
        ms4 = rs.standard_normal((n // side, side), chunks=(4 * c // side, side // 4))
        chosen = [w for w in workloads(xs, ys, zs, ms, ms4) if not args.only or args.only in w[0]]
        used = {"a*b": (0, 1, 2), "sin": (0,), "sum": (0, 1), "softmax over": (3,), "softmax,": (4,)}
        need = sorted({i for name, _, _ in chosen for k, ix in used.items() if name.startswith(k)
                       for i in ix})
        arrays = [xs, ys, zs, ms, ms4]
        for i in need:
            arrays[i] = client.persist(arrays[i])
        wait([arrays[i] for i in need])
        xs, ys, zs, ms, ms4 = arrays
        print(f"2 workers x {args.threads} thread(s), 2^{args.log2} float64 elements per input, "
              f"chunks of 2^{args.chunk_log2}; softmax on {n // side}x{side} (chunks of "
              f"{c // side}x{side}, and {4 * c // side}x{side // 4}); best of {args.runs}; "
              f"load average {_loadavg()}")
        print("| workload | dask.array+NumPy s | lazulite.chunked s | ratio |")
        print("| --- | ---: | ---: | ---: |")
        for name, f_dask, f_lz in workloads(xs, ys, zs, ms, ms4):
            if args.only and args.only not in name:
                continue
            if name.startswith(("sum", "softmax")):  # same values first (softmax: 64 rows of them)
                a, b = f_dask(0.0), f_lz(0.0)
                if a.ndim:
                    a, b = a[:64], b[:64]
                a, b = client.compute(a), client.compute(b)
                np.testing.assert_allclose(a.result(), b.result(), rtol=1e-9, atol=1e-300)
            t_dask = best(client, f_dask, args.runs)
            t_lz = best(client, f_lz, args.runs)
            print(f"| `{name}` | {t_dask:.3f} | {t_lz:.3f} | {t_dask / t_lz:.2f}x | load {_loadavg()} |",
                  flush=True)


if __name__ == "__main__":
    main()
