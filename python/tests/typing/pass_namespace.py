"""Must type-check under mypy --strict: ordinary uses of lazulite's namespace and extensions.

``python/tests/test_typing.py`` runs mypy over this file (it is never imported by pytest).
"""

import lazulite as lz
from lazulite import Array


def normalise(x: Array) -> Array:
    return (x - lz.mean(x, axis=0, keepdims=True)) / lz.std(x, axis=0, correction=1)


x = lz.asarray([[1.0, 2.0], [3.0, 4.0]], dtype=lz.float64)
y = normalise(x) * 2 + 1.5
z: Array = lz.sum(lz.sin(y) ** 2, axis=(0, 1))
total: float = float(z)
flag: bool = bool(lz.all(y > 0))
shape: tuple[int, ...] = y.shape
dt: lz.dtype = lz.result_type(y, lz.float32)
dev: lz.Device = y.device
n: int = y.ndim + y.size
y[0, 1] = 5.0
y += 1
w = y.mT @ y.T
u, s, vh = lz.linalg.svd(w)
singular: Array = lz.linalg.svd(w).S
eig = lz.linalg.eigh(w + w.mT)
vals: Array = eig.eigenvalues
sign, logabsdet = lz.linalg.slogdet(w)
q: Array = lz.linalg.qr(w, mode="complete").Q
spec: Array = lz.fft.rfft(lz.linspace(0.0, 1.0, 8), norm="ortho")
freq: Array = lz.fft.fftfreq(8, d=0.5)
uniq = lz.unique_all(lz.asarray([1, 2, 2]))
counts: Array = uniq.counts
parts: tuple[Array, ...] = lz.unstack(x, axis=1)
plan: str = lz.explain(z, w)
computed: tuple[Array, ...] = lz.compute_many(z, w)
fi: float = lz.finfo(lz.float32).eps
ii: int = lz.iinfo(lz.int8).max
kinds: bool = lz.isdtype(lz.int8, ("signed integer", "bool"))
info = lz.__array_namespace_info__()
dtypes: dict[str, lz.dtype] = info.dtypes(kind="integral")
caps: bool = info.capabilities()["boolean indexing"]
old_policy: str = lz.set_implicit_compute("warn")
ns = x.__array_namespace__(api_version="2025.12")
taken = lz.take(x, lz.asarray([1, 0]), axis=0)
where: Array = lz.where(x > 2, x, 0.0)
v: Array = x[..., None][0, :, lz.newaxis]
ready: bool = x.compute().is_computed

# NumPy interchange: NumPy arrays go in through asarray / from_dlpack, come out through __array__.
import numpy as np  # noqa: E402

from_numpy: Array = lz.asarray(np.arange(3.0))
via_dlpack: Array = lz.from_dlpack(np.arange(3.0))
back = np.asarray(from_numpy)
