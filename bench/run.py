"""lazulite vs NumPy, numexpr and JAX (CPU) on the same workloads, in one run.

Prints the best-of-N time of each workload per library and its speed-up over NumPy (NumPy time divided by
the library's time: above 1 is faster than NumPy). float64 unless `--dtype float32` (the elementwise and
reduction rows; FFT and linalg stay as they are); 2^24 elements unless said; the FFT rows have fixed sizes
(2^20 points, 2048x2048), and so do the matmul rows (float32 and float64 both). `--only TEXT` runs just the rows whose name contains TEXT (and skips the
linalg, graph-build, cold-compile and memory sections).

    make bench                  # or: .venv/bin/python bench/run.py [--quick] [--dtype float32] [--only sin] [--overheads] [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time

import numpy as np

import lazulite as lz

try:
    import numexpr as ne
except ImportError:  # the peers are optional; `make bench` installs them
    ne = None
try:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
except ImportError:
    jax = None


def steady(timeout=5.0):
    """Waits (at most `timeout` s) until lazulite's background compiler has nothing queued: a warm row
    times the steady state, so the wide code of a kernel whose first calls ran narrow code must be in
    (it is compiled from a kernel's second call, at a low priority; in a tight loop of calls it can
    take tens of ms to get the CPU). The peers' warm rows exclude their compiles likewise."""
    t0 = time.monotonic()
    while lz._stats()["background_compiles_pending"] and time.monotonic() - t0 < timeout:
        time.sleep(0.001)


def best_of(fn, repeat):
    fn()  # warm-up: compiles, fills caches and pools
    fn()  # a second call: lazulite queues the wide code of kernels whose first call ran narrow code
    steady()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def settle():
    """A pause before timing each library: the worker threads of the library timed just before spin-wait
    for a while after their last call (OpenBLAS's for about 0.1 s, XLA's Eigen pool briefly), and in
    that window they take a core from whatever is timed next (on the 2-core machine lazulite's 256^2
    matmul took 4-8 ms, one 4 ms scheduler tick or two, right after NumPy's, and 0.2-0.3 ms after a
    pause). Each library is timed with the others' threads idle."""
    time.sleep(0.25)


def jax_fn(f, *args):
    jf = jax.jit(f)
    dev = [jnp.asarray(a) for a in args]
    return lambda: jf(*dev).block_until_ready()


def workloads(n, side, dtype):
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    x, y = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
    m = rng.standard_normal((side, side)).astype(dtype)
    u, v = rng.standard_normal(side).astype(dtype), rng.standard_normal(side).astype(dtype)
    la, lb, lc, lx, ly, lm, lu, lv = (lz.asarray(t) for t in (a, b, c, x, y, m, u, v))

    # softmax and log-softmax written once for any array namespace with max/sum/exp/log functions
    def softmax(xp, t):
        e = xp.exp(t - xp.max(t, axis=-1, keepdims=True))
        return e / xp.sum(e, axis=-1, keepdims=True)

    def log_softmax(xp, t):
        z = t - xp.max(t, axis=-1, keepdims=True)
        return z - xp.log(xp.sum(xp.exp(z), axis=-1, keepdims=True))

    yield (
        "a*b+c",
        lambda: a * b + c,
        lambda: (la * lb + lc).compute(),
        ne and (lambda: ne.evaluate("a*b+c", local_dict={"a": a, "b": b, "c": c})),
        jax and jax_fn(lambda a, b, c: a * b + c, a, b, c),
    )
    yield (
        "sin(x)**2+cos(x)**2-exp(-x*x)",
        lambda: np.sin(x) ** 2 + np.cos(x) ** 2 - np.exp(-x * x),
        lambda: (lz.sin(lx) ** 2 + lz.cos(lx) ** 2 - lz.exp(-lx * lx)).compute(),
        ne and (lambda: ne.evaluate("sin(x)**2+cos(x)**2-exp(-x*x)", local_dict={"x": x})),
        jax and jax_fn(lambda x: jnp.sin(x) ** 2 + jnp.cos(x) ** 2 - jnp.exp(-x * x), x),
    )
    yield (
        "abs(x)**y",
        lambda: np.abs(x) ** y,
        lambda: (lz.abs(lx) ** ly).compute(),
        ne and (lambda: ne.evaluate("abs(x)**y", local_dict={"x": x, "y": y})),
        jax and jax_fn(lambda x, y: jnp.abs(x) ** y, x, y),
    )
    yield (
        "sum(x)",
        lambda: np.sum(x),
        lambda: lz.sum(lx).compute(),
        ne and (lambda: ne.evaluate("sum(x)", local_dict={"x": x})),
        jax and jax_fn(jnp.sum, x),
    )
    for fname in ("prod", "max", "min", "mean", "any", "all"):
        f_np, f_lz, f_jnp = getattr(np, fname), getattr(lz, fname), jax and getattr(jnp, fname)
        yield (
            f"{fname}(x)",
            (lambda f: lambda: f(x))(f_np),
            (lambda f: lambda: f(lx).compute())(f_lz),
            None,
            jax and jax_fn(f_jnp, x),
        )
    yield (
        f"sum(m, axis=-1) {side}x{side}",
        lambda: np.sum(m, axis=-1),
        lambda: lz.sum(lm, axis=-1).compute(),
        None,
        jax and jax_fn(lambda m: jnp.sum(m, axis=-1), m),
    )
    yield (
        f"mean(m, axis=0) {side}x{side}",
        lambda: np.mean(m, axis=0),
        lambda: lz.mean(lm, axis=0).compute(),
        None,
        jax and jax_fn(lambda m: jnp.mean(m, axis=0), m),
    )
    yield (
        "sum(sqrt(x*x+y*y))",
        lambda: np.sum(np.sqrt(x * x + y * y)),
        lambda: lz.sum(lz.sqrt(lx * lx + ly * ly)).compute(),
        ne and (lambda: ne.evaluate("sum(sqrt(x*x+y*y))", local_dict={"x": x, "y": y})),
        jax and jax_fn(lambda x, y: jnp.sum(jnp.sqrt(x * x + y * y)), x, y),
    )
    yield (
        f"softmax(m, axis=-1) {side}x{side}",
        lambda: softmax(np, m),
        lambda: softmax(lz, lm).compute(),
        None,
        jax and jax_fn(lambda t: softmax(jnp, t), m),
    )
    yield (
        f"log_softmax(m, axis=-1) {side}x{side}",
        lambda: log_softmax(np, m),
        lambda: log_softmax(lz, lm).compute(),
        None,
        jax and jax_fn(lambda t: log_softmax(jnp, t), m),
    )
    for fname in ("var", "std"):
        f_np, f_lz, f_jnp = getattr(np, fname), getattr(lz, fname), jax and getattr(jnp, fname)
        yield (
            f"{fname}(m, axis=-1) {side}x{side}",
            (lambda f: lambda: f(m, axis=-1))(f_np),
            (lambda f: lambda: f(lm, axis=-1).compute())(f_lz),
            None,
            jax and jax_fn((lambda f: lambda t: f(t, axis=-1))(f_jnp), m),
        )
        yield (
            f"{fname}(x)",
            (lambda f: lambda: f(x))(f_np),
            (lambda f: lambda: f(lx).compute())(f_lz),
            None,
            jax and jax_fn(f_jnp, x),
        )
    u2, v2 = u[:, None], v[None, :]
    yield (
        f"sum(abs(u[:,None]-v[None,:])) {side}^2",
        lambda: np.sum(np.abs(u2 - v2)),
        lambda: lz.sum(lz.abs(lu[:, None] - lv[None, :])).compute(),
        ne and (lambda: ne.evaluate("sum(abs(u2-v2))", local_dict={"u2": u2, "v2": v2})),
        jax and jax_fn(lambda u, v: jnp.sum(jnp.abs(u[:, None] - v[None, :])), u, v),
    )


# The reductions that read one array once: their time against the read-bandwidth probe.
FULL_READS = ("sum(x)", "prod(x)", "max(x)", "min(x)", "mean(x)", "any(x)", "all(x)", "sum(m, axis=-1)",
              "mean(m, axis=0)")


# Read kernels for the probe: vectorised NumPy reductions over an integer view of the array (one cheap
# op per word, the GIL released), none of which is fast on every machine, so the probe takes the best.
READ_PROBES = (("bitwise_or u64", np.uint64, np.bitwise_or.reduce), ("maximum u32", np.uint32, np.maximum.reduce),
               ("maximum u64", np.uint64, np.maximum.reduce), ("maximum u8", np.uint8, np.maximum.reduce))


def read_bandwidth(n, dtype, repeat):
    """STREAM-like read bandwidth at the rows' size: the best rate over several read kernels (see
    READ_PROBES), each run on the whole array in one thread and on one part per core in its own thread,
    best of `repeat` each. One kernel alone under-measures where NumPy's loop for it is not at the
    memory limit (bitwise_or alone read below several reductions). Returns (bytes per second, array
    bytes, the winning kernel)."""
    from concurrent.futures import ThreadPoolExecutor

    x = np.random.default_rng(2).standard_normal(n).astype(dtype)
    cores = os.cpu_count() or 1
    best = (0.0, "")
    with ThreadPoolExecutor(cores) as pool:
        for name, view, fn in READ_PROBES:
            words = x.view(view)
            parts = np.array_split(words, cores)
            t_all = best_of(lambda: list(pool.map(fn, parts)), repeat)
            t_one = best_of(lambda: fn(words), repeat)
            for t, how in ((t_all, f"{cores} threads"), (t_one, "1 thread")):
                best = max(best, (x.nbytes / t, f"{name}, {how}"))
    return best[0], x.nbytes, best[1]


# The rows that read three arrays and write a fourth: their time against the triad probe.
TRIADS = ("a*b+c",)


def triad_bandwidth(n, dtype, repeat):
    """STREAM-like triad bandwidth at the rows' size: `d[:] = a * b + c` into a preallocated (already
    touched) `d`, counted as the row counts it (three arrays read, one written: 4 * n * itemsize
    bytes, the write-allocate not counted, as STREAM does not). NumPy's kernel goes block by block
    (`np.multiply` of a block into a scratch that stays in cache, then `np.add` into `d`), so DRAM sees
    one pass over each array; the array is cut into one part per core, each on its own thread (NumPy
    releases the GIL in the loops), and into one part on one thread, best of `repeat` each; numexpr's
    `evaluate(..., out=d)` (its own blocked, threaded loop) is a second kernel when installed. Returns
    (bytes per second, bytes moved, the winning kernel)."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(3)
    a, b, c = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    d = np.empty_like(a)
    d.fill(0)  # fault the destination's pages in before timing, as STREAM does

    def part(lo, hi, block):
        tmp = np.empty(block, dtype)
        for s in range(lo, hi, block):
            e = min(s + block, hi)
            t = tmp[: e - s]
            np.multiply(a[s:e], b[s:e], out=t)
            np.add(t, c[s:e], out=d[s:e])

    cores = os.cpu_count() or 1
    cuts = [n * i // cores for i in range(cores + 1)]
    probes = []
    with ThreadPoolExecutor(cores) as pool:
        # Blocks of 128-512 KiB of scratch (in L2); smaller ones pay Python's per-block cost, larger ones
        # spill. No one size is best on every machine, so the probe takes the best.
        for block in ((128 << 10) // dtype.itemsize, (256 << 10) // dtype.itemsize, (512 << 10) // dtype.itemsize):
            blocks = [block] * cores
            probes.append((best_of(lambda: list(pool.map(part, cuts[:-1], cuts[1:], blocks)), repeat),
                           f"numpy blocked by {block}, {cores} threads"))
        probes.append((best_of(lambda: part(0, n, block), repeat), f"numpy blocked by {block}, 1 thread"))
    if ne:
        probes.append((best_of(lambda: ne.evaluate("a*b+c", local_dict={"a": a, "b": b, "c": c}, out=d),
                               repeat), f"numexpr out=, {ne.detect_number_of_cores()} threads"))
    nbytes = 4 * a.nbytes
    t, how = min(probes)
    ref = a * b + c
    assert np.array_equal(d, ref) or np.allclose(d, ref), "triad probe: wrong result"
    return nbytes / t, nbytes, how


def fft_workloads():
    """FFTs (float64 precision): the sizes are fixed, also under --quick."""
    rng = np.random.default_rng(1)
    c = rng.standard_normal(1 << 20) + 1j * rng.standard_normal(1 << 20)
    r = rng.standard_normal(1 << 20)
    m = rng.standard_normal((2048, 2048)) + 1j * rng.standard_normal((2048, 2048))
    lc, lr, lm = (lz.asarray(t) for t in (c, r, m))
    yield (
        "fft complex128 2^20",
        lambda: np.fft.fft(c),
        lambda: lz.fft.fft(lc).compute(),
        None,
        jax and jax_fn(jnp.fft.fft, c),
    )
    yield (
        "rfft float64 2^20",
        lambda: np.fft.rfft(r),
        lambda: lz.fft.rfft(lr).compute(),
        None,
        jax and jax_fn(jnp.fft.rfft, r),
    )
    yield (
        "fftn complex128 2048x2048",
        lambda: np.fft.fftn(m),
        lambda: lz.fft.fftn(lm).compute(),
        None,
        jax and jax_fn(jnp.fft.fftn, m),
    )


def matmul_workloads(quick):
    """Matmul in float32 and float64 (the --dtype flag does not apply): square 256, 1024 and 2048
    (2048 left out with --quick) and a batch of 64 products of 256x256."""
    rng = np.random.default_rng(2)
    cases = [(1, 256), (1, 1024)] + ([] if quick else [(1, 2048)]) + [(64, 256)]
    for dtype in (np.float32, np.float64):
        for batch, k in cases:
            shape = (k, k) if batch == 1 else (batch, k, k)
            a, b = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
            la, lb = lz.asarray(a), lz.asarray(b)
            name = f"matmul {np.dtype(dtype).name} " + (f"{k}^2" if batch == 1 else f"{batch}x{k}^2")
            yield (
                name,
                lambda a=a, b=b: a @ b,
                lambda la=la, lb=lb: (la @ lb).compute(),
                None,
                jax and jax_fn(jnp.matmul, a, b),
            )


def linalg_workloads(quick):
    """The linalg extension on 1000x1000 float64 (300 with --quick) and 10000 batched 3x3 solves."""
    rng = np.random.default_rng(1)
    k = 300 if quick else 1000
    m = rng.standard_normal((k, k))
    spd = m @ m.T + k * np.eye(k)
    rhs = rng.standard_normal(k)
    small = rng.standard_normal((10_000, 3, 3)) + 3 * np.eye(3)
    small_rhs = rng.standard_normal((10_000, 3, 1))
    lm, lspd, lrhs, lsmall, lsmall_rhs = (lz.asarray(t) for t in (m, spd, rhs, small, small_rhs))
    yield (f"linalg.svd {k}x{k}", lambda: np.linalg.svd(m), lambda: lz.compute_many(*lz.linalg.svd(lm)))
    yield (f"linalg.eigh {k}x{k}", lambda: np.linalg.eigh(spd),
           lambda: lz.compute_many(*lz.linalg.eigh(lspd)))
    yield (f"linalg.solve {k}x{k}, one rhs", lambda: np.linalg.solve(m, rhs),
           lambda: lz.linalg.solve(lm, lrhs).compute())
    yield (f"linalg.inv {k}x{k}", lambda: np.linalg.inv(m), lambda: lz.linalg.inv(lm).compute())
    yield (f"linalg.cholesky {k}x{k}", lambda: np.linalg.cholesky(spd),
           lambda: lz.linalg.cholesky(lspd).compute())
    yield ("linalg.solve 10000 x (3x3)", lambda: np.linalg.solve(small, small_rhs),
           lambda: lz.linalg.solve(lsmall, lsmall_rhs).compute())


def graph_build_cost(ops=10_000):
    """Microseconds to build one lazy elementwise op (no compute), next to one eager NumPy op on 8 elements."""
    x = lz.asarray(np.ones(8))
    t0 = time.perf_counter()
    y = x
    for _ in range(ops):
        y = y * 1.0001 + 0.5
    build = (time.perf_counter() - t0) / (2 * ops)
    xn = np.ones(8)
    t0 = time.perf_counter()
    yn = xn
    for _ in range(ops):
        yn = yn * 1.0001 + 0.5
    eager = (time.perf_counter() - t0) / (2 * ops)
    return build * 1e6, eager * 1e6


def chain(xp, x, n, k=0.0):
    """The issue's chain: n ops cycling mul, add, sin, mul, cos (constants depend on k)."""
    y = x
    for i in range(n):
        step = i % 5
        if step in (0, 3):
            y = y * (0.5 + k + i * 1e-3)
        elif step == 1:
            y = y + (0.25 + k + i * 1e-3)
        else:
            y = xp.sin(y) if step == 2 else xp.cos(y)
    return y


def best_compute(build, repeat):
    """Best time of `compute()` alone on freshly built graphs (the build is not timed), once warm: past
    the tier-up (a kernel is compiled on its 8th call, `LAZULITE_HOT_CALLS`), so the best of `repeat`
    neither includes the compile call nor measures only the interpreter."""
    for _ in range(10):
        build().compute()
    steady()
    times = []
    for _ in range(repeat):
        y = build()
        t0 = time.perf_counter()
        y.compute()
        times.append(time.perf_counter() - t0)
    return min(times)


def overheads(repeat):
    """Per-call overheads (issue 11): warm plan-cache hits, a mid-size chain with same/fresh constants."""
    rows = {}
    x10 = np.linspace(0.1, 1.0, 10)
    lx10 = lz.asarray(x10)
    t_np = best_of(lambda: chain(np, x10, 1000), repeat)
    t_lz = best_compute(lambda: chain(lz, lx10, 1000), repeat)
    t_jax = None
    if jax:
        f = jax.jit(lambda x: chain(jnp, x, 1000))
        dx = jnp.asarray(x10)
        t_jax = best_of(lambda: f(dx).block_until_ready(), repeat)
    rows["warm compute() 1000-op chain, 10 el"] = (t_np, t_lz, None, t_jax)
    x = np.linspace(0.1, 1.0, 1 << 16, dtype=np.float32)
    lx = lz.asarray(x)
    e = "x"  # numexpr: the same 20 ops as one expression string
    for i in range(20):
        step = i % 5
        if step in (0, 3):
            e = f"({e})*{0.5 + i * 1e-3}"
        elif step == 1:
            e = f"({e})+{0.25 + i * 1e-3}"
        else:
            e = f"{'sin' if step == 2 else 'cos'}({e})"
    t_np = best_of(lambda: chain(np, x, 20), repeat * 5)
    t_lz = best_of(lambda: chain(lz, lx, 20).compute(), repeat * 5)
    t_ne = ne and best_of(lambda: ne.evaluate(e, local_dict={"x": x}), repeat * 5)
    t_jax = None
    if jax:
        f = jax.jit(lambda x: chain(jnp, x, 20))
        dx = jnp.asarray(x)
        t_jax = best_of(lambda: f(dx).block_until_ready(), repeat * 5)
    rows["20-op chain 65536 f32, same constants"] = (t_np, t_lz, t_ne, t_jax)
    fresh = itertools.count(1)
    t_np = best_of(lambda: chain(np, x, 20, next(fresh) * 1e-7), repeat * 5)
    t_lz = best_of(lambda: chain(lz, lx, 20, next(fresh) * 1e-7).compute(), repeat * 5)
    rows["20-op chain 65536 f32, fresh constants"] = (t_np, t_lz, None, None)
    return rows


COLD_CHAIN = r"""
import sys, time, numpy as np, lazulite as lz
k = float(sys.argv[1])
x = lz.asarray(np.linspace(0.1, 1.0, 1 << 16, dtype=np.float32))
before = lz._stats()
t0 = time.perf_counter()
y = x
for i in range(20):          # mul, add, sin, mul, cos, ...; constants unique to this process
    s = i % 5
    y = y * (k + i) if s in (0, 3) else y + (k - i) if s == 1 else lz.sin(y) if s == 2 else lz.cos(y)
y.compute()
total = time.perf_counter() - t0
after = lz._stats()
print(after["compile_seconds"] - before["compile_seconds"], total)
"""

COLD_CHAIN_NUMEXPR = r"""
import sys, time, numpy as np, numexpr as ne
k = float(sys.argv[1])
x = np.linspace(0.1, 1.0, 1 << 16, dtype=np.float32)
e = "x"
for i in range(20):
    s = i % 5
    e = f"({e})*{k + i}" if s in (0, 3) else f"({e})+{k - i}" if s == 1 else f"{'sin' if s == 2 else 'cos'}({e})"
t0 = time.perf_counter()
ne.evaluate(e, local_dict={"x": x})
print(time.perf_counter() - t0)
"""

COLD_COMPILE = r"""
import sys, time, numpy as np, lazulite as lz
k = float(sys.argv[1])
x = lz.asarray(np.linspace(0.1, 1.0, 1 << 20))
y = x
for i in range(20):          # 20 ops; constants unique to this process make the kernel new
    y = (y * (k + i)) if i % 2 else (y + (k - i))
before = lz._stats()
t0 = time.perf_counter(); y.compute(); total = time.perf_counter() - t0
after = lz._stats()
print(after["compile_seconds"] - before["compile_seconds"], after["kernels_compiled"] - before["kernels_compiled"], total)
"""

PEAK_MEMORY = r"""
import sys, numpy as np
n = 1 << int(sys.argv[2])
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
x = np.random.default_rng(0).standard_normal(n)
if sys.argv[1] == "lazulite":
    import lazulite as lz
    lx = lz.asarray(x)
    warm = lz.asarray(np.ones(1 << 16))
    (lz.sqrt(lz.abs(warm * 1.5 + 2.0)) * 0.5 - 1.0).compute()
    base = status("VmRSS:")
    open("/proc/self/clear_refs", "w").write("5")
    y = lz.exp(-lz.abs(lz.sin(lx) * 0.5 + lx * lx - 1.0) * 0.25) + lz.sqrt(lz.abs(lx)) * 2.0
    y.compute()
else:
    base = status("VmRSS:")
    open("/proc/self/clear_refs", "w").write("5")
    y = np.exp(-np.abs(np.sin(x) * 0.5 + x * x - 1.0) * 0.25) + np.sqrt(np.abs(x)) * 2.0
print((status("VmHWM:") - base) / (n * 8))
"""


def run_child(code, *args):
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True)
    return [float(t) for t in out.stdout.split()]



def cold_chain_rows(samples=7):
    """The cold first call of a fresh 20-op chain in fresh processes: lazulite's (total and its compile
    time) and numexpr's, `samples` children each, alternating, medians. `main` runs this before any
    workload: then every child starts next to an idle parent with a small heap, as a user's script
    would, and the two libraries' children see the same machine (issue 11: after the full run, three
    children printed 7-10 ms where `--overheads` alone printed 3.2, see bench/README.md, branch
    `tier11`)."""
    lz_runs, ne_runs = [], []
    for i in range(samples):
        lz_runs.append(run_child(COLD_CHAIN, 5.0 + i / 7))
        if ne:
            ne_runs.append(run_child(COLD_CHAIN_NUMEXPR, 5.0 + i / 7)[0])
    lz_runs.sort(key=lambda c: c[1])
    mid = lz_runs[len(lz_runs) // 2]
    row = {"lazulite": mid[1] * 1e3, "compile": mid[0] * 1e3,
           "lazulite range": [lz_runs[0][1] * 1e3, lz_runs[-1][1] * 1e3]}
    line = (f"cold first call of a fresh 20-op chain, 65536 float32 (fresh processes, median of {samples}, "
            f"measured before the workloads): {mid[1] * 1e3:.2f} ms ({mid[0] * 1e3:.2f} ms compiling; "
            f"range {lz_runs[0][1] * 1e3:.2f}-{lz_runs[-1][1] * 1e3:.2f})")
    if ne_runs:
        ne_runs.sort()
        row["numexpr"] = ne_runs[len(ne_runs) // 2] * 1e3
        line += f"; numexpr {row['numexpr']:.2f} ms (range {ne_runs[0] * 1e3:.2f}-{ne_runs[-1] * 1e3:.2f})"
    return row, line


def print_fractions(results, names, nbytes, bw, key):
    """Each library's `nbytes / time` for the rows `names` as a fraction of the probe's `bw`, printed
    and stored in the row under `key`."""
    for name in names:
        frac = {k: nbytes / t / bw for k, t in results[name].items() if isinstance(t, float)}
        results[name][key] = frac
        print(f"  {name:36} " + "  ".join(f"{k} {v:4.0%}" for k, v in frac.items()))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2^20 elements, fewer repeats (a smoke test)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"],
                    help="dtype of the elementwise and reduction rows")
    ap.add_argument("--only", help="run only the rows whose name contains this text (or one of several, split by |)")
    ap.add_argument("--overheads", action="store_true",
                    help="run only the per-call overhead rows and the cold 20-op chain")
    args = ap.parse_args()
    log2n = 20 if args.quick else 24
    n, side, repeat = 1 << log2n, 1 << (log2n // 2), 3 if args.quick else 7
    print(f"lazulite {lz.__version__} vs numpy {np.__version__}"
          + (f", numexpr {ne.__version__} ({ne.detect_number_of_cores()} threads)" if ne else ", numexpr absent")
          + (f", jax {jax.__version__} (cpu)" if jax else ", jax absent"))
    print(f"{args.dtype}, 2^{log2n} elements, best of {repeat}, {os.cpu_count()} cores; ratio = numpy time / time\n")
    head = f"{'workload':38} {'numpy ms':>9} {'lazulite':>16} {'numexpr':>16} {'jax':>16}"
    print(head)
    print("-" * len(head))
    results = {}
    cold = None if args.only else cold_chain_rows()
    rows = itertools.chain(workloads(n, side, np.dtype(args.dtype)), fft_workloads(), matmul_workloads(args.quick))
    for name, f_np, f_lz, f_ne, f_jax in rows:
        if args.overheads or (args.only and not any(part in name for part in args.only.split("|"))):
            continue
        settle()
        t_np = best_of(f_np, repeat)
        row = {"numpy": t_np}
        cells = []
        for key, f in (("lazulite", f_lz), ("numexpr", f_ne), ("jax", f_jax)):
            if not f:
                cells.append(f"{'n/a':>16}")
                continue
            settle()
            t = best_of(f, repeat)
            row[key] = t
            cells.append(f"{t * 1e3:8.2f} ({t_np / t:4.2f}x)")
        results[name] = row
        print(f"{name:38} {t_np * 1e3:9.2f} " + " ".join(cells), flush=True)
    reads = [name for name in results if name.startswith(FULL_READS)]
    if reads:
        bw, nbytes, probe = read_bandwidth(n, np.dtype(args.dtype), repeat)
        results["read bandwidth GB/s"] = bw / 1e9
        print(f"\nread-bandwidth probe (best of NumPy read kernels: {probe}, {nbytes >> 20} MiB): "
              f"{bw / 1e9:.2f} GB/s; each reduction's bytes read / time as a fraction of it:")
        print_fractions(results, reads, nbytes, bw, "fraction of read bandwidth")
    triads = [name for name in results if name in TRIADS]
    if triads:
        bw, nbytes, probe = triad_bandwidth(n, np.dtype(args.dtype), repeat)
        results["triad bandwidth GB/s"] = bw / 1e9
        print(f"\ntriad probe (d[:] = a*b+c into a touched d, best of: {probe}; {nbytes >> 20} MiB moved): "
              f"{bw / 1e9:.2f} GB/s; each triad row's bytes moved / time as a fraction of it:")
        print_fractions(results, triads, nbytes, bw, "fraction of triad bandwidth")
    if args.only:
        return

    if not args.overheads:
        print(f"\n{'linalg (float64)':38} {'numpy ms':>9} {'lazulite':>16}")
        for name, f_np, f_lz in linalg_workloads(args.quick):
            t_np, t_lz = best_of(f_np, repeat), best_of(f_lz, repeat)
            results[name] = {"numpy": t_np, "lazulite": t_lz}
            print(f"{name:38} {t_np * 1e3:9.2f} {t_lz * 1e3:8.2f} ({t_np / t_lz:4.2f}x)", flush=True)

        build_us, eager_us = graph_build_cost()
        results["graph build us/op"] = {"lazulite": build_us, "numpy eager op on 8 elements": eager_us}
        print(f"\ngraph build per op: {build_us:.2f} us (one eager numpy op on 8 elements: {eager_us:.2f} us)")

        colds = [run_child(COLD_COMPILE, 3.0 + i / 7) for i in range(3)]
        compile_ms = sorted(c[0] * 1e3 for c in colds)[1]
        kernels = colds[0][1]
        results["cold compile 20-op chain ms"] = compile_ms
        print(f"cold compile of a fresh 20-op chain (fresh process, median of 3): {compile_ms:.2f} ms "
              f"({kernels:.0f} kernel{'s' if kernels != 1 else ''})")

    print(f"\n{'overheads':38} {'numpy ms':>9} {'lazulite':>16} {'numexpr':>16} {'jax':>16}")
    for name, ts in overheads(repeat).items():
        results[name] = dict(zip(("numpy", "lazulite", "numexpr", "jax"), ts))
        cells = [f"{'n/a':>16}" if t is None else f"{t * 1e3:8.3f} ({ts[0] / t:4.2f}x)" for t in ts[1:]]
        print(f"{name:38} {ts[0] * 1e3:9.3f} " + " ".join(cells), flush=True)
    results["cold 20-op chain 65536 f32 ms"], line = cold
    print(line)

    log2_mem = 22 if args.quick else 26
    peak_lz = run_child(PEAK_MEMORY, "lazulite", log2_mem)[0]
    peak_np = run_child(PEAK_MEMORY, "numpy", log2_mem)[0]
    results["peak memory 10-op chain (outputs)"] = {"lazulite": peak_lz, "numpy": peak_np}
    print(f"peak memory of a fused 10-op chain on 2^{log2_mem} elements, above its input, in output arrays: "
          f"lazulite {peak_lz:.2f}, numpy {peak_np:.2f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
