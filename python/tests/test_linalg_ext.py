"""The linalg extension against NumPy: values (batched, strided, real and complex), dtypes, shapes,
named tuples, and the errors of bad input. Decompositions whose factors are not unique (QR, SVD,
eigenvectors) are checked by their defining identities and against NumPy's unique parts."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz

FLOATS = ["float32", "float64", "complex64", "complex128"]


def tol(dtype):
    return 2e-4 if dtype in ("float32", "complex64") else 1e-9


def rand(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, shape)
    if dtype.startswith("complex"):
        a = a + 1j * rng.uniform(-2, 2, shape)
    return a.astype(dtype)


def spd(shape, dtype, seed):
    a = rand(shape, dtype, seed)
    n = shape[-1]
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def close(got, want, dtype, what=""):
    g = np.asarray(got)
    assert g.shape == np.shape(want), f"{what}: shape {g.shape} vs {np.shape(want)}"
    np.testing.assert_allclose(g, want, rtol=tol(dtype), atol=tol(dtype) * 10, err_msg=what)


shapes = st.sampled_from([(3, 3), (2, 4, 4), (1, 1), (5, 2, 2), (9, 9), (2, 3, 12, 12)])


@given(shape=shapes, dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16))
def test_solve_inv_det_slogdet(shape, dtype, seed):
    a = rand(shape, dtype, seed) + 3 * np.eye(shape[-1], dtype=dtype)
    b = rand(shape[:-1] + (2,), dtype, seed + 1)
    x = lz.asarray(a)
    close(lz.linalg.inv(x), np.linalg.inv(a), dtype, "inv")
    close(lz.linalg.solve(x, lz.asarray(b)), np.linalg.solve(a, b), dtype, "solve")
    close(lz.linalg.det(x), np.linalg.det(a), dtype, "det")
    sign, logabs = lz.linalg.slogdet(x)
    ws, wl = np.linalg.slogdet(a)
    close(sign, ws, dtype, "sign")
    close(logabs, wl, dtype, "logabsdet")
    assert str(logabs.dtype) == wl.dtype.name and str(sign.dtype) == dtype


def test_solve_broadcasts_and_takes_a_vector():
    a = rand((2, 1, 3, 3), "float64", 1) + 3 * np.eye(3)
    b = rand((4, 3, 2), "float64", 2)
    got = lz.linalg.solve(lz.asarray(a), lz.asarray(b))
    close(got, np.linalg.solve(a, b), "float64")
    v = rand((3,), "float64", 3)
    got = lz.linalg.solve(lz.asarray(a), lz.asarray(v))
    assert got.shape == (2, 1, 3)
    close(got, np.linalg.solve(a, v[:, None])[..., 0], "float64")
    # Mixed precision promotes; a transposed (strided) operand is read in place.
    got = lz.linalg.solve(lz.asarray(a[0, 0].T.astype("float32")), lz.asarray(v))
    assert got.dtype == lz.float64
    close(got, np.linalg.solve(a[0, 0].T, v), "float32")


@given(dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16), batch=st.sampled_from([(), (3,)]))
def test_cholesky(dtype, seed, batch):
    a = spd(batch + (4, 4), dtype, seed)
    lower = lz.linalg.cholesky(lz.asarray(a))
    close(lower, np.linalg.cholesky(a), dtype, "lower")
    upper = lz.linalg.cholesky(lz.asarray(a), upper=True)
    close(upper, np.conj(np.swapaxes(np.linalg.cholesky(a), -1, -2)), dtype, "upper")


@given(
    shape=st.sampled_from([(4, 3), (3, 5), (2, 6, 4), (1, 1), (3, 3)]),
    dtype=st.sampled_from(FLOATS),
    seed=st.integers(0, 2**16),
    full=st.booleans(),
)
def test_svd_and_qr_identities(shape, dtype, seed, full):
    a = rand(shape, dtype, seed)
    u, s, vh = lz.linalg.svd(lz.asarray(a), full_matrices=full)
    wu, ws, wvh = np.linalg.svd(a, full_matrices=full)
    assert (u.shape, s.shape, vh.shape) == (wu.shape, ws.shape, wvh.shape)
    assert str(s.dtype) == ws.dtype.name and str(u.dtype) == dtype
    close(s, ws, dtype, "S")
    close(lz.linalg.svdvals(lz.asarray(a)), ws, dtype, "svdvals")
    k = min(shape[-2:])
    un, vn = np.asarray(u)[..., :k], np.asarray(vh)[..., :k, :]
    close(un * np.asarray(s)[..., None, :] @ vn, a, dtype, "U S Vh")
    mode = "complete" if full else "reduced"
    q, r = lz.linalg.qr(lz.asarray(a), mode=mode)
    wq, wr = np.linalg.qr(a, mode=mode)
    assert (q.shape, r.shape) == (wq.shape, wr.shape)
    close(np.asarray(q) @ np.asarray(r), a, dtype, "Q R")
    close(np.abs(np.asarray(r)), np.abs(wr), dtype, "|R|")
    assert np.allclose(np.tril(np.asarray(r), -1), 0)


@given(dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16), batch=st.sampled_from([(), (2,)]))
def test_eigh_and_eig(dtype, seed, batch):
    a = rand(batch + (5, 5), dtype, seed)
    h = (a + np.conj(np.swapaxes(a, -1, -2))) / 2
    w, v = lz.linalg.eigh(lz.asarray(h))
    close(w, np.linalg.eigvalsh(h), dtype, "eigh values")
    close(lz.linalg.eigvalsh(lz.asarray(h)), np.linalg.eigvalsh(h), dtype, "eigvalsh")
    close(h @ np.asarray(v), np.asarray(v) * np.asarray(w)[..., None, :], dtype, "A V = V W")
    w, v = lz.linalg.eig(lz.asarray(a))
    complex_dtype = "complex64" if dtype in ("float32", "complex64") else "complex128"
    assert str(w.dtype) == complex_dtype and str(v.dtype) == complex_dtype
    close(a @ np.asarray(v), np.asarray(v) * np.asarray(w)[..., None, :], dtype, "A v = w v")
    key = lambda z: np.sort_complex(np.round(z, 3))  # noqa: E731
    close(key(np.asarray(lz.linalg.eigvals(lz.asarray(a)))), key(np.linalg.eigvals(a)), "float32")


def test_named_tuples():
    x = lz.asarray(spd((3, 3), "float64", 0))
    assert lz.linalg.svd(x)._fields == ("U", "S", "Vh")
    assert lz.linalg.qr(x)._fields == ("Q", "R")
    assert lz.linalg.eigh(x)._fields == ("eigenvalues", "eigenvectors")
    assert lz.linalg.eig(x)._fields == ("eigenvalues", "eigenvectors")
    assert lz.linalg.slogdet(x)._fields == ("sign", "logabsdet")


VECTOR_ORDS = [2, 1, 0, math.inf, -math.inf, 3, -1, 0.5]
MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]


@pytest.mark.parametrize("dtype", FLOATS)
def test_norms(dtype):
    a = rand((2, 3, 4), dtype, 5)
    for ord in VECTOR_ORDS:
        for axis in [None, -1, (0, 2)]:
            for keepdims in [False, True]:
                got = lz.linalg.vector_norm(lz.asarray(a), axis=axis, keepdims=keepdims, ord=ord)
                want = np.linalg.vector_norm(a, axis=axis, keepdims=keepdims, ord=ord)
                close(got, want, dtype, f"vector_norm ord={ord} axis={axis}")
                assert str(got.dtype) == want.dtype.name
    for ord in MATRIX_ORDS:
        for keepdims in [False, True]:
            got = lz.linalg.matrix_norm(lz.asarray(a), ord=ord, keepdims=keepdims)
            close(got, np.linalg.matrix_norm(a, ord=ord, keepdims=keepdims), dtype, f"matrix_norm {ord}")


@pytest.mark.parametrize("dtype", FLOATS)
def test_pinv_and_matrix_rank(dtype):
    a = rand((3, 5, 4), dtype, 9)
    a[1, :, 3] = a[1, :, 0]  # rank 3
    x = lz.asarray(a)
    close(lz.linalg.pinv(x), np.linalg.pinv(a), dtype, "pinv")
    assert np.array_equal(np.asarray(lz.linalg.matrix_rank(x)), np.linalg.matrix_rank(a))
    assert lz.linalg.matrix_rank(x).dtype == lz.int64
    close(lz.linalg.pinv(x, rtol=0.5), np.linalg.pinv(a, rcond=0.5), dtype, "pinv rtol")
    rt = np.array([0.1, 0.5, 0.9])
    want = np.linalg.matrix_rank(a, rtol=rt)
    assert np.array_equal(np.asarray(lz.linalg.matrix_rank(x, rtol=lz.asarray(rt))), want)


def test_diagonal_trace_outer_cross_matrix_power():
    a = rand((2, 3, 4), "float64", 4)
    for k in [-3, -1, 0, 1, 3, 5]:
        close(lz.linalg.diagonal(lz.asarray(a), offset=k), np.diagonal(a, k, -2, -1), "float64")
        close(lz.linalg.trace(lz.asarray(a), offset=k), np.trace(a, k, -2, -1), "float64")
    i = np.arange(12, dtype=np.int32).reshape(3, 4)
    t = lz.linalg.trace(lz.asarray(i))
    assert str(t.dtype) == np.trace(i).dtype.name and int(t) == np.trace(i)
    assert lz.linalg.trace(lz.asarray(i), dtype=lz.float64).dtype == lz.float64
    u, v = rand((4,), "float64", 1), np.arange(3, dtype=np.float32)
    close(lz.linalg.outer(lz.asarray(u), lz.asarray(v)), np.outer(u, v), "float64")
    c1, c2 = rand((5, 3), "float64", 2), rand((3,), "float64", 3)
    close(lz.linalg.cross(lz.asarray(c1), lz.asarray(c2)), np.cross(c1, c2), "float64")
    c3 = rand((3, 2), "float64", 6)
    close(lz.linalg.cross(lz.asarray(c3), lz.asarray(c3[::-1]), axis=-2), np.cross(c3, c3[::-1], axis=0), "float64")
    m = rand((2, 3, 3), "float64", 7) + 2 * np.eye(3)
    for n in [0, 1, 2, 5, -1, -3]:
        close(lz.linalg.matrix_power(lz.asarray(m), n), np.linalg.matrix_power(m, n), "float64", f"n={n}")


def test_aliases_and_names():
    assert lz.linalg.matmul is lz.matmul and lz.linalg.vecdot is lz.vecdot
    assert lz.linalg.tensordot is lz.tensordot and lz.linalg.matrix_transpose is lz.matrix_transpose
    public = {n for n in dir(lz.linalg) if not n.startswith("_") and callable(getattr(lz.linalg, n))}
    assert set(lz.linalg.__all__) <= public and len(lz.linalg.__all__) == 25
    assert "linalg" in dir(lz) and "linalg" in lz.__all__


def test_errors_name_the_function():
    ints = lz.asarray(np.eye(3, dtype=np.int64))
    for f in [lz.linalg.inv, lz.linalg.det, lz.linalg.svd, lz.linalg.eigh, lz.linalg.cholesky,
              lz.linalg.svdvals, lz.linalg.pinv, lz.linalg.matrix_rank, lz.linalg.matrix_norm,
              lz.linalg.vector_norm, lz.linalg.eig, lz.linalg.qr, lz.linalg.slogdet]:
        with pytest.raises(TypeError, match=f.__name__):
            f(ints)
    rect = lz.asarray(np.ones((2, 3)))
    for f in [lz.linalg.inv, lz.linalg.det, lz.linalg.eigh, lz.linalg.cholesky, lz.linalg.eig]:
        with pytest.raises(ValueError, match=f.__name__):
            f(rect)
    with pytest.raises(ValueError, match="solve"):
        lz.linalg.solve(lz.asarray(np.eye(3)), lz.asarray(np.ones(4)))
    singular = lz.asarray(np.ones((3, 3)))
    for f in [lz.linalg.inv, lambda x: lz.linalg.solve(x, lz.asarray(np.ones(3)))]:
        with pytest.raises(ValueError, match="singular"):
            f(singular).compute()
    assert float(lz.linalg.det(singular)) == 0.0
    big = lz.asarray(np.ones((10, 10)))
    assert float(lz.linalg.det(big)) == 0.0
    assert tuple(map(float, lz.linalg.slogdet(big))) == (0.0, -math.inf)
    with pytest.raises(ValueError, match="cholesky.*positive definite"):
        lz.linalg.cholesky(lz.asarray(np.array([[1.0, 2.0], [2.0, 1.0]]))).compute()
    with pytest.raises(ValueError, match="svd.*converge"):
        lz.linalg.svd(lz.asarray(np.full((3, 3), np.nan))).S.compute()
    with pytest.raises(ValueError, match="qr: mode"):
        lz.linalg.qr(lz.asarray(np.eye(2)), mode="r")
    with pytest.raises(ValueError, match="matrix_norm"):
        lz.linalg.matrix_norm(lz.asarray(np.eye(2)), ord=3)
    with pytest.raises(ValueError, match="cross"):
        lz.linalg.cross(lz.asarray(np.ones((2, 4))), lz.asarray(np.ones((2, 4))))
    with pytest.raises(ValueError, match="outer"):
        lz.linalg.outer(lz.asarray(np.ones((2, 2))), lz.asarray(np.ones(2)))


def test_outputs_of_one_call_fuse_with_their_consumers():
    a = rand((6, 4), "float64", 11)
    u, s, vh = lz.linalg.svd(lz.asarray(a), full_matrices=False)
    rec = lz.matmul(u * s[None, :], vh)
    plan = lz.explain(rec)
    assert plan.count("extern svd") == 1, plan
    close(rec, a, "float64")


def test_huge_and_tiny_values_are_scaled_not_failed():
    for v in [4.7403759540545894e153, 1e-160]:
        a = np.full((4, 4), v) + np.diag([v, 0, 0, 0])
        np.testing.assert_allclose(np.asarray(lz.linalg.svdvals(lz.asarray(a))), np.linalg.svd(a, compute_uv=False), rtol=1e-12, atol=v * 1e-13)
        h = a + a.T
        np.testing.assert_allclose(np.asarray(lz.linalg.eigvalsh(lz.asarray(h))), np.linalg.eigvalsh(h), rtol=1e-12, atol=v * 1e-13)
