"""Views that write through and inputs captured when written, with NumPy as the oracle.

A view (basic indexing, no-copy reshape, permute_dims, .T/.mT, expand_dims, squeeze, flip, moveaxis,
unstack) shares its base: a write through any member of the family shows in every member, arrays
computed before the write keep the old values. Foreign memory is captured when it is imported.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz


def val(x):
    return np.asarray(x)


def oracle_array(a):
    """NumPy's integer indexing of one element gives a scalar (a copy); hold it as a 0-d array."""
    return a if isinstance(a, np.ndarray) else np.array(a)


# ---- generated chains of views and writes -----------------------------------------------------------


@st.composite
def basic_key(draw, shape, allow_new=True):
    """A basic indexing key for `shape`: ints, slices with any step, `None`, at most one `...`
    (items before it index the leading axes, items after it the trailing ones)."""
    nd = len(shape)
    use_ellipsis = draw(st.booleans())
    n_front = draw(st.integers(0, nd))
    n_back = draw(st.integers(0, nd - n_front)) if use_ellipsis else 0

    def item(n):
        kinds = ["int", "slice", "slice", "new"] if allow_new else ["int", "slice"]
        if n == 0:
            kinds.remove("int")  # no element to pick
        kind = draw(st.sampled_from(kinds))
        if kind == "new":
            return [None, slice(None)]
        if kind == "int":
            return [draw(st.integers(-n, n - 1))]
        start = draw(st.none() | st.integers(-n - 1, n + 1))
        stop = draw(st.none() | st.integers(-n - 1, n + 1))
        step = draw(st.none() | st.sampled_from([1, 2, 3, -1, -2]))
        return [slice(start, stop, step)]

    front = [i for n in shape[:n_front] for i in item(n)]
    back = [i for n in shape[nd - n_back :] for i in item(n)]
    return tuple(front + ([Ellipsis] if use_ellipsis else []) + back)


def factorizations(n, depth=3):
    """Shapes of `n` elements with at most `depth` axes."""
    out = [(n,)]
    if depth > 1:
        for d in range(1, n + 1):
            if n % d == 0:
                out += [(d,) + rest for rest in factorizations(n // d, depth - 1)]
    return out


@st.composite
def view_op(draw, a):
    """`(name, lazulite function, numpy function)` of a movement that is a view in NumPy (reshape:
    when NumPy needs no copy; either way lazulite must do what NumPy does)."""
    nd = a.ndim
    choices = ["index", "index", "permute", "expand", "reshape", "moveaxis"]
    if nd >= 1:
        choices.append("flip")  # (NumPy's flip of a 0-d array is a scalar copy: a quirk, not a rule)
    if nd == 2:
        choices.append("T")
    if nd >= 2:
        choices += ["mT", "matrix_transpose"]
    if 1 in a.shape:
        choices.append("squeeze")
    if nd >= 1 and a.shape[0] > 0:
        choices.append("unstack")
    kind = draw(st.sampled_from(choices))
    if kind == "index":
        key = draw(basic_key(a.shape))
        return f"[{key}]", (lambda x: x[key]), (lambda y: y[key])
    if kind == "permute":
        perm = tuple(draw(st.permutations(range(nd))))
        return f"permute{perm}", (lambda x: lz.permute_dims(x, perm)), (lambda y: np.transpose(y, perm))
    if kind == "expand":
        ax = draw(st.integers(-nd - 1, nd))
        return f"expand{ax}", (lambda x: lz.expand_dims(x, axis=ax)), (lambda y: np.expand_dims(y, ax))
    if kind == "flip":
        ax = draw(st.none() | st.integers(-nd, nd - 1))
        return f"flip{ax}", (lambda x: lz.flip(x, axis=ax)), (lambda y: np.flip(y, axis=ax))
    if kind == "reshape":
        new = draw(st.sampled_from(factorizations(a.size) if a.size else [(0,), (0, 2)]))
        if draw(st.booleans()) and len(new) > 0:
            new = (-1,) + new[1:] if a.size else new
        return f"reshape{new}", (lambda x: lz.reshape(x, new)), (lambda y: np.reshape(y, new))
    if kind == "moveaxis":
        if nd == 0:
            return "expand0", (lambda x: lz.expand_dims(x, axis=0)), (lambda y: np.expand_dims(y, 0))
        s, d = draw(st.integers(0, nd - 1)), draw(st.integers(-nd, nd - 1))
        return f"moveaxis{s},{d}", (lambda x: lz.moveaxis(x, s, d)), (lambda y: np.moveaxis(y, s, d))
    if kind == "T":
        return "T", (lambda x: x.T), (lambda y: y.T)
    if kind == "mT":
        return "mT", (lambda x: x.mT), (lambda y: np.swapaxes(y, -1, -2))
    if kind == "matrix_transpose":
        return "mt", lz.matrix_transpose, (lambda y: np.swapaxes(y, -1, -2))
    if kind == "squeeze":
        ax = draw(st.sampled_from([i for i, n in enumerate(a.shape) if n == 1]))
        return f"squeeze{ax}", (lambda x: lz.squeeze(x, axis=ax)), (lambda y: np.squeeze(y, axis=ax))
    # unstack: element i along an axis
    ax = draw(st.integers(0, nd - 1))
    if a.shape[ax] == 0:
        return "expand0", (lambda x: lz.expand_dims(x, axis=0)), (lambda y: np.expand_dims(y, 0))
    i = draw(st.integers(0, a.shape[ax] - 1))
    return (
        f"unstack{ax}[{i}]",
        (lambda x: lz.unstack(x, axis=ax)[i]),
        (lambda y: np.moveaxis(y, ax, 0)[i]),
    )


def check_family(family, log):
    for j, (x, y) in enumerate(family):
        assert x.shape == y.shape, (j, log)
        np.testing.assert_array_equal(val(x), y, err_msg=f"member {j} after {log}")


@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    data=st.data(),
)
def test_chains_of_views_write_through_like_numpy(shape, data):
    base_np = np.arange(float(np.prod(shape))).reshape(shape)
    family = [(lz.asarray(base_np.copy()), base_np)]
    log = []
    kept = []  # (lazy lazulite expression, its NumPy value when it was written)
    for _ in range(data.draw(st.integers(3, 9), label="steps")):
        action = data.draw(st.sampled_from(["view", "view", "write", "write_idx", "iop", "iop_key", "expr"]), label="action")
        j = data.draw(st.integers(0, len(family) - 1), label="member")
        x, y = family[j]
        if action == "view":
            name, f, g = data.draw(view_op(y), label="op")
            family.append((f(x), oracle_array(g(y))))
            log.append(f"m{len(family) - 1} = m{j}.{name}")
        elif action == "write":
            key = data.draw(basic_key(y.shape, allow_new=False), label="key") if y.ndim else ...
            v = float(data.draw(st.integers(-50, 50), label="value"))
            x[key] = v
            y[key] = v
            log.append(f"m{j}[{key}] = {v}")
            check_family(family, log)
        elif action == "write_idx" and y.ndim >= 1 and y.shape[0] > 0:
            rows = data.draw(st.lists(st.integers(0, y.shape[0] - 1), min_size=1, max_size=3, unique=True))
            v = float(data.draw(st.integers(-50, 50), label="value"))
            x[lz.asarray(rows)] = v
            y[np.asarray(rows)] = v
            log.append(f"m{j}[{rows}] = {v}")
            check_family(family, log)
        elif action == "iop_key":  # x[k] += v: __getitem__, __iadd__ (writes through), __setitem__
            key = data.draw(basic_key(y.shape, allow_new=False), label="key") if y.ndim else ...
            v = float(data.draw(st.integers(1, 5), label="value"))
            x[key] += v
            y[key] += v
            log.append(f"m{j}[{key}] += {v}")
            check_family(family, log)
        elif action == "iop":
            v = float(data.draw(st.integers(1, 5), label="value"))
            x += v
            y += v
            family[j] = (x, y)  # the same objects: in-place operators write into the array
            log.append(f"m{j} += {v}")
            check_family(family, log)
        else:
            kept.append((x * 2.0 + 1.0, y * 2.0 + 1.0))
            kept.append((lz.sum(x), np.sum(y)))
            log.append(f"kept expressions of m{j}")
    check_family(family, log)
    for e, want in kept:  # built between writes, computed only now: the values they were written with
        np.testing.assert_array_equal(val(e), want, err_msg=str(log))


def test_views_see_writes_to_their_base_and_siblings():
    b = np.arange(24.0).reshape(2, 3, 4)
    x = lz.asarray(b.copy())
    members = {
        "slice": (x[:, 1:, ::-2], lambda y: y[:, 1:, ::-2]),
        "int": (x[1], lambda y: y[1]),
        "new": (x[None, ..., 2], lambda y: y[None, ..., 2]),
        "T": (lz.permute_dims(x, (2, 0, 1)), lambda y: np.transpose(y, (2, 0, 1))),
        "reshape": (lz.reshape(x, (6, 4)), lambda y: y.reshape(6, 4)),
        "mT": (x.mT, lambda y: np.swapaxes(y, -1, -2)),
        "flip": (lz.flip(x, axis=1), lambda y: np.flip(y, axis=1)),
        "expand_squeeze": (lz.squeeze(lz.expand_dims(x, axis=1), axis=1), lambda y: y),
        "moveaxis": (lz.moveaxis(x, 0, -1), lambda y: np.moveaxis(y, 0, -1)),
        "unstack": (lz.unstack(x, axis=2)[3], lambda y: y[:, :, 3]),
    }
    before = {k: v * 1.0 for k, (v, _) in members.items()}
    x[0, 1, :] = -1.0  # write the base
    b[0, 1, :] = -1.0
    members["slice"][0][...] = 5.0  # write a view: the base and its siblings change
    b[:, 1:, ::-2] = 5.0
    u = members["unstack"][0]
    u += 100.0
    b[:, :, 3] += 100.0
    np.testing.assert_array_equal(val(x), b)
    for k, (v, f) in members.items():
        np.testing.assert_array_equal(val(v), f(b), err_msg=k)
    for k, e in before.items():  # computed after the writes, built before them
        np.testing.assert_array_equal(val(e), members[k][1](np.arange(24.0).reshape(2, 3, 4)), err_msg=k)


def test_scikit_learn_add_to_diagonal_pattern():
    """`_add_to_diagonal` in scikit-learn: `reshape(covariances[k], (-1,))[::n + 1] += reg_covar`."""
    rng = np.random.default_rng(0)
    n_components, n = 3, 4
    cov_np = rng.standard_normal((n_components, n, n))
    before = cov_np.copy()
    cov = lz.asarray(cov_np.copy())
    reg_covar = 1e-3
    for k in range(n_components):
        flat = lz.reshape(cov[k], (-1,))
        flat[:: n + 1] += reg_covar
        np.reshape(cov_np[k], (-1,))[:: n + 1] += reg_covar
    np.testing.assert_array_equal(val(cov), cov_np)
    diag = np.diagonal(val(cov), axis1=1, axis2=2)
    np.testing.assert_array_equal(diag, np.diagonal(before, axis1=1, axis2=2) + reg_covar)


def test_scikit_learn_1_9_add_to_diagonal_pattern():
    """scikit-learn >= 1.9 writes the diagonal element by element through `covariances[k, :, :]`."""
    rng = np.random.default_rng(1)
    cov_np = rng.standard_normal((2, 3, 3))
    want = cov_np.copy()
    cov = lz.asarray(cov_np)
    for k in range(2):
        array = cov[k, :, :]
        value = lz.stack([array[i, i] for i in range(3)]) + 0.5
        for i in range(3):
            array[i, i] = value[i]
        want[k][np.diag_indices(3)] += 0.5
    np.testing.assert_array_equal(val(cov), want)


def test_gaussian_mixture_full_keeps_reg_covar():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.mixture import GaussianMixture

    if not hasattr(lz, "linalg"):
        pytest.skip("scikit-learn's array API path needs the linalg extension (xp.linalg.diagonal)")
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.standard_normal((40, 3)), rng.standard_normal((40, 3)) + 5.0])
    kw = dict(
        n_components=2, covariance_type="full", reg_covar=0.5, random_state=0, max_iter=5,
        init_params="random_from_data",
    )
    want = GaussianMixture(**kw).fit(X).covariances_
    try:
        ctx = sklearn.config_context(array_api_dispatch=True)
        ctx.__enter__()
    except (ImportError, RuntimeError) as e:  # e.g. SCIPY_ARRAY_API=1 was not set before import
        pytest.skip(f"scikit-learn refuses array API dispatch here: {e}")
    try:
        got = GaussianMixture(**kw).fit(lz.asarray(X)).covariances_
    finally:
        ctx.__exit__(None, None, None)
    np.testing.assert_allclose(val(got), want, rtol=1e-6, atol=1e-9)


# ---- what is a copy, what is read-only -------------------------------------------------------------


def test_a_reshape_that_must_copy_is_a_copy():
    x = lz.reshape(lz.arange(6.0), (2, 3))
    flat = lz.reshape(x.T, (-1,))  # NumPy copies here too: the transposed elements have no strides
    flat[0] = 100.0
    assert float(x[0, 0]) == 0.0
    with pytest.raises(ValueError, match="reshape.*copy=False"):
        lz.reshape(x.T, (-1,), copy=False)
    view = lz.reshape(x, (3, 2), copy=False)
    view[0, 0] = 7.0
    assert float(x[0, 0]) == 7.0
    c = lz.reshape(x, (3, 2), copy=True)
    c[0, 1] = -7.0
    assert float(x[0, 1]) == 1.0


def test_integer_keys_of_one_element_and_advanced_indexing_are_copies():
    x = lz.asarray([[1.0, 2.0], [3.0, 4.0]])
    one = x[0, 1]  # NumPy: a scalar
    taken = x[lz.asarray([0, 1])]
    one[...] = 50.0
    taken[0, 0] = 60.0
    np.testing.assert_array_equal(val(x), [[1.0, 2.0], [3.0, 4.0]])
    row = x[0, ...]  # ... keeps it a (0-d or larger) view
    row[1] = 9.0
    assert float(x[0, 1]) == 9.0


def test_broadcast_results_are_read_only():
    x = lz.arange(3.0)
    b = lz.broadcast_to(x, (2, 3))
    for write in [
        lambda: b.__setitem__((0, 0), 1.0),
        lambda: b[1].__setitem__(0, 1.0),  # a view of a read-only view is read-only
        lambda: b.__iadd__(1.0),
    ]:
        with pytest.raises(ValueError, match="read-only.*copy=True"):
            write()
    p, q = lz.broadcast_arrays(x, lz.ones((2, 1)))
    with pytest.raises(ValueError, match="broadcast_to"):
        p[0, 0] = 5.0
    x[0] = 10.0  # the original stays writable, and its broadcasts see the write
    assert float(b[1, 0]) == 10.0 and float(p[1, 0]) == 10.0
    c = lz.asarray(b, copy=True)
    c[0, 0] = 1.0
    assert float(c[0, 0]) == 1.0


# ---- inputs captured when they are written ---------------------------------------------------------


def test_a_lazy_result_sees_the_buffer_as_it_was():
    s = np.arange(5.0)
    y = lz.asarray(s) * 2
    s[0] = 100.0
    assert float(y[0]) == 0.0


def test_data_loader_reusing_one_buffer():
    buf = np.empty((2, 3))
    batches = []
    for b in range(3):
        buf[...] = b  # the loader writes the next batch into the same buffer
        batches.append(lz.sum(lz.asarray(buf) + 1.0))
    assert [float(t) for t in batches] == [6.0, 12.0, 18.0]


def test_copy_false_aliases_the_buffer_as_documented():
    s = np.arange(4.0)
    x = lz.asarray(s, copy=False)
    assert np.shares_memory(val(x), s)
    s[0] = 42.0  # later writes by the owner show through
    assert float(x[0]) == 42.0
    x[1] = -1.0  # writes to the lazulite array never reach the NumPy buffer
    assert s[1] == 1.0 and float(x[1]) == -1.0


def test_read_only_input_stays_zero_copy_and_read_only():
    a = np.arange(6.0).reshape(2, 3).copy()  # owns its memory (no writable base behind it)
    a.flags.writeable = False
    x = lz.asarray(a)
    back = val(x)
    assert np.shares_memory(back, a)
    assert back.__array_interface__["data"][0] == a.__array_interface__["data"][0]
    for write in [lambda: x.__setitem__(0, 1.0), lambda: x[1].__setitem__(0, 1.0), lambda: x.T.__iadd__(1.0)]:
        with pytest.raises(ValueError, match="read-only.*asarray\\(x, copy=True\\)"):
            write()
    w = lz.asarray(x, copy=True)
    w[0, 0] = 5.0
    assert float(w[0, 0]) == 5.0 and a[0, 0] == 0.0
    s = lz.asarray(np.float32(2.0))  # a NumPy scalar (a read-only 0-d buffer) gives a writable array
    s[...] = 3.0
    assert float(s) == 3.0
    # a read-only view of writable memory can still change: it is captured (copied)
    base = np.arange(3.0)
    ro = base[:]
    ro.flags.writeable = False
    y = lz.asarray(ro)
    base[0] = 9.0
    assert float(y[0]) == 0.0


def test_from_dlpack_captures_writable_producers():
    s = np.arange(4.0)
    x = lz.from_dlpack(s)  # a writable producer: the values it holds now
    s[0] = 100.0
    assert float(x[0]) == 0.0
    alias = lz.from_dlpack(s, copy=False)  # explicit aliasing
    s[1] = 200.0
    assert float(alias[1]) == 200.0
    ro = np.arange(3.0)
    ro.flags.writeable = False
    r = lz.from_dlpack(ro)  # read-only: zero-copy, and read-only
    assert np.shares_memory(val(r), ro)
    with pytest.raises(ValueError, match="read-only"):
        r[0] = 1.0


def test_from_dlpack_of_a_lazulite_array_shares_its_family():
    x = lz.reshape(lz.arange(6.0), (2, 3))
    y = lz.from_dlpack(x[1])
    y[0] = -5.0
    assert float(x[1, 0]) == -5.0
    x[1, 1] = -6.0
    assert float(y[1]) == -6.0
    c = lz.from_dlpack(x, copy=True)
    c[0, 0] = 99.0
    assert float(x[0, 0]) == 0.0


def test_mask_and_index_array_writes_through_views():
    b = np.arange(12.0).reshape(3, 4)
    x = lz.asarray(b.copy())
    t = x.T[::-1]  # (4, 3), reversed rows of the transpose
    t[t > 5.0] = -1.0  # a boolean mask (a data-dependent shape) written through the view
    b.T[::-1][b.T[::-1] > 5.0] = -1.0
    t[lz.asarray([0, 2]), 1] = 50.0
    b.T[::-1][np.array([0, 2]), 1] = 50.0
    np.testing.assert_array_equal(val(x), b)
    np.testing.assert_array_equal(val(t), b.T[::-1])


def test_overlapping_self_assignment_reads_the_old_values():
    b = np.arange(6.0)
    x = lz.asarray(b.copy())
    x[1:] += x[:-1]  # the right side is read before the write, as in NumPy
    b[1:] += b[:-1]
    x[::-1] = x
    b[::-1] = b.copy()
    x[...] = x  # writing a view's own values back changes nothing
    np.testing.assert_array_equal(val(x), b)
