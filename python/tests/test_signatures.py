"""Every namespace function has the signature of the standard's stubs (2025.12): parameter names,
positional-only / keyword-only markers and defaults, as ``inspect.signature`` shows them. The table
is the stubs' ``def`` lines (array_api_stubs/_2025_12), one entry per function of the main namespace.
"""

import inspect

import pytest

import lazulite as lz

# Functions that need data-dependent output shapes, which lazulite does not implement yet.
NOT_IMPLEMENTED = set()

SPEC = {
    "arange": "(start, /, stop=None, step=1, *, dtype=None, device=None)",
    "asarray": "(obj, /, *, dtype=None, device=None, copy=None)",
    "empty": "(shape, *, dtype=None, device=None)",
    "empty_like": "(x, /, *, dtype=None, device=None)",
    "eye": "(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None)",
    "from_dlpack": "(x, /, *, device=None, copy=None)",
    "full": "(shape, fill_value, *, dtype=None, device=None)",
    "full_like": "(x, /, fill_value, *, dtype=None, device=None)",
    "linspace": "(start, stop, /, num, *, dtype=None, device=None, endpoint=True)",
    "meshgrid": "(*arrays, indexing='xy')",
    "ones": "(shape, *, dtype=None, device=None)",
    "ones_like": "(x, /, *, dtype=None, device=None)",
    "tril": "(x, /, *, k=0)",
    "triu": "(x, /, *, k=0)",
    "zeros": "(shape, *, dtype=None, device=None)",
    "zeros_like": "(x, /, *, dtype=None, device=None)",
    "astype": "(x, dtype, /, *, copy=True, device=None)",
    "can_cast": "(from_, to, /)",
    "finfo": "(type, /)",
    "iinfo": "(type, /)",
    "isdtype": "(dtype, kind)",
    "result_type": "(*arrays_and_dtypes)",
    "abs": "(x, /)",
    "acos": "(x, /)",
    "acosh": "(x, /)",
    "add": "(x1, x2, /)",
    "asin": "(x, /)",
    "asinh": "(x, /)",
    "atan": "(x, /)",
    "atan2": "(x1, x2, /)",
    "atanh": "(x, /)",
    "bitwise_and": "(x1, x2, /)",
    "bitwise_left_shift": "(x1, x2, /)",
    "bitwise_invert": "(x, /)",
    "bitwise_or": "(x1, x2, /)",
    "bitwise_right_shift": "(x1, x2, /)",
    "bitwise_xor": "(x1, x2, /)",
    "ceil": "(x, /)",
    "clip": "(x, /, min=None, max=None)",
    "conj": "(x, /)",
    "copysign": "(x1, x2, /)",
    "cos": "(x, /)",
    "cosh": "(x, /)",
    "divide": "(x1, x2, /)",
    "equal": "(x1, x2, /)",
    "exp": "(x, /)",
    "expm1": "(x, /)",
    "floor": "(x, /)",
    "floor_divide": "(x1, x2, /)",
    "greater": "(x1, x2, /)",
    "greater_equal": "(x1, x2, /)",
    "hypot": "(x1, x2, /)",
    "imag": "(x, /)",
    "isfinite": "(x, /)",
    "isinf": "(x, /)",
    "isnan": "(x, /)",
    "less": "(x1, x2, /)",
    "less_equal": "(x1, x2, /)",
    "log": "(x, /)",
    "log1p": "(x, /)",
    "log2": "(x, /)",
    "log10": "(x, /)",
    "logaddexp": "(x1, x2, /)",
    "logical_and": "(x1, x2, /)",
    "logical_not": "(x, /)",
    "logical_or": "(x1, x2, /)",
    "logical_xor": "(x1, x2, /)",
    "maximum": "(x1, x2, /)",
    "minimum": "(x1, x2, /)",
    "multiply": "(x1, x2, /)",
    "negative": "(x, /)",
    "nextafter": "(x1, x2, /)",
    "not_equal": "(x1, x2, /)",
    "positive": "(x, /)",
    "pow": "(x1, x2, /)",
    "real": "(x, /)",
    "reciprocal": "(x, /)",
    "remainder": "(x1, x2, /)",
    "round": "(x, /)",
    "sign": "(x, /)",
    "signbit": "(x, /)",
    "sin": "(x, /)",
    "sinh": "(x, /)",
    "square": "(x, /)",
    "sqrt": "(x, /)",
    "subtract": "(x1, x2, /)",
    "tan": "(x, /)",
    "tanh": "(x, /)",
    "trunc": "(x, /)",
    "take": "(x, indices, /, *, axis=None)",
    "take_along_axis": "(x, indices, /, *, axis=-1)",
    "matmul": "(x1, x2, /)",
    "matrix_transpose": "(x, /)",
    "tensordot": "(x1, x2, /, *, axes=2)",
    "vecdot": "(x1, x2, /, *, axis=-1)",
    "broadcast_arrays": "(*arrays)",
    "broadcast_shapes": "(*shapes)",
    "broadcast_to": "(x, /, shape)",
    "concat": "(arrays, /, *, axis=0)",
    "expand_dims": "(x, /, axis)",
    "flip": "(x, /, *, axis=None)",
    "moveaxis": "(x, source, destination, /)",
    "permute_dims": "(x, /, axes)",
    "repeat": "(x, repeats, /, *, axis=None)",
    "reshape": "(x, /, shape, *, copy=None)",
    "roll": "(x, /, shift, *, axis=None)",
    "squeeze": "(x, /, axis)",
    "stack": "(arrays, /, *, axis=0)",
    "tile": "(x, repetitions, /)",
    "unstack": "(x, /, *, axis=0)",
    "argmax": "(x, /, *, axis=None, keepdims=False)",
    "argmin": "(x, /, *, axis=None, keepdims=False)",
    "count_nonzero": "(x, /, *, axis=None, keepdims=False)",
    "nonzero": "(x, /)",
    "searchsorted": "(x1, x2, /, *, side='left', sorter=None)",
    "where": "(condition, x1, x2, /)",
    "isin": "(x1, x2, /, *, invert=False)",
    "unique_all": "(x, /)",
    "unique_counts": "(x, /)",
    "unique_inverse": "(x, /)",
    "unique_values": "(x, /)",
    "argsort": "(x, /, *, axis=-1, descending=False, stable=True)",
    "sort": "(x, /, *, axis=-1, descending=False, stable=True)",
    "cumulative_prod": "(x, /, *, axis=None, dtype=None, include_initial=False)",
    "cumulative_sum": "(x, /, *, axis=None, dtype=None, include_initial=False)",
    "max": "(x, /, *, axis=None, keepdims=False)",
    "mean": "(x, /, *, axis=None, keepdims=False)",
    "min": "(x, /, *, axis=None, keepdims=False)",
    "prod": "(x, /, *, axis=None, dtype=None, keepdims=False)",
    "std": "(x, /, *, axis=None, correction=0.0, keepdims=False)",
    "sum": "(x, /, *, axis=None, dtype=None, keepdims=False)",
    "var": "(x, /, *, axis=None, correction=0.0, keepdims=False)",
    "all": "(x, /, *, axis=None, keepdims=False)",
    "any": "(x, /, *, axis=None, keepdims=False)",
    "diff": "(x, /, *, axis=-1, n=1, prepend=None, append=None)",
}


@pytest.mark.parametrize("name", sorted(SPEC))
def test_signature_follows_the_spec(name):
    if name in NOT_IMPLEMENTED:
        assert not hasattr(lz, name), f"{name} is implemented now: drop it from NOT_IMPLEMENTED"
        return
    f = getattr(lz, name)
    assert str(inspect.signature(f)) == SPEC[name]


def test_every_spec_function_is_in_the_namespace():
    missing = sorted(n for n in SPEC if not hasattr(lz, n))
    assert missing == sorted(NOT_IMPLEMENTED)
    assert set(SPEC) - NOT_IMPLEMENTED <= set(lz.__all__)


def test_tuple_results():
    x = lz.reshape(lz.arange(6), (2, 3))
    for result in (lz.meshgrid(lz.arange(2), lz.arange(3)), lz.broadcast_arrays(x, x[0]), lz.unstack(x)):
        assert type(result) is tuple and all(isinstance(a, lz.Array) for a in result)
    shape = lz.broadcast_shapes((2, 1), (3,))
    assert shape == (2, 3) and type(shape) is tuple and all(type(n) is int for n in shape)


# The linalg extension's stubs (array_api_stubs/_2025_12/linalg.py), one entry per function.
LINALG_SPEC = {
    "cholesky": "(x, /, *, upper=False)",
    "cross": "(x1, x2, /, *, axis=-1)",
    "det": "(x, /)",
    "diagonal": "(x, /, *, offset=0)",
    "eig": "(x, /)",
    "eigh": "(x, /)",
    "eigvalsh": "(x, /)",
    "eigvals": "(x, /)",
    "inv": "(x, /)",
    "matmul": "(x1, x2, /)",
    "matrix_norm": "(x, /, *, keepdims=False, ord='fro')",
    "matrix_power": "(x, n, /)",
    "matrix_rank": "(x, /, *, rtol=None)",
    "matrix_transpose": "(x, /)",
    "outer": "(x1, x2, /)",
    "pinv": "(x, /, *, rtol=None)",
    "qr": "(x, /, *, mode='reduced')",
    "slogdet": "(x, /)",
    "solve": "(x1, x2, /)",
    "svd": "(x, /, *, full_matrices=True)",
    "svdvals": "(x, /)",
    "tensordot": "(x1, x2, /, *, axes=2)",
    "trace": "(x, /, *, offset=0, dtype=None)",
    "vecdot": "(x1, x2, /, *, axis=-1)",
    "vector_norm": "(x, /, *, axis=None, keepdims=False, ord=2)",
}


@pytest.mark.parametrize("name", sorted(LINALG_SPEC))
def test_linalg_signature_follows_the_spec(name):
    assert str(inspect.signature(getattr(lz.linalg, name))) == LINALG_SPEC[name]


def test_linalg_has_exactly_the_extension():
    assert sorted(lz.linalg.__all__) == sorted(LINALG_SPEC)
