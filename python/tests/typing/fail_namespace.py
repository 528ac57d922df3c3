"""Must NOT type-check: each line marked ``# E: <code>`` is an error mypy has to report (with that
error code), and mypy must report nothing else. ``python/tests/test_typing.py`` checks both.
"""

import lazulite as lz

x = lz.asarray([1.0, 2.0])
lz.sum(x, axis="0")  # E: arg-type
lz.zeros((2, 3), dtype="float32")  # E: arg-type
lz.sin(1.0)  # E: arg-type
lz.linalg.svd(x).V  # E: attr-defined
lz.fft.fft(x, norm="sideways")  # E: arg-type
n: int = x.shape  # E: assignment
x.compute(now=True)  # E: call-arg
lz.sqrt(x).dtype = lz.float32  # E: misc
lz.concat((x, x), axis="0")  # E: arg-type
lz.set_implicit_compute("never")  # E: arg-type
s: str = lz.sum(x)  # E: assignment
lz.unique_counts(x).inverse_indices  # E: attr-defined

