"""Every number a lesson quotes holds under every OpenBLAS kernel, not only under the one this machine picks.

numpy hands matrix products to OpenBLAS, whose DYNAMIC_ARCH build chooses a kernel per processor (Haswell on this
AMD machine, SkylakeX on an AVX-512 Intel, …). Kernels add the terms of a product in different orders, so results
differ in the last bits, and a chaotic run (lesson 07's gradient descent at its best α) amplifies that to the second
digit. The lessons quote only figures that do not move; this test proves it by re-running the tests that pin them
(the capstone's claims in tests/test_nn.py and the model answers' panel figures in tests/test_answers.py) with
``OPENBLAS_CORETYPE`` forcing each kernel in turn. A kernel the processor cannot execute (SkylakeX needs AVX-512)
kills its run with an illegal-instruction signal: that kernel is skipped, with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ("Haswell", "SkylakeX", "Prescott", "Sandybridge")
# numpy's own loops (tanh, exp, sums) dispatch on the processor too (AVX2, AVX-512): one more run with numpy held to
# its baseline SIMD (names as numpy >= 2.4 spells them; an older numpy that rejects them skips this run).
NUMPY_BASELINE = {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"}
PINNED = ["tests/test_nn.py::test_capstone_accuracy_claims", "tests/test_nn.py::test_capstone_trust_one_run",
          "tests/test_nn.py::test_capstone_range_test", "tests/test_nn.py::test_capstone_badly_scaled_start",
          "tests/test_nn.py::test_capstone_sensitivity_map_counts", "tests/test_nn.py::test_lesson_06_claims_about_the_network",
          "tests/test_answers.py"]


def _openblas_dynamic_arch() -> bool:
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # numpy < 1.25 has no mode="dicts"; without it we cannot tell
        return False
    return "openblas" in str(config.get("name", "")).lower() and "DYNAMIC_ARCH" in str(config.get("openblas configuration", ""))


_CORENAME = """
import ctypes, glob, os, numpy
name = "unknown"
for path in glob.glob(os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs", "*openblas*")):
    lib = ctypes.CDLL(path)
    for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_",
                   "openblas_get_corename"):
        if hasattr(lib, symbol):
            getattr(lib, symbol).restype = ctypes.c_char_p
            name = getattr(lib, symbol)().decode()
print(name)
"""


def _corename(kernel=None) -> str:
    env = dict(os.environ)                         # as the suite runs (OPENBLAS_CORETYPE may be set already)
    if kernel:
        env["OPENBLAS_CORETYPE"] = kernel
    out = subprocess.run([sys.executable, "-c", _CORENAME], env=env, capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else f"failed ({out.returncode})"


@pytest.fixture(scope="module")
def kernel_runs():
    """Start one pytest run per kernel at once (two cores: they overlap), collect their results.

    A kernel that is this machine's own choice is already covered by the suite's main run and is not run again.
    """
    if not _openblas_dynamic_arch():
        pytest.skip("numpy is not linked to a DYNAMIC_ARCH OpenBLAS, so OPENBLAS_CORETYPE cannot choose a kernel")
    own = _corename()
    procs, results = {}, {}
    for kernel in KERNELS + ("numpy-baseline-simd",):
        if kernel in KERNELS and own != "unknown" and _corename(kernel) == own:
            results[kernel] = (None, f"the suite's main run already uses {own}")
            continue
        extra = NUMPY_BASELINE if kernel == "numpy-baseline-simd" else {"OPENBLAS_CORETYPE": kernel}
        env = {**os.environ, **extra, "OPENBLAS_NUM_THREADS": "1"}
        procs[kernel] = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=", *PINNED],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results.update({kernel: (proc.wait(timeout=1200), proc.stdout.read()) for kernel, proc in procs.items()})
    return results


@pytest.mark.parametrize("kernel", KERNELS)
def test_quoted_numbers_hold_under_every_openblas_kernel(kernel_runs, kernel):
    code, output = kernel_runs[kernel]
    if code is None:
        pytest.skip(output)
    if code < 0:
        pytest.skip(f"this processor cannot run OpenBLAS's {kernel} kernel (the run died of signal {-code})")
    assert code == 0, f"with OPENBLAS_CORETYPE={kernel} a quoted number moved:\n{output[-4000:]}"


def test_quoted_numbers_hold_with_numpy_at_its_baseline_simd(kernel_runs):
    code, output = kernel_runs["numpy-baseline-simd"]
    if code != 0 and ("NPY_DISABLE_CPU_FEATURES" in output or "cpu feature" in output.lower()):
        pytest.skip(f"this numpy does not accept {NUMPY_BASELINE['NPY_DISABLE_CPU_FEATURES']!r}")
    assert code == 0, f"with numpy's SIMD held to its baseline a quoted number moved:\n{output[-4000:]}"
