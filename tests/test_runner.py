"""Tests of optlab.runner (the function optlab.run): batched = looped, convergence table, divergence, noise, mini-batches, validation."""

import dataclasses
import warnings

import numpy as np
import pytest

from optlab import rules
from optlab.data import LeastSquares, LogisticRegression, make_linear_regression, make_logistic_regression
from optlab.objectives import Quadratic, Rosenbrock, get_objective
from optlab.optimizers import GD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp
from optlab.runner import Trajectory, run
from optlab.schedules import cosine, inverse_time, linear_warmup

# One representative of every optimizer, hyperparameters as arrays over a (2, 3) grid of runs.
LR = np.array([[0.001, 0.003, 0.01], [0.02, 0.05, 0.1]])
BATCHED = {
    "GD": GD(lr=LR),
    "Momentum": Momentum(lr=LR, beta=np.array([0.0, 0.5, 0.9])),
    "Nesterov": Nesterov(lr=LR, beta=np.array([[0.8], [0.95]])),
    "AdaGrad": AdaGrad(lr=LR * 10),
    "RMSProp": RMSProp(lr=LR, beta2=np.array([0.9, 0.99, 0.999])),
    "Adam": Adam(lr=LR, beta1=np.array([0.0, 0.5, 0.9]), beta2=np.array([[0.99], [0.999]])),
    "AdamNoCorrection": Adam(lr=LR, bias_correction=False),
    "AdamW": AdamW(lr=LR, weight_decay=np.array([0.0, 0.01, 0.1])),
}


def single(opt, idx):
    """The optimizer of run ``idx`` of a batched optimizer."""
    return opt.replace(**{k: (np.broadcast_to(v, (2, 3))[idx] if np.ndim(v) else v)
                          for k, v in opt.hyperparams.items()})


@pytest.mark.parametrize("name", BATCHED)
def test_batched_run_equals_a_loop_of_single_runs(name):
    opt = BATCHED[name]
    theta0 = np.array([[[-1.2, 1.0]], [[0.5, -0.5]]])  # (2, 1, 2) broadcasts with the (2, 3) hyperparameters
    traj = run(opt, "rosenbrock", theta0, 60)
    assert traj.thetas.shape == (61, 2, 3, 2) and traj.losses.shape == (61, 2, 3)
    for idx in np.ndindex(2, 3):
        one = run(single(opt, idx), "rosenbrock", theta0[idx[0], 0], 60)
        # Not bit-for-bit: numpy's array ``beta ** t`` (bias correction) may differ from Python's scalar
        # ``beta ** t`` in the last bit (and Rosenbrock amplifies it a little); the rest is the same elementwise arithmetic.
        np.testing.assert_allclose(traj.thetas[(slice(None),) + idx], one.thetas, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(traj.losses[(slice(None),) + idx], one.losses, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(traj.grad_norms[(slice(None),) + idx], one.grad_norms, rtol=1e-12, atol=1e-14)
        assert traj.diverged_at[idx] == one.diverged_at


def test_run_is_the_loop_a_student_writes_with_the_rules():
    J = Rosenbrock()
    theta, velocity, m, v = np.array([-1.2, 1.0]), np.zeros(2), np.zeros(2), np.zeros(2)
    t_nest, t_adam = theta, theta
    nest = run(Nesterov(lr=1e-3, beta=0.9), J, theta, 50)
    adam = run(Adam(lr=0.05), J, theta, 50)
    for t in range(1, 51):
        t_nest, velocity = rules.nesterov_step(t_nest, J.grad(t_nest + 0.9 * velocity), velocity, 1e-3, 0.9)
        t_adam, m, v = rules.adam_step(t_adam, J.grad(t_adam), m, v, t, lr=0.05)
        np.testing.assert_array_equal(nest.thetas[t], t_nest)
        np.testing.assert_array_equal(adam.thetas[t], t_adam)
    assert adam.losses[10] == J.value(adam.thetas[10])
    assert nest.grad_norms[10] == pytest.approx(np.linalg.norm(J.grad(nest.thetas[10])), rel=1e-15)


# (optimizer, objective, steps): sensible hyperparameters from the start point objective.start.
CONVERGENCE = [
    (GD(lr=0.08), "quadratic", 500), (Momentum(lr=0.03), "quadratic", 500), (Nesterov(lr=0.02), "quadratic", 500),
    (AdaGrad(lr=0.6), "quadratic", 500), (RMSProp(lr=0.06), "quadratic", 500), (Adam(lr=0.2), "quadratic", 500),
    (AdamW(lr=0.2, weight_decay=0.0), "quadratic", 500),
    (GD(lr=0.08), "rotated_quadratic", 500), (Momentum(lr=0.03), "rotated_quadratic", 500),
    (Nesterov(lr=0.02), "rotated_quadratic", 500), (AdaGrad(lr=1.0), "rotated_quadratic", 500),
    (RMSProp(lr=0.05), "rotated_quadratic", 500), (Adam(lr=0.25), "rotated_quadratic", 500),
    (GD(lr=0.002), "rosenbrock", 10000), (Momentum(lr=0.003), "rosenbrock", 2000),
    (Nesterov(lr=0.0012), "rosenbrock", 2000), (AdaGrad(lr=0.6), "rosenbrock", 10000),
    (RMSProp(lr=0.0008), "rosenbrock", 10000), (Adam(lr=0.1), "rosenbrock", 2000),
    (AdamW(lr=0.1, weight_decay=0.0), "rosenbrock", 2000),
    (GD(lr=0.15), "saddle", 500), (Momentum(lr=0.05), "saddle", 500), (Nesterov(lr=0.04), "saddle", 500),
    (AdaGrad(lr=0.4), "saddle", 500), (RMSProp(lr=0.025), "saddle", 500), (Adam(lr=0.12), "saddle", 500),
    (GD(lr=0.005), "himmelblau", 500), (Momentum(lr=0.0015), "himmelblau", 500),
    (Nesterov(lr=0.0012), "himmelblau", 500), (AdaGrad(lr=0.5), "himmelblau", 500),
    (RMSProp(lr=0.06), "himmelblau", 500), (Adam(lr=0.15), "himmelblau", 500),
    (GD(lr=0.02), "beale", 2000), (Momentum(lr=0.005), "beale", 500), (Nesterov(lr=0.005), "beale", 500),
    (AdaGrad(lr=0.8), "beale", 2000), (RMSProp(lr=0.001), "beale", 5000), (Adam(lr=0.4), "beale", 500),
]


@pytest.mark.parametrize("opt, objective, steps", CONVERGENCE,
                         ids=[f"{o.name}-{obj}" for o, obj, _ in CONVERGENCE])
def test_converges_with_sensible_hyperparameters(opt, objective, steps):
    J = get_objective(objective)
    traj = run(opt, J, None, steps)
    distance = np.linalg.norm(J.minima - traj.thetas[-1], axis=-1).min()
    assert distance < 1e-3, traj.message
    assert not traj.diverged and traj.message.startswith(("converged", "not converged yet"))


@pytest.mark.parametrize("make_loss", [
    lambda: LeastSquares(*make_linear_regression(n=100, d=2, noise=0.5, seed=0)[:2]),
    lambda: LogisticRegression(*make_logistic_regression(n=100, d=2, seed=0)),
])
def test_full_batch_and_minibatch_sgd_on_data(make_loss):
    J = make_loss()
    full = run(GD(lr=0.5), J, None, 500)
    np.testing.assert_allclose(full.thetas[-1], J.minima[0], atol=1e-6)
    # SGD with a decaying learning rate (Robbins–Monro) ends in a small ball around the minimiser.
    sgd = run(GD(lr=0.5), J, None, 2000, batch_size=10, schedule=inverse_time(0.01), seed=3)
    assert np.linalg.norm(sgd.thetas[-1] - J.minima[0]) < 0.1
    assert sgd.losses[-1] < J.f_min + 1e-2


def test_minibatch_of_all_examples_is_full_batch_gradient_descent():
    J = LeastSquares(*make_linear_regression(n=40, d=2, seed=1)[:2])
    full = run(Momentum(lr=0.1, beta=0.5), J, [3.0, -3.0], 50)
    batched = run(Momentum(lr=0.1, beta=0.5), J, [3.0, -3.0], 50, batch_size=40)
    np.testing.assert_allclose(batched.thetas, full.thetas, rtol=1e-12, atol=1e-12)


def test_minibatch_runs_each_draw_their_own_batches():
    J = LeastSquares(*make_linear_regression(n=50, d=2, seed=2)[:2])
    traj = run(GD(lr=0.1), J, np.zeros((4, 2)), 30, batch_size=5, seed=0, record_state=True)
    assert traj.grads.shape == (30, 4, 2)
    assert len({tuple(g) for g in traj.grads[0]}) == 4  # same θ0, different batches
    again = run(GD(lr=0.1), J, np.zeros((4, 2)), 30, batch_size=5, seed=0)
    np.testing.assert_array_equal(again.thetas, traj.thetas)


def test_noise_is_seeded_and_zero_noise_is_deterministic():
    a = run(GD(lr=0.1), "quadratic", None, 30, noise=0.5, seed=1)
    b = run(GD(lr=0.1), "quadratic", None, 30, noise=0.5, seed=1)
    c = run(GD(lr=0.1), "quadratic", None, 30, noise=0.5, seed=2)
    np.testing.assert_array_equal(a.thetas, b.thetas)
    assert not np.array_equal(a.thetas, c.thetas)
    plain = run(GD(lr=0.1), "quadratic", None, 30)
    np.testing.assert_array_equal(run(GD(lr=0.1), "quadratic", None, 30, noise=0.0, seed=5).thetas, plain.thetas)
    # The recorded losses and gradient norms are the exact (noise-free) ones at each θ.
    J = Quadratic()
    np.testing.assert_allclose(a.losses, J.value(a.thetas), rtol=1e-15)
    per_run = run(GD(lr=0.1), "quadratic", np.zeros((3, 2)) + 1.0, 5, noise=np.array([0.0, 0.1, 1.0]))
    np.testing.assert_array_equal(per_run.thetas[:, 0], run(GD(lr=0.1), "quadratic", [1.0, 1.0], 5).thetas)


def test_schedule_scales_the_learning_rate():
    sched = linear_warmup(5, after=cosine(40))
    traj = run(Adam(lr=0.1), "rosenbrock", None, 40, schedule=sched)
    theta, state, opt, J = np.array([-1.2, 1.0]), None, Adam(lr=0.1), Rosenbrock()
    state = opt.init(theta)
    for t in range(1, 41):
        theta, state = opt.step(theta, J.grad(theta), state, lr_scale=sched(t))
    np.testing.assert_array_equal(traj.thetas[-1], theta)
    constant = run(Adam(lr=0.1), "rosenbrock", None, 40, schedule=lambda t: np.ones_like(t, dtype=float))
    np.testing.assert_array_equal(constant.thetas, run(Adam(lr=0.1), "rosenbrock", None, 40).thetas)


def test_divergence_is_reported_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(GD(lr=0.3), Quadratic(kappa=10.0), [1.0, 1.0], 100)  # α > 2/λmax = 0.2
    k = int(traj.diverged_at)
    assert traj.diverged and 0 < k < 100
    assert traj.message == f"diverged at step {k}: α = 0.3 > 2/L = 0.2"
    assert np.all(np.isnan(traj.thetas[k:])) and np.all(np.isnan(traj.losses[k:]))
    assert np.all(np.isnan(traj.grad_norms[k:]))
    assert np.all(np.isfinite(traj.thetas[:k])) and np.all(np.abs(traj.thetas[k - 1]) <= 1e6)


def test_overflow_to_inf_and_nan_is_caught():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(GD(lr=1.0), "rosenbrock", [[-1.2, 1.0], [1.0, 1.0]], 50, bound=1e300)
        assert 0 < traj.diverged_at[0] < 50 and traj.diverged_at[1] == -1  # the one at the minimum stays
        assert np.isnan(traj.final_loss[0]) and traj.final_loss[1] == 0.0
        adam = run(Adam(lr=1e3, eps=1e-300), "beale", np.full((2, 2), 4.0), 50, bound=1e300)
        assert adam.thetas.shape == (51, 2, 2)
    assert "1 diverged (the first at step" in traj.message


def test_a_diverging_run_does_not_disturb_the_others():
    lr = np.array([0.01, 0.5, 0.1])
    traj = run(Momentum(lr=lr, beta=0.9), "quadratic", [2.0, 2.0], 200)
    assert traj.diverged.tolist() == [False, True, False]
    for i in (0, 2):
        np.testing.assert_array_equal(traj.thetas[:, i], run(Momentum(lr=lr[i]), "quadratic", [2.0, 2.0], 200).thetas)


def test_start_beyond_the_bound_diverges_at_step_zero():
    traj = run(GD(lr=0.1), "quadratic", [[3.0, 4.0], [0.1, 0.1]], 5, bound=4.9)
    assert traj.diverged_at.tolist() == [0, -1]
    assert np.all(np.isnan(traj.thetas[:, 0]))


def test_record_state_gives_states_updates_and_gradients():
    traj = run(Adam(lr=np.array([0.01, 0.1])), "rosenbrock", None, 20, record_state=True)
    assert traj.states["m"].shape == traj.states["v"].shape == (21, 2, 2)
    np.testing.assert_array_equal(traj.states["t"], np.arange(21))
    np.testing.assert_array_equal(traj.states["m"][0], 0.0)
    np.testing.assert_array_equal(traj.updates, np.diff(traj.thetas, axis=0))
    np.testing.assert_array_equal(traj.grads[0], np.broadcast_to(Rosenbrock().grad(Rosenbrock().start), (2, 2)))
    mom = run(Momentum(lr=0.05, beta=0.9), "quadratic", None, 10, record_state=True)
    np.testing.assert_allclose(mom.states["velocity"][1:], mom.updates, rtol=1e-12, atol=1e-15)  # θ ← θ + v
    plain = run(Adam(lr=0.1), "quadratic", None, 10)
    assert plain.states is None and plain.updates is None and plain.grads is None
    gd = run(GD(lr=0.05), "quadratic", None, 3, record_state=True)
    assert gd.states == {} and gd.updates.shape == (3, 2)


def test_recorded_state_is_nan_after_divergence():
    traj = run(Momentum(lr=np.array([0.01, 0.5])), "quadratic", [2.0, 2.0], 100, record_state=True)
    k = int(traj.diverged_at[1])
    assert k > 0 and np.all(np.isnan(traj.states["velocity"][k:, 1]))
    assert np.all(np.isfinite(traj.states["velocity"][:, 0]))


def test_trajectory_is_frozen_and_inputs_are_not_mutated():
    theta0 = np.array([[1.0, 2.0], [3.0, 4.0]])
    traj = run(GD(lr=0.1), "quadratic", theta0, 5)
    np.testing.assert_array_equal(theta0, [[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(traj, Trajectory) and traj.steps == 5 and traj.optimizer == "GD"
    with pytest.raises(dataclasses.FrozenInstanceError):
        traj.steps = 6


def test_names_and_defaults():
    traj = run("adam", "rosenbrock", None, 3)
    np.testing.assert_array_equal(traj.thetas[0], Rosenbrock().start)
    assert traj.objective == "rosenbrock" and traj.optimizer == "Adam"
    assert run(GD(lr=0.1), "quadratic", None, 200).message.startswith("converged: J = ")
    assert run(GD(lr=0.001), "quadratic", None, 2).message.startswith("not converged yet")


J2 = LeastSquares(*make_linear_regression(n=20, d=2)[:2])


@pytest.mark.parametrize("kwargs, name", [
    (dict(steps=0), "steps"),
    (dict(steps=-3), "steps"),
    (dict(steps=2.5), "steps"),
    (dict(steps=True), "steps"),
    (dict(theta0=[np.nan, 1.0]), "theta0"),
    (dict(theta0=[np.inf, 1.0]), "theta0"),
    (dict(theta0=[1.0, 2.0, 3.0]), "theta0"),
    (dict(theta0=np.zeros((4, 1))), "theta0"),
    (dict(theta0=1.0), "theta0"),
    (dict(noise=-0.1), "noise"),
    (dict(noise=np.array([0.1, -1.0])), "noise"),
    (dict(batch_size=5), "batch_size"),
    (dict(bound=0.0), "bound"),
    (dict(seed=-1), "seed"),
    (dict(seed="zero"), "seed"),
    (dict(schedule=0.5), "schedule"),
    (dict(schedule=lambda t: -1.0 * np.ones_like(t)), "schedule"),
    (dict(theta0=np.zeros((3, 2)), optimizer=GD(lr=np.array([0.1, 0.2]))), "theta0"),
    (dict(optimizer="newton"), "name"),
    (dict(optimizer=object()), "optimizer"),
    (dict(objective="banana"), "objective"),
    (dict(objective=J2, batch_size=0), "batch_size"),
    (dict(objective=J2, batch_size=21), "batch_size"),
    (dict(objective=J2, batch_size=2.0), "batch_size"),
])
def test_bad_input_raises_value_error_naming_the_argument(kwargs, name):
    args = dict(optimizer=GD(lr=0.1), objective="quadratic", theta0=[1.0, 1.0], steps=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        run(args.pop("optimizer"), args.pop("objective"), args.pop("theta0"), args.pop("steps"), **args)


def test_a_sweep_of_ten_thousand_runs_in_one_call():
    lr = np.geomspace(1e-3, 1.0, 100)[:, None]
    beta1 = np.linspace(0.0, 0.99, 100)
    traj = run(Adam(lr=lr, beta1=beta1), "rosenbrock", None, 20)
    assert traj.losses.shape == (21, 100, 100) and traj.diverged_at.shape == (100, 100)
    assert traj.message.startswith("10000 runs, best J = ")


def test_indexing_a_batch_gives_the_single_run():
    lr = np.array([0.01, 0.5, 0.1])
    traj = run(Momentum(lr=lr, beta=0.9), "quadratic", [2.0, 2.0], 50, record_state=True)
    one = traj[1]
    assert one.thetas.shape == (51, 2) and one.states["velocity"].shape == (51, 2)
    assert one.message == f"diverged at step {int(traj.diverged_at[1])}: α = 0.5 > 2(1 + β)/L = 0.38"
    np.testing.assert_array_equal(one.thetas, traj.thetas[:, 1])
    assert traj[0].message.startswith("not converged yet") and traj[1:].thetas.shape == (51, 2, 2)
    with pytest.raises(IndexError):
        traj[0, 1]


def test_objectives_without_a_known_minimum_or_dimension():
    class HalfSquare:  # a user's objective: value and grad only, any dimension
        def value(self, theta):
            return 0.5 * np.sum(theta * theta, -1)

        def grad(self, theta):
            return theta

    traj = run(Adam(lr=0.1), HalfSquare(), np.ones(5), 10)
    assert traj.thetas.shape == (11, 5) and traj.message.startswith("finished: J = ")
    with pytest.raises(ValueError, match="optimizer"):
        run("gd", HalfSquare(), np.ones(5), 10)  # GD has no default learning rate


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("optlab.runner")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------- why a run diverged (issue 10.7)
def test_divergence_on_a_quadratic_names_the_learning_rate_limit():
    from optlab.optimizers import GD, Momentum, Nesterov

    q = Quadratic(kappa=10.0)
    assert run(GD(lr=0.25), q, None, 100).message.endswith(": α = 0.25 > 2/L = 0.2")
    assert run(Momentum(lr=0.5, beta=0.5), q, None, 100).message.endswith(": α = 0.5 > 2(1 + β)/L = 0.3")
    assert run(Nesterov(lr=0.3, beta=0.5), q, None, 100).message.endswith(": α = 0.3 > 2(1 + β)/((1 + 2β)L) = 0.15")
    batch = run(GD(lr=np.array([0.1, 0.25, 0.3])), q, np.broadcast_to(q.start, (3, 2)), 100)
    assert batch.message == ("3 runs, best J = 5.6e-09 after 100 steps; 2 diverged (the first at step 19): "
                             "α > 2/L in each")
    assert batch[2].message == "diverged at step 19: α = 0.3 > 2/L = 0.2"
    assert batch[0].lr_limit is not None and batch[0].message.startswith("converged")
    # Just above the limit the run grows but has not left |θ| <= 10⁶ yet: J's growth is flagged with the reason.
    slow = run(GD(lr=0.21), q, None, 100)
    assert not slow.diverged and slow.message.endswith("; J grew 10⁸×: α = 0.21 > 2/L = 0.2")


def test_no_reason_is_claimed_where_none_is_known():
    from optlab.optimizers import GD

    assert run(GD(lr=0.01), "rosenbrock", None, 100).message == "diverged at step 4"  # no global L on Rosenbrock
    sched = run(GD(lr=0.25), Quadratic(kappa=10.0), None, 100, schedule=lambda t: 1.0 + 0 * t)
    assert sched.message.startswith("diverged at step") and ">" not in sched.message and sched.lr_limit is None
    # Noise can make a run diverge below 2/L: a run below the limit gets no claim either.
    noisy = run(GD(lr=np.array([0.19, 0.25])), Quadratic(kappa=10.0), np.zeros((2, 2)), 50, noise=1e5, bound=1e4)
    assert noisy.diverged.all() and noisy.message.endswith("(the first at step 1)")
    assert noisy[0].message == f"diverged at step {noisy.diverged_at[0]}" and noisy[1].message.endswith("α = 0.25 > 2/L = 0.2")


def test_a_loss_that_grew_orders_of_magnitude_is_flagged():
    traj = run(RMSProp(lr=30.0), "rosenbrock", None, 300)
    assert not traj.diverged and traj.growth >= 1e3
    assert traj.message.endswith(f"; J grew 10{'⁰¹²³⁴⁵⁶⁷⁸⁹'[round(np.log10(traj.growth))]}× — α too large?")
    assert "grew" not in run(Adam(lr=0.05), "rosenbrock", None, 300).message
    assert 1 < run(Adam(lr=30.0), "rosenbrock", None, 300).growth < 100  # grew, not by orders of magnitude: no flag
    assert "grew" not in run(Adam(lr=30.0), "rosenbrock", None, 300).message


def test_optlab_run_is_the_function_and_the_module_is_optlab_runner():
    import importlib

    import optlab
    import optlab.runner

    assert optlab.run is optlab.runner.run and callable(optlab.run)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("optlab.run")


# --------------------------------------------------------------------------- what a run keeps (issue 14)
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from optlab import _record as record_module  # noqa: E402  (white-box: the block size of the runner's record)

_KEEPING = [
    # (optimizer, objective, start): a few runs, some of which diverge in mid-run (overflow, or |θ| above a low bound)
    (GD(lr=np.array([1e-3, 2e-3, 0.01])), "rosenbrock", [-1.2, 1.0]),
    (Momentum(lr=np.array([0.05, 0.3, 0.5]), beta=0.9), "quadratic", [2.0, 2.0]),
    (Adam(lr=np.array([0.01, 0.3, 3.0])), "beale", [1.0, 1.0]),
    (Nesterov(lr=0.5, beta=0.5), "quadratic", [2.0, 2.0]),
]


def _same(a, b):
    return np.array_equal(a, b, equal_nan=True)


@given(st.integers(1, 150), st.integers(1, 40), st.sampled_from(range(len(_KEEPING))),
       st.sampled_from([1e6, 10.0, 3.0]))
def test_record_every_keeps_exactly_the_recorded_steps_of_the_full_record(steps, every, case, bound):
    opt, objective, start = _KEEPING[case]
    full = run(opt, objective, start, steps, bound=bound)
    thin = run(opt, objective, start, steps, bound=bound, record_every=every)
    kept = np.unique(np.append(np.arange(0, steps + 1, every), steps))
    np.testing.assert_array_equal(thin.recorded_steps, kept)
    np.testing.assert_array_equal(full.recorded_steps, np.arange(steps + 1))
    assert thin.thetas.shape == (len(kept),) + full.thetas.shape[1:]
    assert _same(thin.thetas, full.thetas[kept]) and _same(thin.grad_norms, full.grad_norms[kept])
    assert _same(thin.losses, full.losses) and _same(thin.diverged_at, full.diverged_at)
    assert thin.message == full.message
    np.testing.assert_array_equal(thin.thetas[-1], full.thetas[-1])


@given(st.integers(1, 150), st.integers(1, 5), st.sampled_from(range(len(_KEEPING))),
       st.sampled_from([1e6, 10.0, 3.0]))
def test_checking_divergence_block_by_block_equals_checking_every_step(steps, every, case, bound):
    """The runner checks a small batch in blocks of steps; a divergence anywhere in a block (its first step, its
    last, the run's last) is found at the same step, and the record is the same, as when every step is checked."""
    opt, objective, start = _KEEPING[case]
    blocks = run(opt, objective, start, steps, bound=bound, record_every=every)
    original = record_module.Record.BLOCK_STEPS
    try:
        record_module.Record.BLOCK_STEPS = 1
        each = run(opt, objective, start, steps, bound=bound, record_every=every)
    finally:
        record_module.Record.BLOCK_STEPS = original
    for field in ("thetas", "losses", "grad_norms", "diverged_at", "recorded_steps"):
        assert _same(getattr(blocks, field), getattr(each, field)), field


def test_a_large_batch_is_checked_step_by_step_and_keeps_what_it_records():
    lr = np.geomspace(1e-3, 1.0, 2000)  # 4000 numbers of θ: past the block size, checked at every step
    full = run(GD(lr=lr), "rosenbrock", None, 60)
    thin = run(GD(lr=lr), "rosenbrock", None, 60, record_every=25)
    assert full.diverged.any() and not full.diverged.all()
    np.testing.assert_array_equal(thin.recorded_steps, [0, 25, 50, 60])
    assert _same(thin.thetas, full.thetas[[0, 25, 50, 60]]) and _same(thin.losses, full.losses)
    assert _same(thin.grad_norms, full.grad_norms[[0, 25, 50, 60]]) and _same(thin.diverged_at, full.diverged_at)
    k = full.diverged_at[full.diverged]
    assert all(np.isnan(full.thetas[kk:, i]).all() and np.isfinite(full.thetas[:kk, i]).all()
               for kk, i in zip(k, np.flatnonzero(full.diverged)))


@pytest.mark.parametrize("value", [0, -2, 2.5, True, "10", None])
def test_record_every_must_be_a_positive_integer(value):
    with pytest.raises(ValueError, match=r"record_every must be an integer >= 1 \(got"):
        run(GD(lr=0.1), "quadratic", None, 10, record_every=value)


def test_record_state_replays_every_step():
    with pytest.raises(ValueError, match="record_state=True replays every step, so it needs record_every=1"):
        run(GD(lr=0.1), "quadratic", None, 10, record_state=True, record_every=5)
