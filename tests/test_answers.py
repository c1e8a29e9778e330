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
    fold = lambda s: re.sub(r"\s+", " ", s).replace("\u2212", "-")   # a typeset minus reads as a hyphen
    flat = fold(answer)
    assert fold(text) in flat, f"the model answer should quote {text!r} (the panel's figure), but it does not"


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


# --------------------------------------------------------------------------- lesson 03
L03 = "03_momentum.ipynb"


def test_lesson03_momentum_panel_answers():
    answer = cell_source(L03, "momentum_panel_answers")
    panel = lesson_panel(L03, "cell-023")
    assert panel.controls["lr"].value == 0.02 and panel.controls["beta"].value == 0.67
    quoted(answer, f"J − J* = {gap(panel):.3g} after 200 steps")
    set_values(panel, beta=0.95)
    quoted(answer, f"J − J* = {gap(panel):.3g}")
    theta1 = panel.trajectories[0].thetas[:, 0]
    crossings = int(np.sum(np.diff(np.sign(theta1)) != 0))
    quoted(answer, f"crosses θ₁ = 0 {'nine' if crossings == 9 else crossings} times")
    quoted(answer, f"θ₁ = {theta1.max():.2f}")

    set_values(panel, beta=0.67, lr=0.0316)
    assert diverged_at(panel) == -1
    quoted(answer, f"J − J* = {gap(panel):.2g} after 200 steps")
    set_values(panel, lr=0.0355)
    quoted(answer, f"diverges (at step {diverged_at(panel)})")
    set_values(panel, beta=0.0, lr=0.02)
    assert diverged_at(panel) == -1 and f"{gap(panel):.3g}" == "200"
    set_values(panel, lr=0.0224)
    assert diverged_at(panel) >= 0
    set_values(panel, beta=0.9, lr=0.0355)
    assert diverged_at(panel) == -1
    set_values(panel, lr=0.0398)
    assert diverged_at(panel) >= 0

    set_values(panel, objective="rosenbrock")
    set_values(panel, lr=0.001)
    for beta in (0.0, 0.9, 0.99):
        set_values(panel, beta=beta)
        tr = panel.trajectories[0]
        end = tr.thetas[-1]
        quoted(answer, f"({end[0]:.2f}, {end[1]:.2f})")
        quoted(answer, f"J − J* = {gap(panel):.3g}")
    quoted(answer, f"θ₁ > 1 from step {int(np.argmax(tr.thetas[:, 0] > 1))}")
    quoted(answer, f"θ₁ = {tr.thetas[:, 0].max():.2f}")


def test_lesson03_sweep_panel_answers():
    answer = cell_source(L03, "sweep_panel_answers")
    panel = lesson_panel(L03, "cell-025")
    grey = {}
    for kappa, (a, b) in [(10.0, ("2.3", "0.275")), (1000.0, ("3.5", "0.855"))]:
        set_values(panel, kappa=kappa)
        label = panel.label.get_text()
        for part in re.findall(r"α\* = [\d.]+, β\* = [\d.]+, rate \(√κ−1\)/\(√κ\+1\) = [\d.]+", label):
            head, rate = part.split(", rate (√κ−1)/(√κ+1) = ")
            quoted(answer, head)
            quoted(answer, rate)
        (x,), (y,) = panel.best.get_data()
        assert (f"{x:.2g}", f"{y:.3g}") == (a, b)
        quoted(answer, f"best cell ({a}, {b})")
        grey[kappa] = np.isnan(panel.values_shown)
    np.testing.assert_array_equal(grey[10.0], grey[1000.0])  # the diverged region is set by λmax = 1 alone

    set_values(panel, kappa=100.0, noise=0.5)
    (x,), (y,) = panel.best.get_data()
    quoted(answer, f"α = {x:.2g}, β = {y:.3g}")
    quoted(answer, f"10^−{-np.nanmin(panel.values_shown):.1f} of J(θ₀)")
    alpha_star, beta_star = panel.optimum
    j, i = np.argmin(abs(panel.alphas - alpha_star)), np.argmin(abs(panel.betas - beta_star))
    quoted(answer, f"({panel.alphas[j]:.2g}, {panel.betas[i]:.3g}) J ends 10^{panel.values_shown[i, j]:.1f} times")


# --------------------------------------------------------------------------- lesson 04
L04 = "04_adaptive_steps.ipynb"


def _steps_to(panel, level):
    losses = panel.trajectories[0].losses
    return int(np.argmax(losses < level)) if (losses < level).any() else None


def test_lesson04_rmsprop_panel_answers():
    answer = cell_source(L04, "rmsprop_panel_answers")
    panel = lesson_panel(L04, "cell-023")
    slider = panel.controls["beta2"].widget
    slider.value = slider.max                                    # the right end of the 1 − β2 slider
    assert panel.controls["beta2"].value == 0.499
    end = panel.trajectories[0].thetas[-1]
    quoted(answer, f"({end[0]:.2f}, {end[1]:.2f}), J − J* = {gap(panel):.3g} after 200")
    np.testing.assert_allclose(np.abs(panel.trajectories[0].thetas[-10:]), 0.05, atol=1e-6)

    set_values(panel, beta2=0.99)
    steps = {}
    for eps in (1e-8, 0.01, 0.0316, 0.1, 0.316, 1.0):
        set_values(panel, eps=eps)
        steps[eps] = _steps_to(panel, 1e-16)
    quoted(answer, f"after {steps[1e-8]} steps at ε = 1e-8 and after {steps[0.01]} at ε = 0.01")
    quoted(answer, f"{steps[0.0316]} steps at ε = 0.0316, {steps[0.1]} at 0.1, {steps[0.316]} at 0.316")
    assert steps[1.0] is None
    quoted(answer, f"J − J* = {gap(panel):.3g} without")
    set_values(panel, eps=1e-8)
    thetas = panel.trajectories[0].thetas
    quoted(answer, f"θ₁'s gradient is {abs(thetas[50, 0]):.0e} after 50 steps")  # ∂J/∂θ₁ = λmin θ₁ = θ₁
    set_values(panel, objective="rotated_quadratic")
    np.testing.assert_allclose(panel.trajectories[0].thetas[0], get_start("rotated_quadratic", 100.0), atol=1e-3)
    quoted(answer, f"J − J* = {gap(panel):.3g} after 200 steps")


def get_start(name, kappa):
    from optlab.objectives import get_objective

    return get_objective(name, kappa=kappa).start
