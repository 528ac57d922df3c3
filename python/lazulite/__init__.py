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
    """The plan of some arrays, as `explain` returns it: a `str` that the REPL shows unquoted.

    >>> plan = lz.explain(lz.ones(3) + 1)
    >>> isinstance(plan, str), repr(plan) == str(plan)
    (True, True)
    """

    __slots__ = ()

    def __repr__(self):
        return str(self)


def explain(*arrays):
    """The plan that computing `arrays` together would run, as text, without running it.

    It lists the kernels in run order (each a fusion group: the operations it fuses, its inputs and
    outputs), the extern steps (matmul, sort, linear algebra, FFTs, ...) and the buffers with their
    sizes. The result is a `Plan`, a `str` that the REPL shows unquoted. Nothing is computed.

    >>> x = lz.sin(lz.linspace(0.0, 1.0, 100)) ** 2
    >>> plan = lz.explain(lz.sum(x))
    >>> isinstance(plan, str), x.is_computed
    (True, False)
    """
    return Plan(_lazulite._explain(*arrays))


# The spec's named tuple results (``unique_all`` and friends), named here so that pickle finds them.
UniqueAllResult, UniqueCountsResult, UniqueInverseResult = _lazulite._unique_result_types
UniqueAllResult.__doc__ = (
    "The result of `unique_all`: `values`, the first `indices` of each value in the flattened "
    "input, `inverse_indices` (the input's shape) and `counts`."
)
UniqueCountsResult.__doc__ = "The result of `unique_counts`: the distinct `values` and their `counts`."
UniqueInverseResult.__doc__ = (
    "The result of `unique_inverse`: the distinct `values` and, for each input element, "
    "its position among them (`inverse_indices`, with the input's shape)."
)


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
