"""optlab.clipping: what each clip keeps and changes, torch's formula to the bit, batching, purity, validation."""

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optlab.clipping import (NORM_EPS, clip_by_global_norm, clip_by_value, global_norm, norm_clip_factor,
                             unchecked_clip_by_global_norm, unchecked_clip_by_value)

finite = st.floats(-1e6, 1e6, allow_nan=False)
grads = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), elements=finite)
thresholds = st.floats(1e-3, 1e3)


def test_hand_computed_cases():
    np.testing.assert_allclose(clip_by_global_norm(np.array([3.0, 4.0]), 1.0), [0.6, 0.8], rtol=1e-6)
    np.testing.assert_array_equal(clip_by_global_norm(np.array([0.3, 0.4]), 1.0), [0.3, 0.4])
    np.testing.assert_array_equal(clip_by_value(np.array([3.0, -4.0, 0.5]), 1.0), [1.0, -1.0, 0.5])
    np.testing.assert_array_equal(clip_by_global_norm(np.zeros(3), 1.0), np.zeros(3))  # no 0/0


def test_the_norm_clip_is_torchs_formula_to_the_bit():
    """torch.nn.utils.clip_grad_norm_: g·clamp(c/(‖g‖ + 1e-6), max=1) (reference trajectories: test_conformance)."""
    g = np.array([[-215.6, -88.0], [0.3, -0.2], [1e-7, 0.0]])
    norm = np.sqrt(np.sum(g * g, axis=-1, keepdims=True))
    np.testing.assert_array_equal(clip_by_global_norm(g, 10.0), g * np.minimum(10.0 / (norm + NORM_EPS), 1.0))
    np.testing.assert_array_equal(global_norm(g), norm[:, 0])
    factor = norm_clip_factor(g, 10.0)                                   # < 1 exactly where the clip acts
    assert factor.shape == (3, 1) and list(factor[:, 0] < 1) == [True, False, False]
    np.testing.assert_array_equal(g * factor, clip_by_global_norm(g, 10.0))


@settings(max_examples=60, deadline=None)
@given(grads, thresholds)
def test_norm_clip_keeps_the_direction_and_caps_the_length(g, c):
    out = clip_by_global_norm(g, c)
    norm, new = global_norm(g), global_norm(out)
    assert np.all(new <= c * (1 + 1e-12))
    short, long = norm + NORM_EPS <= c, norm > c
    np.testing.assert_array_equal(out[short], g[short])                 # short gradients are left alone
    np.testing.assert_allclose(new[long], c * norm[long] / (norm[long] + NORM_EPS), rtol=1e-12)
    scale = out[long] / np.where(g[long] == 0, 1, g[long])              # one factor per run: same direction
    factor = np.where(g[long] == 0, np.nan, scale)
    assert np.all((np.nanmax(factor, axis=-1) - np.nanmin(factor, axis=-1)) <= 1e-12 * np.nanmax(factor, axis=-1))


@settings(max_examples=60, deadline=None)
@given(grads, thresholds)
def test_value_clip_clamps_each_coordinate(g, c):
    out = clip_by_value(g, c)
    assert np.all(np.abs(out) <= c)
    inside = np.abs(g) <= c
    np.testing.assert_array_equal(out[inside], g[inside])
    np.testing.assert_array_equal(out[~inside], np.sign(g[~inside]) * c)


def test_value_clip_turns_the_direction_norm_clip_does_not():
    g = np.array([-215.6, -88.0])                                       # Rosenbrock's gradient at its start
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)   # noqa: E731
    assert cos(clip_by_global_norm(g, 10.0), g) == pytest.approx(1.0, abs=1e-15)
    assert cos(clip_by_value(g, 10.0), g) < 0.93                        # clamped to (−10, −10): 45°, not 22°


def test_infinity_means_no_clipping():
    g = np.array([[1e5, -3.0], [2.0, 1e4]])
    np.testing.assert_array_equal(clip_by_global_norm(g, np.inf), g)
    np.testing.assert_array_equal(clip_by_value(g, np.inf), g)


@pytest.mark.parametrize("clip", [clip_by_global_norm, clip_by_value])
def test_batched_call_with_a_threshold_per_run_equals_the_loop(clip):
    rng = np.random.default_rng(3)
    g = rng.normal(size=(4, 3, 5)) * 10
    c = np.array([0.5, 2.0, 10.0, np.inf])[:, None, None]
    out = clip(g, c)
    for i in range(4):
        for j in range(3):
            np.testing.assert_array_equal(out[i, j], clip(g[i, j], c[i, 0, 0]))


@pytest.mark.parametrize("clip", [clip_by_global_norm, clip_by_value])
def test_inputs_are_not_mutated(clip):
    g, c = np.array([[30.0, -40.0]]), np.array([[1.0]])
    before = g.copy(), c.copy()
    out = clip(g, c)
    np.testing.assert_array_equal(g, before[0])
    np.testing.assert_array_equal(c, before[1])
    assert out is not g


@pytest.mark.parametrize("clip, name", [(clip_by_global_norm, "max_norm"), (clip_by_value, "limit")])
@pytest.mark.parametrize("bad, says", [(0.0, "must be > 0 (inf: no clipping) (got 0)"), (-1.0, "must be > 0"),
                                       (np.nan, "(got nan)"), (None, "must be a real number"),
                                       ("1", "must be a real number"), (True, "not a bool"),
                                       (np.array([1.0, -2.0])[:, None], "(got -2 at index (1, 0))")])
def test_bad_thresholds_raise_a_value_error_naming_them(clip, name, bad, says):
    with pytest.raises(ValueError, match=name) as info:
        clip(np.ones((2, 3)), bad)
    assert says in str(info.value)


@pytest.mark.parametrize("clip, name", [(clip_by_global_norm, "max_norm"), (clip_by_value, "limit")])
def test_bad_gradients_and_shapes_are_rejected(clip, name):
    with pytest.raises(ValueError, match=r"grad must contain only finite numbers \(got nan at index \(1,\)\)"):
        clip(np.array([1.0, np.nan]), 1.0)
    with pytest.raises(ValueError, match=r"grad must be an array of shape \(\.\.\., d\)"):
        clip(3.0, 1.0)
    with pytest.raises(ValueError, match=rf"{name} of shape \(4,\) must broadcast to the shape of grad \(4, 3\)"):
        clip(np.ones((4, 3)), np.ones(4))


def test_unchecked_kernels_are_the_checked_math():
    g = np.random.default_rng(0).normal(size=(6, 4)) * 5
    np.testing.assert_array_equal(unchecked_clip_by_global_norm(g, 2.0), clip_by_global_norm(g, 2.0))
    np.testing.assert_array_equal(unchecked_clip_by_value(g, 2.0), clip_by_value(g, 2.0))


def test_docstring_examples_run():
    module = importlib.import_module("optlab.clipping")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------- in the runner: run(..., clip_norm=, clip_value=)
from optlab import rules  # noqa: E402
from optlab.objectives import get_objective  # noqa: E402
from optlab.optimizers import GD, Adam, Momentum, Nesterov  # noqa: E402
from optlab.runner import run  # noqa: E402


def test_run_clips_the_gradient_before_the_step_as_the_loop_a_student_writes():
    beale = get_objective("beale")
    traj = run(Momentum(lr=0.03, beta=0.9), beale, None, 60, clip_norm=10.0, record_state=True)
    theta, velocity, clipped = np.array(beale.start), np.zeros(2), []
    for t in range(1, 61):
        g = beale.grad(theta)
        clipped.append(np.linalg.norm(g) + NORM_EPS > 10.0)
        theta, velocity = rules.momentum_step(theta, clip_by_global_norm(g, 10.0), velocity, 0.03, 0.9)
        np.testing.assert_array_equal(traj.thetas[t], theta)
    assert np.all(np.linalg.norm(traj.grads, axis=-1) <= 10.0)           # the recorded g is the clipped one
    assert int(traj.clipped) == sum(clipped) and int(traj.last_clipped) == 1 + max(np.flatnonzero(clipped))


def test_nesterov_clips_the_gradient_at_the_look_ahead_point():
    J = get_objective("rosenbrock")
    traj = run(Nesterov(lr=1e-3, beta=0.9), J, None, 40, clip_value=5.0)
    theta, velocity = np.array(J.start), np.zeros(2)
    for t in range(1, 41):
        g = clip_by_value(J.grad(theta + 0.9 * velocity), 5.0)
        theta, velocity = rules.nesterov_step(theta, g, velocity, 1e-3, 0.9)
    np.testing.assert_array_equal(traj.thetas[-1], theta)


def test_clipping_saves_a_run_that_diverges_without_it():
    """Lesson 05's measured claim: momentum on Beale diverges at α = 0.03, and with ‖g‖ ≤ 10 converges."""
    lrs = np.array([0.01, 0.03, 0.05])
    free = run(Momentum(lr=lrs, beta=0.9), "beale", None, 1000)
    clipped = run(Momentum(lr=lrs, beta=0.9), "beale", None, 1000, clip_norm=10.0)
    assert free.diverged.all() and not clipped.diverged.any()
    assert np.all(clipped.final_loss < 1e-20) and np.all(clipped.last_clipped < 50)


def test_infinity_is_no_clipping_and_a_threshold_per_run_equals_the_loop():
    lrs = np.array([0.01, 0.03, 0.03])
    limits = np.array([10.0, 1.0, np.inf])
    batch = run(Momentum(lr=lrs, beta=0.9), "beale", None, 200, clip_norm=limits)
    for i in range(3):
        one = run(Momentum(lr=lrs[i], beta=0.9), "beale", None, 200,
                  clip_norm=None if np.isinf(limits[i]) else limits[i])
        np.testing.assert_array_equal(batch.thetas[:, i], one.thetas)
        assert batch[i].message == one.message or np.isinf(limits[i])
    assert batch.clipped[2] == 0 and batch.last_clipped[2] == -1
    plain = run(GD(lr=1e-3), "rosenbrock", None, 50)
    for option in ("clip_norm", "clip_value"):
        off = run(GD(lr=1e-3), "rosenbrock", None, 50, **{option: np.inf})
        np.testing.assert_array_equal(off.thetas, plain.thetas)
        assert off.message == plain.message + ("; ‖g‖ never clipped" if option == "clip_norm" else "; |gᵢ| never clipped")
    assert plain.clipped is None and plain.clip == ""


def test_the_message_says_when_clipping_was_active():
    one = run(Momentum(lr=0.03, beta=0.9), "beale", None, 1000, clip_norm=10.0)
    assert one.message == (f"converged: J = {float(one.final_loss):.2g} after 1000 steps; ‖g‖ clipped at "
                           f"{int(one.clipped)} of 1000 steps, the last at step {int(one.last_clipped)}")
    batch = run(Momentum(lr=np.array([0.01, 0.03]), beta=0.9), "beale", None, 300, clip_norm=np.array([1.0, np.inf]))
    assert batch.message.endswith("; ‖g‖ clipped in 1 of 2 runs")
    assert batch.message.startswith("2 runs, best J = ") and "1 diverged" in batch.message


def test_a_diverged_run_is_not_counted_as_clipped():
    traj = run(GD(lr=np.array([0.5, 1e-3])), "rosenbrock", None, 100, clip_value=1e9)
    assert traj.diverged_at[0] > 0 and traj.clipped[0] == 0 and traj.clipped[1] == 0


def test_your_rule_runs_with_clipping_too():
    def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
        return rules.adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)

    yours = run(Adam(lr=0.05, rule=adam_step), "rosenbrock", None, 100, clip_norm=20.0)
    ours = run(Adam(lr=0.05), "rosenbrock", None, 100, clip_norm=20.0)
    np.testing.assert_array_equal(yours.thetas, ours.thetas)
    assert yours.rule == "your adam_step" and int(yours.clipped) == int(ours.clipped) > 0


@pytest.mark.parametrize("kwargs, says", [
    (dict(clip_norm=0.0), "clip_norm must be > 0 (inf: no clipping) (got 0)"),
    (dict(clip_value=-1.0), "clip_value must be > 0 (inf: no clipping) (got -1)"),
    (dict(clip_norm=np.array([1.0, np.nan])), "clip_norm must be > 0 (inf: no clipping) (got nan at index (1,))"),
    (dict(clip_norm="big"), "clip_norm must be a real number"),
    (dict(clip_norm=1.0, clip_value=1.0), "give clip_norm or clip_value, not both (got clip_norm=1.0, clip_value=1.0)"),
    (dict(clip_norm=np.ones(3), theta0=np.zeros((2, 2))), "and clip_norm (shape (3,)) must broadcast together"),
])
def test_bad_clipping_options_raise_a_value_error_naming_them(kwargs, says):
    theta0 = kwargs.pop("theta0", np.zeros(2))
    with pytest.raises(ValueError) as info:
        run(GD(lr=0.1), "quadratic", theta0, 10, **kwargs)
    assert says in str(info.value)
