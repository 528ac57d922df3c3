"""The functions of ``lazulite.chunked``: elementwise (fused programs), reductions (fused when their
axes are whole in each chunk, else tree reductions), softmax, scans, matmul (blocked) and creation
(indexing and movement: ``_movement``).

Every function first applies the lazulite function of the same name to *meta* arrays (``meta_of``), so
dtypes, promotion, argument checks and error messages are lazulite's own.
"""

import builtins
import math

import dask.array as da
import numpy as np
from dask.array.core import normalize_chunks
from dask.array.reductions import cumreduction
from dask.base import tokenize

import lazulite as lz

from . import _memory
from ._array import ChunkedArray, _const, _meta_np, _Program, dtype_name, meta_of, np_dtype
from ._kernel import (BinopKernel, Identity, Kernel, ReduceKernel, ScanKernel, SoftmaxStats,
                      describe)


class DataDependentError(RuntimeError):
    """A function whose output shape depends on the values was called on a chunked array."""


def _lz_signature(fn):
    return getattr(fn, "__text_signature__", None)


DATA_DEPENDENT = ("nonzero", "unique_all", "unique_counts", "unique_inverse", "unique_values")


def _maps_elementwise(fn, nargs):
    """Whether lazulite's ``fn`` keeps every operand's shape (probed on lazy arrays, nothing runs)."""
    for dt in (lz.float64, lz.int64, lz.bool, lz.complex128):
        try:
            ok = all(
                getattr(fn(*[lz.zeros(shape, dtype=dt)] * nargs), "shape", None) == shape
                for shape in ((2, 3), (3, 1, 2))
            )
        except (TypeError, ValueError):
            continue
        return ok
    return False


def _elementwise_names():
    """The elementwise functions of lazulite's namespace: those taking exactly ``(x, /)`` or
    ``(x1, x2, /)`` whose result keeps the operands' shape (so not ``matmul``, ``matrix_transpose``)."""
    names = []
    for name in sorted(dir(lz._lazulite)):
        fn = getattr(lz._lazulite, name)
        sig = _lz_signature(fn)
        if name.startswith("_") or name in DATA_DEPENDENT or sig not in ("(x, /)", "(x1, x2, /)"):
            continue
        if _maps_elementwise(fn, 1 if sig == "(x, /)" else 2):
            names.append(name)
    return tuple(names)


ELEMENTWISE = _elementwise_names()
# program steps that commute with basic slicing (elementwise: each output element from the same
# position of the broadcast operands)
_SLICEABLE = frozenset(ELEMENTWISE) | {"where", "clip", "astype"}


def as_chunked(func, x, chunks="auto"):
    """``x`` as a chunked array (NumPy, lazulite, Dask arrays and ``.npy`` memmaps are imported)."""
    if isinstance(x, ChunkedArray):
        return x
    if isinstance(x, (np.ndarray, np.generic, lz.Array, da.Array, list, tuple)):
        return asarray(x, chunks=chunks)
    raise TypeError(
        f"lazulite.chunked.{func}: expected a chunked array (or a NumPy/lazulite/Dask array), got "
        f"{type(x).__name__}; convert it with lazulite.chunked.asarray"
    )


def _is_array(v):
    return isinstance(v, (ChunkedArray, np.ndarray, lz.Array, da.Array))


def _meta(v):
    return meta_of(v.shape, v.dtype) if isinstance(v, ChunkedArray) else v


def elementwise(fname, args, kwargs=None):
    """One lazulite elementwise call appended to the operands' fused program."""
    kwargs = dict(kwargs or {})
    args = [as_chunked(fname, a) if _is_array(a) else a for a in args]
    kwargs = {k: (as_chunked(fname, v) if _is_array(v) else v) for k, v in kwargs.items()}
    arrays = [v for v in list(args) + list(kwargs.values()) if isinstance(v, ChunkedArray)]
    if not arrays:
        raise TypeError(f"lazulite.chunked.{fname}: at least one argument must be an array")
    # lazulite types the call (and raises its TypeError/ValueError) on the meta arrays
    meta = getattr(lz, fname)(*[_meta(a) for a in args], **{k: _meta(v) for k, v in kwargs.items()})
    try:
        shape = np.broadcast_shapes(*[a.shape for a in arrays])
    except ValueError:
        raise ValueError(
            f"lazulite.chunked.{fname}: shapes {[a.shape for a in arrays]} do not broadcast; "
            "make the operands' trailing axes equal or 1"
        ) from None
    nd = len(shape)
    p = _Program(range(nd))

    def arg(v):
        if isinstance(v, ChunkedArray):  # right-aligned broadcasting: its axes are the trailing ones
            return p.add_array(v, tuple(range(nd - v.ndim, nd)))
        return _const(fname, v)

    step = (fname, tuple(arg(a) for a in args), tuple((k, arg(v)) for k, v in kwargs.items()))
    out = ("v", p.add_step(step))
    return p.array(out, shape, meta.dtype, tuple(range(nd)))


def _make_elementwise(fname):
    lzfn = getattr(lz, fname)
    if _lz_signature(lzfn) == "(x, /)":

        def f(x, /):
            return elementwise(fname, (x,))
    else:

        def f(x1, x2, /):
            return elementwise(fname, (x1, x2))

    f.__name__ = f.__qualname__ = fname
    f.__doc__ = f"Chunked ``{fname}``: fused into its consumers' kernel. " + (lzfn.__doc__ or "")
    return f


def where(condition, x1, x2, /):
    return elementwise("where", (condition, x1, x2))


def clip(x, /, min=None, max=None):  # noqa: A002
    return elementwise("clip", (x,), {"min": min, "max": max})


def astype(x, dtype, /, *, copy=True, device=None):
    x = as_chunked("astype", x)
    if device not in (None, lz.cpu):
        raise ValueError(f"astype: unsupported device {device!r}; lazulite.cpu is the only one")
    if dtype == x.dtype and not copy:
        return x
    return elementwise("astype", (x, dtype))


# ---- reductions ---------------------------------------------------------------------------------------
def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(sorted(a % ndim for a in axis))


def _chunk_local(x, labels, keepdims, merge=True):
    """Whether a reduction of ``x`` over the axes ``labels`` runs inside each chunk (fused into the
    program, no tree): when every leaf already has those axes in one chunk, or, for ``keepdims=True``
    results that keep another axis (row statistics broadcast back, as in softmax), when merging each
    leaf's chunks along them (other axes' chunks unchanged: each block moves once) fits one "auto" chunk
    of the memory budget."""
    multi = [(leaf, ind) for leaf, ind in zip(x._leaves, x._lind)
             if builtins.any(lab in labels and leaf.numblocks[d] > 1 for d, lab in enumerate(ind))]
    if not multi:
        return True
    if not merge or not keepdims or builtins.all(lab in labels or n == 1 for lab, n in zip(x._oind, x.shape)):
        return False
    limit = _memory.chunk_limit()
    for leaf, ind in multi:
        merged = leaf.dtype.itemsize * math.prod(
            leaf.shape[d] if lab in labels else builtins.max(leaf.chunks[d], default=0)
            for d, lab in enumerate(ind))
        if merged > limit:
            return False
    return True


def _reduce(fname, x, axis, keepdims, **kw):
    x = as_chunked(fname, x)
    kw = {k: v for k, v in kw.items() if v is not None}
    r = getattr(lz, fname)(meta_of(x.shape, x.dtype), axis=axis, keepdims=keepdims, **kw)
    axes = _axes(axis, x.ndim)
    shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape) if keepdims or i not in axes)
    if fname in ("sum", "prod"):
        kw["dtype"] = r.dtype  # partials and combines keep the result dtype
    const_kw = tuple((k, _const(fname, v)) for k, v in kw.items())
    labels = {x._oind[a] for a in axes}
    if not axes or _chunk_local(x, labels, keepdims):
        # one more step of the program: lazulite fuses it with its producers and consumers
        oind = tuple(lab for i, lab in enumerate(x._oind) if keepdims or i not in axes)
        return x._with_step(fname, (("axis", ("c", axes)), ("keepdims", ("c", keepdims))) + const_kw,
                            shape, r.dtype, oind, whole=labels)
    first = x._with_step(fname, (("axis", ("c", axes)), ("keepdims", ("c", True))) + const_kw,
                         tuple(1 if i in axes else s for i, s in enumerate(x.shape)), r.dtype,
                         x._oind)
    partial = first._lower(partial=labels)
    rk = ReduceKernel(fname, const_kw)
    d = da.reduction(
        partial, chunk=Identity(), combine=rk, aggregate=rk, axis=axes, keepdims=keepdims,
        dtype=np_dtype(r.dtype), meta=_meta_np(len(shape), r.dtype), concatenate=True,
        # Dask fuses the kernel into the first stage; its tasks keep the kernel's name
        name=partial.name.split("-")[0],
    )
    return ChunkedArray.from_dask(d)


def sum(x, /, *, axis=None, dtype=None, keepdims=False):  # noqa: A001
    return _reduce("sum", x, axis, keepdims, dtype=dtype)


def prod(x, /, *, axis=None, dtype=None, keepdims=False):
    return _reduce("prod", x, axis, keepdims, dtype=dtype)


def min(x, /, *, axis=None, keepdims=False):  # noqa: A001
    return _reduce("min", x, axis, keepdims)


def max(x, /, *, axis=None, keepdims=False):  # noqa: A001
    return _reduce("max", x, axis, keepdims)


def any(x, /, *, axis=None, keepdims=False):  # noqa: A001
    return _reduce("any", x, axis, keepdims)


def all(x, /, *, axis=None, keepdims=False):  # noqa: A001
    return _reduce("all", x, axis, keepdims)


def softmax(x, /, *, axis=-1):
    """``exp(x - max(x)) / sum(exp(x - max(x)))`` along ``axis`` (a real floating array).

    When ``axis`` is whole in each chunk this is ONE lazulite computation per chunk (``exp`` once).
    Otherwise two passes over ``x`` (no rechunking, so no block moves): per-chunk statistics
    (row max ``m`` and ``s = sum(exp(x - m))``, one kernel) combined online across chunks
    (``M = max(m1, m2)``, ``S = s1*exp(m1 - M) + s2*exp(m2 - M)``), then ``exp(x - M) / S``.

    >>> import numpy as np, lazulite.chunked as xc
    >>> x = xc.asarray(np.log(np.array([[1.0, 3.0], [2.0, 2.0]])), chunks=(1, 1))
    >>> xc.softmax(x, axis=1).to_numpy()
    array([[0.25, 0.75],
           [0.5 , 0.5 ]])
    """
    x = as_chunked("softmax", x)
    if x.dtype not in (lz.float32, lz.float64):
        raise TypeError(f"lazulite.chunked.softmax: x must be a real floating array, got "
                        f"{dtype_name(x.dtype)}; convert it first (xc.astype(x, xc.float64))")
    if x.ndim == 0:
        raise ValueError("lazulite.chunked.softmax: x must have at least one axis, got a 0-d array")
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"lazulite.chunked.softmax: axis must be an int, got {type(axis).__name__}")
    if not -x.ndim <= axis < x.ndim:
        raise IndexError(f"lazulite.chunked.softmax: axis {axis} is out of bounds for an array of "
                         f"{x.ndim} dimensions; valid axes are {-x.ndim} to {x.ndim - 1}")
    ax = axis % x.ndim
    # no merging here: two passes without moving x (measured faster on a cluster than merging the
    # rows' chunks, which moves x between workers; bench/README.md)
    if _chunk_local(x, {x._oind[ax]}, True, merge=False):
        e = elementwise("exp", (x - max(x, axis=ax, keepdims=True),))
        return e / sum(e, axis=ax, keepdims=True)
    # pass 1: per-chunk (m, s) stacked on a new leading axis, then an online tree combination
    p = _Program()
    xin = p.add_array(x)
    m = ("v", p.add_step(("max", (xin,), (("axis", ("c", ax)), ("keepdims", ("c", True))))))
    d = ("v", p.add_step(("subtract", (xin, m), ())))
    e = ("v", p.add_step(("exp", (d,), ())))
    s = ("v", p.add_step(("sum", (e,), (("axis", ("c", ax)), ("keepdims", ("c", True))))))
    out = ("v", p.add_step(("stack", (("t", (m, s)),), (("axis", ("c", 0)),))))
    label = p.fresh_label()
    shape = (2,) + tuple(1 if i == ax else n for i, n in enumerate(x.shape))
    stats = p.array(out, shape, x.dtype, (label,) + x._oind)
    partial = stats._lower(partial={x._oind[ax]}, label="lz_softmax_stats")
    d = da.reduction(
        partial, chunk=Identity(), combine=SoftmaxStats(), aggregate=SoftmaxStats(), axis=ax + 1,
        keepdims=True, dtype=np_dtype(x.dtype), meta=_meta_np(x.ndim + 1, x.dtype), concatenate=True,
        name="lz_softmax_stats",
    )
    stats = ChunkedArray.from_dask(d)
    # pass 2: one kernel per chunk
    return elementwise("exp", (x - stats[0],)) / stats[1]


def _count(x, axis):
    return math.prod(x.shape[a] for a in _axes(axis, x.ndim))


def mean(x, /, *, axis=None, keepdims=False):
    x = as_chunked("mean", x)
    lz.mean(meta_of(x.shape, x.dtype), axis=axis, keepdims=keepdims)
    return sum(x, axis=axis, keepdims=keepdims) / _count(x, axis)


def var(x, /, *, axis=None, correction=0.0, keepdims=False):
    """Two passes (mean, then the centred sum of squares): no cancellation of ``E[x^2] - E[x]^2``."""
    x = as_chunked("var", x)
    lz.var(meta_of(x.shape, x.dtype), axis=axis, correction=correction, keepdims=keepdims)
    axes = _axes(axis, x.ndim)
    d = x - mean(x, axis=axes, keepdims=True)
    n = _count(x, axes) - correction
    return sum(d * d, axis=axes, keepdims=keepdims) / (n if n > 0 else 0.0)


def std(x, /, *, axis=None, correction=0.0, keepdims=False):
    x = as_chunked("std", x)
    lz.std(meta_of(x.shape, x.dtype), axis=axis, correction=correction, keepdims=keepdims)
    return elementwise("sqrt", (var(x, axis=axis, correction=correction, keepdims=keepdims),))


def _scan(fname, binop, ident, x, axis, dtype, include_initial):
    x = as_chunked(fname, x)
    r = getattr(lz, fname)(meta_of(x.shape, x.dtype), axis=axis, dtype=dtype,
                           include_initial=include_initial)
    ax = 0 if axis is None else axis % x.ndim
    out_dt = np_dtype(r.dtype)
    d = cumreduction(ScanKernel(fname), BinopKernel(binop), ident, x.to_dask(), axis=ax,
                     dtype=out_dt, method="sequential")
    if include_initial:
        shape = list(x.shape)
        shape[ax] = 1
        first = da.full(tuple(shape), ident, dtype=out_dt, chunks=tuple(shape))
        d = da.concatenate([first, d], axis=ax)
    return ChunkedArray.from_dask(d)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    return _scan("cumulative_sum", "add", 0, x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    return _scan("cumulative_prod", "multiply", 1, x, axis, dtype, include_initial)


# ---- matmul -----------------------------------------------------------------------------------------
def matmul(x1, x2, /):
    """Blocked: one lazulite ``matmul`` per pair of blocks (never concatenated along k), then a tree sum
    of the partial products over k."""
    a, b = as_chunked("matmul", x1), as_chunked("matmul", x2)
    r = lz.matmul(meta_of(a.shape, a.dtype), meta_of(b.shape, b.dtype))
    ka = a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if ka != kb:
        raise ValueError(
            f"matmul: x1's last axis ({ka}, shape {a.shape}) must equal x2's "
            f"{'only' if b.ndim == 1 else 'second-to-last'} axis ({kb}, shape {b.shape})"
        )
    ad, bd = a.to_dask(), b.to_dask()
    if a.ndim == 1:
        ad = ad[None, :]
    if b.ndim == 1:
        bd = bd[:, None]
    try:
        batch_shape = np.broadcast_shapes(ad.shape[:-2], bd.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: batch shapes of {a.shape} and {b.shape} do not broadcast") from None
    nb = len(batch_shape)
    batch = tuple(f"b{i}" for i in range(nb))
    a_ind = batch[nb - (ad.ndim - 2):] + ("i", "k")
    b_ind = batch[nb - (bd.ndim - 2):] + ("k", "j")
    desc = describe(2, [("matmul", (("i", 0), ("i", 1)), ()),
                        ("expand_dims", (("v", 0),), (("axis", ("c", -2)),))], ("v", 1))
    kernel = Kernel(desc, "lz_matmul")
    out_dt = r.dtype
    d = da.blockwise(
        kernel, batch + ("i", "k", "j"), ad, a_ind, bd, b_ind,
        adjust_chunks={"k": 1}, dtype=np_dtype(out_dt), meta=_meta_np(nb + 3, out_dt),
        name=f"lz_matmul-{tokenize(kernel.key, ad.name, bd.name)}", concatenate=True,
    )
    from ._movement import squeeze

    out = sum(ChunkedArray.from_dask(d), axis=-2, dtype=out_dt)
    if a.ndim == 1:
        out = squeeze(out, axis=-2)
    if b.ndim == 1:
        out = squeeze(out, axis=-1)
    return out


def vecdot(x1, x2, /, *, axis=-1):
    a, b = as_chunked("vecdot", x1), as_chunked("vecdot", x2)
    lz.vecdot(meta_of(a.shape, a.dtype), meta_of(b.shape, b.dtype), axis=axis)
    if a.dtype in (lz.complex64, lz.complex128):
        a = elementwise("conj", (a,))
    return sum(a * b, axis=axis)


# ---- creation -----------------------------------------------------------------------------------------
def grid(shape, dtype, chunks="auto"):
    """Dask chunks for ``shape``: ``"auto"`` sizes them by the memory budget."""
    npdt = np_dtype(dtype)
    if chunks is None or chunks == "auto":
        return normalize_chunks("auto", tuple(shape), limit=_memory.chunk_limit(), dtype=npdt)
    return normalize_chunks(chunks, tuple(shape), dtype=npdt)


def _shape(func, shape):
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    return tuple(int(s) for s in shape)


def full(shape, fill_value, *, dtype=None, device=None, chunks="auto"):
    shape = _shape("full", shape)
    r = lz.full(shape, fill_value, dtype=dtype, device=device)  # lazy: checks, default dtypes
    return ChunkedArray.from_dask(
        da.full(shape, fill_value, dtype=np_dtype(r.dtype), chunks=grid(shape, r.dtype, chunks)))


def zeros(shape, *, dtype=None, device=None, chunks="auto"):
    shape = _shape("zeros", shape)
    r = lz.zeros(shape, dtype=dtype, device=device)
    return full(shape, False if r.dtype == lz.bool else 0, dtype=r.dtype, chunks=chunks)


def ones(shape, *, dtype=None, device=None, chunks="auto"):
    shape = _shape("ones", shape)
    r = lz.ones(shape, dtype=dtype, device=device)
    return full(shape, True if r.dtype == lz.bool else 1, dtype=r.dtype, chunks=chunks)


def empty(shape, *, dtype=None, device=None, chunks="auto"):
    return zeros(shape, dtype=dtype, device=device, chunks=chunks)


def _like(x, dtype):
    x = as_chunked("like", x)
    return x.shape, (x.dtype if dtype is None else dtype), x.to_dask().chunks


def zeros_like(x, /, *, dtype=None, device=None, chunks=None):
    shape, dt, ch = _like(x, dtype)
    return zeros(shape, dtype=dt, device=device, chunks=chunks or ch)


def ones_like(x, /, *, dtype=None, device=None, chunks=None):
    shape, dt, ch = _like(x, dtype)
    return ones(shape, dtype=dt, device=device, chunks=chunks or ch)


def empty_like(x, /, *, dtype=None, device=None, chunks=None):
    return zeros_like(x, dtype=dtype, device=device, chunks=chunks)


def full_like(x, /, fill_value, *, dtype=None, device=None, chunks=None):
    shape, dt, ch = _like(x, dtype)
    if dtype is None:
        dt = lz.full_like(meta_of(shape, dt), fill_value).dtype
    return full(shape, fill_value, dtype=dt, device=device, chunks=chunks or ch)


def arange(start, /, stop=None, step=1, *, dtype=None, device=None, chunks="auto"):
    if stop is None:
        start, stop = 0, start
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"arange: {name} must be an int or a float, got {type(v).__name__}")
    if step == 0:
        raise ValueError("arange: step must not be 0")
    if dtype is None:
        ints = builtins.all(isinstance(v, int) for v in (start, stop, step))
        dtype = lz.int64 if ints else lz.float64
    n = builtins.max(0, math.ceil((stop - start) / step))
    lz.zeros((0,), dtype=dtype, device=device)
    d = da.arange(start, start + n * step, step, dtype=np_dtype(dtype),
                  chunks=grid((n,), dtype, chunks)[0])
    return ChunkedArray.from_dask(d[:n])


def linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True, chunks="auto"):
    r = lz.linspace(start, stop, 0, dtype=dtype, device=device, endpoint=endpoint)
    if isinstance(num, bool) or not isinstance(num, int) or num < 0:
        raise ValueError(f"linspace: num must be a non-negative int, got {num!r}")
    d = da.linspace(start, stop, num, endpoint=endpoint, dtype=np_dtype(r.dtype),
                    chunks=grid((num,), r.dtype, chunks)[0])
    return ChunkedArray.from_dask(d)


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None, chunks="auto"):
    r = lz.eye(1, 1, k=0, dtype=dtype, device=device)
    m = n_rows if n_cols is None else n_cols
    ch = grid((n_rows, m), r.dtype, chunks)
    d = da.eye(n_rows, chunks=builtins.max(ch[0][0] if ch[0] else 1, 1), M=m, k=k,
               dtype=np_dtype(r.dtype))
    return ChunkedArray.from_dask(d)


def asarray(obj, /, *, dtype=None, device=None, copy=None, chunks="auto"):
    """A chunked array from a chunked, Dask, Zarr, NumPy (``.npy`` memmaps stay on disk) or lazulite
    array, or from Python scalars and sequences. ``chunks="auto"`` sizes chunks by the memory budget."""
    from . import _io

    if device not in (None, lz.cpu):
        raise ValueError(f"asarray: unsupported device {device!r}; lazulite.cpu is the only one")
    if isinstance(obj, ChunkedArray):
        x = obj if chunks in (None, "auto") else obj.rechunk(chunks)
    elif isinstance(obj, da.Array):
        x = ChunkedArray.from_dask(obj if chunks in (None, "auto") else obj.rechunk(chunks))
    elif _io.is_zarr(obj):
        x = _io.from_zarr(obj, chunks=None if chunks == "auto" else chunks)
    elif isinstance(obj, np.memmap) and _io.memmap_file(obj) is not None:
        x = _io.from_memmap(obj, chunks=chunks)
    else:
        if isinstance(obj, np.ndarray):
            a = obj
            from ._array import lz_dtype

            lz_dtype(a.dtype)
        else:
            a = np.asarray(lz.asarray(obj, dtype=dtype))
        dt = lz.asarray(np.empty((0,), a.dtype)).dtype
        d = da.from_array(a, chunks=grid(a.shape, dt, chunks))
        x = ChunkedArray.from_dask(d)
    if dtype is not None and x.dtype != dtype:
        x = astype(x, dtype)
    return x


# ---- what a chunked array cannot do without computing -------------------------------------------------
def _data_dependent(name):
    def f(*args, **kwargs):
        raise DataDependentError(
            f"lazulite.chunked.{name}: the output shape depends on the values, which a chunked array "
            f"does not know before it is computed; compute first: lazulite.{name}(x.compute()) "
            "(a single-machine lazulite array), or reduce to what fits in memory before computing"
        )

    f.__name__ = f.__qualname__ = name
    return f




__all__ = ["ELEMENTWISE", "DATA_DEPENDENT", "DataDependentError", "dtype_name", "Identity"]
