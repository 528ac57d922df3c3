"""Kernels as data: what a Dask task runs on its chunks.

A kernel is a *description*, not code: a versioned tuple of steps, each a lazulite namespace function
called on the chunk inputs, on earlier steps' values and on constants (Python scalars, dtype names,
tuples of ints). A task function is a ``Kernel`` object holding that description; it pickles as
``(Kernel, (description,))`` (a few hundred bytes), so the scheduler and the workers never receive client
code. On a worker the first call resolves the description's functions once per process (``_RESOLVED``);
the lazulite graph the steps build over the chunks is computed once (one fused computation per task), and
lazulite's own plan and kernel caches compile it once per process and kernel structure.

Description layout (version 1)::

    ("lazulite.chunked.kernel", 1, n_inputs, steps, output)
    step   = (function_name, (arg, ...), ((keyword, arg), ...))
    arg    = ("i", k)      chunk input k
           | ("v", j)      value of step j
           | ("c", value)  a Python bool/int/float/complex/None, or a tuple of ints
           | ("d", name)   a lazulite dtype by name
           | ("t", (arg, ...))  a tuple of args (concat/stack operands)
    output = an arg (the value returned)
"""

import hashlib

import numpy as np

import lazulite as lz

MAGIC = "lazulite.chunked.kernel"
VERSION = 1

# Per process: description hash -> resolved steps. Lazulite caches the compiled code itself.
_RESOLVED = {}


def describe(n_inputs, steps, output):
    """The versioned description of a kernel (a tuple of plain values)."""
    return (MAGIC, VERSION, n_inputs, tuple(steps), output)


def digest(desc):
    """A stable content hash of a description (the Dask token of its tasks)."""
    return hashlib.sha1(repr(desc).encode()).hexdigest()[:16]


def _check(desc):
    if not (isinstance(desc, tuple) and len(desc) == 5 and desc[0] == MAGIC):
        raise ValueError(f"lazulite.chunked: not a kernel description: {desc!r:.200}")
    if desc[1] != VERSION:
        raise ValueError(
            f"lazulite.chunked: kernel description version {desc[1]} but this lazulite reads version "
            f"{VERSION}; install the same lazulite version on the client and on every worker"
        )


def _resolve(desc):
    _check(desc)
    steps = []
    for name, args, kwargs in desc[3]:
        fn = getattr(lz, name, None)
        if fn is None:
            raise ValueError(f"lazulite.chunked: kernel step {name!r} is not a lazulite function")
        steps.append((fn, args, kwargs))
    return steps


def _value(arg, inputs, values):
    tag, v = arg
    if tag == "i":
        return inputs[v]
    if tag == "v":
        return values[v]
    if tag == "c":
        return v
    if tag == "d":
        return getattr(lz, v)
    if tag == "t":
        return [_value(a, inputs, values) for a in v]
    raise ValueError(f"lazulite.chunked: bad kernel argument {arg!r}")


def run(desc, key, chunks):
    """Run the description on NumPy chunks; returns a NumPy array."""
    steps = _RESOLVED.get(key)
    if steps is None:
        steps = _RESOLVED[key] = _resolve(desc)
    inputs = [_as_lz(c) for c in chunks]
    values = []
    for fn, args, kwargs in steps:
        values.append(
            fn(
                *[_value(a, inputs, values) for a in args],
                **{k: _value(a, inputs, values) for k, a in kwargs},
            )
        )
    out = _value(desc[4], inputs, values)
    if isinstance(out, lz.Array):
        out.compute()
        return np.asarray(out)
    return np.asarray(out)


def _as_lz(chunk):
    if isinstance(chunk, lz.Array):
        return chunk
    a = np.asarray(chunk)
    if not a.flags.c_contiguous:
        a = np.ascontiguousarray(a)
    # zero-copy: the chunk belongs to this task for the call (lazulite never writes its inputs)
    try:
        return lz.asarray(a, copy=False)
    except ValueError:  # misaligned (e.g. unpickled out of a message buffer): copy
        return lz.asarray(a)


class Kernel:
    """A Dask task function: one fused lazulite computation over its chunk inputs."""

    __slots__ = ("desc", "key", "name")

    def __init__(self, desc, name="lz"):
        _check(desc)
        self.desc = desc
        self.key = digest(desc)
        self.name = name

    def __call__(self, *chunks, **_ignored):
        return run(self.desc, self.key, chunks)

    def __reduce__(self):
        return (Kernel, (self.desc, self.name))

    def __dask_tokenize__(self):
        return ("lazulite.chunked.Kernel", self.key)

    def __repr__(self):
        return f"<lazulite kernel {self.name} {self.key}>"


class ReduceKernel:
    """``chunk``/``combine``/``aggregate`` of a Dask tree reduction: a lazulite reduction over the axes
    Dask passes, then an optional epilogue kernel (one fused computation)."""

    __slots__ = ("func", "kwargs", "epilogue")

    def __init__(self, func, kwargs=(), epilogue=None):
        self.func = func
        self.kwargs = tuple(kwargs)
        self.epilogue = epilogue

    def __call__(self, x, axis=None, keepdims=False, **_ignored):
        if isinstance(x, list):  # concatenate=False never used; be safe
            x = np.concatenate(x, axis=axis[0] if axis else 0)
        kw = {k: (getattr(lz, v[1]) if v[0] == "d" else v[1]) for k, v in self.kwargs}
        ax = tuple(axis) if isinstance(axis, (tuple, list)) else axis
        r = getattr(lz, self.func)(_as_lz(x), axis=ax, keepdims=keepdims, **kw)
        if self.epilogue is not None:
            return run(self.epilogue.desc, self.epilogue.key, (r,))
        r.compute()
        return np.asarray(r)

    def __reduce__(self):
        return (ReduceKernel, (self.func, self.kwargs, self.epilogue))

    def __dask_tokenize__(self):
        return ("lazulite.chunked.ReduceKernel", self.func, self.kwargs,
                None if self.epilogue is None else self.epilogue.key)


class Identity:
    """The ``chunk`` step of a tree reduction whose chunks were already reduced by a fused kernel."""

    __slots__ = ()

    def __call__(self, x, axis=None, keepdims=False, **_ignored):
        return x

    def __reduce__(self):
        return (Identity, ())

    def __dask_tokenize__(self):
        return "lazulite.chunked.Identity"


class ScanKernel:
    """``func`` of Dask's ``cumreduction``: lazulite's cumulative sum/product along one axis."""

    __slots__ = ("func",)

    def __init__(self, func):
        self.func = func

    @property
    def __name__(self):  # Dask names the scan's tasks after it
        return f"lz_{self.func}"

    def __call__(self, x, axis=None, dtype=None, **_ignored):
        kw = {} if dtype is None else {"dtype": getattr(lz, np.dtype(dtype).name)}
        r = getattr(lz, self.func)(_as_lz(x), axis=axis, **kw)
        r.compute()
        return np.asarray(r)

    def __reduce__(self):
        return (ScanKernel, (self.func,))

    def __dask_tokenize__(self):
        return ("lazulite.chunked.ScanKernel", self.func)


class BinopKernel:
    """``binop`` of Dask's ``cumreduction`` (add or multiply two chunks) on lazulite."""

    __slots__ = ("func",)

    def __init__(self, func):
        self.func = func

    def __call__(self, a, b):
        r = getattr(lz, self.func)(_as_lz(a), _as_lz(b))
        r.compute()
        return np.asarray(r)

    def __reduce__(self):
        return (BinopKernel, (self.func,))

    def __dask_tokenize__(self):
        return ("lazulite.chunked.BinopKernel", self.func)


class SoftmaxStats:
    """``combine``/``aggregate`` of softmax's statistics across chunks: blocks of ``stack([m, s])``
    (row max, sum of ``exp(x - m)``) concatenated along ``axis`` combine online:
    ``M = max(m)``, ``S = sum(s * exp(m - M))``."""

    __slots__ = ()

    def __call__(self, x, axis=None, keepdims=True, **_ignored):
        a = (axis[0] if isinstance(axis, (tuple, list)) else axis) - 1  # the axis within m and s
        z = _as_lz(x)
        m, s = z[0], z[1]
        big = lz.max(m, axis=a, keepdims=True)
        r = lz.stack([big, lz.sum(s * lz.exp(m - big), axis=a, keepdims=True)], axis=0)
        r.compute()
        return np.asarray(r)

    def __reduce__(self):
        return (SoftmaxStats, ())

    def __dask_tokenize__(self):
        return "lazulite.chunked.SoftmaxStats"
