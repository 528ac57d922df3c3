"""Progress of long computes: a bar on the terminal, or the user's callback.

The runtime reports after kernels and extern ops, and within a long kernel on the CPU as its row
ranges finish (bytes counted in proportion; from whichever worker thread finds a report due, one
at a time): only once the compute has run ``delay`` seconds (1 s by default, so quick computes print nothing), then at
most every 100 ms, and once when it finishes. Reports go to a terminal bar on ``sys.stderr`` when it
is a terminal (``"auto"``, the default), to a bar on a given stream even when it is not a terminal
(``True`` / ``file=``), to nowhere (``False``: the runtime does not even look), or to a callable.
"""

import sys
from typing import NamedTuple

from . import _lazulite


class Progress(NamedTuple):
    """One progress report of a compute (what a ``set_progress`` callback receives)."""

    kernels_done: int
    kernels_total: int
    externs_done: int
    externs_total: int
    bytes_done: int
    bytes_total: int
    elapsed: float
    finished: bool


def human_bytes(n):
    """``8.0 MiB``, ``512 B``: binary units with one decimal (as ``explain`` prints sizes)."""
    if n < 1024:
        return f"{n} B"
    v = n / 1024.0
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        if v < 1024.0:
            return f"{v:.1f} {unit}"
        v /= 1024.0
    return f"{v:.1f} PiB"


_BAR_WIDTH = 24


def format_bar(p):
    """One line of the terminal bar for report ``p``."""
    total = p.bytes_total or 1
    frac = min(1.0, p.bytes_done / total) if p.bytes_total else (
        (p.kernels_done + p.externs_done) / max(1, p.kernels_total + p.externs_total))
    filled = int(round(frac * _BAR_WIDTH))
    steps = f"{p.kernels_done}/{p.kernels_total} kernels"
    if p.externs_total:
        steps += f", {p.externs_done}/{p.externs_total} extern ops"
    return (f"lazulite [{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {frac * 100:3.0f}%  {steps}  "
            f"{human_bytes(p.bytes_done)}/{human_bytes(p.bytes_total)}  {p.elapsed:.1f}s")


class _Bar:
    """Draws reports on ``file`` (``None``: ``sys.stderr`` at the time of each report); when not
    ``force``, only on a terminal."""

    def __init__(self, file=None, force=False):
        self.file = file
        self.force = force
        self.width = 0

    def __call__(self, *report):
        p = Progress(*report)
        out = self.file if self.file is not None else sys.stderr
        if out is None:
            return
        if not self.force:
            isatty = getattr(out, "isatty", None)
            if isatty is None or not isatty():
                return
        line = format_bar(p)
        pad = " " * max(0, self.width - len(line))
        self.width = 0 if p.finished else len(line)
        out.write("\r" + line + pad + ("\n" if p.finished else ""))
        out.flush()


class _Callback:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *report):
        self.fn(Progress(*report))


_setting = ("auto", 1.0, None)


def _install(mode, delay, file):
    global _setting
    old = _setting
    if mode is False:
        _lazulite._set_progress_hook(None, delay)
    elif mode is True:
        _lazulite._set_progress_hook(_Bar(file, force=True), delay)
    elif isinstance(mode, str):
        _lazulite._set_progress_hook(_Bar(file, force=False), delay)
    else:
        _lazulite._set_progress_hook(_Callback(mode), delay)
    _setting = (mode, delay, file)
    return old


def set_progress(mode, *, delay=1.0, file=None):
    """Progress reports of long computes.

    ``mode``: ``"auto"`` (the default setting: a bar on ``sys.stderr`` only when it is a terminal),
    ``True`` (a bar on ``file``, or ``sys.stderr``, even when it is not a terminal), ``False`` (no
    reports at all) or a callable that receives a :class:`Progress` per report. ``delay``: seconds a
    compute runs before its first report (quicker computes report nothing). Reports come at most
    every 100 ms, after kernels and extern ops and, on the CPU, within a long kernel as its row
    ranges finish (so one long fused kernel moves the bar too); a callable may be called from one of
    the engine's worker threads (one call at a time) and should be quick. Returns the previous
    setting as ``(mode, delay, file)``;
    ``set_progress(old[0], delay=old[1], file=old[2])`` restores it.

    >>> reports = []
    >>> old = lz.set_progress(reports.append, delay=0.0)
    >>> _ = (lz.sin(lz.arange(100000.0)) + 1).compute()
    >>> reports[-1].finished, reports[-1].kernels_done == reports[-1].kernels_total
    (True, True)
    >>> _ = lz.set_progress(old[0], delay=old[1], file=old[2])
    """
    _check("set_progress", mode, delay, file)
    return _install(mode, float(delay), file)


def _check(func, mode, delay, file):
    if not (mode is True or mode is False or (isinstance(mode, str) and mode == "auto") or callable(mode)):
        raise TypeError(
            f"{func}: mode must be True, False, 'auto' or a callable, got {type(mode).__name__}; "
            "pass False to turn progress off")
    if isinstance(delay, bool) or not isinstance(delay, (int, float)):
        raise TypeError(f"{func}: delay must be a number of seconds, got {type(delay).__name__}")
    if not 0 <= delay <= 1e9:
        raise ValueError(f"{func}: delay must be a number of seconds from 0 to 1e9, got {delay}")
    if file is not None and not callable(getattr(file, "write", None)):
        raise TypeError(f"{func}: file must have a write method, got {type(file).__name__}")


class progress:  # noqa: N801  (used like a function: ``with lz.progress(cb): ...``)
    """``set_progress`` for a ``with`` block; the previous setting comes back at its end.

    >>> reports = []
    >>> with lz.progress(reports.append, delay=0.0):
    ...     _ = (lz.cos(lz.arange(100000.0)) * 2).compute()
    >>> reports[-1].finished
    True
    """

    def __init__(self, mode, *, delay=1.0, file=None):
        _check("progress", mode, delay, file)
        self._setting = (mode, float(delay), file)
        self._old = None

    def __enter__(self):
        self._old = _install(*self._setting)
        return self

    def __exit__(self, *exc):
        _install(*self._old)
        return False


_install("auto", 1.0, None)
