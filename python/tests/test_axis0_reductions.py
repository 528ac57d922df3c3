"""Reductions over leading axes (`sum(m, axis=0)` of a C-order matrix and the N-D case), against NumPy.

The runtime splits such a reduction's *rows* between the threads when its output is small next to
its input (`runtime/src/reduced_split.rs`): partial results per piece of rows, combined with the
reduction's own op, then the epilogue once. The shapes here sit on both sides of that rule (the loop's
parallel threshold is 2^16 points, at least 16 input elements per partial element), every op and
dtype, with NaN, signed zeros, infinities, one row, non-contiguous inputs, keepdims and fused
epilogues. The last test reruns the same checks in a fresh process with three threads and a low
parallel threshold, so the split runs (in uneven pieces) whatever this machine's core count."""

import os
import subprocess
import sys

import numpy as np
import pytest

import lazulite as lz

# (rows, cols): around 2^16 points and around 16 rows per partial (two threads: 2 pieces)
SHAPES = [(256, 256), (255, 256), (32, 2048), (16, 4096), (4097, 17), (20000, 4), (1, 70000), (70000, 1)]
FLOATS = ["float32", "float64"]


def _data(shape, dtype, rng):
    if dtype == "bool":
        return rng.random(shape) < 0.97
    if dtype in ("int32", "int64"):
        return rng.integers(-3, 4, shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    if x.size > 10:
        flat = x.reshape(-1)
        flat[3] = np.nan
        flat[7] = -0.0
        flat[9] = np.inf
    return x


def _close(got, want, dtype):
    got = np.asarray(got)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.shape, want.dtype)
    if dtype in FLOATS:
        tol = 2e-4 if dtype == "float32" else 1e-11
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def _check_ops(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = _data(shape, dtype, rng)
    xl = lz.asarray(x)
    ops = ["sum", "prod", "max", "min"] if dtype != "bool" else ["any", "all"]
    if dtype in FLOATS:
        ops.append("mean")
    for op in ops:
        if op in ("max", "min") and shape[0] == 0:
            continue
        with np.errstate(all="ignore"):
            want = getattr(np, op)(x, axis=0)
            if op == "prod" and dtype in FLOATS:
                # values near 1 keep the product finite over many rows
                x2 = (1 + x / 64).astype(dtype)
                want = np.prod(x2, axis=0)
                _close(lz.prod(lz.asarray(x2), axis=0), want, dtype)
                continue
        _close(getattr(lz, op)(xl, axis=0), want, dtype)


def _check_max_min_signs(dtype):
    # max/min over rows of only zeros of both signs and NaN: the sign and the NaN as NumPy gives them
    x = np.zeros((300, 300), dtype)
    x[::2] = -0.0
    x[150:, 5] = np.nan
    x[:, 6] = -0.0
    for op in ("max", "min"):
        got = np.asarray(getattr(lz, op)(lz.asarray(x), axis=0))
        want = getattr(np, op)(x, axis=0)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got[6]), np.signbit(want[6]))


def _check_epilogue_and_layouts(dtype):
    rng = np.random.default_rng(3)
    m = rng.standard_normal((600, 300)).astype(dtype)
    ml = lz.asarray(m)
    _close(lz.mean(ml, axis=0) * 2 + 1, np.mean(m, axis=0) * 2 + 1, dtype)
    _close(lz.sum(ml, axis=0, keepdims=True), np.sum(m, axis=0, keepdims=True), dtype)
    _close(lz.max(ml, axis=0) - lz.min(ml, axis=0), np.max(m, axis=0) - np.min(m, axis=0), dtype)
    # the epilogue reads another input at the output's points
    v = rng.standard_normal(300).astype(dtype)
    _close(lz.sum(ml, axis=0) + lz.asarray(v), np.sum(m, axis=0) + v, dtype)
    # non-contiguous inputs: every other column, rows reversed, a transpose
    big = rng.standard_normal((700, 600)).astype(dtype)
    bl = lz.asarray(big)
    _close(lz.sum(bl[:, ::2], axis=0), np.sum(big[:, ::2], axis=0), dtype)
    _close(lz.max(bl[::-1, :], axis=0), np.max(big[::-1, :], axis=0), dtype)
    _close(lz.sum(lz.matrix_transpose(bl), axis=-1), np.sum(big.T, axis=-1), dtype)
    # N-D: the reduced axes lead
    t = rng.standard_normal((40, 30, 70)).astype(dtype)
    tl = lz.asarray(t)
    _close(lz.sum(tl, axis=(0, 1)), np.sum(t, axis=(0, 1)), dtype)
    _close(lz.mean(tl, axis=0), np.mean(t, axis=0), dtype)
    _close(lz.min(tl, axis=(0, 1), keepdims=True), np.min(t, axis=(0, 1), keepdims=True), dtype)
    # an elementwise body before the reduction
    _close(lz.sum(lz.abs(ml) * 3, axis=0), np.sum(np.abs(m) * 3, axis=0), dtype)
    # empty output and empty reduced dim
    e = np.zeros((70000, 0), dtype)
    _close(lz.sum(lz.asarray(e), axis=0), np.sum(e, axis=0), dtype)
    z = np.zeros((0, 70000), dtype)
    _close(lz.sum(lz.asarray(z), axis=0), np.sum(z, axis=0), dtype)


def _check_all():
    for shape in SHAPES:
        for dtype in FLOATS + ["int32", "int64", "bool"]:
            _check_ops(shape, dtype)
    for dtype in FLOATS:
        _check_max_min_signs(dtype)
        _check_epilogue_and_layouts(dtype)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS + ["int32", "int64", "bool"])
def test_axis0_reductions_match_numpy(shape, dtype):
    _check_ops(shape, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_axis0_max_min_keep_numpys_nan_and_signed_zero(dtype):
    _check_max_min_signs(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_axis0_epilogues_layouts_and_nd_match_numpy(dtype):
    _check_epilogue_and_layouts(dtype)


def test_axis0_reductions_split_over_three_threads():
    env = dict(os.environ, LAZULITE_THREADS="3", LAZULITE_PARALLEL_THRESHOLD="4096")
    here = os.path.dirname(os.path.abspath(__file__))
    code = f"import sys; sys.path.insert(0, {here!r}); import test_axis0_reductions as t; t._check_all()"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
