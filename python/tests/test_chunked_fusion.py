"""lazulite.chunked fusion across movement and row reductions: slicing, permute_dims, expand_dims,
squeeze and reductions whose axes lie whole in each chunk become steps of ONE lazulite computation per
chunk (softmax over rows included); values against NumPy over many chunkings on Dask's threads."""

import numpy as np
import pytest
from dask.utils import key_split
from hypothesis import given, settings
from hypothesis import strategies as st

import lazulite.chunked as xc
from _support import chunked_close as close
from _support import threaded_scheduler  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def kernel_layers(x):
    """The Dask layers of ``x``'s graph that run lazulite kernels on the chunks."""
    return [name for name in x.to_dask().__dask_graph__().layers if name.startswith("lz_")]


def softmax(xp, m, axis=1):
    e = xp.exp(m - xp.max(m, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


# ---- softmax over rows ---------------------------------------------------------------------------------
def test_softmax_with_whole_rows_is_one_kernel_per_chunk():
    a = np.random.default_rng(1).standard_normal((10, 7)) * 3
    m = xc.asarray(a, chunks=(3, 7))
    r = softmax(xc, m)
    layers = kernel_layers(r)
    assert len(layers) == 1, layers
    assert key_split(layers[0]) == "lz_max_subtract_exp_sum_etc"
    graph = r.to_dask().__dask_graph__()
    assert len([k for k in graph if key_split(k).startswith("lz_")]) == r.to_dask().npartitions == 4
    # exp is one step of the program (the sum and the division share it)
    assert [s[0] for s in r._steps].count("exp") == 1
    close(r, softmax(np, a), rtol=1e-12)


@pytest.mark.parametrize("chunks", [(3, 2), (1, 1), (10, 3), (4, 7), (10, 7)])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_rechunks_rows_that_span_chunks(chunks, axis):
    a = np.random.default_rng(2).standard_normal((10, 7)) * 3
    m = xc.asarray(a, chunks=chunks)
    r = softmax(xc, m, axis=axis)
    assert len(kernel_layers(r)) == 1  # whole rows fit the budget: merged, then one kernel
    close(r, softmax(np, a, axis=axis), rtol=1e-12)


def test_rows_over_the_budget_use_tree_reductions():
    a = np.random.default_rng(3).standard_normal((16, 64))
    old = xc.set_memory_budget(64 * 8 * 8)  # an "auto" chunk of 64 float64: one whole row at most
    try:
        one_row = xc.asarray(a, chunks=(1, 16))  # rows merged: one step of the program
        assert not xc.max(one_row, axis=1, keepdims=True)._is_leaf()
        close(softmax(xc, one_row), softmax(np, a), rtol=1e-12)
        two_rows = xc.asarray(a, chunks=(2, 16))  # 2 whole rows exceed one chunk: a tree
        assert xc.max(two_rows, axis=1, keepdims=True)._is_leaf()
        close(softmax(xc, two_rows), softmax(np, a), rtol=1e-12)
    finally:
        xc.set_memory_budget(old)


def test_reductions_over_a_whole_axis_are_fused_both_keepdims():
    a = np.random.default_rng(4).standard_normal((9, 5, 4))
    x = xc.asarray(a, chunks=(2, 5, 3))
    for keepdims in (False, True):
        r = xc.sum(xc.sin(x), axis=1, keepdims=keepdims) * 2
        assert len(kernel_layers(r)) == 1
        close(r, np.sum(np.sin(a), axis=1, keepdims=keepdims) * 2)
        r = xc.sqrt(xc.max(x, axis=1, keepdims=keepdims) ** 2 + 1)
        close(r, np.sqrt(np.max(a, axis=1, keepdims=keepdims) ** 2 + 1))
    # standardisation along a whole axis: one kernel; along a split axis: tree reductions
    close((x - xc.mean(x, axis=1, keepdims=True)) / xc.std(x, axis=1, keepdims=True),
          (a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True), rtol=1e-10)
    close((x - xc.mean(x, axis=0)) / xc.std(x, axis=0),
          (a - a.mean(axis=0)) / a.std(axis=0), rtol=1e-10)


# ---- movement fused into the kernel -----------------------------------------------------------------------
def test_transpose_chain_is_one_kernel_per_chunk():
    a = np.random.default_rng(5).standard_normal((8, 6))
    x = xc.asarray(a, chunks=(3, 4))
    y = x.T * 2 + 1
    assert len(y._leaves) == 1 and y._leaves[0].name == x.to_dask().name
    assert len(kernel_layers(y)) == 1
    close(y, a.T * 2 + 1)
    close(xc.sum(y), np.sum(a.T * 2 + 1), rtol=1e-12)
    close(xc.sum(y, axis=0), np.sum(a.T * 2 + 1, axis=0), rtol=1e-12)
    # the same input, transposed and not, in one kernel (Dask aligns the two chunk grids)
    s = xc.asarray(a[:6, :6], chunks=(4, 2))
    z = s + s.T * xc.sin(s)
    assert len(kernel_layers(z)) == 1
    close(z, a[:6, :6] + a[:6, :6].T * np.sin(a[:6, :6]))


def test_expand_dims_squeeze_and_slicing_stay_in_the_kernel():
    a = np.random.default_rng(6).standard_normal((6, 5))
    b = np.random.default_rng(7).standard_normal((5,))
    x, y = xc.asarray(a, chunks=(4, 2)), xc.asarray(b, chunks=3)
    e = xc.expand_dims(xc.exp(x), axis=(0, 2)) + 1
    assert len(kernel_layers(e)) == 1
    close(e, np.expand_dims(np.exp(a), (0, 2)) + 1)
    s = xc.squeeze(e, axis=(0, 2)) * y
    assert len(kernel_layers(s)) == 1
    close(s, (np.exp(a) + 1) * b)
    v = (x * y + 1)[1:5:2, ::-1]
    assert len(kernel_layers(v)) == 1 and not v._steps[0][0].startswith("getitem")
    close(v, (a * b + 1)[1:5:2, ::-1])
    close((x * y)[2], (a * b)[2])
    close((x * y)[..., -1], (a * b)[..., -1])
    for key in [(None, slice(1, None)), (Ellipsis, None), (1, None, slice(None, None, -2)),
                (None, Ellipsis, 0, None)]:
        z = (x * y)[key]  # newaxis: a fused expand_dims
        assert len(kernel_layers(z)) == 1, key
        close(z, (a * b)[key])
    close(xc.squeeze(xc.sum(x, axis=1, keepdims=True), axis=1) - 1, a.sum(axis=1) - 1, rtol=1e-12)


MOVES = ["T", "slice", "expand_squeeze", "exp", "mul_b", "add_1", "row_max", "row_sum"]


def apply_moves(xp, a, b, moves):
    """A chain of movement and elementwise steps on a 2-d array (``b``: a row vector)."""
    x = a
    for mv in moves:
        if mv == "T":
            x = xp.permute_dims(x, (1, 0))
        elif mv == "slice":
            x = x[::-1, 1:] if x.shape[1] > 1 else x[::-1]
        elif mv == "expand_squeeze":
            x = xp.squeeze(xp.expand_dims(x, axis=1) * 2, axis=1)
        elif mv == "exp":
            x = xp.exp(-x * x)
        elif mv == "mul_b":
            x = x * b[: x.shape[1]] if x.shape[1] <= b.shape[0] else x * 3
        elif mv == "add_1":
            x = x + 1
        elif mv == "row_max":
            x = x - xp.max(x, axis=1, keepdims=True)
        elif mv == "row_sum":
            x = x / (1 + xp.abs(xp.sum(x, axis=1, keepdims=True)))
    return x


def chunking(n):
    return st.one_of(st.just(n), st.just(1), st.integers(1, max(1, n)))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.data())
def test_generated_movement_chains_equal_numpy(rows, cols, data):
    chunks = (data.draw(chunking(rows)), data.draw(chunking(cols)))
    moves = data.draw(st.lists(st.sampled_from(MOVES), min_size=1, max_size=6))
    red = data.draw(st.sampled_from([None, "sum", "max"]))
    rng = np.random.default_rng(rows * 10 + cols)
    a = rng.standard_normal((rows, cols))
    b = rng.standard_normal(7)
    want = apply_moves(np, a, b, moves)
    got = apply_moves(xc, xc.asarray(a, chunks=chunks), xc.asarray(b, chunks=3), moves)
    if red is not None:
        want = getattr(np, red)(want, axis=0)
        got = getattr(xc, red)(got, axis=0)
    close(got, np.asarray(want), rtol=1e-10)


# ---- xc.softmax: one kernel, or two passes with online statistics -------------------------------------
@pytest.mark.parametrize("chunks", [(3, 7), (3, 2), (1, 1), (10, 3)])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_function_equals_numpy(chunks, axis):
    a = np.random.default_rng(8).standard_normal((10, 7)) * 30  # large spread: needs the max shift
    want = softmax(np, a, axis=axis)
    close(xc.softmax(xc.asarray(a, chunks=chunks), axis=axis), want, rtol=1e-12)
    old = xc.set_memory_budget(1024)  # "auto" chunks of 16 float64: most rows do not merge
    try:
        r = xc.softmax(xc.asarray(a, chunks=chunks), axis=axis)
        close(r, want, rtol=1e-12)
        close(xc.softmax(xc.asarray(a.astype(np.float32), chunks=chunks), axis=axis),
              softmax(np, a.astype(np.float32), axis=axis), rtol=1e-5)
    finally:
        xc.set_memory_budget(old)


def test_softmax_over_split_rows_reads_x_in_two_kernels():
    a = np.random.default_rng(9).standard_normal((6, 8, 5))
    old = xc.set_memory_budget(2048)  # "auto" chunks of 32 float64: 2x8x5 rows do not merge
    try:
        x = xc.asarray(a, chunks=(2, 3, 5))
        r = xc.softmax(x, axis=1)
        names = {key_split(k) for k in r.to_dask().__dask_graph__()}
        assert "lz_softmax_stats" in names  # pass 1 (statistics), then the output kernel
        out = [n for n in names if n.startswith("lz_") and not n.startswith("lz_softmax_stats")]
        assert len(out) == 1 and "exp" in out[0], names
        close(r, softmax(np, a, axis=1), rtol=1e-12)
        close(xc.softmax(xc.asarray(a[0, :, 0], chunks=3)), softmax(np, a[0, :, 0], axis=0))
    finally:
        xc.set_memory_budget(old)


def test_softmax_errors_name_the_fix():
    with pytest.raises(TypeError, match="softmax.*real floating.*astype"):
        xc.softmax(xc.asarray(np.arange(4)))
    with pytest.raises(IndexError, match="softmax: axis 2 is out of bounds.*-2 to 1"):
        xc.softmax(xc.asarray(np.ones((2, 3))), axis=2)
    with pytest.raises(TypeError, match="softmax: axis must be an int"):
        xc.softmax(xc.asarray(np.ones((2, 3))), axis=1.5)
    with pytest.raises(ValueError, match="softmax: x must have at least one axis"):
        xc.softmax(xc.asarray(np.float64(1.0)))
