"""Data type functions (can_cast, finfo, iinfo, isdtype, result_type, astype checks) against
array_api_strict (the reference implementation) and NumPy's limits."""

import itertools
import math
import warnings

import array_api_strict as xs
import numpy as np
import pytest

import lazulite as lz

NAMES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128",
]
KINDS = [
    "bool", "signed integer", "unsigned integer", "integral", "real floating",
    "complex floating", "numeric",
]
PAIRS = list(itertools.product(NAMES, NAMES))


def strict_result_type(*args):
    """array_api_strict's answer, or the exception type it raises."""
    conv = [getattr(xs, a) if isinstance(a, str) else a for a in args]
    try:
        return _name(xs.result_type(*conv))
    except Exception as e:  # noqa: BLE001 - the type is the oracle
        return type(e)


def _name(d):
    for n in NAMES:
        if getattr(xs, n) == d:
            return n
    raise AssertionError(d)


def lz_result_type(*args):
    conv = [getattr(lz, a) if isinstance(a, str) else a for a in args]
    try:
        return lz.result_type(*conv).name
    except Exception as e:  # noqa: BLE001
        return type(e)


@pytest.mark.parametrize("a,b", PAIRS)
def test_can_cast_matches_strict(a, b):
    want = xs.can_cast(getattr(xs, a), getattr(xs, b))
    assert lz.can_cast(getattr(lz, a), getattr(lz, b)) is want
    # an array stands for its dtype
    assert lz.can_cast(lz.zeros(2, dtype=getattr(lz, a)), getattr(lz, b)) is want


def test_can_cast_errors_and_signature():
    with pytest.raises(TypeError):
        lz.can_cast("float32", lz.float64)
    with pytest.raises(TypeError):
        lz.can_cast(lz.float32, "float64")
    with pytest.raises(TypeError):
        lz.can_cast(lz.float32, lz.zeros(1))  # `to` is a dtype only
    with pytest.raises(TypeError):
        lz.can_cast(from_=lz.float32, to=lz.float64)  # positional-only


@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_pairs_match_strict(a, b):
    assert lz_result_type(a, b) == strict_result_type(a, b)


@pytest.mark.parametrize("a,b,c", [
    ("int8", "uint8", "int16"), ("uint8", "uint16", "int32"), ("float32", "complex64", "float64"),
    ("bool", "bool", "bool"), ("int8", "float32", "int8"), ("uint64", "int8", "uint8"),
])
def test_result_type_three_match_strict(a, b, c):
    assert lz_result_type(a, b, c) == strict_result_type(a, b, c)


@pytest.mark.parametrize("dtype", NAMES)
@pytest.mark.parametrize("scalar", [True, 1, -1, 300, 2**40, 1.5, 1j])
def test_result_type_with_python_scalars_matches_strict(dtype, scalar):
    assert lz_result_type(dtype, scalar) == strict_result_type(dtype, scalar)
    assert lz_result_type(scalar, dtype) == strict_result_type(scalar, dtype)


def test_result_type_arrays_and_errors():
    x = lz.zeros(3, dtype=lz.int16)
    assert lz.result_type(x, lz.int8) == lz.int16
    assert lz.result_type(x, 1, lz.int32) == lz.int32
    assert lz.result_type(lz.float32, 1, 2.0) == lz.float32
    with pytest.raises(ValueError):
        lz.result_type()
    with pytest.raises(ValueError):
        lz.result_type(1, 2.0)  # scalars alone have no dtype
    with pytest.raises(TypeError):
        lz.result_type(lz.float32, "float64")
    with pytest.raises(TypeError):
        lz.result_type(lz.float32, np.float32)  # a NumPy dtype is not ours
    with pytest.raises(OverflowError):
        lz.result_type(lz.uint8, 256)


@pytest.mark.parametrize("name", ["float32", "float64", "complex64", "complex128"])
def test_finfo_matches_numpy(name):
    fi = lz.finfo(getattr(lz, name))
    ref = np.finfo(np.dtype(name))
    real = {"complex64": "float32", "complex128": "float64"}.get(name, name)
    assert fi.bits == ref.bits == int(real[-2:])
    for attr in ["eps", "max", "min", "smallest_normal"]:
        v = getattr(fi, attr)
        assert type(v) is float
        assert v == float(getattr(ref, attr))
    assert fi.dtype == getattr(lz, real)
    assert type(fi.bits) is int
    # an array gives its dtype's limits
    assert lz.finfo(lz.zeros(1, dtype=getattr(lz, name))).eps == fi.eps
    # known math: eps is the gap after 1.0
    assert 1.0 + fi.eps > 1.0
    if real == "float64":
        assert 1.0 + fi.eps / 2 == 1.0 and fi.smallest_normal == 2.0 ** -1022


@pytest.mark.parametrize("name", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"])
def test_iinfo_matches_numpy(name):
    ii = lz.iinfo(getattr(lz, name))
    ref = np.iinfo(np.dtype(name))
    assert (ii.bits, ii.max, ii.min) == (ref.bits, int(ref.max), int(ref.min))
    assert type(ii.max) is int and type(ii.min) is int and type(ii.bits) is int
    assert ii.dtype == getattr(lz, name)
    assert lz.iinfo(lz.zeros(1, dtype=getattr(lz, name))).max == ii.max
    signed = name.startswith("int")
    assert ii.max == 2 ** (ii.bits - signed) - 1


def test_finfo_iinfo_errors():
    for bad in ["float32", np.float32, 1.0, None]:
        with pytest.raises(TypeError):
            lz.finfo(bad)
        with pytest.raises(TypeError):
            lz.iinfo(bad)
    # wrong kinds: ValueError, as array_api_strict (through NumPy)
    for name in ["bool", "int32", "uint8"]:
        with pytest.raises(ValueError):
            xs.finfo(getattr(xs, name))
        with pytest.raises(ValueError):
            lz.finfo(getattr(lz, name))
    for name in ["bool", "float32", "complex64"]:
        with pytest.raises(ValueError):
            xs.iinfo(getattr(xs, name))
        with pytest.raises(ValueError):
            lz.iinfo(getattr(lz, name))
    with pytest.raises(TypeError):
        lz.finfo(type=lz.float32)  # positional-only


@pytest.mark.parametrize("name", NAMES)
def test_isdtype_matches_strict(name):
    d, r = getattr(lz, name), getattr(xs, name)
    for kind in KINDS:
        assert lz.isdtype(d, kind) is xs.isdtype(r, kind), kind
    for other in NAMES:
        assert lz.isdtype(d, getattr(lz, other)) is (other == name)
    for combo in itertools.combinations(KINDS + ["float32", "int8"], 2):
        lk = tuple(getattr(lz, k) if k in NAMES else k for k in combo)
        rk = tuple(getattr(xs, k) if k in NAMES else k for k in combo)
        assert lz.isdtype(d, lk) is xs.isdtype(r, rk), combo
    assert lz.isdtype(d, ()) is False


def test_isdtype_errors_like_strict():
    cases = [
        ("floating", ValueError),
        ("Bool", ValueError),
        (("nope", "real floating"), ValueError),
        ((("bool",),), TypeError),
        (1, TypeError),
        (None, TypeError),
        (np.float32, TypeError),
    ]
    for kind, err in cases:
        with pytest.raises(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # strict warns about comparing with NumPy dtypes
            xs.isdtype(xs.float32, kind)
        with pytest.raises(err):
            lz.isdtype(lz.float32, kind)
    # lazulite checks every entry of a tuple (array_api_strict stops at the first match)
    with pytest.raises(ValueError):
        lz.isdtype(lz.float32, ("real floating", "nope"))
    with pytest.raises(TypeError):
        lz.isdtype("float32", "real floating")
    with pytest.raises(TypeError):
        lz.isdtype(lz.zeros(1), "real floating")  # an array is not a dtype
    # keywords allowed: the stub has no positional-only marker
    assert lz.isdtype(dtype=lz.int8, kind="integral")


def test_astype_checks():
    x = lz.asarray([1.5, -2.5], dtype=lz.float32)
    assert lz.astype(x, lz.float32, copy=False) is x
    y = lz.astype(x, lz.float32)
    assert y is not x and y.dtype == lz.float32
    assert lz.astype(x, lz.float64, device=x.device).dtype == lz.float64
    assert np.array_equal(np.asarray(lz.astype(x, lz.int32)), np.array([1, -2], dtype=np.int32))
    with pytest.raises(ValueError):
        lz.astype(x, lz.float64, device="gpu")
    with pytest.raises(ValueError):
        lz.astype(x, lz.float64, device="cpu")  # devices are objects, as in array_api_strict
    with pytest.raises(TypeError):
        lz.astype(x, "float64")
    with pytest.raises(TypeError):
        lz.astype(x, np.float64)
    with pytest.raises(TypeError):
        lz.astype(x, lz.float64, False)  # copy is keyword-only
    with pytest.raises(TypeError):
        lz.astype(np.zeros(2), lz.float64)
    c = lz.asarray([1 + 2j])
    with pytest.raises(TypeError):
        xs.astype(xs.asarray([1 + 2j]), xs.float64)
    with pytest.raises(TypeError):
        lz.astype(c, lz.float64)
    assert math.isclose(float(lz.astype(lz.asarray(3), lz.float64)), 3.0)
