#!/bin/sh
# Runs lazulite's GPU checks and benchmark from the bundle `make gpu-bundle` made (see README.md here).
# On the GPU machine (python3 with NumPy, CuPy, PyTorch and NVIDIA's nvrtc/cublas wheels; no internet):
#     tar xzf lazulite-gpu-bundle.tar.gz && sh lazulite-gpu-bundle/run.sh [run.py's options]
# LIMIT (seconds, default 540) bounds the whole run; PYTHON picks the interpreter (default python3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
site=${LAZULITE_GPU_SITE:-/tmp/lazulite-gpu-site}
rm -rf "$site"
"$py" -m pip install -q --no-index --no-deps --no-compile --target "$site" "$here"/wheels/lazulite-*.whl
export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
# NVRTC and cuBLAS from the interpreter's own nvidia-* wheels (PyTorch's), unless given
nv=$("$py" - <<'PYEOF' 2>/dev/null || true
import glob, nvidia
libs = [d for p in nvidia.__path__ for d in glob.glob(p + "/cu13/lib")]
print(libs[0] if libs else "")
PYEOF
)
export NVRTC_LIB_DIR="${NVRTC_LIB_DIR:-$nv}" CUBLAS_LIB_DIR="${CUBLAS_LIB_DIR:-$nv}"
echo "lazulite GPU bundle: $(ls "$here"/wheels); NVIDIA libraries from ${nv:-the loader path}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
limit=${LIMIT:-540}
start=$(date +%s)
status=0
# the device tests of the Python suite (files named for the device model, DLPack or CUDA)
tests=$(ls "$here"/tests/test_*device*.py "$here"/tests/test_*cuda*.py "$here"/tests/test_dlpack.py 2>/dev/null || true)
if [ -n "$tests" ]; then
  timeout $((limit / 3)) "$py" -m pytest -q -x -p no:cacheprovider $tests || status=$?
  echo "device tests: exit status $status"
fi
left=$((limit - ($(date +%s) - start)))
timeout "$left" "$py" "$here/run.py" "$@" || status=$?
exit $status
