"""Tests of optlab.nn: backpropagation against central differences, batched == looped, training works."""

import numpy as np
import pytest

from optlab.data import make_moons, make_spirals
from optlab.nn import MLP, MLPLoss, grad_check


@pytest.fixture(scope="module")
def spirals():
    return make_spirals(n=60, noise=0.05, seed=0)


@pytest.mark.parametrize("sizes", [(2, 1), (2, 5, 1), (2, 6, 4, 1), (3, 4, 4, 4, 1)])
def test_backprop_matches_central_differences(sizes):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, sizes[0]))
    y = (X[:, 0] > 0).astype(int)
    net = MLP(sizes)
    loss = MLPLoss(net, X, y, l2=0.01)
    theta = net.init(seed=3) + 0.1 * rng.standard_normal(net.n_params)  # non-zero biases too
    assert grad_check(loss.value, loss.grad, theta) < 1e-5


def test_grad_check_flags_a_wrong_gradient(spirals):
    net = MLP((2, 8, 1))
    loss = MLPLoss(net, *spirals)
    theta = net.init(seed=0)
    assert grad_check(loss.value, lambda th: 1.01 * loss.grad(th), theta) > 1e-3
    # Forgetting tanh' in the backward pass: the classic backprop bug.
    def no_tanh_prime(th):
        (W1, b1), (W2, b2) = net.unflatten(th)
        a = np.tanh(spirals[0] @ W1 + b1)
        dz = ((0.5 * (1 + np.tanh(0.5 * (a @ W2[:, 0] + b2))) - spirals[1]) / len(a))[:, None]
        d1 = dz @ W2.T
        return net.flatten([(spirals[0].T @ d1, d1.sum(0)), (a.T @ dz, dz.sum(0))])
    assert grad_check(loss.value, no_tanh_prime, theta) > 1e-2


def test_grad_check_validates():
    with pytest.raises(ValueError, match="eps must be > 0"):
        grad_check(np.sum, np.ones_like, np.zeros(2), eps=0.0)
    with pytest.raises(ValueError, match="shape"):
        grad_check(np.sum, lambda th: np.ones(3), np.zeros(2))


def test_flatten_unflatten_roundtrip():
    net = MLP((2, 3, 4, 1))
    theta = np.arange(net.n_params, dtype=float)
    assert net.n_params == 2 * 3 + 3 + 3 * 4 + 4 + 4 + 1
    np.testing.assert_array_equal(net.flatten(net.unflatten(theta)), theta)
    thetas = net.init(seed=0, shape=(2, 5))
    assert thetas.shape == (2, 5, net.n_params)
    np.testing.assert_array_equal(net.flatten(net.unflatten(thetas)), thetas)


def test_batched_equals_looped(spirals):
    net = MLP((2, 8, 8, 1))
    loss = MLPLoss(net, *spirals, l2=1e-3)
    thetas = net.init(seed=0, shape=(3, 4))
    values, grads = loss.value_and_grad(thetas)
    assert values.shape == (3, 4) and grads.shape == (3, 4, net.n_params)
    batches = np.random.default_rng(0).integers(0, loss.n, size=(3, 4, 16))
    batch_grads = loss.grad(thetas, batches)
    for i in np.ndindex(3, 4):
        np.testing.assert_allclose(values[i], loss.value(thetas[i]), rtol=1e-13)
        np.testing.assert_allclose(grads[i], loss.grad(thetas[i]), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(batch_grads[i], loss.grad(thetas[i], batches[i]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(loss.value(thetas), values, rtol=1e-13)


def test_nothing_is_mutated(spirals):
    net = MLP((2, 4, 1))
    loss = MLPLoss(net, *spirals)
    theta = net.init(seed=0)
    before = theta.copy()
    loss.value_and_grad(theta)
    net.accuracy(theta, *spirals)
    np.testing.assert_array_equal(theta, before)


def test_extreme_logits_stay_finite_and_quiet():
    net = MLP((2, 1))
    X, y = np.array([[1e3, 0.0], [-1e3, 0.0]]), np.array([0, 1])
    loss = MLPLoss(net, X, y)
    value, grad = loss.value_and_grad(np.array([1.0, 0.0, 0.0]))
    assert np.isfinite(value) and np.isfinite(grad).all()
    np.testing.assert_allclose(value, 1e3)  # log(1 + e^1000) − 0 for the first example, same for the second


def test_nn_is_numpy_only():
    import subprocess
    import sys

    code = "import sys, optlab.nn; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_minimum_reads_finished(spirals):
    from optlab.optimizers import Adam
    from optlab import run

    loss = MLPLoss(MLP((2, 4, 1)), *spirals)
    assert np.isnan(loss.f_min)
    assert run(Adam(lr=0.01), loss, loss.model.init(seed=0), 5).message.startswith("finished: J = ")


def test_predictions_and_accuracy():
    X, y = make_moons(n=40, seed=0)
    net = MLP((2, 1))
    theta = np.array([0.0, -1.0, 0.25])  # z = −x₂ + 0.25: the upper moon (class 0) is below zero
    proba = net.predict_proba(theta, X)
    np.testing.assert_array_equal(net.predict(theta, X), (proba > 0.5).astype(int))
    assert net.accuracy(theta, X, y) == np.mean(net.predict(theta, X) == y)


def test_validation_messages(spirals):
    with pytest.raises(ValueError, match="output being 1"):
        MLP((2, 3))
    net = MLP((2, 3, 1))
    with pytest.raises(ValueError, match="last axis 13"):
        net.unflatten(np.zeros(12))
    with pytest.raises(ValueError, match="labels in"):
        MLPLoss(net, spirals[0], spirals[1] + 1)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        MLPLoss(net, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        MLPLoss(net, *spirals, l2=-1.0)


# --------------------------------------------------------------------------- training (lesson 07's claims)
from optlab.checks import check_mlp_grad  # noqa: E402
from optlab.nn import train  # noqa: E402
from optlab.nn_plots import decision_grid, plot_decision_boundary, plot_sensitivity  # noqa: E402
from optlab.optimizers import GD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp  # noqa: E402

_CAPSTONE_LRS = np.geomspace(0.01, 10.0, 7)
# optimizer, index of its best α in the capstone's sweep, steps to 99 % training accuracy quoted in 07_capstone,
# the number of the sweep's α's reaching 99 % within the budget (1000 steps for GD, 250 for the others).
# Gradient descent's runs at its two working α's are chaotic (lesson 07, "How far can you trust one run?"): the lesson
# quotes only that both reach 99 %, after most of the budget, so its best index is 4 or 5 and its step count None.
# RMSProp at α = 0.1 is chaotic too: it reaches 99 % under some OpenBLAS kernels (SkylakeX) and not under others.
_CAPSTONE = [(GD, {4, 5}, None, {1, 2}), (Momentum, 4, 110, 1), (Nesterov, 4, 160, 1), (AdaGrad, 3, 80, 1),
             (RMSProp, 1, 80, {1, 2}), (Adam, 2, 70, 4), (AdamW, 2, 70, 4)]


@pytest.fixture(scope="module")
def capstone():
    net = MLP((2, 16, 16, 1))
    return MLPLoss(net, *make_spirals(n=200, noise=0.05, seed=0)), net.init(seed=0)


@pytest.mark.parametrize("make, index, steps_to_99, n_reaching", _CAPSTONE, ids=[c[0].__name__ for c in _CAPSTONE])
def test_capstone_accuracy_claims(capstone, make, index, steps_to_99, n_reaching):
    """Lesson 07 states: at its best α every optimizer but GD classifies all 200 training points within 250 steps and
    scores 98–99.5 % on the held-out points; how many of the seven α's reach 99 %. GD's runs at α = 1 and 3.2 are
    chaotic (a start 1e-12 away may end anywhere from ~80 % to 100 % at α = 3.2): the lesson quotes only that it trains
    at those two α's alone, needs most of its 1000 steps, and gets to about 99 %."""
    loss, theta0 = capstone
    X_test, y_test = make_spirals(n=400, noise=0.05, seed=1)
    steps = 1000 if make is GD else 250
    sweep = train(make(lr=_CAPSTONE_LRS), loss, theta0, steps=steps)
    best = int(np.nanargmin(sweep.trajectory.final_loss))
    assert best in (index if isinstance(index, set) else {index})
    result = sweep[best]
    assert result.trajectory.diverged_at == -1
    reach = sweep.steps_to(0.99)
    if make is GD:
        assert (reach[[0, 1, 2, 3, 6]] == -1).all() and (sweep.final_accuracy[[0, 1, 2, 3, 6]] < 0.8).all()
        assert result.final_accuracy >= 0.98                      # "about 99 %"
        assert reach[4] > 500 and sweep[4].final_accuracy >= 0.99   # α = 1: most of the budget
        assert round(float(np.nanmax(sweep.accuracies[sweep.record_steps == 250])), 3) == 0.645
    else:
        assert result.final_accuracy == 1.0
        assert 0.98 <= loss.model.accuracy(result.theta, X_test, y_test) <= 0.995
        assert result.steps_to(0.99) == steps_to_99
        assert int((reach >= 0).sum()) in (n_reaching if isinstance(n_reaching, set) else {n_reaching})


def test_capstone_trust_one_run(capstone):
    """Lesson 07, "How far can you trust one run?": from four starts 1e-12 apart, Adam at α = 0.1 gives the same
    printed digits; GD at α = 3.2 and RMSProp at α = 0.1 no longer agree to two digits, and GD's step to 99 % moves."""
    loss, theta0 = capstone
    nearby = theta0 + 1e-12 * np.random.default_rng(0).standard_normal((4, loss.model.n_params))
    adam = train(Adam(lr=0.1), loss, nearby, steps=250)
    assert len({f"{j:.4f}" for j in adam.losses[-1]}) == 1 and set(adam.steps_to(0.99).tolist()) == {70}
    for opt, steps in [(GD(lr=10 ** 0.5), 1000), (RMSProp(lr=0.1), 250)]:
        final = train(opt, loss, nearby, steps=steps).losses[-1]
        assert final.max() / final.min() > 1.05
    gd = train(GD(lr=10 ** 0.5), loss, nearby, steps=1000).steps_to(0.99)
    reached = gd[gd >= 0]
    assert (reached.size < 4) or (reached.max() - reached.min() >= 20)


def test_capstone_range_test(capstone):
    """Lesson 07's range test: one run, α from 1e-4 to 10 in 250 steps — Adam's loss is lowest at α = 0.19 (J = 0.18)
    and back above its start from 0.24; momentum's at 1.3 (J = 0.60), above its start from 1.4."""
    loss, theta0 = capstone
    N, lo, hi = 250, 1e-4, 10.0
    growth = (hi / lo) ** (1 / (N - 1))
    alpha_t = lo * growth ** np.arange(N)
    for make, low_j, low_alpha, up_alpha in [(Adam, "0.18", "0.19", "0.24"), (Momentum, "0.60", "1.3", "1.4")]:
        test = train(make(lr=lo), loss, theta0, N, schedule=lambda t: growth ** (np.asarray(t) - 1), every=N)
        J_t = test.losses[1:]
        low, up = int(np.nanargmin(J_t)), int(np.argmax(J_t > test.losses[0]))
        assert (f"{J_t[low]:.2f}", f"{alpha_t[low]:.2g}", f"{alpha_t[up]:.2g}") == (low_j, low_alpha, up_alpha)


def test_capstone_badly_scaled_start(capstone):
    """Lesson 07 (erratum 8): ×10 slows training (98.0 % after 500 steps, 93.2 % held-out), ×30 is stuck (75.5 %)."""
    loss, theta0 = capstone
    X_test, y_test = make_spirals(n=400, noise=0.05, seed=1)
    starts = np.array([1.0, 10.0, 30.0])[:, None] * theta0
    result = train(Adam(lr=0.03), loss, starts, steps=500, test=(X_test, y_test))
    assert [f"{a:.1%}" for a in result.final_accuracy] == ["100.0%", "98.0%", "75.5%"]
    assert [f"{a:.1%}" for a in result.test_accuracies[-1]] == ["99.2%", "93.2%", "59.2%"]
    assert result.steps_to(0.99).tolist() == [120, -1, -1]


def test_train_batched_equals_looped_and_indexing(capstone):
    loss, theta0 = capstone
    lrs = np.array([0.01, 0.05])
    batched = train(Adam(lr=lrs), loss, theta0, steps=40, every=7, test=(loss.X[:50], loss.y[:50]))
    assert batched.record_steps.tolist() == [0, 7, 14, 21, 28, 35, 40]
    assert batched.accuracies.shape == (7, 2) and batched.test_accuracies.shape == (7, 2)
    for i, lr in enumerate(lrs):
        single = train(Adam(lr=lr), loss, theta0, steps=40, every=7)
        np.testing.assert_allclose(batched[i].losses, single.losses, rtol=1e-12)
        np.testing.assert_array_equal(batched[i].accuracies, single.accuracies)
        np.testing.assert_allclose(batched[i].theta, single.theta, rtol=1e-12, atol=1e-15)
    recorded = train(Adam(lr=lrs), loss, theta0, steps=10, every=5, record_state=True)
    one = recorded[1]  # Training[i] indexes its trajectory as Trajectory[i] does: the recorded states come along
    assert one.trajectory.states["m"].shape == (11, loss.model.n_params)
    np.testing.assert_array_equal(one.trajectory.states["m"], recorded.trajectory.states["m"][:, 1])


def test_train_marks_diverged_runs_nan(capstone):
    loss, theta0 = capstone
    result = train(GD(lr=np.array([0.1, 50.0])), loss, theta0, steps=30, every=5, bound=20.0)
    assert result.trajectory.diverged.tolist() == [False, True]
    k = int(result.trajectory.diverged_at[1])
    assert np.isnan(result.accuracies[result.record_steps >= k, 1]).all()
    assert np.isfinite(result.accuracies[:, 0]).all()
    assert result.steps_to(2.0).tolist() == [-1, -1]


def test_check_mlp_grad_accepts_the_answer_and_names_mistakes(capsys):
    def answer(W1, b1, W2, b2, X, y, bug=None):
        a1 = np.tanh(X @ W1 + b1)
        z = (a1 @ W2)[:, 0] + b2[0]
        J = np.mean(np.logaddexp(0.0, z) - y * z)
        delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / (1 if bug == "mean" else len(y)))[:, None]
        delta1 = (delta2 @ W2.T) * (1 if bug == "tanh" else 1 - a1**2)
        return J, (X.T @ delta1, delta1.sum(0), a1.T @ delta2, delta2.sum(0))

    check_mlp_grad(answer)
    assert capsys.readouterr().out.startswith("✓ mlp_grad is correct")
    with pytest.raises(AssertionError, match="tanh′"):
        check_mlp_grad(lambda *a: answer(*a, bug="tanh"))
    with pytest.raises(AssertionError, match="too large: J is a mean"):
        check_mlp_grad(lambda *a: answer(*a, bug="mean"))
    with pytest.raises(AssertionError, match="not written yet"):
        check_mlp_grad(lambda *a: (_ for _ in ()).throw(NotImplementedError()))


def test_pictures(spirals):
    from matplotlib.figure import Figure

    net = MLP((2, 4, 1))
    theta = net.init(seed=0)
    extent, proba = decision_grid(net, theta, spirals[0], resolution=20)
    assert proba.shape == (20, 20) and ((proba > 0) & (proba < 1)).all()
    ax = Figure().add_subplot()
    image, scatter = plot_decision_boundary(net, theta, *spirals, ax, resolution=20)
    np.testing.assert_array_equal(image.get_array(), proba)
    losses = np.array([[0.5, np.nan], [1e-3, 0.1]])
    image = plot_sensitivity([0.1, 1.0], [0.0, 0.9], losses, Figure().add_subplot())
    assert image.get_array().mask.tolist() == [[False, True], [False, False]]


# --------------------------------------------------------------------------- the live panel
def test_training_panel_retrains_on_every_control():
    from optlab.widgets.training import training_panel

    panel = training_panel("adam", steps=60)
    assert panel.errors == 0 and panel.result.trajectory.steps == 60
    first = panel.image.value
    panel.controls["lr"].value = 0.01
    assert panel.image.value != first and panel.redraws == 2
    assert np.isfinite(panel.last_retrain_seconds)
    panel.controls["optimizer"].value = "gd"
    assert panel.result.trajectory.optimizer == "GD"
    keys = ("lr", "beta", "beta1", "beta2", "eps")
    assert [panel.controls[k].widget.disabled for k in keys] == [False, True, True, True, True]
    panel.controls["optimizer"].value = "momentum"
    # Momentum's β is its own slider (it used to be the β1 slider read as β): β1 is greyed out and changes nothing.
    assert [panel.controls[k].widget.disabled for k in keys] == [False, False, True, True, True]
    at_09 = panel.result.losses.copy()
    panel.controls["beta1"].value = 0.5
    np.testing.assert_array_equal(panel.result.losses, at_09)
    panel.controls["beta"].value = 0.5
    assert not np.array_equal(panel.result.losses, at_09)
    np.testing.assert_array_equal(
        panel.result.losses, train(Momentum(lr=0.01, beta=0.5), panel.loss, panel.theta0, 60).losses)
    assert panel.result.trajectory.optimizer == "Momentum" and panel.errors == 0
    assert "Momentum (α, β)" in panel.message.get_text()
    panel.controls["optimizer"].value = "adam"
    assert [panel.controls[k].widget.disabled for k in keys] == [False, True, False, False, False]
    assert "Adam (α, β1, β2, ε)" in panel.message.get_text()
    with pytest.raises(ValueError, match="data must be"):
        training_panel(data="circles")


def test_lesson_06_claims_about_the_network(capstone):
    """Lesson 07 ("Lesson 06 on the network") quotes: at λ = 0.01 Adam + L2 stalls at 62.5 % while AdamW reaches
    100 %; warm-up at α = 0.3 keeps the loss at its start (no warm-up: up to 1.82) and ends seven times lower."""
    from optlab.schedules import linear_warmup

    loss, theta0 = capstone
    l2 = MLPLoss(loss.model, loss.X, loss.y, l2=0.01)
    assert train(Adam(lr=0.03), l2, theta0, 1000, every=1000).final_accuracy == 0.625
    assert train(AdamW(lr=0.03, weight_decay=0.01), loss, theta0, 1000, every=1000).final_accuracy == 1.0
    plain = train(Adam(lr=0.3), loss, theta0, 500, every=500)
    warm = train(Adam(lr=0.3), loss, theta0, 500, every=500, schedule=linear_warmup(100))
    assert round(float(np.max(plain.losses[:100])), 2) == 1.82
    assert np.max(warm.losses[:100]) <= warm.losses[0]
    assert 6.5 < plain.losses[-1] / warm.losses[-1] < 7.5


def test_capstone_sensitivity_map_counts(capstone):
    """Lesson 07 quotes: about a third of the 24 (α, β1) points reach J < 0.05 for Adam, 3 of 24 (α, β) for Momentum."""
    from optlab import run

    loss, theta0 = capstone
    lrs, betas = np.geomspace(1e-2, 10**0.5, 6), np.array([0.0, 0.5, 0.9, 0.99])
    adam = run(Adam(lr=lrs[None, :], beta1=betas[:, None]), loss, theta0, 250)
    momentum = run(Momentum(lr=lrs[None, :], beta=betas[:, None]), loss, theta0, 250)
    # Adam's count is 9 under every OpenBLAS kernel and 8 with numpy's SIMD held to its baseline (a point at a large α
    # is chaotic): the lesson says "about a third"; momentum's 3 holds everywhere.
    assert int((adam.final_loss < 0.05).sum()) in (8, 9)
    assert int((momentum.final_loss < 0.05).sum()) == 3
