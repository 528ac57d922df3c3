"""lazulite vs NumPy, numexpr and JAX (CPU) on the same workloads, in one run.

Prints the best-of-N time of each workload per library and its speed-up over NumPy (NumPy time divided by
the library's time: above 1 is faster than NumPy). float64 unless `--dtype float32` (the elementwise and
reduction rows; FFT and linalg stay as they are); 2^24 elements unless said; the FFT rows have fixed sizes
(2^20 points, 2048x2048), and so do the matmul rows (float32 and float64 both). `--only TEXT` runs just the rows whose name contains TEXT (and skips the
linalg, graph-build, cold-compile and memory sections).

    make bench                  # or: .venv/bin/python bench/run.py [--quick] [--dtype float32] [--only sin] [--json out.json]
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


def best_of(fn, repeat):
    fn()  # warm-up: compiles, fills caches and pools
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


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

    def np_softmax(t):
        e = np.exp(t - t.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def lz_softmax(t):
        e = lz.exp(t - lz.max(t, axis=-1, keepdims=True))
        return e / lz.sum(e, axis=-1, keepdims=True)

    def jnp_softmax(t):
        e = jnp.exp(t - t.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

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
        "sum(x)",
        lambda: np.sum(x),
        lambda: lz.sum(lx).compute(),
        ne and (lambda: ne.evaluate("sum(x)", local_dict={"x": x})),
        jax and jax_fn(jnp.sum, x),
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
        lambda: np_softmax(m),
        lambda: lz_softmax(lm).compute(),
        None,
        jax and jax_fn(jnp_softmax, m),
    )
    u2, v2 = u[:, None], v[None, :]
    yield (
        f"sum(abs(u[:,None]-v[None,:])) {side}^2",
        lambda: np.sum(np.abs(u2 - v2)),
        lambda: lz.sum(lz.abs(lu[:, None] - lv[None, :])).compute(),
        ne and (lambda: ne.evaluate("sum(abs(u2-v2))", local_dict={"u2": u2, "v2": v2})),
        jax and jax_fn(lambda u, v: jnp.sum(jnp.abs(u[:, None] - v[None, :])), u, v),
    )


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2^20 elements, fewer repeats (a smoke test)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"],
                    help="dtype of the elementwise and reduction rows")
    ap.add_argument("--only", help="run only the rows whose name contains this text")
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
    rows = itertools.chain(workloads(n, side, np.dtype(args.dtype)), fft_workloads(), matmul_workloads(args.quick))
    for name, f_np, f_lz, f_ne, f_jax in rows:
        if args.only and args.only not in name:
            continue
        t_np = best_of(f_np, repeat)
        row = {"numpy": t_np}
        cells = []
        for key, f in (("lazulite", f_lz), ("numexpr", f_ne), ("jax", f_jax)):
            if not f:
                cells.append(f"{'n/a':>16}")
                continue
            t = best_of(f, repeat)
            row[key] = t
            cells.append(f"{t * 1e3:8.2f} ({t_np / t:4.2f}x)")
        results[name] = row
        print(f"{name:38} {t_np * 1e3:9.2f} " + " ".join(cells), flush=True)
    if args.only:
        return

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
