"""bench/gpu/run.py (the GPU benchmark against CuPy and PyTorch) at tiny sizes on the CPU, NumPy as the
peer (`--small`), so that its logic (workloads, checks, report) never rots between GPU runs."""

import importlib.util
import pathlib

import numpy as np
import pytest


def _gpu_bench():
    path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "gpu" / "run.py"
    spec = importlib.util.spec_from_file_location("lazulite_bench_gpu_run", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_small_run_checks_and_reports_every_workload(capsys):
    bench = _gpu_bench()
    assert bench.main(["--small", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("a*b+c", "sum(sqrt(x*x+y*y))", "softmax rows", "sum(abs(x[:,None]-y[None,:]))", "matmul"):
        assert out.count(name) == (1 if name == "matmul" else 2), out
    assert "device-to-device copy" in out and "lz/numpy" in out and "MISMATCH" not in out


def test_a_wrong_result_fails_loudly(capsys, monkeypatch):
    bench = _gpu_bench()
    with pytest.raises(bench.Mismatch, match="max error"):
        bench.compare("x", np.array([1.0, 2.0]), np.array([1.0, 2.5]), 1e-6)
    with pytest.raises(bench.Mismatch, match="float32"):
        bench.compare("x", np.zeros(2, np.float32), np.zeros(2, np.float64), 1e-6)
    # a matmul within 2 k eps passes, one off by more fails
    want = np.full((4, 4), 8.0, np.float32)
    bench.compare("mm", want + 8.0 * 2e-7, want, None)
    with pytest.raises(bench.Mismatch):
        bench.compare("mm", want + 1e-3, want, None)
    # lazulite's results perturbed: every row is reported and the run fails
    real_host = bench.LazulitePeer.host
    monkeypatch.setattr(bench.LazulitePeer, "host", lambda self, r: real_host(self, r) * 1.01 + 1.0)
    assert bench.main(["--small", "--repeat", "1", "--only", "a*b+c"]) == 1
    out = capsys.readouterr().out
    assert out.count("MISMATCH a*b+c") == 2 and "MISMATCH(ES)" in out


def test_a_device_lazulite_cannot_use_is_a_clear_message(capsys):
    bench = _gpu_bench()
    assert bench.main(["--small", "--repeat", "1", "--device", "cuda:7"]) == 2
    out = capsys.readouterr().out
    assert "bench/gpu:" in out and "cuda:7" in out, out
