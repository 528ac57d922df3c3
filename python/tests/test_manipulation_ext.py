"""broadcast_arrays/shapes, concat, stack, moveaxis, repeat, roll, tile, unstack against NumPy."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import lazulite as lz
from _support import ANY, LAYOUTS, assert_matches, elements, with_layout, xps


def draw_array(data, *, min_dims=0, max_dims=3, min_side=0, dtype=None, label="x"):
    dtype = dtype or data.draw(st.sampled_from(ANY), label=f"{label}.dtype")
    shape = data.draw(xps.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=4), label=f"{label}.shape")
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype)), label=label)
    layout = data.draw(st.sampled_from(LAYOUTS), label=f"{label}.layout")
    return with_layout(layout, x)


@given(data=st.data())
def test_broadcast_arrays_and_shapes(data):
    base = data.draw(xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), label="base")
    n = data.draw(st.integers(0, 4), label="n")
    # one draw of n shapes that broadcast together (separate draws need not broadcast with each other)
    shape_list = (
        list(data.draw(xps.mutually_broadcastable_shapes(n, base_shape=base), label="shapes").input_shapes)
        if n
        else []
    )
    got = lz.broadcast_shapes(*shape_list)
    expected = np.broadcast_shapes(*shape_list)
    assert type(got) is tuple and got == expected and all(type(v) is int for v in got)
    arrays = [np.arange(int(np.prod(s)), dtype="int16").reshape(s) for s in shape_list]
    res = lz.broadcast_arrays(*[lz.asarray(a) for a in arrays])
    assert type(res) is tuple and len(res) == n
    for g, e in zip(res, np.broadcast_arrays(*arrays)):
        assert_matches(g, e, what="broadcast_arrays")


def test_broadcast_errors_and_edges():
    assert lz.broadcast_shapes() == ()
    assert lz.broadcast_arrays() == ()
    with pytest.raises(ValueError):
        lz.broadcast_shapes((2,), (3,))
    with pytest.raises(ValueError):
        lz.broadcast_shapes((2, -1))
    with pytest.raises(ValueError):
        lz.broadcast_arrays(lz.ones(2), lz.ones(3))
    with pytest.raises(TypeError):
        lz.broadcast_arrays(np.ones(2))


@given(data=st.data())
def test_concat_and_stack_match_numpy(data):
    # mixed dtypes of one kind (the standard has no int/float promotion)
    kind = data.draw(st.sampled_from([["int8", "int16", "int32", "uint8"], ["float32", "float64"], ["bool"]]), label="kind")
    dtypes = data.draw(st.lists(st.sampled_from(kind), min_size=1, max_size=3), label="dtypes")
    shape = data.draw(xps.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4), label="shape")
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    xs = []
    for i, d in enumerate(dtypes):
        s = list(shape)
        s[axis] = data.draw(st.integers(0, 3), label=f"len{i}")
        xs.append(data.draw(xps.arrays(d, tuple(s), elements=elements(d, lo=-100, hi=100, specials=False)), label=f"x{i}"))
    got = lz.concat([lz.asarray(x) for x in xs], axis=axis)
    assert_matches(got, np.concat(xs, axis=axis), what="concat")
    assert_matches(lz.concat(tuple(lz.asarray(x) for x in xs), axis=None), np.concat(xs, axis=None), what="concat(None)")
    same = [data.draw(xps.arrays(d, shape, elements=elements(d, lo=-100, hi=100, specials=False)), label=f"y{i}") for i, d in enumerate(dtypes)]
    sax = data.draw(st.integers(-len(shape) - 1, len(shape)), label="stack axis")
    assert_matches(lz.stack([lz.asarray(y) for y in same], axis=sax), np.stack(same, axis=sax), what="stack")


def test_concat_stack_errors():
    with pytest.raises(TypeError):
        lz.concat(lz.ones(2))  # a sequence of arrays, not an array
    with pytest.raises(ValueError):
        lz.concat([lz.ones((2, 2)), lz.ones((3, 3))], axis=0)
    with pytest.raises(ValueError):
        lz.stack([lz.ones(2), lz.ones(3)])
    with pytest.raises(TypeError):
        lz.concat([lz.ones(2), np.ones(2)])
    with pytest.raises(TypeError):
        lz.concat([lz.ones(2)], 0)  # axis is keyword-only


@given(data=st.data())
def test_moveaxis_matches_numpy(data):
    xl, xn = draw_array(data, min_dims=1)
    n = xn.ndim
    src = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True), label="src")
    dst = data.draw(st.permutations(range(n)).map(lambda p: p[: len(src)]), label="dst")
    neg = data.draw(st.booleans(), label="negative")
    src = [s - n if neg else s for s in src]
    if len(src) == 1 and data.draw(st.booleans(), label="ints"):
        src, dst = src[0], dst[0]
    else:
        src, dst = tuple(src), tuple(dst)
    assert_matches(lz.moveaxis(xl, src, dst), np.moveaxis(xn, src, dst), what=f"moveaxis({src}, {dst})")


@given(data=st.data())
def test_repeat_matches_numpy(data):
    xl, xn = draw_array(data)
    repeats = data.draw(st.integers(0, 3), label="repeats")
    axis = data.draw(st.one_of(st.none(), st.integers(-xn.ndim, xn.ndim - 1)) if xn.ndim else st.none(), label="axis")
    assert_matches(lz.repeat(xl, repeats, axis=axis), np.repeat(xn, repeats, axis=axis), what=f"repeat({repeats}, axis={axis})")


@given(data=st.data())
def test_repeat_with_array_repeats_matches_numpy(data):
    xl, xn = draw_array(data)
    axis = data.draw(st.one_of(st.none(), st.integers(-xn.ndim, xn.ndim - 1)) if xn.ndim else st.none(), label="axis")
    n = xn.size if axis is None else xn.shape[axis]
    rdtype = data.draw(st.sampled_from(["int8", "uint8", "int32", "int64", "uint64"]), label="repeats dtype")
    rshape = data.draw(st.sampled_from([(1,), (n,), ()]), label="repeats shape")
    repeats = data.draw(xps.arrays(rdtype, rshape, elements=st.integers(0, 3)), label="repeats")
    got = lz.repeat(xl, lz.asarray(repeats), axis=axis)
    # NumPy refuses uint64 counts (no safe cast to intp); the counts are small, so int64 is exact
    assert_matches(got, np.repeat(xn, repeats.astype("int64"), axis=axis), what=f"repeat({repeats!r}, axis={axis})")


@given(data=st.data())
def test_roll_matches_numpy(data):
    xl, xn = draw_array(data)
    n = xn.ndim
    if n and data.draw(st.booleans(), label="with axes"):
        axis = tuple(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=3), label="axis"))
        if data.draw(st.booleans(), label="tuple shift"):
            shift = tuple(data.draw(st.lists(st.integers(-7, 7), min_size=len(axis), max_size=len(axis)), label="shift"))
        else:
            shift = data.draw(st.integers(-7, 7), label="shift")
        if len(axis) == 1 and data.draw(st.booleans(), label="int axis"):
            axis = axis[0]
            shift = shift[0] if isinstance(shift, tuple) else shift
    else:
        axis, shift = None, data.draw(st.integers(-7, 7), label="shift")
    assert_matches(lz.roll(xl, shift, axis=axis), np.roll(xn, shift, axis=axis), what=f"roll({shift}, axis={axis})")


@given(data=st.data())
def test_tile_matches_numpy(data):
    xl, xn = draw_array(data)
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=0, max_size=4), label="reps"))
    assume(np.prod(reps + xn.shape, dtype=np.int64) <= 10_000)
    assert_matches(lz.tile(xl, reps), np.tile(xn, reps), what=f"tile({reps})")


@given(data=st.data())
def test_unstack_matches_numpy(data):
    xl, xn = draw_array(data, min_dims=1)
    axis = data.draw(st.integers(-xn.ndim, xn.ndim - 1), label="axis")
    got = lz.unstack(xl, axis=axis)
    expected = tuple(np.moveaxis(xn, axis, 0))
    assert type(got) is tuple and len(got) == len(expected)
    for g, e in zip(got, expected):
        assert_matches(g, e, what=f"unstack(axis={axis})")


def test_manipulation_errors():
    x = lz.ones((2, 3))
    with pytest.raises(IndexError):
        lz.moveaxis(x, 2, 0)
    with pytest.raises(ValueError):
        lz.moveaxis(x, (0, 1), (0,))
    with pytest.raises(ValueError):
        lz.repeat(x, -1)
    with pytest.raises(IndexError):
        lz.repeat(x, 2, axis=2)
    with pytest.raises(TypeError):
        lz.repeat(x, 2.0)
    with pytest.raises(ValueError):
        lz.repeat(x, lz.asarray([1, 2]), axis=1)  # one count per element, or a single one
    with pytest.raises(ValueError):
        lz.repeat(x, lz.asarray([1, -2]), axis=0)
    with pytest.raises(ValueError):
        lz.repeat(x, lz.ones((2, 1), dtype=lz.int64), axis=0)  # repeats is 1-D
    with pytest.raises(TypeError):
        lz.repeat(x, lz.asarray([1.0, 2.0]), axis=0)  # repeats has an integer dtype
    previous = lz.set_data_dependent_shapes(False)
    try:
        with pytest.raises(ValueError):
            lz.repeat(x, lz.asarray([1, 2]), axis=0)  # its values decide the output shape
        assert lz.repeat(x, 2, axis=0).shape == (4, 3)  # the int form is unaffected
    finally:
        lz.set_data_dependent_shapes(previous)
    with pytest.raises(ValueError):
        lz.roll(x, (1, 2))  # flattened roll takes one shift
    with pytest.raises(ValueError):
        lz.roll(x, (1, 2), axis=(0, 1, 1))
    with pytest.raises(IndexError):
        lz.roll(x, 1, axis=5)
    with pytest.raises(ValueError):
        lz.tile(x, (-1,))
    with pytest.raises(TypeError):
        lz.tile(x, (1.5,))
    with pytest.raises(IndexError):
        lz.unstack(x, axis=2)
    with pytest.raises(IndexError):
        lz.unstack(lz.ones(()))  # a 0-D array has no axis 0
    with pytest.raises(TypeError):
        lz.unstack(x, 0)  # axis is keyword-only
    with pytest.raises(TypeError):
        lz.expand_dims(x)  # axis is required (2025.12)

