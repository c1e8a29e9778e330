"""A notebook as nbgrader releases it runs to the end under "Run All" in JupyterLab (real chromium).

nbgrader's ``generate_assignment`` makes the released notebook from solutions/ (its check cells carry
``raises-exception``, which JupyterLab honours: an error there does not cancel the cells queued after it).
Released lesson 01, unanswered, must reach its last cell; the only errors are its three check cells
("… is not written yet"), and the cell after ``gd_step``'s check says that optlab's gd_step takes over.
Skipped, with the reason, where chromium, playwright or nbgrader is missing.
"""

import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import lab  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK = "01_gradient_descent"


def _missing():
    if lab.unavailable() is not None:
        return lab.unavailable()
    try:
        import nbgrader  # noqa: F401  (only whether it imports)
    except ImportError:
        return "nbgrader is not installed (pip install -r requirements-dev.txt)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=f"released-notebook browser test: {_missing()}")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    base = tmp_path_factory.mktemp("course")
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run(nbgrader + ["quickstart", "course"], cwd=base, check=True, capture_output=True)
    course = base / "course"
    (course / "source" / NOTEBOOK).mkdir(parents=True)
    (course / "source" / NOTEBOOK / f"{NOTEBOOK}.ipynb").write_bytes(
        (REPO / "solutions" / f"{NOTEBOOK}.ipynb").read_bytes())
    subprocess.run(nbgrader + ["generate_assignment", NOTEBOOK], cwd=course, check=True, capture_output=True)
    return course / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb"


@pytest.fixture(scope="module")
def session(released, tmp_path_factory):
    return lab.run_all(tmp_path_factory.mktemp("lab"), released)


def test_run_all_reaches_the_last_cell(session):
    cells = session["cells"]
    assert session["all_run"], [c["prompt"] for c in cells]
    assert all(c["prompt"].startswith("[") and c["prompt"][1:-2].isdigit() for c in cells), [c["prompt"] for c in cells]
    print(f"released {NOTEBOOK}: Run All ran {len(cells)} code cells in {session['run_all_s']:.1f} s")


def test_only_the_unanswered_checks_fail(session):
    failing = [c for c in session["cells"] if c["errors"]]
    assert len(failing) == 3, [c["errors"] for c in failing]
    for cell in failing:
        assert "is not written yet" in cell["errors"][0], cell["errors"]
    assert any("gd_step is not written yet; the rest of this lesson uses optlab's gd_step." in c["text"]
               for c in session["cells"])
    assert session["server_stopped"]
