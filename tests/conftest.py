"""Shared test set-up: a headless matplotlib backend, one hypothesis profile, a kernel running this Python."""

import json
import os
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# Property tests must be deterministic in CI and quick on 2 cores; timing belongs to benchmarks/.
settings.register_profile(
    "optlab",
    deadline=None,
    derandomize=True,
    max_examples=int(os.environ.get("OPTLAB_HYPOTHESIS_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("optlab")


@pytest.fixture(scope="module")
def current_env_kernel(tmp_path_factory):
    """The name of a kernelspec running this interpreter (like nbval's --nbval-current-env), found first on
    JUPYTER_PATH while the module's tests run."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "optlab-current-env"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "optlab (current env)", "language": "python"}))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(root) + (os.pathsep + old if old else "")
    yield "optlab-current-env"
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old
