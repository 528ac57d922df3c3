"""``lazulite.fft``: the array API standard's FFT extension (2025.12).

Every transform is lazy: its dtype and shape are known at once, and it runs (rustfft / realfft, plans
cached for the process) when a value is needed. The functions live in the extension module; this
module only names them.
"""

from ._lazulite import _fft

fft = _fft.fft
ifft = _fft.ifft
fftn = _fft.fftn
ifftn = _fft.ifftn
rfft = _fft.rfft
irfft = _fft.irfft
rfftn = _fft.rfftn
irfftn = _fft.irfftn
hfft = _fft.hfft
ihfft = _fft.ihfft
fftfreq = _fft.fftfreq
rfftfreq = _fft.rfftfreq
fftshift = _fft.fftshift
ifftshift = _fft.ifftshift

__all__ = [
    "fft",
    "ifft",
    "fftn",
    "ifftn",
    "rfft",
    "irfft",
    "rfftn",
    "irfftn",
    "hfft",
    "ihfft",
    "fftfreq",
    "rfftfreq",
    "fftshift",
    "ifftshift",
]

del _fft
