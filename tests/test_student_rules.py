"""A student's own rule drives the runner and every panel kind: batched, compared with optlab's; a rule that
fails gives one sentence and optlab's rule takes over — never a traceback, never a warning."""

import warnings

import numpy as np
import pytest

from optlab import rules
from optlab.objectives import Quadratic
from optlab.optimizers import OPTIMIZERS, Adam, Momentum, RuleError, make_optimizer
from optlab.runner import run
from optlab.widgets import (comparison_panel, schedule_panel, sgd_panel, step_panel, sweep_panel,
                            trajectory_panel)


# --------------------------------------------------------------------------- rules as a student writes them
def gd_step(theta, grad, lr):
    return theta - lr * grad


def momentum_step(theta, grad, velocity, lr, beta):
    velocity = beta * velocity - lr * grad
    return theta + velocity, velocity


def nesterov_step(theta, grad, velocity, lr, beta):
    velocity = beta * velocity - lr * grad
    theta = theta + velocity
    return theta, velocity


def adagrad_step(theta, grad, s, lr, eps):
    s = s + grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None):
    v = beta2 * v + (1 - beta2) * grad**2
    v_hat = v if t is None else v / (1 - beta2**t)
    return theta - lr * grad / (np.sqrt(v_hat) + eps), v


def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    if bias_correction:
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    else:
        m_hat, v_hat = m, v
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction=True):
    decayed = theta - lr * weight_decay * theta
    new, m, v = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    return decayed + (new - theta), m, v


def adam_step_in_place(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    """Right numbers, but it updates its arguments in place (a common habit)."""
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad**2
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v


STUDENT = {"gd": gd_step, "sgd": gd_step, "momentum": momentum_step, "nesterov": nesterov_step,
           "adagrad": adagrad_step, "rmsprop": rmsprop_step, "adam": adam_step, "adamw": adamw_step}
SWEEP = {"gd": dict(lr=np.geomspace(1e-4, 2e-3, 6)), "sgd": dict(lr=np.geomspace(1e-4, 2e-3, 6)),
         "momentum": dict(lr=np.geomspace(1e-5, 1e-3, 6), beta=np.linspace(0.5, 0.95, 6)),
         "nesterov": dict(lr=np.geomspace(1e-5, 1e-3, 6), beta=0.9),
         "adagrad": dict(lr=np.geomspace(0.01, 1.0, 6)), "rmsprop": dict(lr=np.geomspace(1e-3, 0.01, 6)),
         "adam": dict(lr=np.geomspace(1e-3, 0.3, 6), beta1=np.linspace(0.0, 0.95, 6), bias_correction=False),
         "adamw": dict(lr=np.geomspace(1e-3, 0.3, 6), weight_decay=np.linspace(0.0, 0.5, 6))}


def _quiet():
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("error")
    return context


@pytest.mark.parametrize("name", list(STUDENT))
def test_a_students_rule_runs_a_batched_sweep_like_optlabs(name):
    hp = SWEEP[name]
    theta0 = np.broadcast_to([-1.2, 1.0], (6, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mine = run(make_optimizer(name, **hp, rule=STUDENT[name]), "rosenbrock", theta0, 300)
    ref = run(make_optimizer(name, **hp), "rosenbrock", theta0, 300)
    assert mine.rule == f"your {STUDENT[name].__name__}" and mine.note == ""
    assert ref.rule == f"optlab's {rules.__dict__[STUDENT[name].__name__].__name__}"
    np.testing.assert_array_equal(mine.diverged_at, ref.diverged_at)
    np.testing.assert_allclose(mine.thetas, ref.thetas, rtol=1e-9, atol=1e-12)


def test_rmsprop_with_bias_correction_passes_t_to_the_students_rule():
    mine = run(make_optimizer("rmsprop", lr=0.01, bias_correction=True, rule=rmsprop_step), "beale", None, 200)
    ref = run(make_optimizer("rmsprop", lr=0.01, bias_correction=True), "beale", None, 200)
    np.testing.assert_allclose(mine.thetas, ref.thetas, rtol=1e-10)
    assert not np.allclose(mine.thetas, run(make_optimizer("rmsprop", lr=0.01), "beale", None, 200).thetas)


def test_a_rule_that_updates_in_place_gets_copies_and_the_record_stays_right():
    mine = run(Adam(lr=0.05, rule=adam_step_in_place), "rosenbrock", None, 100, record_state=True)
    ref = run(Adam(lr=0.05), "rosenbrock", None, 100, record_state=True)
    np.testing.assert_allclose(mine.thetas, ref.thetas, rtol=1e-10)
    np.testing.assert_allclose(mine.states["m"], ref.states["m"], rtol=1e-10, atol=1e-15)
    assert mine.note == ""


def test_optlabs_own_rule_given_as_rule_is_labelled_as_optlabs():
    opt = Adam(lr=0.1, rule=rules.adam_step)
    assert opt.rule_label == "optlab's adam_step" and not opt.custom_rule
    traj = run(opt, "rosenbrock", None, 50)
    assert traj.rule == "optlab's adam_step"
    np.testing.assert_array_equal(traj.thetas, run(Adam(lr=0.1), "rosenbrock", None, 50).thetas)
    assert repr(Adam(0.1, rule=adam_step)).endswith("rule=adam_step)")


# --------------------------------------------------------------------------- wrong rules
def raises(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    return theta - lr * m / 0 if isinstance(lr, int) else 1 / 0


def theta_only(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    return theta - lr * grad


def first_coordinate(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    return theta[0] - lr * grad[0], m, v


def not_batched(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    step = float(lr) * m / (np.sqrt(v) + eps)  # float(lr) works for one run only
    return theta - step, m, v


def no_epsilon(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / np.sqrt(v) * 0 / 0, m, v  # NaN from the first step


def returns_strings(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    return "theta", m, v


def stub(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True):
    # YOUR CODE HERE
    raise NotImplementedError()


WRONG = {
    "raises": (raises, "your raises raised ZeroDivisionError: division by zero"),
    "theta_only": (theta_only, "your theta_only returned a single ndarray; it should return 3: (theta, m, v)"),
    "first_coordinate": (first_coordinate, "your first_coordinate returned theta of shape () for θ of shape (2,)"),
    "no_epsilon": (no_epsilon, "your no_epsilon made θ blow up at step 1, where optlab's adam_step does not"),
    "returns_strings": (returns_strings, "your returns_strings returned theta = 'theta', not an array of numbers"),
    "stub": (stub, "your stub is not written yet"),
}


@pytest.mark.parametrize("kind", list(WRONG))
def test_a_wrong_rule_in_run_falls_back_to_optlabs_with_one_sentence(kind):
    fn, sentence = WRONG[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(Adam(lr=0.05, rule=fn), "rosenbrock", None, 100, noise=0.1, seed=3)
    ref = run(Adam(lr=0.05), "rosenbrock", None, 100, noise=0.1, seed=3)
    np.testing.assert_array_equal(traj.thetas, ref.thetas)  # the same noise: the fallback repeats the stream
    assert traj.rule == "optlab's adam_step" and traj.note == f"{sentence} — optlab's adam_step ran instead"
    assert traj.message == f"{traj.note}. {ref.message}" and "\n" not in traj.message


def test_a_rule_that_cannot_take_a_batch_says_so():
    single = run(Adam(lr=0.05, rule=not_batched), "rosenbrock", None, 50)
    assert single.note == "" and single.rule == "your not_batched"
    traj = run(Adam(lr=np.array([0.01, 0.05, 0.1]), rule=not_batched), "rosenbrock", None, 50)
    assert traj.note.startswith("your not_batched raised TypeError: only ") and "on a batch of 3 runs" in traj.note
    np.testing.assert_array_equal(traj.thetas, run(Adam(lr=np.array([0.01, 0.05, 0.1])), "rosenbrock", None, 50).thetas)


def test_a_rule_that_diverges_like_optlabs_is_kept():
    """α too large is the hyperparameter's fault, not the rule's: the student's run is shown as it is."""
    q = Quadratic(kappa=10.0)
    traj = run(Momentum(lr=np.array([0.1, 0.5]), beta=0.9, rule=momentum_step), q, np.broadcast_to(q.start, (2, 2)),
               100)
    assert traj.rule == "your momentum_step" and traj.note == "" and traj.diverged.tolist() == [False, True]
    assert traj.message.endswith("α > 2(1 + β)/L in that run")


def test_the_optimizer_step_raises_a_rule_error_with_the_sentence():
    opt = Adam(lr=0.1, rule=theta_only)
    with pytest.raises(RuleError, match=r"^your theta_only returned a single ndarray; it should return 3") as info:
        opt.step(np.zeros(2), np.ones(2), opt.init(np.zeros(2)))
    assert info.value.rule is theta_only and isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match=r"^rule must be a function such as your adam_step \(got 3\)"):
        Adam(rule=3)


# --------------------------------------------------------------------------- every panel kind
def _reference_lines(panel):
    return [np.asarray(t.thetas) for t in panel.trajectories]


def test_trajectory_panel_runs_the_students_rule_live():
    # (At α = 0.2 the path on Rosenbrock is chaotic after ~170 steps: a rule with another order of operations, right
    # to the last bits, visibly parts from optlab's there. α = 0.02 keeps the comparison exact to 1e-9.)
    mine = trajectory_panel("adam", "rosenbrock", lr=0.02, steps=300, rule=adam_step)
    ref = trajectory_panel("adam", "rosenbrock", lr=0.02, steps=300)
    np.testing.assert_allclose(mine.trajectories[0].thetas, ref.trajectories[0].thetas, rtol=1e-9)
    assert mine.caption.value.count("your adam_step") == 1 and "optlab's" not in mine.caption.value
    mine.controls["beta1"].value = 0.5
    ref.controls["beta1"].value = 0.5
    np.testing.assert_allclose(mine.trajectories[0].thetas, ref.trajectories[0].thetas, rtol=1e-9)
    assert mine.errors == 0 and mine.status.value == ""


@pytest.mark.parametrize("kind", list(WRONG))
def test_trajectory_panel_with_a_wrong_rule_shows_one_sentence_and_optlabs_run(kind):
    fn, sentence = WRONG[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel = trajectory_panel("adam", "rosenbrock", lr=0.2, steps=100, rule=fn)
    ref = trajectory_panel("adam", "rosenbrock", lr=0.2, steps=100)
    np.testing.assert_array_equal(panel.trajectories[0].thetas, ref.trajectories[0].thetas)
    assert panel.errors == 0 and panel.status.value == ""
    assert "optlab&#x27;s adam_step" in panel.caption.value and sentence.split(" ")[1] in panel.caption.value


def test_step_panel_replays_the_students_rule():
    mine = step_panel("adam", "rosenbrock", lr=0.2, steps=40, rule=adam_step)
    ref = step_panel("adam", "rosenbrock", lr=0.2, steps=40)
    np.testing.assert_allclose(mine.traj.thetas, ref.traj.thetas, rtol=1e-9)
    for key in ref.hats:
        np.testing.assert_allclose(mine.hats[key], ref.hats[key], rtol=1e-9)
    assert "your adam_step" in mine.caption.value
    bad = step_panel("adam", "rosenbrock", lr=0.2, steps=40, rule=theta_only)
    np.testing.assert_array_equal(bad.traj.thetas, ref.traj.thetas)
    assert "your theta_only returned a single ndarray" in bad.caption.value and bad.errors == 0


def test_comparison_panel_runs_the_students_rule_for_its_optimizer():
    mine = comparison_panel(("gd", "momentum", "adam"), "rosenbrock", steps=100, rule=adam_step)
    ref = comparison_panel(("gd", "momentum", "adam"), "rosenbrock", steps=100)
    for got, want in zip(_reference_lines(mine), _reference_lines(ref)):
        np.testing.assert_allclose(got, want, rtol=1e-9)
    assert [t.rule for t in mine.trajectories] == ["optlab's gd_step", "optlab's momentum_step", "your adam_step"]
    assert "Adam (your adam_step)" in mine.caption.value
    both = comparison_panel(("momentum", "adam"), "rosenbrock", steps=50,
                            rule={"momentum": momentum_step, "adam": raises})
    assert [t.rule for t in both.trajectories] == ["your momentum_step", "optlab's adam_step"]
    assert "your raises raised ZeroDivisionError" in both.caption.value and both.errors == 0
    with pytest.raises(ValueError, match=r"does not say which optimizer it is for; pass a dict such as"):
        comparison_panel(("gd", "adam"), rule=raises)
    with pytest.raises(ValueError, match=r"not on this panel: rmsprop"):
        comparison_panel(("gd", "adam"), rule={"rmsprop": rmsprop_step})


def test_sweep_panel_runs_the_students_momentum_batched():
    mine = sweep_panel(resolution=12, steps=60, rule=momentum_step)
    ref = sweep_panel(resolution=12, steps=60)
    np.testing.assert_allclose(mine.values_shown, ref.values_shown, rtol=1e-9)
    assert mine.trajectory.rule == "your momentum_step" and "your momentum_step" in mine.caption.value

    def scalar_momentum(theta, grad, velocity, lr, beta):
        velocity = float(beta) * velocity - float(lr) * grad  # one run at a time only
        return theta + velocity, velocity

    bad = sweep_panel(resolution=12, steps=60, rule=scalar_momentum)
    np.testing.assert_array_equal(bad.values_shown, ref.values_shown)
    assert "on a batch of 144 runs" in bad.caption.value and bad.errors == 0


def test_schedule_and_sgd_panels_take_a_rule():
    mine = schedule_panel("adamw", "rosenbrock", lr=0.2, weight_decay=0.1, steps=100, schedule="cosine",
                          rule=adamw_step)
    ref = schedule_panel("adamw", "rosenbrock", lr=0.2, weight_decay=0.1, steps=100, schedule="cosine")
    np.testing.assert_allclose(mine.trajectories[0].thetas, ref.trajectories[0].thetas, rtol=1e-9)
    mine, ref = sgd_panel(rule=gd_step), sgd_panel()
    np.testing.assert_allclose(mine.trajectories[0].thetas, ref.trajectories[0].thetas, rtol=1e-9)
    assert mine.trajectories[0].rule == "your gd_step"


def test_every_optimizer_accepts_rule():
    for name, cls in OPTIMIZERS.items():
        assert "rule" in cls.__doc__ and cls(lr=0.1, rule=STUDENT[name]).custom_rule
