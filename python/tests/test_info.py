"""__array_namespace_info__(), devices and the data-dependent-shapes switch."""

import array_api_strict as xs
import pytest

import lazulite as lz


def test_capabilities_are_truthful():
    caps = lz.__array_namespace_info__().capabilities()
    assert set(caps) == {"boolean indexing", "data-dependent shapes", "max dimensions"}
    # both implemented (and allowed by default)
    assert caps["boolean indexing"] is True and caps["data-dependent shapes"] is True
    assert lz.arange(3)[lz.asarray([True, False, True])].shape == (2,)
    assert caps["max dimensions"] == 64
    assert lz.reshape(lz.zeros(1), (1,) * 64).ndim == 64
    with pytest.raises(ValueError):
        lz.zeros((1,) * 65)


def test_data_dependent_switch():
    info = lz.__array_namespace_info__()
    old = lz.set_data_dependent_shapes(False)
    try:
        assert old is True  # allowed by default
        assert info.capabilities()["data-dependent shapes"] is False
        assert lz.set_data_dependent_shapes(True) is False
        # implemented and allowed again
        assert info.capabilities()["data-dependent shapes"] is True
        assert info.capabilities()["boolean indexing"] is True
    finally:
        lz.set_data_dependent_shapes(old)
    with pytest.raises(TypeError):
        lz.set_data_dependent_shapes("yes")


def test_devices_and_defaults():
    info = lz.__array_namespace_info__()
    devs = info.devices()
    assert isinstance(devs, tuple) and len(devs) == 1
    assert info.default_device() == devs[0] and info.default_device() in devs
    assert lz.zeros(2).device == devs[0]
    assert lz.zeros(2, device=devs[0]).device == devs[0]
    d = info.default_dtypes()
    assert d == {
        "real floating": lz.float64,
        "complex floating": lz.complex128,
        "integral": lz.int64,
        "indexing": lz.int64,
    }
    assert info.default_dtypes(device=devs[0]) == d
    assert lz.asarray(1.0).dtype == d["real floating"] and lz.asarray(1).dtype == d["integral"]
    assert lz.asarray(1j).dtype == d["complex floating"]
    with pytest.raises(ValueError):
        info.default_dtypes(device="gpu")
    with pytest.raises(TypeError):
        info.default_dtypes(devs[0])  # keyword-only


@pytest.mark.parametrize("kind", [
    None, "bool", "signed integer", "unsigned integer", "integral", "real floating",
    "complex floating", "numeric", ("bool", "real floating"), ("integral", "complex floating"),
])
def test_dtypes_match_strict(kind):
    got = lz.__array_namespace_info__().dtypes(kind=kind)
    want = xs.__array_namespace_info__().dtypes(kind=kind)
    assert list(got) == list(want) or set(got) == set(want)
    for name, d in got.items():
        assert d == getattr(lz, name) and d.name == name
        assert kind is None or lz.isdtype(d, kind)


def test_dtypes_errors_like_strict():
    info, sinfo = lz.__array_namespace_info__(), xs.__array_namespace_info__()
    for kind in ["floating", 3, lz.float32]:
        with pytest.raises(ValueError):
            info.dtypes(kind=kind)
    with pytest.raises(ValueError):
        sinfo.dtypes(kind="floating")
    with pytest.raises(ValueError):
        info.dtypes(device="gpu")
    assert len(info.dtypes(device=info.devices()[0])) == 13


def test_device_keyword_is_strict():
    # array_api_strict accepts only its device objects
    with pytest.raises(ValueError):
        xs.zeros(2, device="cpu")
    for f in [lambda d: lz.zeros(2, device=d), lambda d: lz.asarray([1], device=d),
              lambda d: lz.arange(3, device=d), lambda d: lz.full(2, 1.0, device=d),
              lambda d: lz.zeros_like(lz.zeros(2), device=d), lambda d: lz.from_dlpack(lz.zeros(2), device=d)]:
        with pytest.raises(ValueError):
            f("cpu")
        with pytest.raises(ValueError):
            f(object())
        assert f(lz.cpu).device == lz.cpu
        assert f(None).device == lz.cpu


def test_to_device():
    x = lz.arange(3)
    assert x.to_device(lz.cpu) is x and x.to_device("cpu") is x and x.to_device(x.device) is x
    for bad in ["gpu", "cuda:0", 0, None]:
        with pytest.raises(ValueError):
            x.to_device(bad)
    with pytest.raises(ValueError):
        x.to_device(lz.cpu, stream=1)
    with pytest.raises(TypeError):
        x.to_device(device=lz.cpu)  # positional-only


def test_creation_checks_rank_and_size():
    for f in [lz.zeros, lz.ones, lz.empty]:
        assert f((1,) * 64).ndim == 64
        with pytest.raises(ValueError):
            f((1,) * 65)
        with pytest.raises(ValueError):
            f((2**40, 2**40))  # the element count would not be addressable
    for d in [lz.bool, lz.int8, lz.uint64, lz.float32, lz.complex128]:
        assert lz.zeros(2, dtype=d).dtype == d and lz.ones(2, dtype=d).dtype == d
    assert bool(lz.all(lz.ones(3, dtype=lz.bool))) and not bool(lz.any(lz.zeros(3, dtype=lz.bool)))
    assert complex(lz.ones((), dtype=lz.complex64)) == 1 + 0j


def test_signatures_follow_the_spec_stubs():
    import inspect

    info = lz.__array_namespace_info__()
    want = {
        lz.can_cast: "(from_, to, /)",
        lz.finfo: "(type, /)",
        lz.iinfo: "(type, /)",
        lz.isdtype: "(dtype, kind)",
        lz.result_type: "(*arrays_and_dtypes)",
        lz.astype: "(x, dtype, /, *, copy=True, device=None)",
        lz.from_dlpack: "(x, /, *, device=None, copy=None)",
        lz.__array_namespace_info__: "()",
        lz.Array.__dlpack__: "(self, /, *, stream=None, max_version=None, dl_device=None, copy=None)",
        lz.Array.__dlpack_device__: "(self, /)",
        lz.Array.to_device: "(self, device, /, *, stream=None)",
        info.capabilities: "()",
        info.default_device: "()",
        info.default_dtypes: "(*, device=None)",
        info.dtypes: "(*, device=None, kind=None)",
        info.devices: "()",
    }
    for f, sig in want.items():
        assert str(inspect.signature(f)) == sig, f
