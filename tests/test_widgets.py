"""optlab.widgets: sliders moved programmatically redraw the picture and update the exact readouts; any slider
values give a picture (hypothesis); errors are shown in the panel; panels hold their picture headless."""

import warnings

import ipywidgets as widgets
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optlab import plotting
from optlab.objectives import Rosenbrock, get_objective
from optlab.widgets import FastFigure, course_defaults
from optlab.optimizers import Adam
from optlab.runner import run
from optlab.widgets import (Panel, comparison_panel, log_control, schedule_panel, sgd_panel, step_panel,
                            sweep_panel, trajectory_panel)

PNG = b"\x89PNG\r\n\x1a\n"



def picture(panel):
    return bytes(panel.image.value)


FACTORIES = {
    "trajectory_adam": lambda: trajectory_panel("adam", "rosenbrock", objectives=["saddle", "quadratic", "beale"],
                                                kappa_slider=True, noise=0.0),
    "trajectory_momentum": lambda: trajectory_panel("momentum", "quadratic", kappa_slider=True),
    "trajectory_rmsprop": lambda: trajectory_panel("rmsprop", "himmelblau"),
    "sgd": lambda: sgd_panel(n=64),
    "step_adam": lambda: step_panel("adam", "rosenbrock", steps=30),
    "step_adagrad": lambda: step_panel("adagrad", "beale", steps=20),
    "comparison": lambda: comparison_panel(("gd", "nesterov", "adamw"), "rosenbrock", steps=100),
    "sweep": lambda: sweep_panel(resolution=24, steps=40),
    "schedule": lambda: schedule_panel("adamw", "rosenbrock", steps=100),
    "comparison_your_rules": lambda: comparison_panel(("momentum", "adam"), "beale", steps=100,
                                                      rule={"momentum": _student_momentum, "adam": _student_adam}),
    "step_your_rule": lambda: step_panel("rmsprop", "quadratic", steps=20, rule=_student_rmsprop),
    "trajectory_clip": lambda: trajectory_panel("momentum", "beale", lr=0.03, clip_norm="off", steps=200),
    "comparison_clip": lambda: comparison_panel(("gd", "adam"), "rosenbrock", steps=100, clip_value=10.0),
}


def _student_momentum(theta, grad, velocity, lr, beta):
    velocity = beta * velocity - lr * grad
    return theta + velocity, velocity


def _student_adam(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    if bias_correction:
        return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def _student_rmsprop(theta, grad, v, lr, beta2, eps, *, t=None):
    v = beta2 * v + (1 - beta2) * grad**2
    v_hat = v if t is None else v / (1 - beta2**t)
    return theta - lr * grad / (np.sqrt(v_hat) + eps), v


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def any_panel(request):
    return FACTORIES[request.param]()


@pytest.fixture
def adam():
    return trajectory_panel("adam", "rosenbrock", lr=0.05)


def test_every_panel_holds_its_picture_from_construction(any_panel):
    import matplotlib.pyplot as plt

    assert picture(any_panel).startswith(PNG)
    assert any_panel.redraws >= 1 and any_panel.errors == 0 and any_panel.status.value == ""
    assert isinstance(any_panel, widgets.VBox) and any_panel.image in any_panel.children
    assert plt.get_fignums() == []  # drawn on an Agg canvas, nothing leaks into the inline output


@pytest.mark.parametrize("name, widget_value, readout", [
    ("lr", 0.1, "α = 0.1"),
    ("beta1", 0.5, "β1 = 0.5"),
    ("beta2", -4.0, "β2 = 0.9999  (1 − β2 = 0.0001)"),
    ("eps", 1e-3, "ε = 0.001"),
    ("bias_correction", False, "bias correction = off"),
    ("theta0_1", 0.0, "θ0₁ = 0"),
])
def test_moving_a_slider_redraws_and_updates_its_readout(adam, name, widget_value, readout):
    before, count = picture(adam), adam.redraws
    adam.controls[name].widget.value = widget_value
    assert adam.redraws == count + 1 and picture(adam) != before
    assert adam.controls[name].text == readout
    assert readout in adam.controls[name].readout.value  # what the browser shows
    assert adam.status.value == ""


def test_log_slider_values_are_snapped_so_the_readout_is_the_value_used(adam):
    adam.controls["lr"].widget.value = 10 ** -1.35
    assert adam.controls["lr"].value == 0.0447
    assert adam.controls["lr"].text == "α = 0.0447"
    adam.controls["beta2"].widget.value = -2.3
    assert adam.controls["beta2"].value == 1 - 0.00501
    objective = get_objective("rosenbrock")
    expected = run(Adam(lr=0.0447, beta2=1 - 0.00501), objective, objective.start, adam.steps)
    np.testing.assert_array_equal(adam.trajectories[0].thetas, expected.thetas)


def test_control_value_setter_moves_the_slider(adam):
    adam.controls["beta2"].value = 0.99
    assert adam.controls["beta2"].widget.value == pytest.approx(-2.0)
    assert adam.controls["beta2"].text.startswith("β2 = 0.99 ")


def test_diverged_run_is_drawn_with_its_step():
    panel = trajectory_panel("gd", "rosenbrock", lr=0.01)
    message = panel.messages[0]
    assert message.startswith("diverged at step ") and message in panel.caption.value
    k = int(message.split()[-1])
    assert k == int(panel.trajectories[0].diverged_at)
    drawn = panel.paths[0].line.get_xydata()
    assert np.all(np.isfinite(drawn[:-1])) and panel.status.value == ""


@pytest.mark.parametrize("end", ["min", "max"])
def test_every_slider_at_its_end_gives_a_picture_without_warnings(any_panel, end):
    count = any_panel.redraws
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with any_panel.hold():
            for control in any_panel.controls.values():
                if isinstance(control.widget, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.IntSlider)):
                    control.widget.value = getattr(control.widget, end)
    assert any_panel.redraws == count + 1
    assert any_panel.errors == 0 and any_panel.status.value == "" and picture(any_panel).startswith(PNG)


class _Fragile(Rosenbrock):
    """Rosenbrock's valley whose evaluation can be made to fail or to warn (an objective a user wrote)."""

    mode = None

    def unchecked_value_and_grad(self, theta):
        if self.mode == "raise":
            raise ValueError("boom")
        if self.mode == "warn":
            warnings.warn("careful", UserWarning)
        return super().unchecked_value_and_grad(theta)


def test_an_exception_inside_a_callback_is_shown_in_the_panel():
    objective = _Fragile()
    panel = trajectory_panel("adam", objective, lr=0.02, steps=200)
    shown = picture(panel)
    objective.mode = "raise"
    panel.controls["lr"].widget.value = 0.01  # must not raise
    assert "ValueError: boom" in panel.status.value and panel.errors == 1
    assert picture(panel) == shown  # the last good picture stays
    objective.mode = None
    panel.controls["lr"].widget.value = 0.02
    assert panel.status.value == "" and picture(panel) == shown  # back at the first values: the first picture


def test_a_warning_inside_a_callback_is_shown_not_printed():
    objective = _Fragile()
    panel = trajectory_panel("adam", objective, lr=0.02, steps=200)
    objective.mode = "warn"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel.controls["lr"].widget.value = 0.01
    assert "UserWarning: careful" in panel.status.value


def test_most_slider_moves_only_blit(adam):
    adam.controls["beta1"].widget.value = 0.8
    before = adam.fast_figure.full_draws
    for beta1 in np.linspace(0.81, 0.9, 10):
        adam.controls["beta1"].widget.value = beta1
    assert adam.fast_figure.full_draws - before <= 2


def test_objective_dropdown_moves_the_start_into_the_new_window():
    panel = trajectory_panel("adam", "rosenbrock", objectives=["saddle"])
    panel.controls["objective"].value = "saddle"
    assert panel.controls["theta0_1"].value == -1.5 and panel.controls["theta0_2"].widget.min == -1.5
    np.testing.assert_array_equal(panel.trajectories[0].thetas[0], [-1.5, 0.01])  # drawn from the new start
    assert panel.ax_path.get_title() == "saddle" and panel.status.value == ""


def test_kappa_slider_rebuilds_the_quadratic():
    panel = trajectory_panel("gd", "quadratic", kappa_slider=True)
    panel.controls["kappa"].widget.value = 100.0
    assert panel.objective.kappa == 100.0 and panel.controls["kappa"].text == "κ = 100"


def test_sgd_panel_batch_size_and_decay():
    panel = sgd_panel(n=64, batch_size=4)
    assert panel.controls["batch_size"].text == "|B| = 4"
    shown = picture(panel)
    panel.controls["batch_size"].value = 64  # full batch: gradient descent
    assert picture(panel) != shown and panel.controls["batch_size"].text == "|B| = 64"
    panel.controls["decay"].value = 0.5
    alpha_t = panel.lr_line.get_ydata()
    assert alpha_t[0] == pytest.approx(1 / 1.5) and alpha_t[-1] < 0.02


def test_sgd_trajectory_panel_has_noise_and_on_data_a_batch_size():
    from optlab.data import LeastSquares, make_linear_regression

    X, y, _ = make_linear_regression(n=40, d=2, seed=0)
    assert list(trajectory_panel("sgd", LeastSquares(X, y)).controls)[:3] == ["lr", "batch_size", "noise"]
    panel = trajectory_panel("sgd", "quadratic")
    assert "batch_size" not in panel.controls
    shown = picture(panel)
    panel.controls["noise"].value = 1.0
    assert picture(panel) != shown and panel.controls["noise"].text == "σ = 1"


def test_schedule_panel_draws_the_chosen_schedule():
    panel = schedule_panel("adamw", "rosenbrock", steps=100, lr=0.2)
    np.testing.assert_array_equal(panel.lr_line.get_ydata(), 1.0)
    panel.controls["schedule"].value = "warm-up + cosine"
    alpha_t = panel.lr_line.get_ydata()
    assert alpha_t[0] == pytest.approx(0.1) and alpha_t.max() == pytest.approx(1.0) and alpha_t[-1] < 0.1
    panel.controls["weight_decay"].value = 0.5
    assert panel.controls["weight_decay"].text == "λ = 0.5" and panel.status.value == ""


def test_comparison_panel_shares_alpha():
    panel = comparison_panel(("gd", "momentum", "adam"), "rosenbrock", steps=50, lr=1e-3)
    assert [t.split(":")[0] for t in panel.messages] == ["GD", "Momentum", "Adam"]
    before = [path.line.get_xydata().copy() for path in panel.paths]
    panel.controls["lr"].value = 2e-3
    after = [path.line.get_xydata() for path in panel.paths]
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))
    assert "beta" in panel.controls and "beta1" in panel.controls


def test_step_panel_shows_bias_correction_in_the_first_step():
    panel = step_panel("adam", "rosenbrock", steps=10)
    g1 = panel.traj.grads[0]
    np.testing.assert_allclose(panel.hats["m̂"][0], g1)  # m̂₁ = g₁ with bias correction
    assert "m̂" in panel.table.value and "α/(√v̂+ε)" in panel.table.value
    panel.controls["bias_correction"].value = False
    np.testing.assert_allclose(panel.hats["m̂"][0], 0.1 * g1)  # without it m̂₁ = m₁ = (1 − β1) g₁
    shown = picture(panel)
    panel.controls["step"].value = 5
    assert "step t = 5" in panel.table.value and picture(panel) != shown


def test_step_panel_play_drives_the_step_slider():
    panel = step_panel("momentum", "quadratic", steps=12)
    assert panel.play.max == 12 and "velocity" in panel.table.value


def test_sweep_panel_marks_the_optimum_and_greys_diverged_runs():
    panel = sweep_panel(kappa=10.0, resolution=30, steps=60)
    panel.controls["kappa"].widget.value = 100.0
    alpha, beta = panel.optimum
    assert alpha == pytest.approx((2 / (1 + 0.1)) ** 2) and beta == pytest.approx((9 / 11) ** 2)
    assert panel.marker.get_xydata().tolist() == [[alpha, beta]]
    rates = panel.values_shown
    assert np.isnan(rates[:25, -1]).all()  # α close to 4 diverges unless β is close to 1
    near = np.nanargmin(rates)
    assert np.nanmin(rates) < 0.9 and np.isfinite(rates.flat[near])
    panel.controls["noise"].value = 0.1
    assert panel.status.value == "" and panel.errors == 0


def test_step_and_sweep_panels_have_captions_that_say_why():
    """Issue 10.7: the step and sweep panels say how their runs ended, and why a run diverged where it is known."""
    panel = step_panel("gd", "quadratic", lr=0.25, steps=40)
    k = int(panel.traj.diverged_at)
    assert f"diverged at step {k}: α = 0.25 &gt; 2/L = 0.2" in panel.caption.value
    panel.controls["lr"].value = 0.1
    assert "converged" in panel.caption.value and "diverged" not in panel.caption.value
    sweep = sweep_panel(kappa=10.0, resolution=20, steps=60)
    bad = int(np.count_nonzero(sweep.trajectory.diverged))
    assert 0 < bad < 400
    assert f"400 runs, best J = " in sweep.caption.value
    assert f"{bad} diverged (the first at step " in sweep.caption.value
    assert "α &gt; 2(1 + β)/L in each" in sweep.caption.value
    sweep.controls["noise"].value = 0.5   # with noise a run may diverge below the limit: then no claim is made
    assert sweep.errors == 0 and "diverged" in sweep.caption.value


def test_trajectory_panel_caption_flags_a_loss_that_grew():
    panel = trajectory_panel("rmsprop", "rosenbrock", lr=1.0)  # Rosenbrock's 2000 steps
    assert "grew" not in panel.caption.value
    panel.controls["lr"].value = 10.0  # the slider's end
    assert "J grew 10⁴×" in panel.caption.value and "α too large?" in panel.caption.value
    assert "font-weight:bold" in panel.caption.value


def test_building_blocks_make_a_minimal_panel():
    class MyPanel(Panel):
        def __init__(self):
            ff = FastFigure(figsize=(2, 1.5), dpi=50)
            ax = ff.figure.add_subplot()
            (self.line,) = ax.plot([], [])
            ax.set_ylim(0, 1)
            ff.animate(self.line)
            super().__init__(ff, [log_control("lr", "α", 0.1, -3, 0)], title="mine")

        def update(self):
            self.line.set_data([0, 1], [0, self.values()["lr"]])

    panel = MyPanel()
    first = picture(panel)
    panel.controls["lr"].value = 0.5
    assert picture(panel) != first and panel.controls["lr"].text == "α = 0.5"


# ------------------------------------------------------------------------------------------------ fuzz
def value_strategy(widget):
    if isinstance(widget, widgets.FloatLogSlider):
        return st.floats(widget.min, widget.max).map(lambda e: widget.base ** e)
    if isinstance(widget, widgets.FloatSlider):
        return st.floats(widget.min, widget.max)
    if isinstance(widget, widgets.IntSlider):
        return st.integers(widget.min, widget.max)
    if isinstance(widget, widgets.Checkbox):
        return st.booleans()
    return st.sampled_from([o[1] if isinstance(o, tuple) else o for o in widget.options])


@settings(max_examples=6)
@given(data=st.data())
def test_any_slider_values_give_a_picture(any_panel, data):
    controls = any_panel.controls
    if "objective" in controls:  # the objective sets the start sliders' ranges: choose it first
        controls["objective"].widget.value = data.draw(value_strategy(controls["objective"].widget))
    count = any_panel.redraws
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with any_panel.hold():
            for name, control in controls.items():
                if name != "objective":
                    control.widget.value = data.draw(value_strategy(control.widget), label=name)
    assert any_panel.redraws == count + 1, any_panel.status.value
    assert any_panel.errors == 0 and any_panel.status.value == ""
    assert picture(any_panel).startswith(PNG)
    for control in controls.values():
        assert control.text.startswith(control.symbol) or control.name == "objective"


def test_headless_execution_keeps_the_initial_picture():
    """Under nbclient (as nbval runs lessons) the panel's PNG is already in the Image widget's state."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "%matplotlib inline\nfrom optlab.widgets import trajectory_panel\ntrajectory_panel('adam', 'rosenbrock')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (output,) = nb.cells[0].outputs
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (image,) = [model for model in state.values() if model["model_name"] == "ImageModel"]
    (buffer,) = image["buffers"]
    assert buffer["path"] == ["value"] and len(buffer["data"]) > 1000


@pytest.mark.parametrize("lr", [0.001, 0.0021, 0.01])  # converging, bouncing at the edge of stability, diverging
def test_a_long_run_is_drawn_through_at_most_draw_points_with_exact_ends(lr):
    """Issue: a 5000-step panel drew every point; now ≤ DRAW_POINTS, the start, the last finite point and the extremes
    of the path and of the loss curve exact."""
    from optlab import plotting

    panel = trajectory_panel("gd", "rosenbrock", lr=lr, steps=5000)
    traj = panel.trajectories[0]
    path = panel.paths[0].line.get_xydata()
    xs, gaps = panel.loss_lines[0].get_xdata(), panel.loss_lines[0].get_ydata()
    assert len(path) <= plotting.DRAW_POINTS and len(gaps) <= plotting.DRAW_POINTS
    finite = traj.thetas[np.all(np.isfinite(traj.thetas), axis=-1)]
    clipped = plotting.clip_to_view(traj.thetas, panel.window)
    clipped = clipped[np.all(np.isfinite(clipped), axis=-1)]
    np.testing.assert_array_equal(path[0], traj.thetas[0])
    np.testing.assert_array_equal(path[-1], clipped[-1])
    np.testing.assert_array_equal(panel.paths[0].end.get_xydata()[0], clipped[-1])
    np.testing.assert_array_equal(path.max(axis=0), clipped.max(axis=0))
    full = plotting.loss_gap(traj.losses, panel.f_min)
    last = len(finite) - 1
    assert xs[-1] == last and gaps[-1] == full[last] and gaps.max() == np.nanmax(full) and gaps.min() == np.nanmin(full)
    assert panel.status.value == ""


def _used(panel):
    return dict(zip(panel.optimizers, panel.hyperparams_used))


def test_comparison_panel_keeps_each_optimizers_defaults_until_a_shared_control_moves():
    """Issue: a shared slider gave Adam RMSProp's β2 = 0.99 and bias_correction=False."""
    panel = comparison_panel(("gd", "momentum", "rmsprop", "adam"), "rosenbrock", steps=50)
    used = _used(panel)
    assert used["adam"]["beta2"] == 0.999 and used["adam"]["bias_correction"] is True
    assert used["rmsprop"]["beta2"] == 0.99 and used["rmsprop"]["bias_correction"] is False
    assert used["adam"]["lr"] == course_defaults.suggested_lr("adam", panel.objective) != used["gd"]["lr"]
    text = {name: c.text for name, c in panel.controls.items()}
    assert "RMSProp 0.99" in text["beta2"] and "Adam 0.999" in text["beta2"] and "own default" in text["beta2"]
    assert text["beta1"].endswith("→ Adam") and text["beta"].endswith("→ Momentum")
    assert text["bias_correction"].endswith("→ Adam") and text["bias_correction_rmsprop"].endswith("→ RMSProp")
    assert all(name in text["lr"] for name in ("GD", "Momentum", "RMSProp", "Adam"))
    panel.controls["beta2"].value = 0.9
    used = _used(panel)
    assert used["adam"]["beta2"] == used["rmsprop"]["beta2"] == 0.9
    assert panel.controls["beta2"].text.endswith("→ RMSProp, Adam")
    assert panel.controls["beta2"].text in panel.controls["beta2"].readout.value
    panel.controls["bias_correction"].value = False      # Adam's toggle leaves RMSProp's alone
    assert _used(panel)["adam"]["bias_correction"] is False and _used(panel)["rmsprop"]["bias_correction"] is False
    panel.controls["bias_correction_rmsprop"].value = True
    assert _used(panel)["rmsprop"]["bias_correction"] is True and _used(panel)["adam"]["bias_correction"] is False


def test_comparison_panel_given_values_and_per_optimizer_alpha():
    # The lesson 05 call: a given β2 is shared by RMSProp and Adam, bias_correction=True is Adam's only.
    panel = comparison_panel(("gd", "momentum", "rmsprop", "adam"), "rosenbrock", steps=30, lr=1e-3, beta2=0.999,
                             bias_correction=True)
    used = _used(panel)
    assert {o: used[o]["lr"] for o in used} == dict.fromkeys(used, 1e-3)
    assert used["rmsprop"]["beta2"] == used["adam"]["beta2"] == 0.999
    assert used["rmsprop"]["bias_correction"] is False and used["adam"]["bias_correction"] is True
    panel = comparison_panel(("gd", "adam"), "rosenbrock", steps=30, lr={"gd": 1e-3, "adam": 0.05})
    assert "lr" not in panel.controls and _used(panel)["gd"]["lr"] == 1e-3 and _used(panel)["adam"]["lr"] == 0.05
    panel.controls["lr_adam"].value = 0.1
    assert _used(panel)["gd"]["lr"] == 1e-3 and _used(panel)["adam"]["lr"] == 0.1
    assert panel.controls["lr_adam"].text == "α = 0.1 → Adam"
    panel = comparison_panel(("gd", "adam"), "rosenbrock", steps=30, separate=("lr",), lr_gd=2e-3)
    assert _used(panel)["gd"]["lr"] == 2e-3 and _used(panel)["adam"]["lr"] == course_defaults.suggested_lr("adam", panel.objective)
    with pytest.raises(ValueError, match="unknown lr_sgd"):
        comparison_panel(("gd", "adam"), "rosenbrock", separate=("lr",), lr_sgd=0.1)


def test_trajectory_panel_kappa_sets_where_the_kappa_slider_starts():
    """Issue: kappa_slider=True always started at the objective's own κ."""
    panel = trajectory_panel("gd", "quadratic", kappa_slider=True, kappa=50.0, lr=0.03)
    assert panel.controls["kappa"].value == 50.0 and panel.objective.kappa == 50.0
    panel = trajectory_panel("momentum", "rosenbrock", objectives=["quadratic"], kappa=30.0)
    panel.controls["objective"].value = "quadratic"
    assert panel.objective.kappa == 30.0
    with pytest.raises(ValueError, match="kappa applies to quadratic objectives"):
        trajectory_panel("gd", "rosenbrock", kappa=10.0)


def test_each_objective_gets_its_own_number_of_steps():
    """Issue: one `steps` for every objective of the dropdown (the quadratic needs ~100, Rosenbrock thousands)."""
    panel = trajectory_panel("gd", "quadratic", objectives=["rosenbrock", "beale"])
    assert panel.trajectories[0].steps == course_defaults.STEPS["quadratic"] == 100
    panel.controls["objective"].value = "rosenbrock"
    assert panel.trajectories[0].steps == course_defaults.STEPS["rosenbrock"] >= 1000
    assert panel.ax_loss.get_xlim() == (0.0, panel.trajectories[0].steps)
    panel = trajectory_panel("gd", "quadratic", objectives=["rosenbrock", "beale"], steps={"rosenbrock": 3000})
    assert panel.trajectories[0].steps == 100
    panel.controls["objective"].value = "rosenbrock"
    assert panel.trajectories[0].steps == 3000
    panel.controls["objective"].value = "beale"
    assert panel.trajectories[0].steps == course_defaults.STEPS["beale"]
    panel = trajectory_panel("gd", "quadratic", objectives=["rosenbrock"], steps=150)
    panel.controls["objective"].value = "rosenbrock"
    assert panel.trajectories[0].steps == 150
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        trajectory_panel("gd", "quadratic", steps={"quadratic": 0})


# ------------------------------------------------------------------------------------------------ clipping
def test_a_clip_control_sets_the_run_option_of_its_name():
    """The control is named after run's option, so the panel passes it on; its right end is "off" (no option)."""
    from optlab.optimizers import Momentum
    from optlab.widgets import clip_control

    panel = trajectory_panel("momentum", "beale", lr=0.03, clip_norm="off", steps=300)
    control = panel.controls["clip_norm"]
    assert control.value is None and control.text == "clip ‖g‖: off"
    assert panel.caption.value.count("diverged at step") == 1 and "clipped" not in panel.caption.value
    off = picture(panel)
    control.value = 10.0
    want = run(Momentum(lr=0.03, beta=0.9), "beale", None, 300, clip_norm=10.0)
    np.testing.assert_array_equal(panel.trajectories[0].thetas, want.thetas)
    assert control.text == "clip ‖g‖ ≤ c = 10" and picture(panel) != off
    assert want.outcome in panel.caption.value and f"clipped at {int(want.clipped)} of 300 steps" in want.outcome
    control.widget.value = control.widget.max
    assert control.value is None and panel.trajectories[0].clipped is None
    assert clip_control("clip_value", float("inf")).value is None
    with pytest.raises(ValueError, match="name must be one of clip_norm, clip_value"):
        clip_control("clip", 1.0)
    with pytest.raises(ValueError, match=r"clip_norm must be a number > 0 or 'off' \(got 'on'\)"):
        clip_control("clip_norm", "on")


@pytest.mark.parametrize("option", ["clip_norm", "clip_value"])
def test_a_panels_clip_threshold_is_refused_by_its_own_name_and_numpys_numbers_are_numbers(option):
    """trajectory_panel(..., clip_norm=0) said 'value must be a number > 0 or 'off' (got 0)' — an argument the
    student never wrote; and a threshold taken out of a numpy array (np.int64(10), np.float32(10)) was refused
    as not a number."""
    for bad in (0, -1.0, float("nan"), "10", True, [1.0, 2.0]):
        with pytest.raises(ValueError, match=rf"^{option} must be a number > 0 or 'off' \(got "):
            trajectory_panel("momentum", "beale", steps=50, **{option: bad})
    for number in (np.int64(10), np.float32(10.0), np.float64(10.0), 10):
        panel = trajectory_panel("momentum", "beale", steps=50, **{option: number})
        assert panel.controls[option].value == 10.0 and panel.errors == 0
    assert trajectory_panel("gd", "beale", steps=50, **{option: np.float64("inf")}).controls[option].value is None


def test_the_clip_slider_reaches_round_thresholds_and_snaps_its_readout():
    from optlab.widgets import clip_control

    control = clip_control("clip_norm", 10.0)
    assert control.value == 10.0
    for c in (0.01, 0.1, 1.0, 100.0, 1000.0):
        control.value = c
        assert control.value == c and control.text == f"clip ‖g‖ ≤ c = {c:g}"
    control.widget.value = control.widget.min + 0.05
    assert control.value == 0.0112
