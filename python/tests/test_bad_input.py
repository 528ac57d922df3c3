"""Bad input gets the standard's exception with a message that names the function and the parameter;
odd but valid input (huge Python ints, NumPy integer scalars as indices) gets array-api-strict's result.

array-api-strict is the oracle for what raises and what returns. Shapes whose element count does not
fit in memory addresses raise ValueError everywhere (they used to wrap around to size 0).
"""

import inspect
import operator
import re

import array_api_strict as xps_strict
import numpy as np
import pytest

import lazulite as lz

BIG = 2**32  # BIG * BIG = 2**64 wraps to 0 in 64-bit arithmetic


def strict_of(x):
    return xps_strict.asarray(np.asarray(x))


def assert_same(got, want):
    """`got` (lazulite) has strict's dtype, shape and values."""
    assert str(got.dtype) == str(want.dtype).replace("array_api_strict.", "")
    assert got.shape == want.shape
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


# ---- point 3: sizes that do not fit --------------------------------------------------------------

OVERFLOWING = {
    "add": lambda: lz.ones((BIG, 1)) + lz.ones((1, BIG)),
    "add (function)": lambda: lz.add(lz.ones((BIG, 1)), lz.ones((1, BIG))),
    "multiply": lambda: lz.multiply(lz.ones((BIG, 1)), lz.ones((1, BIG))),
    "where": lambda: lz.where(lz.ones((BIG, 1), dtype=lz.bool), lz.ones((1, BIG)), 0.0),
    "broadcast_to": lambda: lz.broadcast_to(lz.ones((BIG, 1)), (BIG, BIG)),
    "broadcast_shapes": lambda: lz.broadcast_shapes((BIG, 1), (1, BIG)),
    "broadcast_arrays": lambda: lz.broadcast_arrays(lz.ones((BIG, 1)), lz.ones((1, BIG))),
    "concat": lambda: lz.concat([lz.broadcast_to(lz.ones((1,)), (2**58,))] * 4),
    "concat (axis=None)": lambda: lz.concat([lz.broadcast_to(lz.ones((1,)), (2**58,))] * 4, axis=None),
    "stack": lambda: lz.stack([lz.broadcast_to(lz.ones((1,)), (2**58,))] * 8),
    "add (then reshape)": lambda: lz.reshape(lz.ones((BIG, 1)) + lz.ones((1, BIG)), (-1,)),
    "ones": lambda: lz.ones((BIG, BIG)),
    "zeros": lambda: lz.zeros((2**62, 4)),
    "matmul": lambda: lz.matmul(lz.ones((BIG, 1)), lz.ones((1, BIG))),
}


@pytest.mark.parametrize("case", sorted(OVERFLOWING))
def test_shapes_too_large_to_address_raise_value_error(case):
    name = case.split(" ")[0]
    with pytest.raises(ValueError, match=name):
        OVERFLOWING[case]()


def test_sum_of_a_huge_broadcast_never_builds():
    with pytest.raises(ValueError):
        xps_strict.broadcast_shapes((BIG, 1), (1, BIG))
    # it used to be an array of (wrapped) size 0 whose sum over axis 0 hung
    with pytest.raises(ValueError):
        b = lz.ones((BIG, 1)) + lz.ones((1, BIG))
        lz.sum(b, axis=0)
    # large but addressable shapes still build
    b = lz.broadcast_to(lz.ones((1,)), (2**40,))
    assert b.shape == (2**40,) and b.size == 2**40
    assert lz.stack([lz.ones((0, 2**40))] * 3).shape == (3, 0, 2**40)


# ---- point 4: Python ints beyond int64 -----------------------------------------------------------

HUGE = [2**64, 2**64 + 1, 2**100, 10**30, -(10**30)]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv])
def test_float_array_with_a_huge_python_int(value, dtype, op):
    x = np.asarray([1.0, -2.5, 3.0], dtype=dtype)
    want = op(strict_of(x), value)
    assert_same(op(lz.asarray(x), value), want)
    assert_same(op(value, lz.asarray(x)), op(value, strict_of(x)))


@pytest.mark.parametrize("value", HUGE)
def test_functions_and_full_with_a_huge_python_int(value):
    x = np.asarray([1.0, 2.0])
    assert_same(lz.add(lz.asarray(x), value), xps_strict.add(strict_of(x), value))
    assert_same(lz.maximum(lz.asarray(x), value), xps_strict.maximum(strict_of(x), value))
    assert_same(
        lz.full((2,), value, dtype=lz.float64), xps_strict.full((2,), value, dtype=xps_strict.float64)
    )
    assert_same(lz.full_like(lz.asarray(x), value), xps_strict.full_like(strict_of(x), value))
    cond = np.asarray([True, False])
    assert_same(
        lz.where(lz.asarray(cond), value, lz.asarray(x)),
        xps_strict.where(strict_of(cond), value, strict_of(x)),
    )
    # strict's clip fails on such ints inside NumPy; the nearest float is the bound
    np.testing.assert_array_equal(np.asarray(lz.clip(lz.asarray(x), max=value)), np.clip(x, None, float(value)))
    # strict's __setitem__ refuses such ints (its asarray does); NumPy stores the nearest float
    got, want = lz.asarray(x), x.copy()
    got[0] = value
    want[0] = value
    np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint64"])
def test_integer_array_with_a_huge_python_int_overflows_as_in_strict(dtype):
    x = np.ones(3, dtype=dtype)
    with pytest.raises(OverflowError):
        strict_of(x) + 2**64
    with pytest.raises(OverflowError, match="add"):
        lz.asarray(x) + 2**64
    with pytest.raises(OverflowError, match="full.*fill_value"):
        lz.full((2,), 10**30)


@pytest.mark.parametrize("k", [2**63, 2**64, -(2**63) - 1, -(2**70), 10**30])
def test_eye_tril_triu_with_huge_k(k):
    # Such a k selects no diagonal inside the matrix, the same as k = +-(n + m); strict (NumPy) gives
    # that result for some of these k and raises OverflowError inside NumPy for others.
    near = max(min(k, 7), -7)
    m = np.arange(12.0).reshape(3, 4)
    cases = [
        (lz.eye(3, 4, k=k), lambda k: xps_strict.eye(3, 4, k=k)),
        (lz.tril(lz.asarray(m), k=k), lambda k: xps_strict.tril(strict_of(m), k=k)),
        (lz.triu(lz.asarray(m), k=k), lambda k: xps_strict.triu(strict_of(m), k=k)),
    ]
    for got, strict in cases:
        assert_same(got, strict(near))
        try:
            want = strict(k)
        except OverflowError:
            continue
        assert_same(got, want)


@pytest.mark.parametrize("shift", [2**63, 2**64 + 1, -(2**65) - 3, 10**30 + 7])
def test_roll_with_huge_shift(shift):
    v = np.arange(5)
    assert_same(lz.roll(lz.asarray(v), shift), xps_strict.roll(strict_of(v), shift))
    m = np.arange(6).reshape(2, 3)
    for s, axis in [((shift, 2**64 + 2), (0, 1)), (shift, (0, 1)), ((shift, 1), (1, 0)), (shift, None)]:
        assert_same(lz.roll(lz.asarray(m), s, axis=axis), xps_strict.roll(strict_of(m), s, axis=axis))


# ---- point 4: var/std correction, axis=True, in-place operators -----------------------------------

@pytest.mark.parametrize("func", ["var", "std"])
def test_correction_must_be_a_non_negative_number(func):
    x = np.asarray([1.0, 2.0, 4.0])
    for correction in [-1, -0.5, float("nan"), -(10**30), 10**400]:
        with pytest.raises(ValueError, match=f"{func}: correction"):
            getattr(lz, func)(lz.asarray(x), correction=correction)
    for correction in [True, "1", 1j]:
        with pytest.raises(TypeError, match=f"{func}: correction"):
            getattr(lz, func)(lz.asarray(x), correction=correction)
    # valid corrections still give strict's result
    for correction in [0, 1, 2.5]:
        got = getattr(lz, func)(lz.asarray(x), correction=correction)
        want = getattr(xps_strict, func)(strict_of(x), correction=correction)
        np.testing.assert_allclose(np.asarray(got), np.asarray(want))
    for correction in [3, 2**70, 1e300]:
        # the standard: N - correction <= 0 gives NaN (NumPy gives inf)
        assert np.isnan(np.asarray(getattr(lz, func)(lz.asarray(x), correction=correction)))


AXIS_CALLS = [
    lambda x: lz.sum(x, axis=True),
    lambda x: lz.max(x, axis=(0, True)),
    lambda x: lz.argmax(x, axis=False),
    lambda x: lz.sort(x, axis=True),
    lambda x: lz.cumulative_sum(x, axis=True),
    lambda x: lz.stack([x], axis=True),
    lambda x: lz.concat([x], axis=True),
    lambda x: lz.unstack(x, axis=True),
    lambda x: lz.vecdot(x, x, axis=True),
    lambda x: lz.flip(x, axis=True),
    lambda x: lz.expand_dims(x, axis=True),
]


def test_a_bool_is_not_an_axis():
    with pytest.raises(TypeError):
        xps_strict.sum(xps_strict.asarray([1.0, 2.0]), axis=True)
    for call in AXIS_CALLS:
        with pytest.raises(TypeError, match="axis"):
            call(lz.asarray([1.0, 2.0]))


def test_integer_to_a_negative_python_int_power_is_a_value_error():
    def ipow(x):
        x **= -1
        return x

    for f in (lambda xp, x: x**-1, lambda xp, x: xp.pow(x, -2), lambda xp, x: ipow(x)):
        with pytest.raises(ValueError):
            f(xps_strict, xps_strict.asarray([1, 2], dtype=xps_strict.int32))
        with pytest.raises(ValueError, match="pow.*negative"):
            f(lz, lz.asarray([1, 2], dtype=lz.int32))
    # float bases and non-negative exponents are fine
    assert_same(lz.asarray([2.0]) ** -1, xps_strict.asarray([2.0]) ** -1)
    assert_same(lz.asarray([2], dtype=lz.int32) ** 3, xps_strict.asarray([2], dtype=xps_strict.int32) ** 3)


@pytest.mark.parametrize("symbol", ["+", "-", "*", "/", "**", "@"])
def test_in_place_operators_refuse_numpy_arrays(symbol):
    def run(x, y):
        scope = {"x": x, "y": y}
        exec(f"x {symbol}= y", scope)
        return scope["x"]

    with pytest.raises(TypeError):
        run(xps_strict.ones((2, 2), dtype=xps_strict.float64), np.ones((2, 2)))
    x = lz.ones((2, 2), dtype=lz.float64)
    with pytest.raises(TypeError, match="ndarray"):
        run(x, np.ones((2, 2)))
    assert isinstance(x, lz.Array)


# ---- point 9: NumPy integer scalars and __index__ objects as indices --------------------------------

class Index:
    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


INDEX_LIKE = [np.int64(1), np.int32(-1), np.uint8(0), Index(2), Index(-3)]


@pytest.mark.parametrize("i", INDEX_LIKE, ids=repr)
def test_integer_like_objects_index_like_ints(i):
    v = np.arange(5.0)
    for key in [i, (i,), slice(i, None), slice(None, None, Index(2))]:
        assert_same(lz.asarray(v)[key], strict_of(v)[key])
    m = np.arange(12.0).reshape(3, 4)
    x, s = lz.asarray(m), strict_of(m)
    for key in [(i, i), (slice(None), i), (i, slice(i, None)), (Ellipsis, i), (i, Ellipsis)]:
        assert_same(x[key], s[key])


@pytest.mark.parametrize("i", INDEX_LIKE, ids=repr)
def test_integer_like_objects_as_setitem_keys(i):
    m = np.arange(12.0).reshape(3, 4)
    for key in [(i, Ellipsis), (i, 0), (slice(None), i)]:
        x, s = lz.asarray(m), strict_of(m)
        x[key] = -1.0
        s[key] = -1.0
        assert_same(x, s)


def test_index_errors_name_the_key():
    x = lz.asarray([1.0, 2.0])
    with pytest.raises(IndexError, match="__getitem__: key"):
        x[1.5]
    with pytest.raises(IndexError, match="__setitem__: key"):
        x["a"] = 1.0


# ---- point 10: every error names the function and the parameter -------------------------------------

class _Bad:
    """An object no parameter accepts."""


WRONG = [_Bad(), "bad", 1.5, True, (1.5,), 2**70]
NONTRIVIAL_ERRORS = (TypeError, ValueError, IndexError, OverflowError, RuntimeError)


def _arrays():
    f = lz.reshape(lz.arange(6, dtype=lz.float64), (2, 3))
    i = lz.reshape(lz.arange(6), (2, 3))
    b = f > 2.0
    c = lz.astype(f, lz.complex128)
    return [f, i, b, c, lz.ones((3, 3)), lz.arange(3.0)]


# Arguments that make each function succeed, where the generic "an array for every array parameter"
# does not. Values are (positional args, keyword args); arrays are filled in per call.
BASE = {
    "arange": ((0,), {"stop": 5}),
    "asarray": (([1, 2],), {}),
    "astype": (("F", lz.float32), {}),
    "broadcast_shapes": (((2, 1), (3,)), {}),
    "broadcast_to": (("F",), {"shape": (2, 2, 3)}),
    "can_cast": ((lz.int8, lz.int16), {}),
    "concat": ((["F", "F"],), {}),
    "empty": (((2,),), {}),
    "expand_dims": (("F",), {"axis": 0}),
    "eye": ((3,), {}),
    "finfo": ((lz.float32,), {}),
    "from_dlpack": (("F",), {}),
    "full": (((2,), 1.0), {}),
    "full_like": (("F",), {"fill_value": 1.0}),
    "iinfo": ((lz.int8,), {}),
    "isdtype": ((lz.int8, "integral"), {}),
    "linspace": ((0, 1), {"num": 5}),
    "moveaxis": (("F", 0, 1), {}),
    "ones": (((2,),), {}),
    "permute_dims": (("F",), {"axes": (1, 0)}),
    "repeat": (("F", 2), {}),
    "reshape": (("F",), {"shape": (3, 2)}),
    "result_type": ((lz.int8, lz.int16), {}),
    "roll": (("F",), {"shift": 1}),
    "searchsorted": (("V", "V"), {}),
    "set_data_dependent_shapes": ((True,), {}),
    "set_implicit_compute": (("allow",), {}),
    "squeeze": (("F1",), {"axis": 0}),
    "stack": ((["F", "F"],), {}),
    "take": (("F", "IDX"), {"axis": 1}),
    "take_along_axis": (("F", "I0"), {"axis": 1}),
    "tensordot": (("F", "F"), {}),
    "tile": (("F", (2,)), {}),
    "matmul": (("S", "S"), {}),
    "zeros": (((2,),), {}),
    "set_progress": (("auto",), {}),  # the default setting
    "progress": (("auto",), {}),
}


def _fill(v):
    arrays = {
        "F": lz.reshape(lz.arange(6, dtype=lz.float64), (2, 3)),
        "F1": lz.ones((1, 3)),
        "S": lz.ones((3, 3)),
        "V": lz.arange(3.0),
        "IDX": lz.asarray([0, 2]),
        "I0": lz.zeros((2, 3), dtype=lz.int64),
    }
    if isinstance(v, str) and v in arrays:
        return arrays[v]
    if isinstance(v, list):
        return [_fill(e) for e in v]
    return v


def _public_functions():
    out = []
    for name in lz.__all__:
        f = getattr(lz, name)
        if callable(f) and not isinstance(f, (type, lz.dtype)):
            try:
                inspect.signature(f)
            except (TypeError, ValueError):
                continue
            out.append(name)
    return out


def _calls(name):
    """Baseline calls (positional, keyword) for `name`: BASE's, or one array per array parameter."""
    if name in BASE:
        args, kwargs = BASE[name]
        return [([_fill(a) for a in args], {k: _fill(v) for k, v in kwargs.items()})]
    sig = inspect.signature(getattr(lz, name))
    required = [
        p for p in sig.parameters.values()
        if p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD
    ]
    calls = []
    for a in _arrays():
        args = []
        for p in required:
            args.extend([a, a] if p.kind is p.VAR_POSITIONAL else [a])
        calls.append((args, {}))
    return calls


def _working_call(name):
    f = getattr(lz, name)
    for args, kwargs in _calls(name):
        try:
            f(*args, **kwargs)
            return args, kwargs
        except Exception:
            continue
    return None


def _substitutions(name, args, kwargs):
    """(parameter name, args, kwargs) with one parameter replaced by each wrong value."""
    sig = inspect.signature(getattr(lz, name))
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.VAR_POSITIONAL)]
    for wrong in WRONG:
        for i, p in enumerate(positional):
            if i < len(args):
                new = list(args)
                new[i] = wrong
                yield p.name, new, dict(kwargs)
        for p in params:
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                yield p.name, list(args), {**kwargs, p.name: wrong}


def _check_message(where, exc, func, param):
    # from_dlpack: the standard's AttributeError for an object without __dlpack__
    allowed = NONTRIVIAL_ERRORS + ((AttributeError,) if func == "from_dlpack" else ())
    assert isinstance(exc, allowed), f"{where}: {type(exc).__name__}: {exc}"
    msg = str(exc)
    assert re.search(rf"\b{func}\b", msg), f"{where}: the message does not name {func!r}: {msg!r}"
    assert re.search(rf"\b{param}\b", msg), f"{where}: the message does not name {param!r}: {msg!r}"


def test_every_public_function_names_itself_and_the_parameter_in_errors():
    before = lz.set_data_dependent_shapes(True)
    checked, failures = 0, []
    names = _public_functions()
    assert len(names) > 130
    try:
        for name in names:
            base = _working_call(name)
            assert base is not None, f"{name}: no baseline call works; add one to BASE"
            for param, args, kwargs in _substitutions(name, *base):
                try:
                    getattr(lz, name)(*args, **kwargs)
                except Exception as exc:  # noqa: BLE001 - every exception is checked
                    checked += 1
                    try:
                        _check_message(f"{name}({param}=...)", exc, name, param)
                    except AssertionError as e:
                        failures.append(str(e).split("\n")[0])
    finally:
        lz.set_data_dependent_shapes(before)
        lz.set_implicit_compute("allow")
    assert checked > 500
    assert not failures, f"{len(failures)} messages lack the function or the parameter:\n" + "\n".join(
        failures[:40]
    )


def test_array_methods_and_operators_name_themselves_in_errors():
    x = lz.ones((2, 2))
    cases = [
        ("__array_namespace__", "api_version", lambda w: x.__array_namespace__(api_version=w)),
        ("to_device", "device", lambda w: x.to_device(w)),
        ("__dlpack__", "copy", lambda w: x.__dlpack__(copy=w)),
        ("__array__", "copy", lambda w: x.__array__(copy=w)),
        ("__getitem__", "key", lambda w: x[w]),
    ]
    for wrong in [_Bad(), "bad", 1.5]:
        for func, param, call in cases:
            try:
                call(wrong)
            except Exception as exc:  # noqa: BLE001
                _check_message(f"{func}({wrong!r})", exc, func, param)
        if isinstance(wrong, float):
            continue  # a valid operand
        for func, symbol in [("add", "+"), ("multiply", "*"), ("pow", "**"), ("subtract", "-")]:
            scope = {"x": lz.ones((2,)), "y": wrong}
            with pytest.raises(TypeError) as info:
                exec(f"x {symbol}= y", scope)
            assert func in str(info.value) and symbol in str(info.value)
