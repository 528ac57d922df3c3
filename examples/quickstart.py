"""lazulite in one page: build a lazy pipeline, look at its fused plan, check it against NumPy, time both.

Run with `make demo` (it builds everything first) or `.venv/bin/python examples/quickstart.py`.
"""

import time

import numpy as np

import lazulite as lz

N = 1 << 22
rng = np.random.default_rng(42)
x_np = rng.standard_normal(N)
y_np = rng.standard_normal(N)

# Zero-copy: lazulite reads NumPy's memory directly.
x = lz.asarray(x_np)
y = lz.asarray(y_np)

# Building the pipeline computes nothing; dtypes and shapes are known at once.
r = lz.sqrt(x * x + y * y)
score = lz.sum(lz.where(r > 1.0, lz.log(r), r * r)) / N
print(f"lazy result: dtype={score.dtype}, shape={score.shape}")

# The fused plan: all the elementwise work and the sum run as one kernel; the final `/ N` is a
# one-element kernel of its own.
print("\nfused plan:")
print(lz.explain(score))


def numpy_version():
    rn = np.sqrt(x_np * x_np + y_np * y_np)
    return np.sum(np.where(rn > 1.0, np.log(rn), rn * rn)) / N


def lazulite_version():
    rl = lz.sqrt(x * x + y * y)
    return float(lz.sum(lz.where(rl > 1.0, lz.log(rl), rl * rl)) / N)


expected = numpy_version()
got = float(score)  # materialises through the one choke point
assert abs(got - expected) <= 1e-12 * N * abs(expected), (got, expected)
print(f"result {got:.12f} matches NumPy ({expected:.12f})")


def best(fn, repeat=5):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


t_np, t_lz = best(numpy_version), best(lazulite_version)
print(f"\n{N:,} float64 elements: numpy {t_np * 1e3:.2f} ms, lazulite {t_lz * 1e3:.2f} ms "
      f"({t_np / t_lz:.2f}x numpy's speed)")
