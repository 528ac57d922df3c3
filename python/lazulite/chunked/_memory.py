"""The per-task memory budget: it picks chunk sizes and refuses to plan a task that would exceed it.

The budget is the most memory one task may hold: its input chunks, its output chunk and lazulite's
scratch. ``set_memory_budget`` sets it; otherwise it is half of a worker thread's share of the memory limit
of the active ``dask.distributed`` client, or, without one, half of this machine's memory per CPU.
"Auto" chunks are sized at ``budget // CHUNKS_PER_TASK`` bytes, so a task of a few inputs, its output and
scratch stays under the budget.
"""

import os
import re

CHUNKS_PER_TASK = 8

_budget = None

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_bytes(func, param, value):
    """``value`` (an int, or a string such as ``"256MiB"``) as a positive number of bytes."""
    if isinstance(value, bool):
        raise TypeError(f"{func}: {param} must be an int or a string such as '256MiB', got bool")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", value)
        if m is None or m.group(2).lower() not in _UNITS:
            raise ValueError(
                f"{func}: {param} must be a size such as '256MiB' or '2GB', got {value!r}"
            )
        n = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    else:
        raise TypeError(
            f"{func}: {param} must be an int or a string such as '256MiB', got {type(value).__name__}"
        )
    if n <= 0:
        raise ValueError(f"{func}: {param} must be positive, got {value!r}")
    return n


def set_memory_budget(budget):
    """Set the per-task memory budget (bytes, or a string such as ``"512MiB"``); ``None`` restores the
    default (derived from the active Dask client or this machine). Returns the previous setting."""
    global _budget
    old = _budget
    _budget = None if budget is None else parse_bytes("set_memory_budget", "budget", budget)
    return old


def _client_budget():
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - distributed is a dependency of the tests only
        return None
    try:
        client = default_client()
    except ValueError:
        return None
    try:
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
    except TypeError:  # older distributed without n_workers=
        workers = client.scheduler_info()["workers"].values()
    shares = [w["memory_limit"] // max(1, w["nthreads"]) for w in workers if w.get("memory_limit")]
    return min(shares) // 2 if shares else None


def memory_budget():
    """The per-task memory budget in bytes now in force."""
    if _budget is not None:
        return _budget
    b = _client_budget()
    if b is not None:
        return b
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        total = 8 * 2**30
    return total // max(1, os.cpu_count() or 1) // 2


def chunk_limit():
    """Bytes of one "auto" chunk."""
    return max(1, memory_budget() // CHUNKS_PER_TASK)


def fmt(n):
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
