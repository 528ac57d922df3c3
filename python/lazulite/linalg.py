"""The ``linalg`` extension of the array API standard (2025.12), lazy like the rest of lazulite.

The decompositions and solvers (``cholesky``, ``inv``, ``solve``, ``det``, ``slogdet``, ``qr``, ``svd``,
``svdvals``, ``eigh``, ``eigvalsh``, ``eig``, ``eigvals``) are extern ops of the engine, run by faer
over whole stacks of matrices; an op with several outputs (``svd``'s U, S, Vh) runs once for all of
them. The other functions are compositions of namespace functions, so they fuse with their
neighbours: norms are reductions, ``pinv`` and ``matrix_rank`` are built on ``svd``/``svdvals``,
``diagonal`` is a strided view. Failures that depend on values (a singular matrix in ``inv``/``solve``,
a matrix that is not positive definite in ``cholesky``, no convergence) raise ``ValueError`` (as
NumPy's ``LinAlgError`` is one) when the result is computed.
"""

import math as _math
from collections import namedtuple as _namedtuple

from . import _lazulite as _lz
from ._lazulite import _linalg as _ext

__all__ = [
    "cholesky",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "trace",
    "vecdot",
    "vector_norm",
]

EighResult = _namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EigResult = _namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
QRResult = _namedtuple("QRResult", ["Q", "R"])
SlogdetResult = _namedtuple("SlogdetResult", ["sign", "logabsdet"])
SVDResult = _namedtuple("SVDResult", ["U", "S", "Vh"])
EighResult.__doc__ = (
    "The result of `eigh`: real ascending `eigenvalues`, orthonormal `eigenvectors` (columns)."
)
EigResult.__doc__ = (
    "The result of `eig`: complex `eigenvalues` and unit right `eigenvectors` (columns)."
)
QRResult.__doc__ = "The result of `qr`: `Q` (orthonormal columns), upper-triangular `R`; `x = Q @ R`."
SlogdetResult.__doc__ = (
    "The result of `slogdet`: the `sign` of the determinant and the log of its absolute value."
)
SVDResult.__doc__ = "The result of `svd`: `x = U @ diag(S) @ Vh`, singular values `S` descending."

# The main namespace's linear algebra functions, under the extension's names.
matmul = _lz.matmul
matrix_transpose = _lz.matrix_transpose
tensordot = _lz.tensordot
vecdot = _lz.vecdot


def _array(name, param, x):
    if not isinstance(x, _lz.Array):
        raise TypeError(
            f"{name}: {param} must be a lazulite array, got {type(x).__name__}; convert it with "
            "lazulite.asarray() first"
        )
    return x


def _floating(name, x, param="x"):
    _array(name, param, x)
    if not _lz.isdtype(x.dtype, ("real floating", "complex floating")):
        raise TypeError(
            f"{name}: {param} has dtype {x.dtype}, but {name} requires a floating-point dtype "
            "(float32, float64, complex64 or complex128); cast it with astype(x, float64) first"
        )
    return x


def _numeric(name, x, param="x"):
    _array(name, param, x)
    if not _lz.isdtype(x.dtype, "numeric"):
        raise TypeError(
            f"{name}: {param} has dtype {x.dtype}, but {name} requires a numeric dtype; cast it "
            "with astype() first"
        )
    return x


def _matrices(name, x, square=False):
    if x.ndim < 2:
        raise ValueError(
            f"{name}: x has shape {x.shape}, but {name} needs a matrix or a stack of matrices "
            "(at least two dimensions)"
        )
    if square and x.shape[-2] != x.shape[-1]:
        raise ValueError(
            f"{name}: x has shape {x.shape}, whose last two dimensions are not square; {name} "
            "needs square matrices"
        )
    return x


def _eps(dtype):
    return _lz.finfo(dtype).eps


def _real(dtype):
    return _lz.float32 if dtype in (_lz.float32, _lz.complex64) else _lz.float64


# --- decompositions and solvers (extern ops) ---------------------------------------------------


def cholesky(x, /, *, upper=False):
    """The Cholesky factor of each Hermitian positive-definite matrix in `x`.

    `x`: a floating-point array of shape `(..., M, M)`; only its lower triangle is read. Returns the
    lower-triangular `L` with `x = L @ L.mT` (conjugated for complex), or the upper factor `L.mT` when
    `upper=True`. A matrix that is not positive definite raises `ValueError` when computed.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> np.asarray(lz.linalg.cholesky(lz.asarray([[4.0, 2.0], [2.0, 5.0]])))
    array([[2., 0.],
           [1., 2.]])
    """
    return _ext.cholesky(x, bool(upper))


def det(x, /):
    """The determinant of each square matrix in `x`.

    `x`: a floating-point array of shape `(..., M, M)`; the result has shape `(...)`.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> round(float(lz.linalg.det(lz.asarray([[2.0, 1.0], [1.0, 3.0]]))), 12)
    5.0
    """
    return _ext.det(x)


def eig(x, /):
    """Eigenvalues and right eigenvectors of each general square matrix in `x`, both complex.

    `x`: a floating-point array of shape `(..., M, M)`. Returns `EigResult(eigenvalues, eigenvectors)`;
    column `i` of `eigenvectors` is the unit eigenvector of `eigenvalues[..., i]`.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> w, v = lz.linalg.eig(lz.asarray([[2.0, 0.0], [0.0, 3.0]]))
    >>> sorted(np.asarray(w).real.tolist())
    [2.0, 3.0]
    """
    return EigResult(*_ext.eig(x))


def eigvals(x, /):
    """The eigenvalues (complex) of each general square matrix in `x`.

    `x`: a floating-point array of shape `(..., M, M)`.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> sorted(np.asarray(lz.linalg.eigvals(lz.asarray([[0.0, 1.0], [-1.0, 0.0]]))).imag.tolist())
    [-1.0, 1.0]
    """
    return _ext.eigvals(x)


def eigh(x, /):
    """Eigenvalues (real, ascending) and orthonormal eigenvectors of each Hermitian matrix in `x`.

    `x`: a floating-point array of shape `(..., M, M)`; only its lower triangle is read. Returns
    `EighResult(eigenvalues, eigenvectors)`.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> w, v = lz.linalg.eigh(lz.asarray([[2.0, 1.0], [1.0, 2.0]]))
    >>> np.asarray(w)
    array([1., 3.])
    """
    return EighResult(*_ext.eigh(x))


def eigvalsh(x, /):
    """The eigenvalues of each Hermitian matrix in `x`, real and ascending.

    `x`: a floating-point array of shape `(..., M, M)`; only its lower triangle is read.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> np.asarray(lz.linalg.eigvalsh(lz.asarray([[2.0, 0.0], [0.0, -1.0]])))
    array([-1.,  2.])
    """
    return _ext.eigvalsh(x)


def inv(x, /):
    """The inverse of each square matrix in `x`.

    `x`: a floating-point array of shape `(..., M, M)`. A singular matrix raises `ValueError` when the
    result is computed.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> np.asarray(lz.linalg.inv(lz.asarray([[2.0, 0.0], [0.0, 4.0]])))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    return _ext.inv(x)


def qr(x, /, *, mode="reduced"):
    """The QR decomposition of each matrix in `x`: `Q` with orthonormal columns, `R` upper triangular.

    `x`: a floating-point array of shape `(..., M, N)`. `mode`: `'reduced'` (`Q` is `(..., M, K)` with
    `K = min(M, N)`) or `'complete'` (`Q` is `(..., M, M)`). Returns `QRResult(Q, R)`.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> q, r = lz.linalg.qr(lz.asarray([[3.0, 1.0], [4.0, 2.0]]))
    >>> bool(np.allclose(np.asarray(q @ r), [[3.0, 1.0], [4.0, 2.0]]))
    True
    """
    if not isinstance(mode, str):
        raise TypeError(f"qr: mode must be 'reduced' or 'complete', got {type(mode).__name__}")
    return QRResult(*_ext.qr(x, mode))


def slogdet(x, /):
    """The sign and the natural logarithm of the absolute value of each determinant.

    `x`: a floating-point array of shape `(..., M, M)`. Returns `SlogdetResult(sign, logabsdet)`; for a
    singular matrix the sign is 0 and `logabsdet` is -inf. Safer than `log(det(x))` for large matrices,
    whose determinant overflows.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> sign, logabsdet = lz.linalg.slogdet(lz.asarray([[-2.0, 0.0], [0.0, 1.0]]))
    >>> float(sign), round(float(logabsdet), 12) == round(float(np.log(2.0)), 12)
    (-1.0, True)
    """
    return SlogdetResult(*_ext.slogdet(x))


def solve(x1, x2, /):
    """The solution `x` of `x1 @ x = x2` for each square matrix in `x1`.

    `x1`: a floating-point array of shape `(..., M, M)`. `x2`: shape `(M,)` (one right-hand side) or
    `(..., M, K)`; the batch axes broadcast. A singular `x1` raises `ValueError` when computed.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> np.asarray(lz.linalg.solve(lz.asarray([[2.0, 0.0], [0.0, 4.0]]), lz.asarray([2.0, 2.0])))
    array([1. , 0.5])
    """
    return _ext.solve(x1, x2)


def svd(x, /, *, full_matrices=True):
    """The singular value decomposition `x = U @ diag(S) @ Vh` of each matrix in `x`.

    `x`: a floating-point array of shape `(..., M, N)`. Returns `SVDResult(U, S, Vh)` with the singular
    values `S` real and descending; `full_matrices=False` gives the reduced `U` and `Vh` (`K = min(M,
    N)` columns or rows). Computing `U`, `S` and `Vh` together (`compute_many`) runs the decomposition
    once.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> u, s, vh = lz.linalg.svd(lz.asarray([[3.0, 0.0], [0.0, -4.0]]))
    >>> np.asarray(s)
    array([4., 3.])
    """
    return SVDResult(*_ext.svd(x, bool(full_matrices)))


def svdvals(x, /):
    """The singular values of each matrix in `x`, real and descending.

    `x`: a floating-point array of shape `(..., M, N)`.
    An extern op of the engine (faer), lazy: it runs once for the whole stack when a value is
    needed.

    >>> np.asarray(lz.linalg.svdvals(lz.asarray([[0.0, 2.0], [1.0, 0.0]])))
    array([2., 1.])
    """
    return _ext.svdvals(x)


# --- compositions -------------------------------------------------------------------------------


def diagonal(x, /, *, offset=0):
    """The diagonal `offset` of each matrix in `x` (0: the main one, positive: above it).

    `x`: an array of shape `(..., M, N)`, any dtype. The result is a view (the matrix read with stride
    `N + 1`), lazy like every view.

    >>> np.asarray(lz.linalg.diagonal(lz.reshape(lz.arange(9), (3, 3)), offset=1)).tolist()
    [1, 5]
    """
    _array("diagonal", "x", x)
    _matrices("diagonal", x)
    offset = _index("diagonal", "offset", offset)
    m, n = x.shape[-2], x.shape[-1]
    if offset >= 0:
        length = max(0, min(m, n - offset))
        start = offset
    else:
        length = max(0, min(m + offset, n))
        start = -offset * n
    flat = _lz.reshape(x, (*x.shape[:-2], m * n))
    if length == 0:
        return flat[..., 0:0]
    return flat[..., start : start + (length - 1) * (n + 1) + 1 : n + 1]


def trace(x, /, *, offset=0, dtype=None):
    """The sum along the diagonal `offset` of each matrix in `x`.

    `x`: a numeric array of shape `(..., M, N)`. `dtype`: as for `sum` (int64 for signed integers,
    uint64 for unsigned ones, the array's own dtype for floating point). Lazy: a strided view and a
    fused reduction.

    >>> int(lz.linalg.trace(lz.reshape(lz.arange(9), (3, 3))))
    12
    """
    _numeric("trace", x)
    return _lz.sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


def outer(x1, x2, /):
    """The outer product of two vectors: `x1[i] * x2[j]` at `(i, j)`.

    `x1`, `x2`: 1-D numeric arrays; the result has their promoted dtype. Lazy: a broadcast multiply.

    >>> np.asarray(lz.linalg.outer(lz.asarray([1.0, 2.0]), lz.asarray([1.0, 10.0, 100.0])))
    array([[  1.,  10., 100.],
           [  2.,  20., 200.]])
    """
    _numeric("outer", x1, "x1")
    _numeric("outer", x2, "x2")
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(
            f"outer: x1 of shape {x1.shape} and x2 of shape {x2.shape}; both must be "
            "one-dimensional"
        )
    return _lz.multiply(_lz.expand_dims(x1, axis=1), _lz.expand_dims(x2, axis=0))


def cross(x1, x2, /, *, axis=-1):
    """The cross product of 3-element vectors along `axis`, broadcast over the other axes.

    `x1`, `x2`: numeric arrays whose `axis` has length 3. Lazy: element-wise products of strided views.

    >>> np.asarray(lz.linalg.cross(lz.asarray([1.0, 0.0, 0.0]), lz.asarray([0.0, 1.0, 0.0])))
    array([0., 0., 1.])
    """
    _numeric("cross", x1, "x1")
    _numeric("cross", x2, "x2")
    axis = _index("cross", "axis", axis)
    nd = min(x1.ndim, x2.ndim)
    if nd == 0 or not -nd <= axis <= -1:
        raise ValueError(
            f"cross: axis {axis} is out of range for x1 of shape {x1.shape} and x2 of shape "
            f"{x2.shape}; the axis counts from the end: give one in [-{max(nd, 1)}, -1]"
        )
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(
            f"cross: x1 of shape {x1.shape} and x2 of shape {x2.shape} must have size 3 along "
            f"axis {axis}"
        )
    a, b = _lz.broadcast_arrays(x1, x2)
    a = _lz.moveaxis(a, axis, -1)
    b = _lz.moveaxis(b, axis, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = _lz.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return _lz.moveaxis(out, -1, axis)


def _index(name, param, v):
    if isinstance(v, bool) or not hasattr(v, "__index__"):
        raise TypeError(f"{name}: {param} must be an integer, got {type(v).__name__}")
    return v.__index__()


def matrix_power(x, n, /):
    """Each square matrix in `x` raised to the integer power `n`.

    `x`: a floating-point array of shape `(..., M, M)`. `n`: an int; 0 gives the identity, a negative
    `n` inverts first. Lazy: repeated squaring with `matmul`.

    >>> np.asarray(lz.linalg.matrix_power(lz.asarray([[1.0, 1.0], [0.0, 1.0]]), 3))
    array([[1., 3.],
           [0., 1.]])
    """
    _floating("matrix_power", x)
    _matrices("matrix_power", x, square=True)
    n = _index("matrix_power", "n", n)
    if n == 0:
        eye = _lz.eye(x.shape[-1], dtype=x.dtype)
        return _lz.broadcast_to(eye, x.shape)
    if n < 0:
        x = inv(x)
        n = -n
    result = None
    base = x
    while n:
        if n & 1:
            result = base if result is None else _lz.matmul(result, base)
        n >>= 1
        if n:
            base = _lz.matmul(base, base)
    return result


def _rtol(name, x, rtol):
    """``rtol`` as an array broadcastable against the stack's batch shape plus one axis."""
    if rtol is None:
        return max(x.shape[-2], x.shape[-1]) * _eps(x.dtype)
    if isinstance(rtol, _lz.Array):
        if not _lz.isdtype(rtol.dtype, "real floating"):
            raise TypeError(f"{name}: rtol has dtype {rtol.dtype}; rtol must be real floating-point")
        return _lz.expand_dims(rtol, axis=-1)
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float)):
        raise TypeError(
            f"{name}: rtol must be a float, a real floating-point array or None, got "
            f"{type(rtol).__name__}"
        )
    return float(rtol)


def matrix_rank(x, /, *, rtol=None):
    """The rank of each matrix in `x`: the number of singular values above `rtol` times the largest.

    `x`: a floating-point array of shape `(..., M, N)`. `rtol`: a float or an array broadcastable to the
    batch shape; by default `max(M, N) * eps` of the dtype. The result is int64. Lazy, built on
    `svdvals`.

    >>> int(lz.linalg.matrix_rank(lz.asarray([[1.0, 2.0], [2.0, 4.0]])))
    1
    """
    _floating("matrix_rank", x)
    _matrices("matrix_rank", x)
    if x.shape[-1] == 0 or x.shape[-2] == 0:
        return _lz.zeros(x.shape[:-2], dtype=_lz.int64)
    s = svdvals(x)
    tol = _lz.max(s, axis=-1, keepdims=True) * _rtol("matrix_rank", x, rtol)
    return _lz.sum(_lz.astype(s > tol, _lz.int64), axis=-1)


def pinv(x, /, *, rtol=None):
    """The Moore-Penrose pseudo-inverse of each matrix in `x`, from its SVD.

    `x`: a floating-point array of shape `(..., M, N)`; the result is `(..., N, M)`. Singular values at
    or below `rtol` times the largest count as zero (default `rtol`: `max(M, N) * eps`). Lazy, built on
    `svd`.

    >>> np.asarray(lz.linalg.pinv(lz.asarray([[2.0, 0.0], [0.0, 0.0]])))
    array([[0.5, 0. ],
           [0. , 0. ]])
    """
    _floating("pinv", x)
    _matrices("pinv", x)
    m, n = x.shape[-2], x.shape[-1]
    if m == 0 or n == 0:
        return _lz.zeros((*x.shape[:-2], n, m), dtype=x.dtype)
    u, s, vh = svd(x, full_matrices=False)
    cutoff = _lz.max(s, axis=-1, keepdims=True) * _rtol("pinv", x, rtol)
    large = s > cutoff
    s_inv = _lz.where(large, 1.0 / _lz.where(large, s, 1.0), 0.0)
    if _lz.isdtype(x.dtype, "complex floating"):
        vh = _lz.conj(vh)
        u = _lz.conj(u)
        s_inv = _lz.astype(s_inv, x.dtype)
    v_scaled = _lz.matrix_transpose(vh) * _lz.expand_dims(s_inv, axis=-2)
    return _lz.matmul(v_scaled, _lz.matrix_transpose(u))


def _norm_axes(name, x, axis):
    if axis is None:
        return tuple(range(x.ndim))
    axes = (axis,) if not isinstance(axis, tuple) else axis
    out = []
    for a in axes:
        a = _index(name, "axis", a)
        if not -x.ndim <= a < max(x.ndim, 1):
            raise ValueError(
                f"{name}: axis {a} is out of bounds for an array of {x.ndim} dimensions"
            )
        out.append(a % max(x.ndim, 1))
    return tuple(out)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The vector p-norm of `x` over `axis` (all axes when None).

    `x`: a floating-point array. `ord`: any real number (2 by default), `inf` (largest absolute value),
    `-inf` (smallest) or 0 (the number of non-zero elements). `keepdims`: keep the reduced axes with
    length 1. The result is real. Lazy: a fused reduction.

    >>> float(lz.linalg.vector_norm(lz.asarray([3.0, 4.0])))
    5.0
    >>> float(lz.linalg.vector_norm(lz.asarray([3.0, -4.0]), ord=lz.inf))
    4.0
    """
    _floating("vector_norm", x)
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"vector_norm: ord must be a real number, got {type(ord).__name__}")
    axes = _norm_axes("vector_norm", x, axis)
    real = _real(x.dtype)
    a = _lz.abs(x)
    if ord == _math.inf:
        return _lz.max(a, axis=axes, keepdims=keepdims)
    if ord == -_math.inf:
        return _lz.min(a, axis=axes, keepdims=keepdims)
    if ord == 0:
        return _lz.sum(_lz.astype(a != 0, real), axis=axes, keepdims=keepdims)
    if ord == 1:
        return _lz.sum(a, axis=axes, keepdims=keepdims)
    if ord == 2:
        return _lz.sqrt(_lz.sum(a * a, axis=axes, keepdims=keepdims))
    p = float(ord)
    return _lz.sum(a**p, axis=axes, keepdims=keepdims) ** (1.0 / p)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """The norm of each matrix in `x`: `'fro'` (default), `'nuc'`, 1, -1, 2, -2, `inf` or `-inf`.

    `x`: a floating-point array of shape `(..., M, N)`. 1 and `inf` are the largest absolute column and
    row sums (-1, `-inf` the smallest), 2 and -2 the largest and smallest singular values, `'nuc'` their
    sum. `keepdims`: keep the two reduced axes with length 1. Lazy.

    >>> float(lz.linalg.matrix_norm(lz.asarray([[1.0, -2.0], [3.0, 4.0]]), ord=1))
    6.0
    """
    _floating("matrix_norm", x)
    _matrices("matrix_norm", x)
    a = _lz.abs(x)
    if ord == "fro":
        out = _lz.sqrt(_lz.sum(a * a, axis=(-2, -1)))
    elif ord == "nuc":
        out = _lz.sum(svdvals(x), axis=-1)
    elif isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord in (2, -2):
        s = svdvals(x)
        out = _lz.max(s, axis=-1) if ord == 2 else _lz.min(s, axis=-1)
    elif isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord in (1, -1):
        cols = _lz.sum(a, axis=-2)
        out = _lz.max(cols, axis=-1) if ord == 1 else _lz.min(cols, axis=-1)
    elif isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord in (_math.inf, -_math.inf):
        rows = _lz.sum(a, axis=-1)
        out = _lz.max(rows, axis=-1) if ord > 0 else _lz.min(rows, axis=-1)
    else:
        raise ValueError(
            f"matrix_norm: ord={ord!r} is not a matrix norm; use 'fro', 'nuc', 1, -1, 2, -2, inf "
            "or -inf"
        )
    if keepdims:
        out = _lz.expand_dims(out, axis=(-2, -1))
    return out
