"""Panels that answer a move without running again, and show what running again would show (issue 14).

A path panel answers a slider's moves from one batched run of the slider's whole range (optlab.widgets._batch); the
sweep map keeps the maps and colour-bar backgrounds of the κ values it has shown; the training panel keeps the
trainings it has shown. The promise is that nobody can tell, except by the clock: every move shows what a run of its
own would show — the same trajectory to the last bit, the same caption, the same picture — with optlab's rules and
with a student's, right or wrong, batchable or not. Each test drives two panels made alike, one with the shortcut and
one without, through the same moves and compares them.
"""

import numpy as np
import pytest

from optlab import rules
from optlab.objectives import Quadratic
from optlab.widgets import comparison_panel, schedule_panel, sgd_panel, trajectory_panel


def twins(factory, *args, **kwargs):
    """Two panels made alike; the second runs every move on its own."""
    batched, single = factory(*args, **kwargs), factory(*args, **kwargs)
    single.batches.enabled = False
    single.batches._batches.clear()  # a batch the first picture may have prepared
    return batched, single


def same_run(a, b):
    return (np.array_equal(a.thetas, b.thetas, equal_nan=True) and np.array_equal(a.losses, b.losses, equal_nan=True)
            and np.array_equal(a.diverged_at, b.diverged_at) and a.message == b.message and a.rule == b.rule)


def drag(panels, name, offsets):
    """Move control ``name`` of every panel by ``offsets`` slider steps, in turn, as the browser's slider does (to
    min + k·step); yield after each move."""
    widget = panels[0].controls[name].widget
    log = hasattr(widget, "base")
    start = round(((np.log10(widget.value) if log else widget.value) - widget.min) / widget.step)
    for k in offsets:
        pos = widget.min + min(max(start + k, 0), round((widget.max - widget.min) / widget.step)) * widget.step
        value = 10 ** pos if log else pos
        changed = value != widget.value
        for panel in panels:
            panel.controls[name].widget.value = value
        yield changed


def assert_alike(batched, single):
    assert batched.errors == single.errors == 0, (batched.status.value, single.status.value)
    assert batched.status.value == single.status.value
    assert batched.caption.value == single.caption.value
    assert batched.image.value == single.image.value  # the very same picture
    for a, b in zip(batched.trajectories, single.trajectories):
        assert same_run(a, b)


DRAG = [1, 2, 3, 2, 1, 0, -1, -2, -3, -1, 0, 5, 30, -40]


@pytest.mark.parametrize("make, control", [
    (lambda: trajectory_panel("gd", "rosenbrock", lr=0.001, steps=5000), "lr"),     # lesson 01's long run
    (lambda: trajectory_panel("adam", "rosenbrock", lr=0.02, steps=200), "lr"),
    (lambda: trajectory_panel("adam", "rosenbrock", lr=0.02, steps=200), "eps"),
    (lambda: trajectory_panel("momentum", Quadratic(kappa=100.0), lr=0.02, beta=0.67, steps=200), "beta"),
    (lambda: trajectory_panel("nesterov", "quadratic", kappa_slider=True, lr=0.05, steps=100), "theta0_1"),
    (lambda: trajectory_panel("gd", "quadratic", lr=0.15, steps=100), "lr"),  # runs that diverge, with the reason
    (lambda: schedule_panel("adamw", "rosenbrock", lr=0.2, steps=300, schedule="cosine"), "weight_decay"),
])
def test_a_drag_answered_from_a_batch_shows_what_single_runs_show(make, control):
    batched, single = twins(make)
    assert_alike(batched, single)
    moves = 0
    for changed in drag([batched, single], control, DRAG):
        assert_alike(batched, single)
        moves += changed
    assert batched.batches.answered >= moves - 2 and single.batches.answered == 0
    assert batched.batches.built <= 3  # once per range, and again only where the drag left the positions kept


@pytest.mark.parametrize("control", ["beta1", "beta2"])
def test_adams_betas_are_run_move_by_move_and_alpha_still_from_a_batch(control):
    """numpy's β ** t of an array differs from Python's of a number in the last bits (for some β and t): a β batch
    would not repeat the single runs, so those sliders run move by move."""
    b = np.linspace(0.5, 0.999, 50)
    assert any((b ** t != np.array([x ** t for x in b.tolist()])).any() for t in range(1, 200))  # why
    batched, single = twins(trajectory_panel, "adam", "rosenbrock", lr=0.02, steps=200)
    for _ in drag([batched, single], control, [1, 2, 3, -1]):
        assert_alike(batched, single)
    assert batched.batches.built == 0 and batched.batches.answered == 0
    for _ in drag([batched, single], "lr", [1, 2, -1]):
        assert_alike(batched, single)
    assert batched.batches.answered == 3


def test_a_long_panel_has_its_alpha_range_ready_before_the_first_move():
    panel = trajectory_panel("gd", "rosenbrock", lr=0.001, steps=5000)
    assert panel.batches.built == 1  # run when the panel was made
    for _ in drag([panel], "lr", [1, 2, -1]):
        pass
    assert panel.batches.built == 1 and panel.batches.answered == 3
    short = trajectory_panel("adam", "rosenbrock", lr=0.02, steps=200)
    assert short.batches.built == 0  # a short run is batched when its slider first moves


def test_a_comparison_reruns_only_the_optimizers_the_moved_control_drives():
    batched, single = twins(comparison_panel, ("gd", "momentum", "rmsprop", "adam"), "rosenbrock", steps=2000)
    assert batched.batches.built == 4  # α's range, for each optimizer
    gd, momentum = batched.trajectories[0], batched.trajectories[1]
    for _ in drag([batched, single], "beta1", [1, 2, -3]):  # Adam's β1 only
        assert_alike(batched, single)
        assert batched.trajectories[0] is gd and batched.trajectories[1] is momentum
    for _ in drag([batched, single], "lr", [1, -2, 4]):
        assert_alike(batched, single)
    for _ in drag([batched, single], "beta2", [1, 2]):  # the first move sets β2 for RMSProp and Adam alike
        assert_alike(batched, single)


def test_random_runs_are_run_move_by_move():
    panel = sgd_panel(lr=0.1, batch_size=1, steps=300)
    for _ in drag([panel], "lr", [1, 2, 3]):
        pass
    assert panel.batches.built == 0 and panel.batches.answered == 0
    noisy = trajectory_panel("gd", "rosenbrock", lr=1e-3, noise=0.5, steps=100)
    for _ in drag([noisy], "lr", [1, 2]):
        pass
    assert noisy.batches.built == 0


def test_a_batch_keeps_at_most_its_budget_of_positions(monkeypatch):
    from optlab.widgets._batch import SliderBatches

    monkeypatch.setattr(SliderBatches, "BYTES", 11 * 101 * 4 * 8)  # eleven runs of 100 steps
    batched, single = twins(trajectory_panel, "gd", "quadratic", lr=0.05, steps=100)
    for _ in drag([batched, single], "lr", [1, 2, 3, 4, 5, 6, 7, 8, -1]):
        assert_alike(batched, single)
        assert batched.batches._batches["gd"].trajectory.thetas.shape[1] <= 12
    assert batched.batches.built >= 2  # the drag left the first batch's positions


# ------------------------------------------------------------------------------------------------ students' rules
def gd_step(theta, grad, lr):  # right, and elementwise: takes a batch
    return theta - lr * grad


def gd_step_one_run(theta, grad, lr):  # right for one run; float(lr) cannot take a batch of α's
    return theta - float(lr) * grad


def gd_step_batch_mixed(theta, grad, lr):  # right for one run; in a batch it mixes the runs (one α for all)
    return theta - np.mean(lr) * grad


def gd_step_wrong(theta, grad, lr):  # wrong: climbs
    return theta + lr * grad


def adam_step_one_run(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction):
    if float(beta2) >= 1.0:  # a scalar test: cannot take a batch of β2's
        raise ValueError("beta2 must be < 1")
    return rules.adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)


@pytest.mark.parametrize("rule", [gd_step, gd_step_one_run, gd_step_batch_mixed, gd_step_wrong])
def test_a_students_rule_shows_what_it_shows_run_by_run(rule):
    batched, single = twins(trajectory_panel, "gd", "rotated_quadratic", rule=rule, lr=0.1, steps=100)
    for _ in drag([batched, single], "lr", [1, 2, 3, -2, 6, 12]):
        assert_alike(batched, single)
    if rule is gd_step:
        assert batched.batches.answered >= 5
    if rule in (gd_step_one_run, gd_step_batch_mixed):
        assert batched.batches.answered == 0 and ("gd", "lr") in batched.batches._single  # one run per move
        assert "your " + rule.__name__ in batched.caption.value and "ran instead" not in batched.caption.value


def gd_step_printing(theta, grad, lr):  # right, with a print left in from debugging
    print("theta =", theta)
    return theta - lr * grad


def test_a_students_rule_that_prints_floods_nothing_and_says_so_the_same_way_on_every_path(capsys):
    """A print in a rule runs at every step: the panel's first picture printed 100 lines under the cell (5000 with
    lesson 01's Rosenbrock run), and every move printed a run's (or a batch's) worth more into JupyterLab's log. The
    panel keeps it to itself and says so, the same whether a value is reached from a batch or run on its own."""
    batched, single = twins(trajectory_panel, "gd", "rotated_quadratic", rule=gd_step_printing, lr=0.1, steps=100)
    moves = list(drag([batched, single], "lr", [1, 2, 3, -2, 6]))
    assert_alike(batched, single)
    assert batched.batches.answered >= 4  # the moves were answered from a batch, which printed once
    assert capsys.readouterr().out == ""
    assert batched.status.value == single.status.value and "your code printed while this panel ran it" in \
        batched.status.value and "call your function in a cell of its own" in batched.status.value
    quiet = trajectory_panel("gd", "rotated_quadratic", rule=gd_step, lr=0.1, steps=100)
    quiet.controls["lr"].value = 0.2
    assert quiet.status.value == "" and capsys.readouterr().out == ""
    assert len(moves) == 5


def gd_step_loop(theta, grad, lr):  # right, one number at a time: takes a batch, slowly
    lr = np.broadcast_to(lr, theta.shape)
    out = np.empty_like(theta)
    for i in np.ndindex(theta.shape):
        out[i] = theta[i] - lr[i] * grad[i]
    return out


def test_a_students_rule_is_batched_over_the_positions_near_the_slider_only():
    batched, single = twins(trajectory_panel, "gd", "rotated_quadratic", rule=gd_step_loop, lr=0.1, steps=50)
    for _ in drag([batched, single], "lr", [1, 2, 3, -1]):
        assert_alike(batched, single)
    assert batched.batches.answered == 4
    assert batched.batches._batches["gd"].trajectory.thetas.shape[1] <= batched.batches.STUDENT_POSITIONS + 2


def test_a_students_adam_that_cannot_take_a_batch_in_a_comparison():
    batched, single = twins(comparison_panel, ("gd", "adam"), "rosenbrock", rule={"adam": adam_step_one_run},
                            steps=300)
    for _ in drag([batched, single], "beta2", [1, 2, -1]):
        assert_alike(batched, single)
    for _ in drag([batched, single], "lr", [1, 2]):
        assert_alike(batched, single)
    assert "your adam_step_one_run" in batched.caption.value


# ------------------------------------------------------------------------------------------------ the sweep map
def test_the_sweep_map_redraws_a_kappa_seen_before_without_running_and_shows_the_same():
    from optlab.widgets import sweep_panel

    kept, fresh = sweep_panel(kappa=100.0, resolution=40, steps=60), sweep_panel(kappa=100.0, resolution=40, steps=60)
    pictures, draws = {}, []
    for kappa in (100.0, 50.1, 10.0, 3.16, 10.0, 50.1, 100.0, 1000.0, 100.0):
        kept.controls["kappa"].value = kappa
        fresh._maps.clear()  # the other panel runs every map again
        fresh.fast_figure.invalidate()  # and draws every background again
        fresh.controls["kappa"].value = kappa
        assert kept.image.value == fresh.image.value and kept.caption.value == fresh.caption.value
        np.testing.assert_array_equal(kept.values_shown, fresh.values_shown)
        pictures.setdefault(kappa, kept.image.value)
        assert kept.image.value == pictures[kappa]
        draws.append(kept.fast_figure.full_draws)
    assert len(kept._maps) == 5
    assert draws[3] > draws[0] and draws[6] == draws[3]  # the colour bar's backgrounds are drawn once each
    kept.controls["noise"].value = 0.3
    fresh._maps.clear()
    fresh.controls["noise"].value = 0.3
    assert kept.image.value == fresh.image.value and kept.errors == fresh.errors == 0
    assert kept.trajectory.diverged_at.shape == (40, 40)  # run again on access for the map shown


def test_the_sweep_map_colours_its_cells_as_matplotlib_would():
    from optlab.widgets import sweep_panel

    panel = sweep_panel(kappa=100.0, resolution=30, steps=60)
    coloured = panel.fast_figure.render()
    panel.map.set_data(np.ma.masked_invalid(panel.values_shown))  # the data itself: matplotlib colours the pixels
    assert panel.fast_figure.render() == coloured


# ------------------------------------------------------------------------------------------------ the training panel
def test_the_training_panel_redraws_a_setting_seen_before_without_training_and_shows_the_same():
    from optlab.widgets import training_panel

    kept, fresh = training_panel("adam", lr=0.03, steps=60), training_panel("adam", lr=0.03, steps=60)
    moves = [("lr", 0.0355), ("lr", 0.0398), ("lr", 0.0355), ("beta", 0.5),  # β: Adam does not use it
             ("optimizer", "momentum"), ("beta", 0.5), ("optimizer", "adam"), ("lr", 0.03), ("lr", 3.0)]
    for name, value in moves:
        kept.controls[name].value = value
        fresh._kept.clear()  # the other panel trains every time
        fresh.controls[name].value = value
        assert kept.image.value == fresh.image.value and kept.errors == fresh.errors == 0
        assert np.array_equal(kept.result.losses, fresh.result.losses, equal_nan=True)
    assert kept.retrains == 5 and fresh.retrains == fresh.redraws == 9  # the first picture, then new settings only
    assert "diverged" in kept.message.get_text() or "accuracy" in kept.message.get_text()


# ------------------------------------------------------------------------------------------------ part of a background
@pytest.mark.parametrize("make", [
    lambda: comparison_panel(("gd", "momentum", "rmsprop", "adam"), "rosenbrock", steps=300),
    lambda: __import__("optlab.widgets", fromlist=["step_panel"]).step_panel("adam", "rosenbrock", lr=0.2, steps=60),
])
def test_a_loss_axis_that_grows_redraws_its_part_of_the_background_as_a_whole_redraw_would(make):
    panel = make()
    ff = panel.fast_figure
    for lr in (1.0, 1e-4, 3.0, 0.02):
        before = ff.axes_draws
        panel.controls["lr"].value = lr  # the loss axis may grow: its part of the background is drawn again
        assert panel.image.value == ff.render_full(), ff.axes_draws - before  # the very same picture
    assert ff.axes_draws >= 1
