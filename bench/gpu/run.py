"""lazulite on an NVIDIA GPU against CuPy and PyTorch, in one run (issue 9's GPU benchmark).

Workloads (float32 and float64): `a*b+c` and `sum(sqrt(x*x+y*y))` on 2^28 elements, softmax over the
rows of a 2^14 x 2^14 matrix, `sum(abs(x[:, None] - y[None, :]))` over 2^14 x 2^14 pairs, and an
8192 x 8192 float32 matmul. The device-to-device copy bandwidth (CuPy `copy` of 2^28 float32) is
measured in the same run. For each workload it prints the best-of-N time of lazulite, CuPy and
PyTorch, lazulite's GB/s (bytes each workload must read and write, once) and its share of the copy
bandwidth (or TFLOP/s for matmul, Gpairs/s for the pairwise sum), and the time ratios lazulite/CuPy
and lazulite/PyTorch (below 1: lazulite is faster). Every result is checked against CuPy's; a wrong
answer prints MISMATCH and the script exits with status 1.

    python bench/gpu/run.py [--repeat 10] [--only softmax] [--json out.json]
    python bench/gpu/run.py --small       # tiny sizes on the CPU, NumPy as the only peer (CI)

The lazulite device API it uses (issue 9): `lz.Device("cuda:0")` (or the `cuda:0` entry of
`lz.__array_namespace_info__().devices()`), `lz.from_dlpack(cupy_array)` (zero-copy upload) or
`lz.asarray(numpy_array, device=...)`, `x.device`, and `.compute()`. Where that API is missing the
script says so and exits with status 2. See bench/gpu/README.md for the bundle that carries it to a GPU
machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

import lazulite as lz


class Mismatch(AssertionError):
    """A result that differs from the reference peer's."""


class MissingApi(RuntimeError):
    """The lazulite build lacks part of the device API this script needs."""


# ---------------------------------------------------------------------------------------------------
# peers


class Peer:
    """One array library on one device: uploads NumPy data, runs workloads, reads results back."""

    name = "?"

    def put(self, a: np.ndarray):
        raise NotImplementedError

    def sync(self) -> None:
        pass

    def host(self, r) -> np.ndarray:
        return np.asarray(r)


class NumpyPeer(Peer):
    name = "numpy"
    xp = np

    def put(self, a):
        return a


class CupyPeer(Peer):
    name = "cupy"

    def __init__(self):
        import cupy

        self.xp = cupy

    def put(self, a):
        return self.xp.asarray(a)

    def sync(self):
        self.xp.cuda.runtime.deviceSynchronize()

    def host(self, r):
        return self.xp.asnumpy(r)


class TorchPeer(Peer):
    name = "torch"

    def __init__(self):
        import torch

        self.torch = self.xp = torch
        # cuBLAS in full float32 precision (no TF32), like CuPy and lazulite
        torch.backends.cuda.matmul.allow_tf32 = False

    def put(self, a):
        return self.torch.from_numpy(a).to("cuda:0")

    def sync(self):
        self.torch.cuda.synchronize()

    def host(self, r):
        return r.cpu().numpy() if hasattr(r, "cpu") else np.asarray(r)


def lazulite_device(name: str):
    """The lazulite device called `name` (`cpu`, `cuda:0`); `MissingApi` when this build has none."""
    if name == "cpu":
        return None
    dev = None
    make = getattr(lz, "Device", None)
    if make is not None:
        try:
            dev = make(name)
        except TypeError:
            dev = None
    if dev is None:
        info = lz.__array_namespace_info__()
        dev = next((d for d in info.devices() if str(d) == name or repr(d) == f"Device('{name}')"), None)
    if dev is None:
        raise MissingApi(
            f"this lazulite build has no device {name!r}: lz.Device({name!r}) is not available and "
            f"__array_namespace_info__().devices() lists {list(lz.__array_namespace_info__().devices())}. "
            "Build lazulite with issue 9's device model (branch devcore merged) and run on a machine "
            "with an NVIDIA driver"
        )
    return dev


class LazulitePeer(Peer):
    name = "lazulite"

    def __init__(self, device: str, cupy=None):
        self.device = lazulite_device(device)
        self.cupy = cupy
        self.xp = lz
        try:  # a device that cannot hold an array fails here, with lazulite's own message
            self.host(run_lz(self.put(np.zeros(1, dtype=np.float32)) + 1))
        except (ValueError, RuntimeError, TypeError, MemoryError) as e:
            raise MissingApi(f"lazulite cannot compute on {device}: {type(e).__name__}: {e}") from e

    def put(self, a):
        if self.device is None:
            return lz.asarray(a)
        # zero-copy from a CuPy array when from_dlpack takes one, else through NumPy
        if self.cupy is not None and hasattr(lz, "from_dlpack"):
            try:
                x = lz.from_dlpack(self.cupy.asarray(a))
                if str(getattr(x, "device", "")) == str(self.device):
                    return x
            except (TypeError, ValueError, BufferError, NotImplementedError):
                pass
        try:
            return lz.asarray(a, device=self.device)
        except TypeError as e:
            x = lz.asarray(a)
            if hasattr(x, "to_device"):
                return x.to_device(self.device)
            raise MissingApi(f"lz.asarray(..., device=...) and x.to_device are missing ({e})") from e

    def sync(self):
        if self.cupy is not None:
            self.cupy.cuda.runtime.deviceSynchronize()

    def host(self, r):
        return np.asarray(r)


# ---------------------------------------------------------------------------------------------------
# workloads


def softmax(xp, t):
    if xp is lz:
        e = lz.exp(t - lz.max(t, axis=-1, keepdims=True))
        return e / lz.sum(e, axis=-1, keepdims=True)
    if getattr(xp, "__name__", "") == "torch":
        return xp.softmax(t, dim=-1)  # PyTorch's own fused kernel
    e = xp.exp(t - t.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def run_lz(expr):
    """A lazulite expression, computed (the peers' expressions are eager)."""
    return expr.compute() if hasattr(expr, "compute") else expr


def workloads(n: int, side: int, mat: int, dtypes):
    """`(name, dtype, inputs, fn(xp, *inputs), bytes moved, flops or pairs, unit, rtol)` per row."""
    rng = np.random.default_rng(0)
    for dt in dtypes:
        dt = np.dtype(dt)
        size = dt.itemsize
        a, b, c = (rng.standard_normal(n).astype(dt) for _ in range(3))
        ew_tol, red_tol = (1e-6, 1e-4) if dt == np.float32 else (1e-14, 1e-10)
        yield ("a*b+c", dt, (a, b, c), lambda xp, a, b, c: a * b + c, 4 * n * size, None, "GB/s", ew_tol)
        yield (
            "sum(sqrt(x*x+y*y))",
            dt,
            (a, b),
            lambda xp, x, y: xp.sum(xp.sqrt(x * x + y * y)),
            2 * n * size,
            None,
            "GB/s",
            red_tol,
        )
        m = rng.standard_normal((side, side)).astype(dt)
        yield (
            f"softmax rows {side}x{side}",
            dt,
            (m,),
            softmax,
            2 * side * side * size,
            None,
            "GB/s",
            ew_tol * 10,
        )
        u, v = rng.standard_normal(side).astype(dt), rng.standard_normal(side).astype(dt)
        yield (
            f"sum(abs(x[:,None]-y[None,:])) {side}^2",
            dt,
            (u, v),
            lambda xp, x, y: xp.sum(xp.abs(x[:, None] - y[None, :])),
            2 * side * size,
            side * side,
            "Gpair/s",
            red_tol,
        )
    p = rng.standard_normal((mat, mat)).astype(np.float32)
    q = rng.standard_normal((mat, mat)).astype(np.float32)
    yield (
        f"matmul {mat}^3",
        np.dtype(np.float32),
        (p, q),
        lambda xp, p, q: p @ q,
        3 * mat * mat * 4,
        2 * mat**3,
        "TFLOP/s",
        None,
    )


def compare(name: str, got: np.ndarray, want: np.ndarray, rtol) -> None:
    """Raises `Mismatch` unless `got` equals `want` (shape, dtype, values within `rtol` of the largest
    magnitude; for `rtol=None`, a matmul, within `2 k eps` of it)."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape or got.dtype != want.dtype:
        raise Mismatch(f"{name}: {got.dtype}{list(got.shape)}, reference {want.dtype}{list(want.shape)}")
    if want.size == 0:
        return
    scale = float(np.max(np.abs(want)))
    if rtol is None:
        k = want.shape[-1]
        rtol = 2 * k * float(np.finfo(want.dtype).eps)
    err = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))))
    if not np.isfinite(err) or err > rtol * max(scale, 1e-30):
        raise Mismatch(f"{name}: max error {err:.3g}, allowed {rtol:.1g} x {scale:.3g}")


def best_of(fn, sync, repeat: int) -> float:
    fn()
    sync()
    times = []
    for _ in range(repeat):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return min(times)


def copy_bandwidth(ref: Peer, n: int, repeat: int) -> float:
    """Device-to-device copy bandwidth of the reference peer (bytes read + written per second)."""
    x = ref.put(np.ones(n, dtype=np.float32))
    t = best_of(lambda: x.copy(), ref.sync, repeat)
    return 2 * n * 4 / t


# ---------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="tiny sizes on the CPU, NumPy as the peer")
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--only", default=None, help="run only the rows whose name contains this")
    ap.add_argument("--device", default=None, help="lazulite's device (default cuda:0; cpu with --small)")
    ap.add_argument("--json", default=None, help="write the rows to this file")
    args = ap.parse_args(argv)

    if args.small:
        n, side, mat, repeat = 4099, 67, 67, args.repeat or 2
        device = args.device or "cpu"
        ref, others = NumpyPeer(), []
    else:
        n, side, mat, repeat = 1 << 28, 1 << 14, 8192, args.repeat or 10
        device = args.device or "cuda:0"
        try:
            ref = CupyPeer()
        except ImportError as e:
            print(f"bench/gpu: CuPy is needed as the reference ({e}); use --small without a GPU")
            return 2
        others = []
        try:
            others.append(TorchPeer())
        except ImportError:
            print("bench/gpu: PyTorch is not installed: its column stays empty")
    try:
        lzp = LazulitePeer(device, cupy=getattr(ref, "xp", None) if ref.name == "cupy" else None)
    except MissingApi as e:
        print(f"bench/gpu: {e}")
        return 2
    print(f"lazulite {lz.__version__} on {device}; reference {ref.name}; peers {[p.name for p in others]}")
    copy_bw = copy_bandwidth(ref, n, repeat)
    print(f"device-to-device copy ({ref.name}, {n} float32): {copy_bw / 1e9:.1f} GB/s")
    head = (
        f"{'workload':36} {'dtype':8} {'lazulite ms':>11} {ref.name + ' ms':>11} "
        + "".join(f"{p.name + ' ms':>11}" for p in others)
        + f" {'rate':>15} {'% copy':>7} {'lz/' + ref.name:>9}"
        + "".join(f" {'lz/' + p.name:>9}" for p in others)
    )
    print(head)
    rows, failures = [], []
    for name, dt, data, fn, nbytes, work, unit, rtol in workloads(n, side, mat, ("float32", "float64")):
        if args.only and args.only not in name:
            continue
        try:
            ref_in = [ref.put(d) for d in data]
            want = ref.host(fn(ref.xp, *ref_in))
            t_ref = best_of(lambda: fn(ref.xp, *ref_in), ref.sync, repeat)
            del ref_in
            lz_in = [lzp.put(d) for d in data]
            got = lzp.host(run_lz(fn(lz, *lz_in)))
            compare(f"{name} {dt} (lazulite vs {ref.name})", got, want, rtol)
            t_lz = best_of(lambda: run_lz(fn(lz, *lz_in)), lzp.sync, repeat)
            del lz_in
            t_others = []
            for p in others:
                p_in = [p.put(d) for d in data]
                compare(f"{name} {dt} ({p.name} vs {ref.name})", p.host(fn(p.xp, *p_in)), want, rtol)
                t_others.append(best_of(lambda p=p, p_in=p_in: fn(p.xp, *p_in), p.sync, repeat))
                del p_in
        except Mismatch as e:
            print(f"MISMATCH {e}")
            failures.append(str(e))
            continue
        if unit == "GB/s":
            rate = nbytes / t_lz / 1e9
            pct = f"{100 * nbytes / t_lz / copy_bw:6.0f}%"
        elif unit == "TFLOP/s":
            rate, pct = work / t_lz / 1e12, "-"
        else:
            rate, pct = work / t_lz / 1e9, "-"
        line = (
            f"{name:36} {dt.name:8} {t_lz * 1e3:11.3f} {t_ref * 1e3:11.3f} "
            + "".join(f"{t * 1e3:11.3f}" for t in t_others)
            + f" {rate:8.1f} {unit:>6} {pct:>7} {t_lz / t_ref:9.2f}"
            + "".join(f" {t_lz / t:9.2f}" for t in t_others)
        )
        print(line, flush=True)
        rows.append(
            {
                "workload": name,
                "dtype": dt.name,
                "lazulite_s": t_lz,
                f"{ref.name}_s": t_ref,
                **{f"{p.name}_s": t for p, t in zip(others, t_others)},
                "rate": rate,
                "unit": unit,
                "copy_bandwidth_Bps": copy_bw,
            }
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": device, "copy_bandwidth_Bps": copy_bw, "rows": rows}, f, indent=1)
    if failures:
        print(f"{len(failures)} MISMATCH(ES): lazulite's results differ from {ref.name}'s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
