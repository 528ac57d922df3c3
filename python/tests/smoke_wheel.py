"""A smoke test of an installed lazulite wheel with nothing else installed (no NumPy, no pytest): run
by `make wheel` with the wheel installed in a fresh venv of the oldest CPython it serves (3.10), and of
newer ones when they are installed. Values are checked against plain Python."""

import math
import pickle
import sys

import lazulite as lz

n = 1000
x = lz.arange(n, dtype=lz.float64)
assert float(lz.sum(x)) == n * (n - 1) / 2
y = lz.sin(x) * 2.0 + 1.0
got = y.__buffer__(0x11C).tolist()  # PyBUF_FULL_RO; memoryview(y) from 3.12 on
assert all(abs(g - (2.0 * math.sin(i) + 1.0)) <= 1e-12 for i, g in enumerate(got))
m = lz.reshape(lz.arange(6, dtype=lz.int64), (2, 3))
t = lz.permute_dims(m, (1, 0)).compute()
view = t.__buffer__(0x11C)
assert view.format == "q" and view.shape == (3, 2) and view.readonly
assert view.tolist() == [[0, 3], [1, 4], [2, 5]]
if sys.version_info >= (3, 12):
    assert memoryview(t).tolist() == view.tolist()
assert (m @ lz.permute_dims(m, (1, 0))).__buffer__(0x11C).tolist() == [[5, 14], [14, 50]]
assert pickle.loads(pickle.dumps(m)).__buffer__(0x11C).tolist() == [[0, 1, 2], [3, 4, 5]]
c = lz.asarray(bytearray(b"\x01\x02\x03"))  # the buffer protocol's import side
assert c.dtype == lz.uint8 and int(lz.sum(c)) == 6
assert "Array(" in repr(m) or "array(" in repr(m)
print(f"smoke_wheel: lazulite {lz.__version__} on Python {sys.version.split()[0]}: ok")
