"""``lazulite.chunked``: chunked lazulite arrays computed by Dask (larger than memory, or on a cluster).

``import lazulite.chunked as xc`` is an array API namespace for what it implements. A chunked array is a
lazy lazulite expression over a grid of chunks: elementwise functions and operators extend one fused
program; ``to_dask()`` turns it into a ``dask.array.Array`` whose tasks each run ONE fused lazulite
kernel on their chunks (named ``lz_<ops>`` in progress bars and the dashboard); reductions are Dask tree
reductions of lazulite reductions, ``matmul`` is blocked. ``x.compute()`` / ``x.to_numpy()`` run on the
active Dask scheduler (threads, processes, ``dask.distributed``). Inputs: NumPy arrays, ``.npy`` files
and memmaps (read on the workers), Zarr, Dask arrays; outputs: NumPy, lazulite, Zarr, Dask.
``set_memory_budget`` bounds the memory of each task and sizes "auto" chunks. Beyond the array API,
``softmax(x, axis=...)``: one kernel per chunk when the axis is whole in a chunk, else two passes with
online statistics.

Functions whose output shape depends on the data (``unique_*``, ``nonzero``, boolean masks) raise
``DataDependentError`` saying to compute first; ``__array_namespace_info__().capabilities()`` says so.
"""

import lazulite as _lz

from . import _functions
from ._array import ChunkedArray, _install_operators
from ._functions import (  # noqa: F401
    DATA_DEPENDENT,
    ELEMENTWISE,
    DataDependentError,
    all,
    any,
    arange,
    asarray,
    astype,
    clip,
    cumulative_prod,
    cumulative_sum,
    elementwise,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    matmul,
    max,
    mean,
    min,
    ones,
    ones_like,
    prod,
    softmax,
    std,
    sum,
    var,
    vecdot,
    where,
    zeros,
    zeros_like,
)
from ._movement import (  # noqa: F401
    broadcast_arrays,
    broadcast_to,
    concat,
    expand_dims,
    matrix_transpose,
    permute_dims,
    reshape,
    squeeze,
    stack,
)
from ._io import from_dask, from_memmap, from_npy, from_zarr, to_dask, to_zarr  # noqa: F401
from ._kernel import VERSION as KERNEL_DESCRIPTION_VERSION  # noqa: F401
from ._memory import memory_budget, set_memory_budget  # noqa: F401

Array = ChunkedArray
__array_api_version__ = "2025.12"

# Every elementwise function of lazulite's namespace, generated from it (one list: lazulite's).
for _name in ELEMENTWISE:
    globals()[_name] = _functions._make_elementwise(_name)
for _name in DATA_DEPENDENT:
    globals()[_name] = _functions._data_dependent(_name)
del _name
_install_operators()

# dtypes, constants and dtype functions are lazulite's own.
from lazulite import (  # noqa: E402,F401
    bool,
    complex64,
    complex128,
    e,
    finfo,
    float32,
    float64,
    iinfo,
    inf,
    int8,
    int16,
    int32,
    int64,
    isdtype,
    nan,
    newaxis,
    pi,
    uint8,
    uint16,
    uint32,
    uint64,
)


def result_type(*arrays_and_dtypes):
    return _lz.result_type(*[a.dtype if isinstance(a, ChunkedArray) else a for a in arrays_and_dtypes])


def can_cast(from_, to, /):
    return _lz.can_cast(from_.dtype if isinstance(from_, ChunkedArray) else from_, to)


class _Info:
    """``__array_namespace_info__()`` of the chunked namespace."""

    __slots__ = ()

    def capabilities(self):
        """No boolean indexing and no data-dependent shapes: a chunked array's shape is known before
        computing; compute first (``x.compute()``) to use them on a lazulite array."""
        return {"boolean indexing": False, "data-dependent shapes": False, "max dimensions": 64}

    def default_device(self):
        return _lz.cpu

    def devices(self):
        return [_lz.cpu]

    def default_dtypes(self, *, device=None):
        return _lz.__array_namespace_info__().default_dtypes(device=device)

    def dtypes(self, *, device=None, kind=None):
        return _lz.__array_namespace_info__().dtypes(device=device, kind=kind)


def __array_namespace_info__():
    return _Info()


def __getattr__(name):
    if hasattr(_lz, name) and not name.startswith("_"):
        raise AttributeError(
            f"lazulite.chunked has no {name!r} yet; compute first and use lazulite.{name} on the result "
            f"(lazulite.{name}(x.compute(), ...)), or write it from the chunked functions"
        )
    raise AttributeError(f"module 'lazulite.chunked' has no attribute {name!r}")
