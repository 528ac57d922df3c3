"""``__array_namespace_info__()``: the inspection API of the standard (pure metadata).

Capabilities come from the engine (``_lazulite._capabilities()``); dtype kinds are decided by
``isdtype``, so ``dtypes(kind=...)`` and ``isdtype`` cannot disagree.
"""

from . import _lazulite

_DTYPE_NAMES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "complex64",
    "complex128",
)


def _check_device(func, device):
    if device is not None and not isinstance(device, _lazulite.Device):
        raise ValueError(
            f"{func}: unsupported device {device!r}; pass a lazulite device object "
            "(an entry of __array_namespace_info__().devices()) or None"
        )


class Info:
    """The namespace's inspection object, returned by `lazulite.__array_namespace_info__()`."""

    __slots__ = ()

    def capabilities(self):
        """``{"boolean indexing": bool, "data-dependent shapes": bool, "max dimensions": int}``.

        The first two are ``True`` only when the engine implements data-dependent shapes and they are
        allowed (``lazulite.set_data_dependent_shapes``).
        """
        return _lazulite._capabilities()

    def default_device(self):
        """The CPU device object."""
        return _lazulite.cpu

    def default_dtypes(self, *, device=None):
        """The default dtypes: float64, complex128, int64 (also the index dtype)."""
        _check_device("default_dtypes", device)
        return {
            "real floating": _lazulite.float64,
            "complex floating": _lazulite.complex128,
            "integral": _lazulite.int64,
            "indexing": _lazulite.int64,
        }

    def dtypes(self, *, device=None, kind=None):
        """The dtypes (name -> dtype) of ``kind``: ``None`` (all), a kind string of ``isdtype``, or a
        tuple of kind strings (their union)."""
        _check_device("dtypes", device)
        if kind is None:
            kinds = None
        elif isinstance(kind, str):
            kinds = (kind,)
        elif isinstance(kind, tuple) and all(isinstance(k, str) for k in kind):
            kinds = kind
        else:
            raise ValueError(
                f"dtypes: unsupported kind {kind!r}; pass None, a kind string ('bool', 'signed "
                "integer', 'unsigned integer', 'integral', 'real floating', 'complex floating', "
                "'numeric') or a tuple of kind strings"
            )
        out = {}
        for name in _DTYPE_NAMES:
            d = getattr(_lazulite, name)
            if kinds is None or _lazulite.isdtype(d, kinds):
                out[name] = d
        return out

    def devices(self):
        """The devices lazulite arrays can live on: the CPU device object, then one per CUDA device
        present (``Device('cuda:0')``, ...)."""
        return tuple(_lazulite._devices())

    def __repr__(self):
        return "lazulite.__array_namespace_info__()"


def __array_namespace_info__():
    """The namespace's inspection object: what lazulite supports, on which devices, in which dtypes.

    Its methods are `capabilities()` (a dict: `"boolean indexing"`, `"data-dependent shapes"`,
    `"max dimensions"`), `default_device()`, `default_dtypes(device=None)`, `devices()` and
    `dtypes(device=None, kind=None)`. Pure metadata: nothing is computed.

    >>> info = lz.__array_namespace_info__()
    >>> info.default_dtypes()["real floating"], info.devices() == (lz.cpu,)
    (lazulite.float64, True)
    >>> sorted(info.dtypes(kind="unsigned integer"))
    ['uint16', 'uint32', 'uint64', 'uint8']
    """
    return Info()
