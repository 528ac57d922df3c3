"""lazulite: a lazy graph compiler and JIT array engine.

``import lazulite as lz`` is a namespace that conforms to the Python array API standard (2025.12).
Operations build a lazy graph; values are computed by ``x.compute()``, ``lz.compute_many(...)``, or
wherever Python needs a value (``bool(x)``, ``float(x)``, ``repr(x)``, ``np.asarray(x)``, the buffer
protocol), all through one materialisation choke point. Every semantic lives in Rust; this package
re-exports the extension module and adds the constants, and ``lazulite.linalg`` composes the linalg
extension's norms and helpers from namespace functions.
"""

import builtins as _builtins
import math as _math
import shutil as _shutil
import subprocess as _subprocess

from . import _lazulite
from ._lazulite import *  # noqa: F401,F403  (the namespace's functions and dtypes)
from ._lazulite import Array, Device, __version__, _stats, dtype  # noqa: F401
from ._info import __array_namespace_info__  # noqa: F401
from . import fft  # noqa: F401  (the fft extension, lazulite.fft)
from . import linalg  # noqa: F401  (the linalg extension)
from ._progress import Progress, progress, set_progress  # noqa: F401

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
    """The plan of some arrays, as `explain` returns it: a `str` that the REPL shows unquoted, with
    its Graphviz rendering at hand (`plan.dot`; in a notebook, `_repr_svg_` draws it when Graphviz's
    `dot` program is installed).

    >>> plan = lz.explain(lz.ones(3) + 1)
    >>> isinstance(plan, str), repr(plan) == str(plan), plan.dot.startswith("digraph")
    (True, True, True)
    """

    def __new__(cls, text, dot=""):
        self = super().__new__(cls, text)
        self.dot = dot
        return self

    def __repr__(self):
        return str(self)

    def _repr_svg_(self):
        if not self.dot or _shutil.which("dot") is None:
            return None
        return _render_dot(self.dot, "svg", "explain").decode("utf-8")


def _render_dot(dot, fmt, func):
    exe = _shutil.which("dot")
    if exe is None:
        raise RuntimeError(
            f"{func}: format={fmt!r} needs Graphviz's `dot` program, which is not on PATH; install "
            "Graphviz (e.g. `apt install graphviz`) or use format='dot' and render the text elsewhere")
    done = _subprocess.run([exe, f"-T{fmt}"], input=dot.encode("utf-8"), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"{func}: Graphviz `dot -T{fmt}` failed ({done.returncode}): "
            f"{done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def explain(*arrays, ir=False, format="text"):
    """The plan that computing ``arrays`` together would run, without computing anything.

    ``format="text"`` (default): a compact summary: one line per step in run order (each kernel
    with the ops it fused, its loop, the bytes it reads and writes, compiled or interpreted, and why
    its fusion group ended; extern ops such as matmul or sort in place), the inputs, results and
    temporaries, transfers, and the totals; ``ir=True`` adds each kernel's IR. ``format="dot"``:
    the plan as Graphviz DOT text; ``"svg"`` (``str``) and ``"png"`` (``bytes``) render it with
    Graphviz's ``dot`` program (a ``RuntimeError`` says so when it is not installed).

    >>> x = lz.sin(lz.linspace(0.0, 1.0, 100)) ** 2
    >>> plan = lz.explain(lz.sum(x))
    >>> isinstance(plan, str), x.is_computed
    (True, False)
    >>> lz.explain(x, format="dot").startswith("digraph")
    True
    """
    if not isinstance(ir, _builtins.bool):
        raise TypeError(f"explain: ir must be a bool, got {type(ir).__name__}")
    if format not in ("text", "dot", "svg", "png"):
        raise ValueError(f"explain: format must be 'text', 'dot', 'svg' or 'png', got {format!r}")
    dot = _lazulite._explain(*arrays, dot=True)
    if format == "text":
        return Plan(_lazulite._explain(*arrays, ir=ir), dot)
    if format == "dot":
        return dot
    out = _render_dot(dot, format, "explain")
    return out.decode("utf-8") if format == "svg" else out


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
    "Progress",
    "progress",
    "set_progress",
]
