"""Allocation failures raise MemoryError (never abort) and Ctrl-C interrupts long computations.

Each case runs in a child process: the memory cases under an 8 GiB address-space limit
(`RLIMIT_AS`), so that an allocation the limit refuses would abort a process that allocates
infallibly; the interrupt cases receive a real SIGINT while they compute, and the child reports when
the `KeyboardInterrupt` arrived. Both check that the library still computes correct values after.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and SIGINT timing: Linux")

LIMIT = 8 << 30

# After the failure, the library must still work: a small computation checked against NumPy.
STILL_WORKS = """
import numpy as np
v = lz.arange(10) * 3
assert int(lz.sum(v)) == int(np.sum(np.arange(10) * 3)), "library broken after the failure"
w = lz.exp(lz.asarray([0.0, 1.0, 2.0]))
assert np.allclose(np.asarray(w), np.exp([0.0, 1.0, 2.0]))
"""


def run_child(body, timeout=60):
    code = "import resource, sys, time, json\nimport lazulite as lz\n" + textwrap.dedent(body) + STILL_WORKS
    p = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
    )
    assert p.returncode == 0, f"child died with {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return p.stdout


MEMORY_CASES = {
    "arange": "lz.arange(2**32)",
    "asarray_nested": "lz.asarray([[0.0] * 2**20] * 2**20)",
    "exp_arange": "lz.exp(lz.arange(2.0**31)).compute()",
    "exp_of_lazy_ones": "lz.exp(lz.ones(2**31)).compute()",
    "sort_of_lazy_ones": "lz.sort(lz.ones(2**31)).compute()",
}


@pytest.mark.parametrize("case", sorted(MEMORY_CASES))
def test_allocation_failure_is_memory_error(case):
    out = run_child(
        f"""
        resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))
        try:
            {MEMORY_CASES[case]}
        except MemoryError as e:
            print("MemoryError:", e)
        else:
            print("no error")
        """
    )
    assert out.startswith("MemoryError:"), out


@pytest.mark.parametrize(
    "n, error",
    [
        # 2^62 elements: no byte size fits an address, so the shape itself is refused when the
        # product is written (NumPy: ValueError "array is too big")
        (2**31, "ValueError"),
        # 2^56 float64 elements (2^59 bytes): a shape that exists but cannot be allocated here
        (2**28, "MemoryError"),
    ],
)
def test_impossible_matmul_fails_before_computing_operands(n, error):
    # n x 1 by 1 x n float64, each operand a lazy fill of n elements. The error must come before either
    # operand is materialised: fast, and no big memory.
    out = run_child(
        f"""
        resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        try:
            (lz.ones(({n}, 1)) @ lz.ones((1, {n}))).compute()
        except {error} as e:
            msg = str(e)
        else:
            msg = None
        dt = time.perf_counter() - t0
        grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
        print(json.dumps({{"msg": msg, "seconds": dt, "rss_growth_kib": grew}}))
        """
    )
    r = json.loads(out.splitlines()[0])
    assert r["msg"] is not None, f"no {error}"
    assert "matmul" in r["msg"], r["msg"]
    assert r["seconds"] < 2.0, r
    assert r["rss_growth_kib"] < 64 << 10, r


# The interrupt cases: the child warms the kernels up (so that the signal meets running work, not the
# compiler), says START, computes; the parent sends SIGINT a little later and the child reports the
# moment the KeyboardInterrupt reached it (CLOCK_MONOTONIC is shared by both processes).
INTERRUPT_CASES = {
    "transcendental_chain": (
        """
        def chain(t):
            for _ in range(12):
                t = lz.sin(t) * 1.5 + lz.exp(-t * t) + lz.cos(t * 0.5)
            return t

        def np_chain(t):
            for _ in range(12):
                t = np.sin(t) * 1.5 + np.exp(-t * t) + np.cos(t * 0.5)
            return t

        src = np.linspace(-2.0, 2.0, 2**24)
        chain(lz.asarray(src[: 2**16])).compute()  # compiles the kernel
        x = lz.asarray(src)
        y = chain(x)
        work = y.compute
        def check_after():
            # y is still lazy; the same kernel on other data computes the right values
            assert not y.is_computed
            assert np.allclose(np.asarray(chain(lz.asarray(src[:1000]))), np_chain(src[:1000]))
        """
    ),
    "sort": (
        """
        src = np.random.default_rng(1).standard_normal(2**24)
        x = lz.asarray(src)
        lz.sort(lz.asarray(src[:1000])).compute()
        y = lz.sort(x)
        work = y.compute
        def check_after():
            assert not y.is_computed
            small = src[: 2**16]
            assert np.array_equal(np.asarray(lz.sort(lz.asarray(small))), np.sort(small))
        """
    ),
    "linalg_stack": (
        """
        src = np.random.default_rng(2).standard_normal((4000, 64, 64))
        lz.linalg.svdvals(lz.asarray(src[:2])).compute()
        y = lz.linalg.svdvals(lz.asarray(src))
        work = y.compute
        def check_after():
            assert not y.is_computed
            small = src[:8]
            assert np.allclose(np.asarray(lz.linalg.svdvals(lz.asarray(small))),
                               np.linalg.svd(small, compute_uv=False))
        """
    ),
    "fft_passes": (
        """
        # five 2-D passes over 8192x4096 complex64: about a second on the 2-core machine, so the
        # computation is still running when the signal comes (three passes over 4096x4096 took 0.25 s,
        # as long as the test waits before sending it)
        src = (np.random.default_rng(3).standard_normal((8192, 4096))).astype(np.complex64)
        x = lz.asarray(src)
        y = lz.fft.fftn(lz.fft.ifftn(lz.fft.fftn(lz.fft.ifftn(lz.fft.fftn(x)))))
        lz.fft.fftn(lz.asarray(src[:64, :64])).compute()
        work = y.compute
        def check_after():
            assert not y.is_computed
            small = src[:128, :128]
            assert np.allclose(np.asarray(lz.fft.fftn(lz.asarray(small))), np.fft.fftn(small),
                               rtol=1e-4, atol=1e-3)
        """
    ),
}


@pytest.mark.parametrize("case", sorted(INTERRUPT_CASES))
def test_ctrl_c_interrupts_compute_quickly(case):
    body = textwrap.dedent(INTERRUPT_CASES[case]) + textwrap.dedent(
        """
        print("START", flush=True)
        t0 = time.monotonic()
        try:
            work()
        except KeyboardInterrupt:
            caught = time.monotonic()
        else:
            caught = None
        ran = time.monotonic() - t0
        check_after()
        print(json.dumps({"caught": caught, "ran": ran}), flush=True)
        """
    )
    code = "import time, json\nimport numpy as np\nimport lazulite as lz\n" + body
    p = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = p.stdout.readline()
        assert line.strip() == "START", line + p.stderr.read()
        time.sleep(0.25)  # let the computation get going
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, f"child died with {p.returncode}:\n{out}\n{err}"
    r = json.loads(out.splitlines()[-1])
    assert r["caught"] is not None, f"the computation finished before the signal ({r['ran']:.2f} s)"
    latency = r["caught"] - sent
    print(f"{case}: KeyboardInterrupt {latency * 1e3:.0f} ms after SIGINT")
    assert latency < 0.3, f"KeyboardInterrupt came {latency * 1e3:.0f} ms after SIGINT"


def test_long_rows_sort_like_numpy():
    # Rows longer than one sort block are sorted in blocks and merged (the interruptible path): the
    # result must be NumPy's, including the stable order of ties and NaNs last.
    import numpy as np

    import lazulite as lz

    rng = np.random.default_rng(7)
    n = 3 * 2**17 + 11
    x = rng.integers(1, 50, n).astype(np.float64)
    x[rng.integers(0, n, 100)] = np.nan
    lx = lz.asarray(x)
    assert np.array_equal(np.asarray(lz.sort(lx)), np.sort(x), equal_nan=True)
    assert np.array_equal(np.asarray(lz.argsort(lx, stable=True)), np.argsort(x, kind="stable"))
    got = np.asarray(lz.sort(lx, descending=True))
    assert np.array_equal(got, np.sort(x)[::-1], equal_nan=True)
    # along axis 0 of a 2-D array (rows gathered with a stride)
    y = rng.standard_normal((2**17 + 5, 3))
    assert np.array_equal(np.asarray(lz.sort(lz.asarray(y), axis=0)), np.sort(y, axis=0))
    assert np.array_equal(
        np.asarray(lz.argsort(lz.asarray(y), axis=0, stable=True)),
        np.argsort(y, axis=0, kind="stable"),
    )


def test_a_process_forked_after_import_computes():
    # The driver thread and the worker pool start at import; a child forked after that has none of
    # their threads and must start its own (a hang here is the bug: the child waits for a thread
    # that does not exist). The child computes on the driver path (large) and in parallel.
    run_child("""
        import os, signal
        import numpy as np
        x = np.linspace(0.0, 1.0, 1 << 18)
        pid = os.fork()
        if pid == 0:
            signal.alarm(30)  # a deadlock ends the child instead of the test run
            try:
                y = (lz.sin(lz.asarray(x)) * 2.0 + 1.0).compute()
                ok = np.allclose(np.asarray(y), np.sin(x) * 2.0 + 1.0)
                os._exit(0 if ok else 3)
            except BaseException:
                os._exit(4)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, f"the forked child ended with {status}"
        y = (lz.cos(lz.asarray(x)) - 1.0).compute()
        assert np.allclose(np.asarray(y), np.cos(x) - 1.0)
    """)
