"""Shared test set-up: a headless matplotlib backend and one hypothesis profile for the suite."""

import os

import matplotlib

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
