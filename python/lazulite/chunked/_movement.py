"""Indexing and movement of chunked arrays: ``permute_dims``, ``expand_dims``, ``squeeze`` and basic
slicing of elementwise programs fuse into the kernel (relabelled axes, see ``_array._Program``);
reshape, concat, stack, broadcasting and the other slicing are Dask's graph operations."""

import builtins
import math

import dask.array as da
import numpy as np

import lazulite as lz

from . import _memory
from ._array import ChunkedArray, _const, meta_of
from ._functions import _SLICEABLE, DataDependentError, as_chunked, astype


# ---- indexing and movement -------------------------------------------------------------------------
def getitem(x, key):
    items = key if isinstance(key, tuple) else (key,)
    for item in items:
        if isinstance(item, (ChunkedArray, np.ndarray, lz.Array, da.Array, list)):
            dt = getattr(item, "dtype", None)
            if dt in (lz.bool, np.dtype(bool)) or (isinstance(item, list) and item
                                                   and isinstance(item[0], bool)):
                raise DataDependentError(
                    "lazulite.chunked: indexing with a boolean mask gives a shape that depends on the "
                    "data; compute first (m = mask.compute(); x.compute()[m]) or use "
                    "lazulite.chunked.where(mask, x, fill)"
                )
            raise NotImplementedError(
                "lazulite.chunked: indexing with integer arrays is not supported on chunked arrays; "
                "compute first (x.compute()[idx]) or use basic slicing"
            )
        if isinstance(item, bool) or not (item is None or item is Ellipsis or isinstance(item, slice)
                                          or hasattr(item, "__index__")):
            raise IndexError(
                f"lazulite.chunked: index {item!r} ({type(item).__name__}) is not a basic index; use "
                "ints, slices, None and Ellipsis"
            )
    for i, item in zip(_positions(items, x.ndim), items):
        if i is not None and hasattr(item, "__index__") and not isinstance(item, slice):
            n = x.shape[i]
            k = item.__index__()
            if not -n <= k < n:
                raise IndexError(
                    f"lazulite.chunked: index {k} is out of bounds for axis {i} with size {n}"
                )
    fused = _getitem_fused(x, key)
    if fused is not None:
        return fused
    return ChunkedArray.from_dask(x.to_dask()[key])


def _getitem_fused(x, key):
    """Basic slicing of an elementwise program, pushed into its leaves (each leaf sliced by Dask: a
    view of its blocks), so the program stays one kernel per chunk; ``None`` (new axes) becomes a fused
    ``expand_dims``. Returns ``None`` where that does not hold (a plain input, movement or reductions in
    the program, two ``Ellipsis``)."""
    if x._is_leaf() or x._whole or builtins.any(s[0] not in _SLICEABLE for s in x._steps):
        return None
    items = key if isinstance(key, tuple) else (key,)
    if items.count(Ellipsis) > 1:
        return None
    n_new = items.count(None)
    if Ellipsis in items:
        i = items.index(Ellipsis)
        items = items[:i] + (slice(None),) * (x.ndim - len(items) + 1 + n_new) + items[i + 1:]
    items = tuple(items) + (slice(None),) * (x.ndim - len(items) + n_new)
    if len(items) - n_new != x.ndim:
        return None
    new_axes, pos = [], 0
    for item in items:
        if item is None:
            new_axes.append(pos)
        if item is None or isinstance(item, slice):
            pos += 1
    items = tuple(item if isinstance(item, slice) else item.__index__() for item in items
                  if item is not None)
    for leaf, ind in zip(x._leaves, x._lind):
        if ind != x._oind[x.ndim - leaf.ndim:]:
            return None
    kept = [i for i, item in enumerate(items) if isinstance(item, slice)]
    shape = np.broadcast_to(np.empty((), np.int8), x.shape)[items].shape
    leaves, linds = [], []
    for leaf in x._leaves:
        off = x.ndim - leaf.ndim
        lkey = []
        for d in range(leaf.ndim):
            item = items[off + d]
            if leaf.shape[d] == 1 and x.shape[off + d] != 1:  # broadcast axis: stays size 1
                item = slice(None) if isinstance(item, slice) else 0
            lkey.append(item)
        leaves.append(leaf[tuple(lkey)])
        linds.append(tuple(x._oind[off + d] for d in range(leaf.ndim) if off + d in kept))
    y = ChunkedArray(leaves, x._steps, x._out, shape, x.dtype, linds,
                     tuple(x._oind[i] for i in kept))
    return expand_dims(y, axis=tuple(new_axes)) if new_axes else y


def _positions(items, ndim):
    """The axis each index item addresses (None for None/Ellipsis)."""
    n_used = len([i for i in items if i is not None and i is not Ellipsis])
    out, ax = [], 0
    for item in items:
        if item is None:
            out.append(None)
        elif item is Ellipsis:
            out.append(None)
            ax += ndim - n_used
        else:
            out.append(ax)
            ax += 1
    return out


def permute_dims(x, /, axes):
    return as_chunked("permute_dims", x).permute_dims(tuple(axes))


def matrix_transpose(x, /):
    x = as_chunked("matrix_transpose", x)
    lz.matrix_transpose(meta_of(x.shape, x.dtype))
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return x.permute_dims(axes)


def reshape(x, /, shape, *, copy=None):
    x = as_chunked("reshape", x)
    shape = tuple(int(s) for s in shape)
    known = math.prod(s for s in shape if s != -1)
    if shape.count(-1) > 1 or (-1 not in shape and known != x.size) or (
            -1 in shape and (known == 0 or x.size % known)):
        raise ValueError(
            f"reshape: cannot reshape an array of shape {x.shape} (size {x.size}) into shape {shape}; "
            "the sizes must match (at most one -1)"
        )
    if copy is False:
        raise ValueError("reshape: copy=False cannot be honoured by a chunked array (blocks are copied)")
    d = x.to_dask()
    lim = _memory.chunk_limit()
    try:
        d = d.reshape(shape, merge_chunks=True, limit=lim)
    except NotImplementedError:  # axes split unevenly: through one flat axis (a rechunk)
        d = d.reshape((x.size,), merge_chunks=True, limit=lim).reshape(shape, limit=lim)
    return ChunkedArray.from_dask(d)


def _same_dtype(func, arrays):
    metas = [meta_of(a.shape, a.dtype) for a in arrays]
    return getattr(lz, "result_type")(*metas) if len(metas) > 1 else metas[0].dtype


def concat(arrays, /, *, axis=0):
    arrays = [as_chunked("concat", a) for a in arrays]
    if not arrays:
        raise ValueError("concat: needs at least one array")
    lz.concat([meta_of(a.shape, a.dtype) for a in arrays], axis=axis)  # dtype and rank checks
    dt = _same_dtype("concat", arrays)
    arrays = [a if a.dtype == dt else astype(a, dt) for a in arrays]
    if axis is None:
        return ChunkedArray.from_dask(da.concatenate([a.to_dask().ravel() for a in arrays], axis=0))
    ax = axis % arrays[0].ndim
    for a in arrays[1:]:
        if a.ndim != arrays[0].ndim or any_diff(a.shape, arrays[0].shape, ax):
            raise ValueError(
                f"concat: shapes {[b.shape for b in arrays]} differ outside axis {axis}; "
                "all axes but the concatenated one must be equal"
            )
    return ChunkedArray.from_dask(da.concatenate([a.to_dask() for a in arrays], axis=ax))


def any_diff(s1, s2, skip):
    return builtins.any(a != b for i, (a, b) in enumerate(zip(s1, s2)) if i != skip)


def stack(arrays, /, *, axis=0):
    arrays = [as_chunked("stack", a) for a in arrays]
    if not arrays:
        raise ValueError("stack: needs at least one array")
    if builtins.any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError(f"stack: all arrays must have one shape, got {[a.shape for a in arrays]}")
    lz.stack([meta_of(a.shape, a.dtype) for a in arrays], axis=axis)
    dt = _same_dtype("stack", arrays)
    arrays = [a if a.dtype == dt else astype(a, dt) for a in arrays]
    return ChunkedArray.from_dask(da.stack([a.to_dask() for a in arrays], axis=axis))


def expand_dims(x, /, axis=0):
    """Fused: one more step of the kernel (a new axis of one chunk)."""
    x = as_chunked("expand_dims", x)
    r = lz.expand_dims(meta_of(x.shape, x.dtype), axis=axis)
    ax = axis if isinstance(axis, tuple) else (axis,)
    ax = sorted(a % r.ndim for a in ax)
    shape, oind = list(x.shape), list(x._oind)
    fresh = x._max_label() + 1
    for k, a in enumerate(ax):
        shape.insert(a, 1)
        oind.insert(a, fresh + k)
    return x._with_step("expand_dims", (("axis", _const("expand_dims", axis)),), shape, x.dtype,
                        tuple(oind))


def squeeze(x, /, axis):
    """Fused: one more step of the kernel (the axis stays on the inputs, where it has one chunk)."""
    x = as_chunked("squeeze", x)
    ax = axis if isinstance(axis, tuple) else (axis,)
    lz.squeeze(meta_of(x.shape, x.dtype), axis=axis)
    ax = tuple(a % x.ndim for a in ax)
    for a in ax:
        if x.shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} has size {x.shape[a]}, not 1; only size-1 axes squeeze")
    keep = [i for i in range(x.ndim) if i not in ax]
    # the squeezed labels stay on the leaves; if a leaf holds one of them with size > 1 (a reduced
    # axis), it must be one chunk there
    whole = {x._oind[a] for a in ax}
    return x._with_step("squeeze", (("axis", ("c", ax)),), [x.shape[i] for i in keep], x.dtype,
                        tuple(x._oind[i] for i in keep), whole=whole)


def broadcast_to(x, /, shape):
    x = as_chunked("broadcast_to", x)
    shape = tuple(int(s) for s in shape)
    lz.broadcast_to(meta_of(x.shape, x.dtype), tuple(1 for _ in shape))
    try:
        np.broadcast_shapes(x.shape, shape)
        ok = np.broadcast_shapes(x.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"broadcast_to: shape {x.shape} cannot broadcast to {shape}")
    return ChunkedArray.from_dask(da.broadcast_to(x.to_dask(), shape))


def broadcast_arrays(*arrays):
    arrays = [as_chunked("broadcast_arrays", a) for a in arrays]
    shape = np.broadcast_shapes(*[a.shape for a in arrays])
    return [broadcast_to(a, shape) for a in arrays]
