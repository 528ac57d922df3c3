"""lazulite.chunked on a dask.distributed LocalCluster of 2 worker processes (started once for the
module): generated programs equal NumPy and lazulite, a worker killed mid-compute, inputs on disk larger
than the workers' memory limits."""

import logging
import os
import resource
import signal
import time

import dask.array as da
import numpy as np
import pytest
from dask.utils import key_split
from distributed import Client, LocalCluster, get_task_stream, wait
from hypothesis import HealthCheck, given, settings

import lazulite as lz
import lazulite.chunked as xc
from test_chunked import close, programs, run_program

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")

MEMORY_LIMIT = 256 * 2**20


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit=MEMORY_LIMIT,
        dashboard_address=":0", silence_logs=logging.ERROR,
    )
    c = Client(cluster)
    yield c
    c.close(timeout=10)
    cluster.close(timeout=20)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_generated_programs_on_the_cluster(client, case):
    shape, chunks, b_shape, b_chunks, prog, red, axis, keepdims, seed = case
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shape), rng.standard_normal(b_shape)
    want = np.asarray(run_program(np, a, b, prog, red, axis, keepdims))
    single = np.asarray(run_program(lz, lz.asarray(a), lz.asarray(b), prog, red, axis, keepdims))
    got = run_program(xc, xc.asarray(a, chunks=chunks), xc.asarray(b, chunks=b_chunks), prog, red,
                      axis, keepdims)
    out = got.to_numpy()  # the active scheduler: this module's client
    close(out, want, rtol=1e-9)
    close(out, single, rtol=1e-9)


def test_fused_movement_and_softmax_on_the_cluster(client):
    a = np.random.default_rng(5).standard_normal((12, 10)) * 5
    x = xc.asarray(a, chunks=(5, 4))
    close(xc.sum(x.T * 2 + 1, axis=1), np.sum(a.T * 2 + 1, axis=1), rtol=1e-12)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    want = e / e.sum(axis=1, keepdims=True)
    close(xc.softmax(x, axis=1), want, rtol=1e-12)  # rows merged: one kernel per chunk
    old = xc.set_memory_budget(2048)  # rows do not merge: statistics combined online, then the output
    try:
        close(xc.softmax(x, axis=1), want, rtol=1e-12)
    finally:
        xc.set_memory_budget(old)


def test_tasks_run_on_the_workers_named_by_kernel(client):
    a = np.arange(64.0).reshape(8, 8)
    r = xc.sum(xc.sqrt(xc.asarray(a, chunks=3) * 2 + 1), axis=0)
    with get_task_stream(client) as ts:
        got = client.compute(r.to_dask()).result()
    close(got, np.sqrt(a * 2 + 1).sum(axis=0), rtol=1e-12)
    names = {key_split(t["key"]) for t in ts.data}
    # what progress bars and the dashboard show: the fused kernel's ops
    assert "lz_multiply_add_sqrt_sum" in {n.split("-")[0] for n in names}, names
    resolved = client.run(lambda: len(__import__("lazulite.chunked._kernel").chunked._kernel._RESOLVED))
    assert all(n >= 1 for n in resolved.values()), resolved  # each worker resolved descriptions itself


def gate(x, path):
    """Hold a task until the test creates ``path`` (so a worker dies while holding results)."""
    deadline = time.time() + 120
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.02)
    return x


def test_worker_killed_mid_compute(client, tmp_path):
    a = np.random.default_rng(8).standard_normal((64, 16))
    x = xc.asarray(a, chunks=(4, 16))
    y = client.persist((xc.exp(x) * 2 - x).to_dask())  # one fused kernel per block, held by both
    wait(y)
    held = {w: [k for k in keys if "lz_" in str(k)] for w, keys in client.has_what().items()}
    assert len(held) == 2 and all(held.values()), held
    opened = str(tmp_path / "gate-open")
    gated = xc.from_dask(y.map_blocks(gate, opened, dtype=y.dtype, meta=np.empty((0, 0))))
    total = xc.sum(gated, axis=0)
    fut = client.compute(total.to_dask())
    deadline = time.time() + 60
    while time.time() < deadline and not all(client.processing().values()):
        time.sleep(0.05)
    victim = sorted(held)[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    while victim in client.scheduler_info()["workers"] and time.time() < deadline:
        time.sleep(0.05)
    assert victim not in client.scheduler_info()["workers"]
    open(opened, "w").close()
    got = fut.result(timeout=120)
    close(got, (np.exp(a) * 2 - a).sum(axis=0), rtol=1e-12)
    client.wait_for_workers(2, timeout=60)
    removed = [e for _, e in client.get_events("all") if isinstance(e, dict)
               and e.get("action") == "remove-worker" and e.get("worker") == victim]
    assert removed


def _peak_rss():
    # VmHWM: the high-water mark of this process's own address space. (getrusage's ru_maxrss is kept
    # across exec on Linux, so a worker spawned by a large parent would report the parent's size.)
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_inputs_larger_than_the_workers_memory(client, tmp_path):
    """Two Zarr inputs of 288 MiB each (more than both workers' 256 MiB limits together) are written
    and reduced by the workers; no worker's peak memory reaches its limit."""
    import zarr

    n_rows, n_cols = 4608, 8192  # 288 MiB of float64 per array
    assert 2 * n_rows * n_cols * 8 > 2 * MEMORY_LIMIT
    budget = xc.memory_budget()
    assert budget <= MEMORY_LIMIT // 2  # derived from the client's workers
    i = xc.reshape(xc.arange(n_rows * n_cols, dtype=xc.float64), (n_rows, n_cols))
    assert np.prod(i.to_dask().chunksize) * 8 <= budget // 8  # chunks sized by the budget
    xc.to_zarr(xc.sin(i * 1e-3), str(tmp_path / "x.zarr"), compressors=None)
    xc.to_zarr(xc.cos(i * 7e-4), str(tmp_path / "y.zarr"), compressors=None)
    x = xc.from_zarr(str(tmp_path / "x.zarr"))
    y = xc.from_zarr(str(tmp_path / "y.zarr"))
    got = float(xc.sum(xc.sqrt(x * x + y * y)))
    zx, zy = zarr.open_array(str(tmp_path / "x.zarr")), zarr.open_array(str(tmp_path / "y.zarr"))
    want = sum(float(np.sqrt(zx[s:s + 512] ** 2 + zy[s:s + 512] ** 2).sum())
               for s in range(0, n_rows, 512))
    assert got == pytest.approx(want, rel=1e-10)
    peaks = client.run(_peak_rss)
    assert all(p < MEMORY_LIMIT for p in peaks.values()), peaks


def test_dask_arrays_in_and_out_on_the_cluster(client):
    d = da.arange(100, chunks=7).astype(np.float64)
    r = xc.to_dask(xc.log1p(xc.from_dask(d)))
    fut = client.persist(r)
    wait(fut)
    close(fut.compute(), np.log1p(np.arange(100.0)))
