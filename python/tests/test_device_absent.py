"""A machine without a CUDA device (CI's): only ``cpu`` is listed, and asking for ``cuda:0`` is a
``ValueError`` that names the device, why it is absent, the devices present and the fix (issue 9).

Run in a fresh interpreter without ``LAZULITE_CUDA_EMULATOR`` (``test_device.py`` enables the emulated
device in this process), so this checks what a user without a GPU sees. Skipped where a real driver
is present.
"""

import os
import subprocess
import sys

CODE = r"""
import lazulite as lz
devs = lz.__array_namespace_info__().devices()
print("DEVICES", [str(d) for d in devs])
if len(devs) > 1:
    print("HAS_GPU")
    raise SystemExit(0)
for make in (lambda: lz.zeros(3, device=lz.Device("cuda:0")),
             lambda: lz.asarray([1.0, 2.0]).to_device("cuda:0")):
    try:
        make()
    except ValueError as e:
        print("ERR", e)
    else:
        print("NO ERROR")
"""


def test_cuda_absent_is_a_value_error_naming_the_device_and_the_fix():
    env = {k: v for k, v in os.environ.items() if k != "LAZULITE_CUDA_EMULATOR"}
    r = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    if "HAS_GPU" in r.stdout:
        import pytest

        pytest.skip("a CUDA device is present on this machine")
    assert "DEVICES ['cpu']" in r.stdout
    errs = [line for line in r.stdout.splitlines() if line.startswith("ERR ")]
    assert len(errs) == 2, r.stdout
    for e in errs:
        assert "to_device" in e and "cuda:0 is not available" in e, e
        assert "devices present: cpu" in e and "no NVIDIA driver" in e, e
