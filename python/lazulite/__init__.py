"""lazulite: a lazy graph compiler and JIT array engine.

``import lazulite as lz`` is a namespace that conforms to the Python array API standard (2025.12).
Operations build a lazy graph; values are computed by ``x.compute()``, ``lz.compute_many(...)``, or
wherever Python needs a value (``bool(x)``, ``float(x)``, ``repr(x)``, ``np.asarray(x)``, the buffer
protocol), all through one materialisation choke point. Every semantic lives in Rust; this package
re-exports the extension module and adds the constants, and ``lazulite.linalg`` composes the linalg
extension's norms and helpers from namespace functions.
"""

import math as _math

from . import _lazulite
from ._lazulite import *  # noqa: F401,F403  (the namespace's functions and dtypes)
from ._lazulite import Array, Device, __version__, _stats, dtype  # noqa: F401
from ._info import __array_namespace_info__  # noqa: F401
from . import fft  # noqa: F401  (the fft extension, lazulite.fft)
from . import linalg  # noqa: F401  (the linalg extension)

__array_api_version__ = "2025.12"

e = _math.e
inf = _math.inf
nan = _math.nan
pi = _math.pi
newaxis = None

# Python builtins that the namespace shadows, under the spec's names.
bool = _lazulite.bool  # noqa: A001
abs = _lazulite.abs  # noqa: A001
round = _lazulite.round  # noqa: A001
pow = _lazulite.pow  # noqa: A001
min = _lazulite.min  # noqa: A001
max = _lazulite.max  # noqa: A001
sum = _lazulite.sum  # noqa: A001
any = _lazulite.any  # noqa: A001
all = _lazulite.all  # noqa: A001
where = getattr(_lazulite, "where")


class Plan(str):
    """The fused plan of some arrays (a ``str`` that shows itself unquoted in the REPL)."""

    __slots__ = ()

    def __repr__(self):
        return str(self)


def explain(*arrays):
    """The fused plan that computing ``arrays`` together would run: kernels, fused ops, buffers."""
    return Plan(_lazulite._explain(*arrays))


# The spec's named tuple results (``unique_all`` and friends), named here so that pickle finds them.
UniqueAllResult, UniqueCountsResult, UniqueInverseResult = _lazulite._unique_result_types


def _dtype_from_name(name):
    """Unpickling support for dtype objects."""
    return getattr(_lazulite, name)


__all__ = sorted(
    n for n in dir(_lazulite) if not n.startswith("_")
) + [
    "linalg",
    "__array_api_version__",
    "__array_namespace_info__",
    "fft",
    "e",
    "inf",
    "nan",
    "pi",
    "newaxis",
    "explain",
    "Plan",
]
