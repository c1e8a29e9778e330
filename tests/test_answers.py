"""The model answers quote the panels: each test builds a lesson's panel exactly as its cell does, moves the
sliders to the values a question names, and checks that the figures the model answer quotes are what the panel
shows — so an answer cannot silently go stale when optlab or a lesson changes.

``quoted(answer, text)`` asserts that ``text`` (a number formatted the way the answer writes it) appears in the
answer cell; the value itself comes from the panel. Slider values are set through ``Control.value``, which snaps
them like a student's slider, and the test asserts the readout shows the value the question names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


@lru_cache(maxsize=None)
def _notebook(name):
    return nbformat.read(SOLUTIONS / name, as_version=4)


def cell_source(name, cell_id):
    for cell in _notebook(name).cells:
        if cell.id == cell_id:
            return cell.source
    raise KeyError(f"{name} has no cell {cell_id!r}")


def lesson_panel(name, cell_id):
    """Build the panel of cell ``cell_id`` the way the lesson does: its import cell, then the panel call."""
    namespace = {}
    imports = next(c.source for c in _notebook(name).cells if c.cell_type == "code")
    exec("\n".join(line for line in imports.splitlines() if not line.lstrip().startswith("%")), namespace)
    return eval(cell_source(name, cell_id), namespace)


def quoted(answer, text):
    """The answer cell quotes ``text`` (after the same whitespace folding as the answer's line breaks)."""
    flat = re.sub(r"\s+", " ", answer)
    assert text in flat, f"the model answer should quote {text!r} (the panel's figure), but it does not"


def set_values(panel, **values):
    """Move sliders (one redraw) and check each readout shows the value the question names."""
    with panel.hold():
        for name, value in values.items():
            panel.controls[name].value = value
    for name, value in values.items():
        got = panel.controls[name].value
        assert got == value or (isinstance(value, float) and np.isclose(got, value, rtol=0, atol=1e-12)), (
            f"the slider {name} cannot take {value} (it reads {got}) — a question must name a value it can take")
    return panel


def gap(panel, i=0):
    """J − J* at the end of optimizer i's run on the panel (NaN if it diverged)."""
    tr = panel.trajectories[i]
    return float(tr.losses[-1] - (tr.f_min if tr.f_min is not None else 0.0))


def diverged_at(panel, i=0):
    return int(np.asarray(panel.trajectories[i].diverged_at))


# --------------------------------------------------------------------------- lesson 01
L01 = "01_gradient_descent.ipynb"


def test_lesson01_quadratic_panel_answers():
    answer = cell_source(L01, "panel_answers")
    panel = lesson_panel(L01, "cell-030")
    set_values(panel, kappa=10.0)
    gaps = {}
    for lr in (0.158, 0.178, 0.2):
        set_values(panel, lr=lr)
        gaps[lr] = gap(panel)
    assert gaps[0.178] < gaps[0.158]
    quoted(answer, f"{gaps[0.158]:.2g}")
    quoted(answer, f"{gaps[0.178]:.2g}")
    assert f"{gaps[0.2]:.3g}" == "20"
    theta2 = panel.trajectories[0].thetas[-3:, 1]
    assert np.allclose(np.abs(theta2), 2.0) and theta2[-1] == -theta2[-2]  # flips between ±2 forever

    set_values(panel, kappa=50.1)
    set_values(panel, lr=0.0398)
    assert f"{gap(panel):.2g}" == "30"
    set_values(panel, lr=0.0355)
    quoted(answer, f"J − J* = {gap(panel):.2g} after 100 steps")
    set_values(panel, lr=0.0447)
    assert diverged_at(panel) >= 0  # the next slider value up diverges: 0.0355 is the best the slider offers

    set_values(panel, kappa=10.0, lr=0.224)
    k = diverged_at(panel)
    quoted(answer, f"diverged at step {k}")
    thetas = panel.trajectories[0].thetas
    np.testing.assert_allclose(thetas[1] / thetas[0], [1 - 0.224, 1 - 0.224 * 10])


def test_lesson01_rosenbrock_panel_answer():
    answer = cell_source(L01, "panel_answers")
    panel = lesson_panel(L01, "cell-032")
    set_values(panel, lr=0.002)
    assert diverged_at(panel) == -1
    quoted(answer, f"J − J* = {gap(panel):.2g}")
    set_values(panel, lr=0.00224)
    assert diverged_at(panel) == -1
    quoted(answer, f"ends at J − J* = {gap(panel):.3g}")
    losses = panel.trajectories[0].losses
    assert np.nanmin(losses) < 0.003 and gap(panel) > 30 * np.nanmin(losses)
