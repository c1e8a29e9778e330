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


# --------------------------------------------------------------------------- lesson 05
L05 = "05_adam.ipynb"


def _step_lengths(panel, i=0):
    tr = panel.trajectories[i]
    return np.linalg.norm(np.diff(tr.thetas, axis=0), axis=-1) / panel.hyperparams_used[i]["lr"]


def test_lesson05_adam_panel_answers():
    from optlab.objectives import Rosenbrock
    from optlab.optimizers import Adam
    from optlab import run

    answer = cell_source(L05, "adam_panel_answers")
    panel = lesson_panel(L05, "cell-023")
    assert panel.controls["lr"].value == 0.2
    on = panel.trajectories[0]
    quoted(answer, f"its start, {on.losses[0]:.3g}")
    assert np.nanargmax(on.losses) == 0
    corrected, gap_on = _step_lengths(panel), gap(panel)
    set_values(panel, bias_correction=False)
    steps, off = _step_lengths(panel), panel.trajectories[0]
    quoted(answer, f"({steps[0]:.2f}α)")
    quoted(answer, f"the loss jumps to {np.nanmax(off.losses):.0f} at step {int(np.nanargmax(off.losses))}")
    quoted(answer, f"average {steps[:50].mean():.2f}α instead of {corrected[:50].mean():.2f}α")
    quoted(answer, f"(J − J* = {gap(panel):.3g} against {gap_on:.3g})")
    set_values(panel, beta2=0.99)
    quoted(answer, f"first step is only {_step_lengths(panel)[0]:.2f}α")
    quoted(answer, f"the loss only reaches {np.nanmax(panel.trajectories[0].losses):.1f}")
    set_values(panel, beta2=0.9999)
    steps = _step_lengths(panel)
    quoted(answer, f"the steps reach {steps.max():.1f}α (at step {int(steps.argmax()) + 1}) and the loss "
                   f"{np.nanmax(panel.trajectories[0].losses):.0f}")

    set_values(panel, beta2=0.999, bias_correction=True)
    for eps in (1e-8, 1.0):
        set_values(panel, eps=eps)
        end = panel.trajectories[0].thetas[-1]
        quoted(answer, f"({end[0]:.3f}, {end[1]:.3f})")
        quoted(answer, f"{gap(panel):.3g}")
    tr = run(Adam(lr=0.2), Rosenbrock(), Rosenbrock().start, 300, record_state=True)   # the panel's run, its v̂
    t = np.arange(1, 301)[:, None]
    floor = np.sqrt(tr.states["v"][1:] / (1 - 0.999 ** t)).min(axis=0)
    quoted(answer, f"never drops below {floor[0]:.1f} (θ₁) and {floor[1]:.1f} (θ₂)")

    set_values(panel, objective="quadratic")
    set_values(panel, lr=0.0501, eps=1e-8)
    quoted(answer, f"J − J* after 300 steps is {gap(panel):.3g} at ε = 1e-8")
    for eps in (0.01, 0.0316, 0.1):
        set_values(panel, eps=eps)
        quoted(answer, f"({gap(panel):.3g})")
    set_values(panel, eps=1.0)
    quoted(answer, f"at ε = 1 it is {gap(panel):.2g}")

    set_values(panel, eps=1e-8, beta2=0.999)
    steps = _step_lengths(panel)
    assert steps.max() == steps[0]
    set_values(panel, beta2=0.499)
    steps, tr = _step_lengths(panel), panel.trajectories[0]
    long = np.flatnonzero(steps > 1.5)
    quoted(answer, f"{long.size} of the 300 steps are longer than 1.5α, from step {long[0] + 1} on")
    k = int(steps.argmax())
    quoted(answer, f"the longest, {steps[k]:.1f}α at step {k + 1}")
    quoted(answer, f"({np.linalg.norm(tr.thetas[k]):.2f} from it)")
    quoted(answer, f"ends at J − J* = {gap(panel):.2g} instead of")


def _table(panel, step):
    """The step panel's table at ``step`` as {row name: (θ₁ text, θ₂ text)}."""
    set_values(panel, step=step)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", panel.table.value)
    return {name: (a, b) for name, a, b in rows}


def test_lesson05_step_panel_answers():
    answer = cell_source(L05, "step_panel_answers")
    panel = lesson_panel(L05, "cell-025")
    first = _table(panel, 1)
    g, m_hat, v_hat = first["g = ∇J(θ)"], first["m̂"], first["v̂"]
    assert g == m_hat
    quoted(answer, f"m̂ = g = ({g[0]}, {g[1]}) and v̂ = g² = ({v_hat[0]}, {v_hat[1]})")
    np.testing.assert_allclose(panel.traj.updates[0], [0.2, 0.2])
    hats = panel.hats
    flips = lambda x: [k + 1 for k in range(1, 20) if np.sign(x[k]) != np.sign(x[k - 1])]
    g_flips, m_flips = flips(panel.traj.grads[:20, 0]), flips(hats["m̂"][:20, 0])
    quoted(answer, f"g changes sign at steps {', '.join(map(str, g_flips[:-1]))} and {g_flips[-1]}")
    quoted(answer, f"(steps {', '.join(map(str, m_flips))})")
    eighth = _table(panel, 8)
    quoted(answer, f"g₁ = {eighth['g = ∇J(θ)'][0]} but m̂₁ = {eighth['m̂'][0]}")
    root = np.sqrt(hats["v̂"][:20, 0])
    quoted(answer, f"from {root[0]:.1f} to {root[19]:.1f} at step 20")
    per_coordinate = np.abs(panel.traj.updates[1:20]) / 0.2
    quoted(answer, f"between {per_coordinate.min():.2f}α and {per_coordinate.max():.2f}α")

    set_values(panel, bias_correction=False)
    lengths = np.linalg.norm(panel.traj.updates, axis=-1) / 0.2
    assert lengths.argmax() == 0
    quoted(answer, f"|Δθ| = {lengths[0]:.2f}α instead of 1.41α")


def test_lesson05_comparison_panel_answers():
    answer = cell_source(L05, "comparison_panel_answers")
    panel = lesson_panel(L05, "cell-040")
    names = panel.optimizers
    gd, momentum, rmsprop, adam = (names.index(n) for n in ("gd", "momentum", "rmsprop", "adam"))
    # like with like: RMSProp's v is bias-corrected too, so RMSProp and Adam differ only by m
    assert panel.hyperparams_used[rmsprop]["bias_correction"] and panel.hyperparams_used[adam]["bias_correction"]
    end = panel.trajectories[momentum].thetas[-1]
    quoted(answer, f"momentum ends at ({end[0]:.3f}, {end[1]:.3f}), J − J* = {gap(panel, momentum):.3g}")
    length = np.sum(np.linalg.norm(np.diff(panel.trajectories[adam].thetas, axis=0), axis=-1))
    quoted(answer, f"path of length {length:.3f} only")
    quoted(answer, f"300√2α = {300 * np.sqrt(2) * 0.001:.3f}")
    quoted(answer, f"sits at J − J* = {gap(panel, adam):.3g}")
    quoted(answer, f"first step is {_step_lengths(panel, momentum)[0]:.0f}α long")
    for lr in (0.01, 0.1):
        set_values(panel, lr=lr)
        steps = {diverged_at(panel, i) for i in (gd, momentum)}
        assert len(steps) == 1 and diverged_at(panel, rmsprop) == diverged_at(panel, adam) == -1
        quoted(answer, f"α = {lr} (at step {steps.pop()})")
    for i in (rmsprop, adam):
        assert _step_lengths(panel, i)[0] == pytest.approx(np.sqrt(2), rel=1e-6)
    rms, ad = panel.trajectories[rmsprop], panel.trajectories[adam]
    path = lambda tr: np.sum(np.linalg.norm(np.diff(tr.thetas, axis=0), axis=-1))
    quoted(answer, f"it is {path(rms):.2f} long, its longest step is {_step_lengths(panel, rmsprop).max():.2f}α, the loss "
                   f"climbs to {np.nanmax(rms.losses):.1f}")
    quoted(answer, f"ends at J − J* = {gap(panel, rmsprop):.3g}")
    quoted(answer, f"Adam's path is {path(ad):.2f} long")
    assert _step_lengths(panel, adam).max() == _step_lengths(panel, adam)[0] and np.nanargmax(ad.losses) == 0
    quoted(answer, f"ends at J − J* = {gap(panel, adam):.3g}")


def test_lesson05_clipping_panel_answers():
    answer = cell_source(L05, "clipping_panel_answers")
    panel = lesson_panel(L05, "clipping-panel")
    minimum = np.array([3.0, 0.5])
    assert panel.controls["clip_norm"].value is None and panel.controls["clip_norm"].text == "clip ‖g‖: off"
    steps = np.linalg.norm(np.diff(panel.trajectories[0].thetas, axis=0), axis=-1)
    quoted(answer, f"diverges at step {diverged_at(panel)} (its third step is {steps[2]:.0f} long)")
    set_values(panel, clip_norm=100.0)
    tr = panel.trajectories[0]
    assert diverged_at(panel) == -1 and tr.final_loss > 1
    quoted(answer, f"J = {float(tr.final_loss):.3g} after 500 steps, and the clip acts at {int(tr.clipped)} of the 500 steps, "
                   f"the last at step {int(tr.last_clipped)}")
    quoted(answer, f"αc = {0.0316 * 100:.3g} long and the velocity αc/(1 − β) = {0.0316 * 100 / 0.1:.3g}")
    quoted(answer, f"it ends at ({tr.thetas[-1][0]:.3g}, {tr.thetas[-1][1]:.3g})")
    set_values(panel, clip_norm=10.0)
    tr = panel.trajectories[0]
    assert tr.message.startswith("converged")
    quoted(answer, f"J = {float(tr.final_loss):.2g}: the clip acts at {int(tr.clipped)} steps only, the last at step "
                   f"{int(tr.last_clipped)}")
    first = tr.thetas[:int(tr.last_clipped) + 1]
    quoted(answer, f"θ₂ ≈ {first[:, 1].min():.3g}, where ‖g‖ reaches {tr.grad_norms[:22].max():.0f} "
                   f"(step {int(np.argmax(tr.grad_norms[:22]))})")
    quoted(answer, f"From step {int(tr.last_clipped)} on, {np.linalg.norm(tr.thetas[int(tr.last_clipped)] - minimum):.2f} "
                   f"from the minimum")
    set_values(panel, lr=0.1)
    tr = panel.trajectories[0]
    assert diverged_at(panel) == -1 and "J grew 10²×" in panel.caption.value
    quoted(answer, f"After 500 steps J = {float(tr.final_loss):.3g}")
    quoted(answer, f"J jumps between {np.min(tr.losses[-100:]):.3g} and {np.max(tr.losses[-100:]):.3g}")
    assert int(tr.last_clipped) == 500
    quoted(answer, f"the clip still acts at the last step (at {int(tr.clipped)} of the 500)")
    set_values(panel, lr=0.0316, clip_norm=0.01)
    tr = panel.trajectories[0]
    assert int(tr.clipped) == 500
    quoted(answer, f"J = {float(tr.final_loss):.3g} after 500 steps")
    steps = np.linalg.norm(np.diff(tr.thetas, axis=0), axis=-1)
    assert steps[0] == pytest.approx(0.0316 * 0.01, rel=1e-4) and steps.max() == pytest.approx(0.0316 * 0.01 / 0.1, rel=1e-3)
    quoted(answer, f"the path covers {steps.sum():.3g} of the {np.linalg.norm(tr.thetas[0] - minimum):.3g} between the start and "
                   f"the minimum (it ends {np.linalg.norm(tr.thetas[-1] - minimum):.3g} from it)")


# --------------------------------------------------------------------------- lesson 06
L06 = "06_beyond_adam.ipynb"


def test_lesson06_schedule_panel_answers():
    from optlab.objectives import Rosenbrock
    from optlab.optimizers import AdamW
    from optlab import run

    answer = cell_source(L06, "schedule_panel_answers")
    panel = lesson_panel(L06, "cell-030")
    rosen = Rosenbrock()
    end = panel.trajectories[0].thetas[-1]
    assert (f"{end[0]:.2f}", f"{end[1]:.2f}") == ("0.83", "0.69")   # the question's starting observation
    for lam in (0.1, 0.5):
        set_values(panel, weight_decay=lam)
        thetas = panel.trajectories[0].thetas
        quoted(answer, f"({thetas[-1, 0]:.3f}, {thetas[-1, 1]:.3f}), J − J* = {gap(panel):.3g}")
        quoted(answer, f"{np.linalg.norm(thetas[-1] - thetas[-101]):.3f}")
        states = run(AdamW(lr=0.2, weight_decay=lam), rosen, rosen.start, 300, record_state=True)
        np.testing.assert_array_equal(states.thetas, thetas)                  # the panel's run, with its m and v
        m_hat = states.states["m"][-1] / (1 - 0.9 ** 300)
        root_v = np.sqrt(states.states["v"][-1] / (1 - 0.999 ** 300))
        if lam == 0.1:
            g = rosen.grad(thetas[:100])
            quoted(answer, f"m̂₁ = {m_hat[0]:.3f}, but √v̂₁ = {root_v[0]:.1f}")
            quoted(answer, f"RMS {np.sqrt(np.mean(g[:, 0] ** 2)):.1f} along θ₁ while their mean was only {g[:, 0].mean():.1f}")
            quoted(answer, f"m̂₁/√v̂₁ = {m_hat[0] / root_v[0]:.3f}, and the decay λθ₁ = {lam * thetas[-1, 0]:.3f}")
        else:
            quoted(answer, f"(λθ₁ = {lam * thetas[-1, 0]:.3f} against m̂₁/√v̂₁ = {m_hat[0] / root_v[0]:.3f})")

    set_values(panel, weight_decay=0.0)
    for schedule in ("constant", "cosine", "exponential"):
        set_values(panel, schedule=schedule)
        end = panel.trajectories[0].thetas[-1]
        quoted(answer, f"{gap(panel):.3g} at ({end[0]:.3f}, {end[1]:.3f})")

    set_values(panel, schedule="constant", lr=2.0)
    losses = panel.trajectories[0].losses
    quoted(answer, f"the loss jumps to {np.nanmax(losses[:50]):.0f} in the first 50 steps (from {losses[0]:.1f})")
    end = panel.trajectories[0].thetas[-1]
    quoted(answer, f"({end[0]:.3f}, {end[1]:.3f}), J − J* = {gap(panel):.3g}")
    set_values(panel, schedule="warm-up + cosine")
    losses = panel.trajectories[0].losses
    quoted(answer, f"never rises above {np.nanmax(losses):.1f}")
    end = panel.trajectories[0].thetas[-1]
    quoted(answer, f"({end[0]:.3f}, {end[1]:.3f}), J − J* = {gap(panel):.3g}")


# --------------------------------------------------------------------------- lesson 07
L07 = "07_capstone.ipynb"


def _message(panel):
    return panel.message.get_text().replace("\n", " ")


def test_lesson07_training_panel_answers():
    from optlab.optimizers import Adam
    from optlab import run

    answer = cell_source(L07, "training_panel_answers")
    panel = lesson_panel(L07, "cell-021")
    assert panel.controls["lr"].value == 0.03
    final = lambda: (f"{float(panel.result.final_accuracy):.1%}".replace("%", " %"), f"{panel.result.losses[-1]:.3g}")

    set_values(panel, optimizer="gd", lr=1.0)                     # a chaotic run: only its rough figures are quoted
    assert 0.6 <= float(panel.result.final_accuracy) <= 0.7 and f"{panel.result.losses[-1]:.1f}" == "0.6"
    quoted(answer, "about two thirds training accuracy after 300 steps (J ≈ 0.6")
    set_values(panel, optimizer="momentum", beta1=0.9)
    acc, J = final()
    assert acc == "100.0 %"
    quoted(answer, f"reaches 100 % (J = {J}), 99 % already at step {panel.result.steps_to(0.99)}")
    set_values(panel, lr=0.1)
    acc, J = final()
    quoted(answer, f"{acc} after 300 steps, J = {J}")

    set_values(panel, optimizer="adam", lr=0.0316, beta1=0.9)
    base_J, base_steps = panel.result.losses[-1], panel.result.steps_to(0.99)
    set_values(panel, beta2=0.9)
    quoted(answer, f"(J = {panel.result.losses[-1]:.3g} instead of {base_J:.3g})")
    quoted(answer, f"(step {panel.result.steps_to(0.99)} instead of {base_steps})")
    slider = panel.controls["beta2"].widget
    slider.value = slider.max
    assert panel.controls["beta2"].value == 0.499
    assert float(panel.result.final_accuracy) == 1.0
    quoted(answer, f"with β2 = 0.499 it needs until step {panel.result.steps_to(0.99)}")

    set_values(panel, beta2=0.999)
    steps = {}
    for eps in (1e-4, 0.001, 0.00316):
        set_values(panel, eps=eps)
        steps[eps] = panel.result.steps_to(0.99)
    assert steps[0.001] == steps[0.00316]
    quoted(answer, f"(99 % at step {steps[1e-4]} instead of {base_steps}; {steps[0.001]} at ε = 0.001 and at 0.00316)")
    set_values(panel, eps=0.01)
    acc, J = final()
    assert panel.result.steps_to(0.99) == -1
    quoted(answer, f"({acc}, J = {J})")
    set_values(panel, eps=0.0316)
    quoted(answer, f"({final()[0]})")

    loss, theta0 = panel.loss, panel.theta0
    states = run(Adam(lr=0.0316), loss, theta0, 300, record_state=True).states["v"][1:]
    root_v = np.sqrt(states / (1 - 0.999 ** np.arange(1, 301))[:, None])
    assert 0.001 < np.median(root_v) < 0.003                                     # "about 0.002"
    quoted(answer, f"({np.median(root_v[0]):.2g} at the first step)")
