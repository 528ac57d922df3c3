"""lazulite.chunked on Dask's threaded scheduler: every function against NumPy (the oracle) and
single-machine lazulite, over many chunkings (one chunk, size-1 chunks, uneven last chunks)."""

import pickle
import pickletools

import dask.array as da
import numpy as np
import pytest
from dask.utils import key_split
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz
import lazulite.chunked as xc
from _support import BINARY, UNARY
from _support import chunked_close as close
from _support import threaded_scheduler  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


# ---- generated programs -----------------------------------------------------------------------------
UNARY_OPS = ["sin", "exp_neg", "sqrt_abs", "square", "tanh", "negative", "abs"]
BINARY_OPS = ["add", "subtract", "multiply", "maximum", "divide_1p"]
REDUCTIONS = [None, "sum", "max", "min", "mean", "prod", "std"]


def apply_program(xp, a, b, prog):
    x = a
    for op, arg in prog:
        if op == "exp_neg":
            x = xp.exp(-x)
        elif op == "sqrt_abs":
            x = xp.sqrt(xp.abs(x))
        elif op in UNARY_OPS:
            x = getattr(xp, op)(x)
        else:
            y = {"a": a, "b": b, "s": 0.5}[arg]
            if op == "divide_1p":
                x = x / (1.0 + y * y)
            else:
                x = getattr(xp, op)(x, y)
    return x


def chunking(n):
    return st.one_of(st.just(n), st.just(1), st.integers(1, max(1, n)))


@st.composite
def programs(draw):
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=1, max_size=3)))
    chunks = tuple(draw(chunking(n)) for n in shape)
    b_shape = shape[draw(st.integers(0, len(shape) - 1)):]  # broadcasts against a
    b_chunks = tuple(draw(chunking(n)) for n in b_shape)
    prog = draw(st.lists(
        st.one_of(
            st.tuples(st.sampled_from(UNARY_OPS), st.none()),
            st.tuples(st.sampled_from(BINARY_OPS), st.sampled_from(["a", "b", "s"])),
        ),
        min_size=1, max_size=6,
    ))
    red = draw(st.sampled_from(REDUCTIONS))
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    keepdims = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return shape, chunks, b_shape, b_chunks, prog, red, axis, keepdims, seed


def run_program(xp, a, b, prog, red, axis, keepdims):
    x = apply_program(xp, a, b, prog)
    if red is not None:
        x = getattr(xp, red)(x, axis=axis, keepdims=keepdims)
    return x


@given(programs())
def test_generated_programs_equal_numpy_and_lazulite(case):
    shape, chunks, b_shape, b_chunks, prog, red, axis, keepdims, seed = case
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    b = rng.standard_normal(b_shape)
    want = np.asarray(run_program(np, a, b, prog, red, axis, keepdims))
    single = np.asarray(run_program(lz, lz.asarray(a), lz.asarray(b), prog, red, axis, keepdims))
    got = run_program(xc, xc.asarray(a, chunks=chunks), xc.asarray(b, chunks=b_chunks), prog, red,
                      axis, keepdims)
    assert got.shape == want.shape
    close(got.to_numpy(), want, rtol=1e-9)
    close(got.to_numpy(), single, rtol=1e-9)


# ---- every elementwise function -------------------------------------------------------------------
def sample(dtype, shape, rng):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith(("int", "uint")):
        return rng.integers(1, 7, shape).astype(dtype)
    if dtype.startswith("complex"):
        return rng.random(shape) + 1j * rng.random(shape)
    return (rng.random(shape) * 0.8 + 0.1).astype(dtype)


def test_elementwise_list_comes_from_lazulite():
    assert {"sin", "add", "atan2", "logical_and", "bitwise_left_shift", "hypot"} <= set(xc.ELEMENTWISE)
    assert not {"sum", "matmul", "reshape", "where", "asarray"} & set(xc.ELEMENTWISE)


@pytest.mark.parametrize("name", sorted(set(xc.ELEMENTWISE)))
def test_every_elementwise_function(name):
    rng = np.random.default_rng(1)
    nargs = 1 if lz.__dict__[name].__text_signature__ == "(x, /)" else 2
    for dtype in ["float64", "int64", "bool", "complex128"]:
        args = [sample(dtype, (7, 5), rng) for _ in range(nargs)]
        try:
            want = np.asarray(getattr(lz, name)(*[lz.asarray(a) for a in args]))
        except TypeError:
            continue
        got = getattr(xc, name)(*[xc.asarray(a, chunks=(3, 2)) for a in args]).to_numpy()
        if got.dtype.kind in "fc":
            # vector lanes and tail lanes of the inline transcendentals may differ by an ulp or two
            np.testing.assert_allclose(got, want, rtol=4 * np.finfo(got.dtype).eps, atol=0)
        else:
            np.testing.assert_array_equal(got, want)
        if name in UNARY or name in BINARY:
            ref = getattr(np, {"pow": "power", "atan2": "arctan2", "acos": "arccos", "asin": "arcsin",
                               "atan": "arctan", "acosh": "arccosh", "asinh": "arcsinh",
                               "atanh": "arctanh", "bitwise_invert": "invert",
                               "bitwise_left_shift": "left_shift", "bitwise_right_shift": "right_shift",
                               }.get(name, name))(*args)
            np.testing.assert_allclose(got, ref, rtol=1e-12, equal_nan=True)
        return
    pytest.fail(f"{name}: no dtype accepted")


def test_operators_and_scalars():
    a = np.arange(1.0, 13.0).reshape(3, 4)
    x = xc.asarray(a, chunks=(2, 3))
    close((2 - x * 3 + x / 2) ** 2, (2 - a * 3 + a / 2) ** 2)
    close(-(x // 2) % 3, -(a // 2) % 3)
    np.testing.assert_array_equal((x > 4) & (x <= 9), (a > 4) & (a <= 9))
    np.testing.assert_array_equal(abs(-x) == x, np.ones_like(a, bool))
    i = xc.asarray(np.arange(12).reshape(3, 4), chunks=2)
    np.testing.assert_array_equal((i << 1) ^ ~i, (np.arange(12).reshape(3, 4) << 1) ^ ~np.arange(12).reshape(3, 4))


def test_where_clip_astype_broadcast():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((6, 5)), rng.standard_normal((5,))
    x, y = xc.asarray(a, chunks=(4, 2)), xc.asarray(b, chunks=3)
    close(xc.where(x > y, x, 0.0), np.where(a > b, a, 0.0))
    close(xc.clip(x, -0.5, y), np.clip(a, -0.5, b))
    close(xc.clip(x, max=0.25), np.minimum(a, 0.25))
    got = xc.astype(x * 10, xc.int32).to_numpy()
    np.testing.assert_array_equal(got, np.asarray(lz.astype(lz.asarray(a * 10), lz.int32)))
    assert xc.astype(x, xc.float32).dtype == xc.float32


# ---- reductions, scans ---------------------------------------------------------------------------------
@pytest.mark.parametrize("chunks", [(7, 5), (1, 1), (3, 2), (4, 5)])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(chunks, axis, keepdims):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((7, 5))
    x = xc.asarray(a, chunks=chunks)
    for name in ("sum", "prod", "min", "max", "mean"):
        close(getattr(xc, name)(x, axis=axis, keepdims=keepdims),
              getattr(np, name)(a, axis=axis, keepdims=keepdims), rtol=1e-10)
    for name in ("var", "std"):
        close(getattr(xc, name)(x, axis=axis, keepdims=keepdims, correction=1),
              getattr(np, name)(a, axis=axis, keepdims=keepdims, ddof=1), rtol=1e-10)
    np.testing.assert_array_equal(xc.any(x > 1.5, axis=axis, keepdims=keepdims),
                                  np.any(a > 1.5, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(xc.all(x > -2, axis=axis, keepdims=keepdims),
                                  np.all(a > -2, axis=axis, keepdims=keepdims))


def test_integer_sum_dtype_follows_lazulite():
    a = np.arange(-20, 20, dtype=np.int8).reshape(8, 5)
    x = xc.asarray(a, chunks=(3, 2))
    got = xc.sum(x, axis=0)
    assert got.dtype == lz.sum(lz.asarray(a), axis=0).dtype == xc.int64
    np.testing.assert_array_equal(got, a.sum(axis=0, dtype=np.int64))
    np.testing.assert_array_equal(xc.sum(x, dtype=xc.int8), a.sum(dtype=np.int8))


@pytest.mark.parametrize("chunks", [(5, 4), (1, 1), (2, 3)])
def test_cumulative(chunks):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((5, 4))
    x = xc.asarray(a, chunks=chunks)
    for axis in (0, 1):
        close(xc.cumulative_sum(x, axis=axis), np.cumsum(a, axis=axis), rtol=1e-10)
        close(xc.cumulative_prod(x, axis=axis), np.cumprod(a, axis=axis), rtol=1e-10)
    want = np.concatenate([np.zeros((5, 1)), np.cumsum(a, axis=1)], axis=1)
    close(xc.cumulative_sum(x, axis=1, include_initial=True), want, rtol=1e-10)
    i = np.arange(10, dtype=np.int32)
    got = xc.cumulative_sum(xc.asarray(i, chunks=3))
    assert got.dtype == lz.cumulative_sum(lz.asarray(i)).dtype
    np.testing.assert_array_equal(got, np.cumsum(i))


# ---- indexing and movement ---------------------------------------------------------------------------
def test_basic_slicing():
    a = np.arange(60.0).reshape(3, 4, 5)
    x = xc.asarray(a, chunks=(2, 3, 2)) * 2
    for key in [(1,), (slice(None), 2), (Ellipsis, slice(1, None, 2)), (None, 0, slice(None, None, -1)),
                (-1, -2, -3), (slice(0, 0),), ()]:
        close(x[key], (a * 2)[key])
    with pytest.raises(IndexError, match="out of bounds"):
        x[3]
    with pytest.raises(xc.DataDependentError, match="compute first"):
        x[x > 3]
    with pytest.raises(IndexError):
        x[1.5]


def test_permute_reshape_concat_stack_squeeze():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = xc.asarray(a, chunks=(1, 2, 3))
    close(xc.permute_dims(x + 1, (2, 0, 1)), np.transpose(a + 1, (2, 0, 1)))
    close(xc.matrix_transpose(x), np.swapaxes(a, -1, -2))
    close(x[0].T, a[0].T)
    close(x.mT, np.swapaxes(a, -1, -2))
    for shape in [(6, 4), (24,), (4, -1), (2, 2, 2, 3)]:
        close(xc.reshape(x, shape), a.reshape(shape))
    with pytest.raises(ValueError, match="reshape"):
        xc.reshape(x, (5, 5))
    b = np.arange(8, dtype=np.float32).reshape(2, 1, 4)
    y = xc.asarray(b, chunks=1)
    close(xc.concat([x, y], axis=1), np.concatenate([a, b.astype(np.float64)], axis=1))
    close(xc.concat([x, x], axis=None), np.concatenate([a.ravel(), a.ravel()]))
    close(xc.stack([x, x * 2], axis=-1), np.stack([a, a * 2], axis=-1))
    close(xc.expand_dims(x, axis=1), np.expand_dims(a, 1))
    close(xc.squeeze(y, axis=1), np.squeeze(b, 1))
    with pytest.raises(ValueError, match="squeeze"):
        xc.squeeze(x, axis=0)
    close(xc.broadcast_to(y, (3, 2, 5, 4)), np.broadcast_to(b, (3, 2, 5, 4)))


@pytest.mark.parametrize("shapes,chunks", [
    (((7, 5), (5, 3)), ((3, 2), (2, 2))),
    (((7, 5), (5, 3)), ((7, 5), (5, 3))),
    (((4, 6), (6, 5)), ((1, 1), (1, 1))),
    (((2, 4, 6), (6, 3)), ((1, 3, 4), (4, 2))),
    (((6,), (6, 3)), ((4,), (4, 2))),
    (((4, 6), (6,)), ((3, 4), (5,))),
])
def test_matmul_blocked(shapes, chunks):
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    x, y = xc.asarray(a, chunks=chunks[0]), xc.asarray(b, chunks=chunks[1])
    close(x @ y, a @ b, rtol=1e-10)
    close(xc.matmul(x, y), np.asarray(lz.matmul(lz.asarray(a), lz.asarray(b))), rtol=1e-10)
    names = {key_split(k) for k in (x @ y).to_dask().__dask_graph__()}
    assert "lz_matmul" in names
    with pytest.raises(ValueError, match="matmul"):
        x @ xc.ones((7, 7))


def test_matmul_integers_keep_dtype():
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    got = xc.asarray(a, chunks=2) @ xc.asarray(a.T.copy(), chunks=2)
    assert got.dtype == xc.int32
    np.testing.assert_array_equal(got, a @ a.T)


# ---- creation ------------------------------------------------------------------------------------------
def test_creation():
    np.testing.assert_array_equal(xc.zeros((5, 3), chunks=2), np.zeros((5, 3)))
    assert xc.zeros(4).dtype == xc.float64 and xc.ones(4, dtype=xc.int8).dtype == xc.int8
    np.testing.assert_array_equal(xc.ones((4,), dtype=xc.bool), np.ones(4, bool))
    np.testing.assert_array_equal(xc.full((2, 3), 7), np.full((2, 3), 7))
    assert xc.full((2,), 7).dtype == xc.int64 and xc.full((2,), 7.0).dtype == xc.float64
    np.testing.assert_array_equal(xc.arange(10, chunks=3), np.arange(10))
    np.testing.assert_array_equal(xc.arange(1, 2, 0.25), np.arange(1, 2, 0.25))
    np.testing.assert_array_equal(xc.arange(10, 0, -3, chunks=2), np.arange(10, 0, -3))
    close(xc.linspace(0, 1, 11, chunks=4), np.linspace(0, 1, 11))
    close(xc.linspace(0, 1, 10, endpoint=False), np.linspace(0, 1, 10, endpoint=False))
    np.testing.assert_array_equal(xc.eye(4, 5, k=1, chunks=2), np.eye(4, 5, k=1))
    x = xc.asarray(np.arange(6.0), chunks=4)
    np.testing.assert_array_equal(xc.full_like(x, 2), np.full(6, 2.0))
    np.testing.assert_array_equal(xc.zeros_like(x, dtype=xc.int16), np.zeros(6, np.int16))
    assert xc.asarray([1, 2, 3]).dtype == xc.int64
    assert xc.asarray(lz.ones(3, dtype=lz.float32)).dtype == xc.float32
    assert xc.asarray(2.5).shape == ()
    with pytest.raises(ValueError):
        xc.arange(0, 10, 0)


# ---- what needs computing first, errors -------------------------------------------------------------
def test_data_dependent_functions_say_compute_first():
    caps = xc.__array_namespace_info__().capabilities()
    assert caps["data-dependent shapes"] is False and caps["boolean indexing"] is False
    x = xc.asarray(np.arange(5), chunks=2)
    for name in ("unique_values", "unique_all", "unique_counts", "unique_inverse", "nonzero"):
        with pytest.raises(xc.DataDependentError, match=rf"{name}.*compute first"):
            getattr(xc, name)(x)
    with pytest.raises(AttributeError, match="compute first"):
        xc.sort


def test_errors_are_lazulites():
    x = xc.asarray(np.arange(5), chunks=2)
    with pytest.raises(TypeError) as got:
        xc.sin(x)
    with pytest.raises(TypeError) as want:
        lz.sin(lz.asarray(np.arange(5)))
    assert str(got.value) == str(want.value)
    with pytest.raises(ValueError, match="broadcast"):
        xc.add(x, xc.ones(3, dtype=xc.int64))
    with pytest.raises(TypeError, match="at least one argument must be an array"):
        xc.add(1, 2)
    with pytest.raises(TypeError, match="immutable"):
        x[0] = 1


# ---- kernels: fused, compact, named ----------------------------------------------------------------
def test_a_chain_is_one_fused_kernel_per_chunk():
    a = np.random.default_rng(6).standard_normal((8, 6))
    x, y, z = (xc.asarray(a + i, chunks=(4, 3)) for i in range(3))
    r = xc.sqrt(xc.abs(x * y + z)) - xc.sin(x)
    d = r.to_dask()
    graph = d.__dask_graph__()
    kernel_layers = [name for name in graph.layers if name.startswith("lz_")]
    assert len(kernel_layers) == 1, graph.layers.keys()
    assert key_split(kernel_layers[0]) == "lz_multiply_add_abs_sqrt_etc"
    assert len([k for k in graph if key_split(k).startswith("lz_")]) == d.npartitions
    close(r, np.sqrt(np.abs(a * (a + 1) + a + 2)) - np.sin(a))


def test_kernel_description_is_compact_versioned_data():
    from lazulite.chunked._kernel import Kernel

    x = xc.asarray(np.ones((4, 4)), chunks=2)
    d = (xc.exp(x) * 2 + x).to_dask()
    kernels = {task.func for task in _tasks(d) if isinstance(getattr(task, "func", None), Kernel)}
    assert len(kernels) == 1
    k = kernels.pop()
    assert k.desc[:2] == ("lazulite.chunked.kernel", xc.KERNEL_DESCRIPTION_VERSION)
    blob = pickle.dumps(k)
    assert len(blob) < 600
    globals_used = {arg for op, arg, _ in pickletools.genops(blob) if op.name in ("GLOBAL", "STACK_GLOBAL") and arg}
    strings = [arg for op, arg, _ in pickletools.genops(blob) if isinstance(arg, str)]
    assert "lazulite.chunked._kernel" in strings and "Kernel" in strings
    assert not globals_used - {"lazulite.chunked._kernel Kernel"}
    k2 = pickle.loads(blob)
    assert k2.key == k.key
    np.testing.assert_array_equal(k2(np.ones((2, 2))), np.exp(np.ones((2, 2))) * 2 + 1)
    bad = ("lazulite.chunked.kernel", 99, 1, (), ("i", 0))
    with pytest.raises(ValueError, match="version 99"):
        Kernel(bad)


def _tasks(d):
    from dask._task_spec import Task

    out = []
    for v in dict(d.__dask_graph__()).values():
        if isinstance(v, Task):
            out.append(v)
            out.extend(t for t in getattr(v, "dependencies", ()) if isinstance(t, Task))
    return out


def test_memory_budget_picks_chunks_and_refuses_big_tasks():
    old = xc.set_memory_budget("1MiB")
    try:
        assert xc.memory_budget() == 2**20
        x = xc.asarray(np.zeros((512, 512)))
        assert max(x.to_dask().chunksize) < 512
        assert np.prod(x.to_dask().chunksize) * 8 <= 2**20 // 8
        np.testing.assert_array_equal((x + 1).to_numpy(), np.ones((512, 512)))
        big = xc.asarray(np.zeros((512, 512)), chunks=512)
        with pytest.raises(MemoryError, match="budget.*rechunk"):
            (big + 1).to_dask()
    finally:
        xc.set_memory_budget(old)
    with pytest.raises(ValueError, match="set_memory_budget"):
        xc.set_memory_budget("lots")


# ---- inputs and outputs ----------------------------------------------------------------------------------
def test_npy_memmap_zarr_dask_roundtrips(tmp_path):
    a = np.random.default_rng(7).standard_normal((9, 7))
    np.save(tmp_path / "a.npy", a)
    m = np.load(tmp_path / "a.npy", mmap_mode="r")
    x = xc.asarray(m, chunks=(4, 3))
    assert "npy" in x.to_dask().name
    assert len(pickle.dumps(x.to_dask().__dask_graph__())) < 20_000
    close(xc.from_npy(tmp_path / "a.npy", chunks=2) * 2, a * 2)
    r = xc.exp(x) - 1
    z = xc.to_zarr(r, str(tmp_path / "r.zarr"))
    assert z.chunks == (4, 3)
    back = xc.from_zarr(str(tmp_path / "r.zarr"))
    assert back.chunks == ((4, 4, 1), (3, 3, 1))
    close(back, np.exp(a) - 1)
    uneven = xc.asarray(a, chunks=((2, 7), (7,)))
    xc.to_zarr(uneven, str(tmp_path / "u.zarr"))
    close(xc.from_zarr(str(tmp_path / "u.zarr")), a)
    d = xc.to_dask(xc.asarray(da.from_array(a, chunks=3)) + 1)
    assert isinstance(d, da.Array)
    close(d.compute(), a + 1)
    close(xc.from_dask(da.ones((3, 3), chunks=2)), np.ones((3, 3)))


def test_pickle_and_compute_results():
    a = np.arange(10.0)
    x = xc.asarray(a, chunks=3) * 2
    y = pickle.loads(pickle.dumps(x))
    close(y, a * 2)
    r = x.compute()
    assert isinstance(r, lz.Array)
    close(np.asarray(r), a * 2)
    assert float(xc.sum(x)) == 90.0
    assert x.__array_namespace__() is xc
