# Type stubs of lazulite.fft (the array API standard's fft extension, 2025.12).

from collections.abc import Sequence
from typing import Literal

from typing_extensions import TypeAlias

from . import Array, Device, dtype

_Norm: TypeAlias = Literal["backward", "ortho", "forward"]

def fft(x: Array, /, *, n: int | None = None, axis: int = -1, norm: _Norm = "backward") -> Array: ...
def ifft(x: Array, /, *, n: int | None = None, axis: int = -1, norm: _Norm = "backward") -> Array: ...
def fftn(
    x: Array,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: _Norm = "backward",
) -> Array: ...
def ifftn(
    x: Array,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: _Norm = "backward",
) -> Array: ...
def rfft(x: Array, /, *, n: int | None = None, axis: int = -1, norm: _Norm = "backward") -> Array: ...
def irfft(x: Array, /, *, n: int | None = None, axis: int = -1, norm: _Norm = "backward") -> Array: ...
def rfftn(
    x: Array,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: _Norm = "backward",
) -> Array: ...
def irfftn(
    x: Array,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: _Norm = "backward",
) -> Array: ...
def hfft(x: Array, /, *, n: int | None = None, axis: int = -1, norm: _Norm = "backward") -> Array: ...
def ihfft(x: Array, /, *, n: int | None = None, axis: int = -1, norm: _Norm = "backward") -> Array: ...
def fftfreq(
    n: int, /, *, d: float = 1.0, dtype: dtype | None = None, device: Device | None = None
) -> Array: ...
def rfftfreq(
    n: int, /, *, d: float = 1.0, dtype: dtype | None = None, device: Device | None = None
) -> Array: ...
def fftshift(x: Array, /, *, axes: int | Sequence[int] | None = None) -> Array: ...
def ifftshift(x: Array, /, *, axes: int | Sequence[int] | None = None) -> Array: ...
