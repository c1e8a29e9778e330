"""What a student sees when a check fails, in a real kernel (nbclient): the check call and the verdict.

IPython hides frames whose locals set ``__tracebackhide__`` — except the last one, so the checks' errors also
carry a ``_render_traceback_`` that leaves optlab's frames out altogether. A function whose cell failed gets
"… is not defined — run the cell above; if it shows an error, fix that first" (importing optlab.checks
installs that message for the exercises' names only). In both cases the cell still ends in an error, so
JupyterLab, nbval (the execute reply's status) and nbgrader (the error output) see the same failing cell.
"""
import re

import pytest
from nbformat.v4 import new_code_cell, new_notebook

ANSI = re.compile(r"\x1b\[[0-9;]*m")

CELLS = {
    "imports": "import numpy as np\nfrom optlab.checks import check_adam_step, check_gd_step, check_gradient_descent, "
               "reference_or",
    "wrong": "def gd_step(theta, grad, lr):\n    return theta + lr * grad",
    "check": "check_gd_step(gd_step)",
    "broken": "def adam_step(theta, grad, m, v, t):\n    return (theta",
    "check_missing": "check_adam_step(adam_step)",
    "fallback": 'adam_step = reference_or("adam_step")',
    "later": "print(adam_step(np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 1, lr=0.1)[0])",
    "other_name": "print(some_typo)",
    "own_assert": "assert 1 + 1 == 3, 'a plain assert of my own'",
    "loop": "def gradient_descent(objective, theta0, lr, steps):\n    return [theta0] * (steps + 1)",
    "check_loop": "check_gradient_descent(gradient_descent)",
}


@pytest.fixture(scope="module")
def executed(current_env_kernel):
    from nbclient import NotebookClient

    nb = new_notebook(cells=[new_code_cell(src, id=key) for key, src in CELLS.items()])
    NotebookClient(nb, timeout=120, kernel_name=current_env_kernel, allow_errors=True).execute()
    strict = new_notebook(cells=[new_code_cell(CELLS[k], id=k) for k in ("imports", "wrong", "check", "later")])
    with pytest.raises(Exception) as stopped:
        NotebookClient(strict, timeout=120, kernel_name=current_env_kernel).execute()
    return {c.id: c for c in nb.cells}, stopped.value


def error(cell):
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1, cell.outputs
    return errors[0], ANSI.sub("", "\n".join(errors[0].traceback))


def test_a_failed_check_shows_the_call_and_the_verdict(executed):
    cells, _ = executed
    err, shown = error(cells["check"])
    assert err.ename == "AssertionError"
    verdict = err.evalue.split("\n")[0]
    assert verdict == "gd_step: θ moves uphill — a sign error"
    assert "----> 1 check_gd_step(gd_step)" in shown and f"AssertionError: {verdict}" in shown
    assert "optlab" not in shown and "_core" not in shown and "skipping hidden" not in shown, shown
    assert len(shown.strip().splitlines()) <= 8, shown


def test_a_lesson_check_failing_inside_the_students_code_is_as_short(executed):
    err, shown = error(executed[0]["check_loop"])
    assert err.evalue.startswith("gradient_descent returns a list, not a numpy array")
    assert "----> 1 check_gradient_descent(gradient_descent)" in shown and "optlab" not in shown


def test_a_function_whose_cell_failed_is_not_defined_and_says_what_to_do(executed):
    cells, _ = executed
    assert error(cells["broken"])[0].ename == "SyntaxError"
    err, shown = error(cells["check_missing"])
    assert err.ename == "NameError"
    assert err.evalue == "adam_step is not defined — run the cell above;\nif it shows an error, fix that first"
    assert "----> 1 check_adam_step(adam_step)" in shown
    said = "".join(o.text for o in cells["fallback"].outputs if o.output_type == "stream")
    assert said.startswith("adam_step is not defined — run the cell above; if it shows an error, fix that first. "
                           "Until then the rest of this lesson uses optlab's adam_step.")
    assert not [o for o in cells["later"].outputs if o.output_type == "error"]  # no bare NameError later


def test_other_errors_are_left_as_they_are(executed):
    cells, _ = executed
    err, _ = error(cells["other_name"])
    assert (err.ename, err.evalue) == ("NameError", "name 'some_typo' is not defined")
    err, shown = error(cells["own_assert"])
    assert err.evalue == "a plain assert of my own" and "assert 1 + 1 == 3" in shown


def test_the_failing_cell_is_the_check_cell(executed):
    """nbclient (like nbval) stops on the execute reply's error status: at the check, not later."""
    _, stopped = executed
    assert type(stopped).__name__ == "CellExecutionError"
    assert "check_gd_step(gd_step)" in str(stopped) and "θ moves uphill" in str(stopped)
