"""Inputs and outputs of chunked arrays: ``.npy`` files and memmaps, Zarr arrays, Dask arrays.

A ``.npy`` input travels as ``(path, dtype, shape, offset)`` (``NpyFile``) and each task memory-maps the
file on its worker and copies out only its block (an ``np.memmap`` would pickle all of its content).
Zarr reads use the array's chunks as the grid; writes first make the grid regular, create the Zarr
array with exactly those chunks, and store without a lock: every task writes whole Zarr chunks it alone
owns, so a write is idempotent when a dead worker's task is rerun.
"""

import mmap
import os

import dask.array as da
import numpy as np
from dask.base import tokenize

from ._array import ChunkedArray, lz_dtype
from ._functions import grid


class NpyFile:
    """A read-only ``.npy`` file sliced by Dask tasks (only its location pickles)."""

    __slots__ = ("path", "dtype", "shape", "offset", "ndim")

    def __init__(self, path, dtype, shape, offset):
        self.path = os.fspath(path)
        self.dtype = np.dtype(dtype)
        self.shape = tuple(shape)
        self.offset = int(offset)
        self.ndim = len(self.shape)

    def __reduce__(self):
        return (NpyFile, (self.path, self.dtype.str, self.shape, self.offset))

    def __getitem__(self, key):
        if 0 in self.shape:
            return np.empty(self.shape, self.dtype)[key]
        mm = np.memmap(self.path, dtype=self.dtype, mode="r", shape=self.shape, offset=self.offset)
        return np.array(mm[key])


def from_npy(path, *, chunks="auto"):
    """A chunked array over a ``.npy`` file on disk (C order), read block by block by the tasks."""
    mm = np.load(path, mmap_mode="r")
    return from_memmap(mm, chunks=chunks, path=path)


def memmap_file(mm):
    """The file behind a whole, C-ordered ``np.memmap`` (None for views of one)."""
    if isinstance(mm.base, mmap.mmap) and mm.flags.c_contiguous and mm.filename:
        return mm.filename
    return None


def from_memmap(mm, *, chunks="auto", path=None):
    path = path or memmap_file(mm)
    if path is None or not mm.flags.c_contiguous:
        raise ValueError(
            "from_memmap: needs a whole C-ordered memmap of a file (np.load(path, mmap_mode='r')); "
            "for a view or a Fortran-ordered one use asarray(numpy.ascontiguousarray(m))"
        )
    dt = lz_dtype(mm.dtype)
    f = NpyFile(path, mm.dtype, mm.shape, mm.offset)
    st = os.stat(path)
    d = da.from_array(
        f, chunks=grid(mm.shape, dt, chunks), lock=False, asarray=True, fancy=False,
        meta=np.empty((0,) * mm.ndim, mm.dtype),
        name=f"npy-{tokenize(os.path.abspath(path), st.st_mtime_ns, st.st_size, mm.offset)}",
    )
    return ChunkedArray.from_dask(d)


def is_zarr(obj):
    return type(obj).__module__.startswith("zarr") and hasattr(obj, "chunks") and hasattr(obj, "shape")


def from_zarr(source, *, chunks=None, component=None):
    """A chunked array over a Zarr array (an array object, or a store path/URL); its chunks are the
    grid unless ``chunks`` says otherwise (then keep them multiples of the Zarr chunks)."""
    d = da.from_zarr(source, component=component, chunks=chunks)
    return ChunkedArray.from_dask(d)


def _regular(d):
    """``d`` with equal chunks along each axis (the last may be smaller), as Zarr stores them."""
    target = tuple(max(c) if c else 1 for c in d.chunks)
    if all(all(x == t for x in c[:-1]) and (not c or c[-1] <= t) for c, t in zip(d.chunks, target)):
        return d
    return d.rechunk(target)


def to_zarr(x, store, *, overwrite=False, compute=True, **zarr_kwargs):
    """Write ``x`` into a new Zarr array at ``store`` whose chunks are ``x``'s (made regular); each task
    writes whole chunks of its own, lock-free. Returns the Zarr array (``compute=False``: also the
    Dask delayed write)."""
    import zarr

    if not isinstance(x, ChunkedArray):
        raise TypeError(f"to_zarr: x must be a chunked array, got {type(x).__name__}")
    d = _regular(x.to_dask())
    z = zarr.create_array(
        store, shape=d.shape, chunks=tuple(max(1, c[0]) if c else 1 for c in d.chunks),
        dtype=d.dtype, overwrite=overwrite, **zarr_kwargs,
    )
    stored = da.store(d, z, lock=False, compute=compute)
    return z if compute else (z, stored)


def from_dask(d):
    """A chunked array over a ``dask.array.Array`` (its chunk grid kept)."""
    if not isinstance(d, da.Array):
        raise TypeError(f"from_dask: expected a dask.array.Array, got {type(d).__name__}")
    return ChunkedArray.from_dask(d)


def to_dask(x):
    """The ``dask.array.Array`` of a chunked array (tasks are fused lazulite kernels)."""
    if not isinstance(x, ChunkedArray):
        raise TypeError(f"to_dask: expected a chunked array, got {type(x).__name__}")
    return x.to_dask()
