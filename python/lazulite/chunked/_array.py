"""The chunked array: a lazy lazulite expression over Dask chunk grids.

A ``ChunkedArray`` is a *fusion group in the making*: ``leaves`` (Dask arrays: inputs, or the results of
steps that cannot fuse: reductions, matmul, movement) and ``steps``, a kernel program (``_kernel``) of
elementwise lazulite calls over them. Elementwise functions and operators only extend the program, so a
chain of them stays one program; ``to_dask()`` turns the program into ONE ``dask.array.blockwise`` call
whose tasks each run the whole fused chain on their chunks (``Kernel``), named ``lz_<ops>``.
Dtypes, shapes and errors come from lazulite itself: every function is first applied to tiny *meta*
arrays (all-ones shapes of the operands' dtypes and ranks), which lazulite types without computing.
"""

import builtins
import math

import dask.array as da
import numpy as np
from dask.base import tokenize

import lazulite as lz

from . import _memory
from ._kernel import Kernel, describe


def np_dtype(dtype):
    """The NumPy dtype of a lazulite dtype."""
    return np.dtype(dtype_name(dtype))


def dtype_name(dtype):
    for name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float32", "float64", "complex64", "complex128"):
        if dtype == getattr(lz, name):
            return name
    raise TypeError(f"lazulite.chunked: not a lazulite dtype: {dtype!r}")


def lz_dtype(npdtype):
    """The lazulite dtype of a NumPy dtype (``TypeError`` for dtypes lazulite has not)."""
    name = np.dtype(npdtype).name
    dt = getattr(lz, name, None)
    if dt is None or name not in _NAMES:
        raise TypeError(
            f"lazulite.chunked: dtype {name} is not an array API dtype; convert first "
            "(for example x.astype(numpy.float64))"
        )
    return dt


_NAMES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"}


def meta_of(shape, dtype):
    """A lazulite array of ``dtype`` whose shape has ``shape``'s rank (each axis 1: broadcasts like it)."""
    return lz.zeros(tuple(1 for _ in shape), dtype=dtype)


def _meta_np(ndim, dtype):
    return np.empty((0,) * ndim, dtype=np_dtype(dtype))


class _Program:
    """Builds one kernel program from several chunked arrays.

    Axes are *labels* (ints), as in ``dask.array.blockwise``: the program's output axes are
    ``out_labels``; each leaf carries the labels of its own axes (``linds``). Elementwise operands map
    their output axes onto the program's (right-aligned broadcasting); fused movement (``permute_dims``,
    ``expand_dims``, ``squeeze``) and chunk-local reductions only relabel, so a leaf may be indexed in
    another order than the output, or have axes the output has not (reduced or squeezed away: Dask
    concatenates the leaf's blocks along them, and ``whole`` labels are made one chunk before lowering).
    Leaves merge by (Dask name, labels)."""

    def __init__(self, out_labels=()):
        self.leaves = []
        self.linds = []
        self.keys = {}
        self.steps = []
        self.index = {}
        self.ops = []
        self.whole = set()
        self.next_label = builtins.max(out_labels, default=-1) + 1

    def fresh_label(self):
        label = self.next_label
        self.next_label += 1
        return label

    def add_array(self, x, out_labels=None):
        """Merge ``x``'s program; ``out_labels``: the program labels of ``x``'s output axes (default:
        ``x``'s own labels, for a program built over ``x`` alone)."""
        if out_labels is None:
            out_labels = x._oind
            self.next_label = builtins.max(self.next_label, x._max_label() + 1)
        lmap = dict(zip(x._oind, out_labels))

        def relabel(label):
            if label not in lmap:
                lmap[label] = self.fresh_label()
            return lmap[label]

        inputs = []
        for leaf, ind in zip(x._leaves, x._lind):
            pind = tuple(relabel(label) for label in ind)
            key = (leaf.name, pind)
            k = self.keys.get(key)
            if k is None:
                k = self.keys[key] = len(self.leaves)
                self.leaves.append(leaf)
                self.linds.append(pind)
            inputs.append(k)
        self.whole |= {relabel(label) for label in x._whole}
        mapping = []
        for name, args, kwargs in x._steps:
            step = (
                name,
                tuple(_remap_v(a, inputs, mapping) for a in args),
                tuple((k, _remap_v(a, inputs, mapping)) for k, a in kwargs),
            )
            mapping.append(self.add_step(step))
        return _remap_v(x._out, inputs, mapping)

    def add_step(self, step):
        j = self.index.get(step)
        if j is None:
            j = self.index[step] = len(self.steps)
            self.steps.append(step)
            self.ops.append(step[0])
        return j

    def array(self, out, shape, dtype, out_labels):
        return ChunkedArray(self.leaves, self.steps, out, shape, dtype, self.linds, out_labels,
                            self.whole)


def _remap_v(arg, inputs, mapping):
    tag, v = arg
    if tag == "i":
        return ("i", inputs[v])
    if tag == "v":
        return ("v", mapping[v])
    if tag == "t":
        return ("t", tuple(_remap_v(a, inputs, mapping) for a in v))
    return arg


def _const(func, value):
    """A kernel constant for a non-array argument."""
    if value is None or isinstance(value, (bool, int, float, complex)):
        return ("c", value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return ("c", tuple(value))
    if isinstance(value, np.generic):
        return ("c", value.item())
    if isinstance(value, lz.dtype):
        return ("d", dtype_name(value))
    raise TypeError(f"lazulite.chunked.{func}: unsupported argument {value!r} ({type(value).__name__})")


def kernel_name(ops):
    """``lz_<ops>``: Dask's ``key_split`` keeps it whole, so progress bars show the fused ops."""
    if not ops:
        return "lz_copy"
    shown = list(dict.fromkeys(ops))
    name = "_".join(shown[:4]) + ("_etc" if len(shown) > 4 else "")
    return "lz_" + name


class ChunkedArray:
    """A lazy, chunked lazulite array computed by Dask (see the module ``lazulite.chunked``)."""

    __slots__ = ("_leaves", "_lind", "_steps", "_out", "_shape", "_dtype", "_oind", "_whole", "_dask",
                 "__weakref__")
    __array_priority__ = 20

    def __init__(self, leaves, steps, out, shape, dtype, linds=None, oind=None, whole=()):
        self._leaves = tuple(leaves)
        self._steps = tuple(steps)
        self._out = out
        self._shape = tuple(int(s) for s in shape)
        self._dtype = dtype
        nd = len(self._shape)
        # axis labels (see _Program): by default each leaf's axes are the output's trailing axes
        self._oind = tuple(range(nd)) if oind is None else tuple(oind)
        self._lind = (tuple(tuple(range(nd - leaf.ndim, nd)) for leaf in self._leaves)
                      if linds is None else tuple(tuple(i) for i in linds))
        self._whole = frozenset(whole)
        self._dask = None

    def _max_label(self):
        return builtins.max([*self._oind, *(label for ind in self._lind for label in ind)], default=-1)

    def _is_leaf(self):
        return (not self._steps and self._out == ("i", 0)
                and self._lind == (self._oind,) and self._oind == tuple(range(self.ndim)))

    @classmethod
    def from_dask(cls, d):
        """Wrap a Dask array (its chunks become the grid)."""
        x = cls((d,), (), ("i", 0), d.shape, lz_dtype(d.dtype))
        x._dask = d
        return x

    def __reduce__(self):
        return (ChunkedArray.from_dask, (self.to_dask(),))

    # ---- attributes -------------------------------------------------------------------------------
    @property
    def shape(self):
        return self._shape

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        return math.prod(self._shape)

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return lz.cpu

    @property
    def chunks(self):
        return self.to_dask().chunks

    @property
    def T(self):
        if self.ndim != 2:
            raise ValueError(f"lazulite.chunked: x.T needs a 2-d array, got shape {self._shape}; "
                             "use permute_dims or matrix_transpose")
        return self.permute_dims((1, 0))

    @property
    def mT(self):
        from ._movement import matrix_transpose

        return matrix_transpose(self)

    def __array_namespace__(self, *, api_version=None):
        from .. import chunked

        if api_version not in (None, "2025.12", "2024.12", "2023.12", "2022.12", "2021.12"):
            raise ValueError(f"__array_namespace__: unsupported api_version {api_version!r}")
        return chunked

    def to_device(self, device, /, *, stream=None):
        if device is not lz.cpu and device is not None:
            raise ValueError(f"to_device: unsupported device {device!r}; lazulite.cpu is the only one")
        return self

    def __repr__(self):
        return (f"lazulite.chunked.Array<shape={self._shape}, dtype={dtype_name(self._dtype)}, "
                f"chunks={self.to_dask().chunksize}, kernel={kernel_name([s[0] for s in self._steps])}>")

    # ---- lowering to Dask -----------------------------------------------------------------------------
    def _lower(self, partial=(), label=None):
        """ONE blockwise call: the program per block. ``partial``: output labels the last step reduced
        per block (keepdims; the blocks of a tree reduction's first stage)."""
        leaves = list(self._leaves)
        for i, (leaf, ind) in enumerate(zip(leaves, self._lind)):
            dims = [d for d, lab in enumerate(ind) if lab in self._whole and leaf.numblocks[d] > 1]
            if dims:  # a chunk-local reduction needs these axes in one chunk
                leaves[i] = leaf.rechunk({d: -1 for d in dims})
        size = {}
        for leaf, ind in zip(leaves, self._lind):
            for d, lab in enumerate(ind):
                size[lab] = builtins.max(size.get(lab, 1), leaf.shape[d])
        adjust = {}
        for pos, lab in enumerate(self._oind):
            if lab in partial or (self._shape[pos] == 1 and size.get(lab, 1) > 1):
                adjust[lab] = 1
        # axes no leaf has (expand_dims; softmax's stacked statistics): one chunk of the whole axis
        new_axes = {lab: n for lab, n in zip(self._oind, self._shape) if lab not in size}
        desc = describe(len(leaves), self._steps, self._out)
        name = label or kernel_name([s[0] for s in self._steps])
        kernel = Kernel(desc, name)
        args = []
        for leaf, ind in zip(leaves, self._lind):
            args += [leaf, ind]
        token = tokenize(kernel.key, [leaf.name for leaf in leaves], self._lind, self._oind,
                         sorted(adjust.items()), sorted(new_axes.items()))
        d = da.blockwise(
            kernel, self._oind, *args,
            name=f"{name}-{token}",
            dtype=np_dtype(self._dtype), meta=_meta_np(self.ndim, self._dtype),
            adjust_chunks=adjust or None, new_axes=new_axes or None, concatenate=True,
        )
        _check_budget(name, leaves, d)
        return d

    def to_dask(self):
        """This array as a ``dask.array.Array`` (each task one fused lazulite kernel)."""
        if self._dask is None:
            if self._is_leaf():
                self._dask = self._leaves[0]
            else:
                self._dask = self._lower()
        return self._dask

    def _materialized(self):
        """A chunked array that is one leaf (the program lowered)."""
        if self._is_leaf():
            return self
        return ChunkedArray.from_dask(self.to_dask())

    def rechunk(self, chunks):
        """The same values on another chunk grid (Dask's rechunk)."""
        return ChunkedArray.from_dask(self.to_dask().rechunk(chunks))

    def compute(self, **kwargs):
        """Compute on the active Dask scheduler; returns a (single-machine) lazulite array."""
        return lz.asarray(self.to_numpy(**kwargs))

    def to_numpy(self, **kwargs):
        """Compute on the active Dask scheduler; returns a NumPy array."""
        return np.asarray(self.to_dask().compute(**kwargs))

    def persist(self, **kwargs):
        """Compute and keep the chunks in (cluster) memory; returns a chunked array over them."""
        return ChunkedArray.from_dask(self.to_dask().persist(**kwargs))

    def __array__(self, dtype=None, copy=None):
        a = self.to_numpy()
        return a if dtype is None else a.astype(dtype)

    def to_zarr(self, store, **kwargs):
        from ._io import to_zarr

        return to_zarr(self, store, **kwargs)

    # ---- movement fused into the kernel: relabelled axes, one more step -----------------------------
    def _with_step(self, name, kwargs, shape, dtype, oind, whole=()):
        p = _Program()
        out = p.add_array(self)
        out = ("v", p.add_step((name, (out,), tuple(kwargs))))
        p.whole |= set(whole)
        return p.array(out, shape, dtype, oind)

    def permute_dims(self, axes):
        lz.permute_dims(meta_of(self._shape, self._dtype), axes)  # lazulite's checks and errors
        axes = tuple(a % self.ndim for a in axes)
        return self._with_step("permute_dims", (("axes", ("c", axes)),),
                               tuple(self._shape[a] for a in axes), self._dtype,
                               tuple(self._oind[a] for a in axes))

    def astype(self, dtype, /, *, copy=True, device=None):
        from ._functions import astype

        return astype(self, dtype, copy=copy, device=device)

    # ---- Python scalars ---------------------------------------------------------------------------------
    def _scalar(self, kind):
        if self.ndim != 0:
            raise TypeError(f"{kind}() of a chunked array needs a 0-d array, got shape {self._shape}")
        return kind(self.to_numpy()[()])

    def __bool__(self):
        return self._scalar(bool)

    def __int__(self):
        return self._scalar(int)

    def __float__(self):
        return self._scalar(float)

    def __complex__(self):
        return self._scalar(complex)

    def __index__(self):
        if self._dtype not in (lz.int8, lz.int16, lz.int32, lz.int64, lz.uint8, lz.uint16, lz.uint32,
                               lz.uint64):
            raise TypeError(f"__index__: needs an integer array, got {dtype_name(self._dtype)}")
        return self._scalar(int)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d chunked array")
        return self._shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d chunked array")
        return (self[i] for i in range(self._shape[0]))

    def __setitem__(self, key, value):
        raise TypeError(
            "lazulite.chunked arrays are immutable: build the new array with where() "
            "(for example xp.where(mask, value, x)), or compute first and write into the lazulite array"
        )

    def __getitem__(self, key):
        from ._movement import getitem

        return getitem(self, key)

    def __matmul__(self, other):
        from ._functions import matmul

        return matmul(self, other)

    def __rmatmul__(self, other):
        from ._functions import matmul

        return matmul(other, self)


def _chunk_bytes(d):
    itemsize = d.dtype.itemsize
    return math.prod(max(c) if c else 0 for c in d.chunks) * itemsize if d.ndim else itemsize


def _check_budget(name, leaves, out):
    need = sum(_chunk_bytes(leaf) for leaf in leaves) + 2 * _chunk_bytes(out)
    budget = _memory.memory_budget()
    if need > budget:
        raise MemoryError(
            f"lazulite.chunked: a task of kernel {name} would hold about {_memory.fmt(need)} "
            f"(input chunks {[leaf.chunksize for leaf in leaves]}, output chunk {out.chunksize}, "
            f"{out.dtype}) but the per-task memory budget is {_memory.fmt(budget)}; use smaller chunks "
            "(x.rechunk(...), or chunks= when creating the inputs) or raise the budget with "
            "lazulite.chunked.set_memory_budget(...)"
        )


# The operators: name of the lazulite function, and whether the operands are swapped.
_BINARY_OPERATORS = {
    "add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
    "floordiv": "floor_divide", "mod": "remainder", "pow": "pow", "and": "bitwise_and",
    "or": "bitwise_or", "xor": "bitwise_xor", "lshift": "bitwise_left_shift",
    "rshift": "bitwise_right_shift",
}
_COMPARISONS = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
                "eq": "equal", "ne": "not_equal"}
_UNARY_OPERATORS = {"neg": "negative", "pos": "positive", "abs": "abs", "invert": "bitwise_invert"}


def _install_operators():
    from ._functions import elementwise

    def binary(fname, swap):
        def op(self, other):
            if not _operand_ok(other):
                return NotImplemented
            return elementwise(fname, (other, self) if swap else (self, other))

        return op

    for dunder, fname in _BINARY_OPERATORS.items():
        setattr(ChunkedArray, f"__{dunder}__", binary(fname, False))
        setattr(ChunkedArray, f"__r{dunder}__", binary(fname, True))
        setattr(ChunkedArray, f"__i{dunder}__", binary(fname, False))
    for dunder, fname in _COMPARISONS.items():
        setattr(ChunkedArray, f"__{dunder}__", binary(fname, False))
    for dunder, fname in _UNARY_OPERATORS.items():
        setattr(ChunkedArray, f"__{dunder}__", lambda self, _f=fname: elementwise(_f, (self,)))
    ChunkedArray.__hash__ = None


def _operand_ok(other):
    return isinstance(other, (ChunkedArray, bool, int, float, complex, lz.Array, np.ndarray,
                              np.generic))

