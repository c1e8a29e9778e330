"""Tests of optlab.data: seeded generators, exact (mini-batch) gradients, unbiased mini-batches, validation."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optlab.data import (
    LeastSquares,
    LogisticRegression,
    make_linear_regression,
    make_logistic_regression,
    make_moons,
    make_spirals,
    minibatches,
)


def central_difference(f, theta, h=1e-6):
    out = np.empty_like(theta)
    for i in range(theta.shape[-1]):
        step = np.zeros_like(theta)
        step[..., i] = h
        out[..., i] = (f(theta + step) - f(theta - step)) / (2 * h)
    return out


def losses():
    X, y, _ = make_linear_regression(n=60, d=3, noise=0.3, seed=1)
    Xl, yl = make_logistic_regression(n=80, d=3, seed=2)
    return [LeastSquares(X, y), LogisticRegression(Xl, yl), LogisticRegression(Xl, yl, l2=0.1)]


LOSSES = losses()
IDS = ["least_squares", "logistic", "logistic_l2"]
thetas = st.lists(st.floats(-3, 3), min_size=3, max_size=3).map(np.array)


@pytest.mark.parametrize("make", [make_linear_regression, make_logistic_regression, make_moons, make_spirals])
def test_generators_are_seeded(make):
    a, b, c = make(seed=3), make(seed=3), make(seed=4)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_generator_shapes_and_labels():
    X, y, theta_true = make_linear_regression(n=50, d=4)
    assert X.shape == (50, 4) and y.shape == (50,) and theta_true.shape == (4,)
    for X, y in (make_logistic_regression(n=51, d=3), make_moons(n=51), make_spirals(n=51)):
        assert X.shape[0] == 51 and y.shape == (51,)
        assert y.dtype.kind == "i" and set(np.unique(y)) == {0, 1}
    X, y = make_moons(n=200, noise=0.0)
    assert np.count_nonzero(y) == 100


def test_noiseless_linear_regression_recovers_theta_true():
    X, y, theta_true = make_linear_regression(n=30, d=3, noise=0.0, seed=5)
    np.testing.assert_allclose(LeastSquares(X, y).solution, theta_true, rtol=1e-10)


@pytest.mark.parametrize("call, name", [
    (lambda: make_linear_regression(n=0), "n"),
    (lambda: make_linear_regression(d=0), "d"),
    (lambda: make_linear_regression(noise=-0.1), "noise"),
    (lambda: make_moons(noise=-1.0), "noise"),
    (lambda: make_spirals(turns=0.0), "turns"),
    (lambda: make_logistic_regression(seed=-1), "seed"),
    (lambda: make_moons(seed=1.5), "seed"),
    (lambda: list(minibatches(10, 0, np.random.default_rng(0))), "batch_size"),
    (lambda: list(minibatches(10, 11, np.random.default_rng(0))), "batch_size"),
    (lambda: list(minibatches(0, 1, np.random.default_rng(0))), "n"),
    (lambda: LeastSquares(np.zeros((5, 2)), np.zeros(4)), "y"),
    (lambda: LeastSquares(np.zeros(5), np.zeros(5)), "X"),
    (lambda: LeastSquares(np.full((2, 2), np.nan), np.zeros(2)), "X"),
    (lambda: LogisticRegression(np.ones((3, 2)), np.array([0, 1, 2])), "y"),
    (lambda: LogisticRegression(np.ones((3, 2)), np.array([0, 1, 1]), l2=-1.0), "l2"),
    (lambda: LOSSES[0].value(np.zeros(2)), "theta"),
    (lambda: LOSSES[0].grad(np.zeros(3), batch=np.array([0, 60])), "batch"),
    (lambda: LOSSES[0].grad(np.zeros(3), batch=np.array([0.5])), "batch"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("J", LOSSES, ids=IDS)
def test_full_gradient_matches_central_differences(J):
    @given(thetas)
    def check(theta):
        np.testing.assert_allclose(central_difference(J.value, theta), J.grad(theta), rtol=1e-6, atol=1e-7)

    check()


@pytest.mark.parametrize("J", LOSSES, ids=IDS)
def test_batch_gradient_matches_central_differences_and_the_subset(J):
    @given(thetas, st.lists(st.integers(0, J.n - 1), min_size=1, max_size=12).map(np.array))
    def check(theta, batch):
        f = lambda t: J.value(t, batch)  # noqa: E731
        np.testing.assert_allclose(central_difference(f, theta), J.grad(theta, batch), rtol=1e-6, atol=1e-7)
        sub = type(J)(J.X[batch], J.y[batch], **({"l2": J.l2} if hasattr(J, "l2") else {})) \
            if isinstance(J, LeastSquares) or len(set(J.y[batch])) > 1 else None
        if sub is not None:
            np.testing.assert_allclose(J.grad(theta, batch), sub.grad(theta), rtol=1e-12, atol=1e-14)

    check()


@pytest.mark.parametrize("J", LOSSES, ids=IDS)
def test_one_batch_per_run_equals_each_run_alone(J):
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(2, 3, 3))
    batch = rng.integers(0, J.n, size=(2, 3, 5))
    values, grads = J.value(theta, batch), J.grad(theta, batch)
    assert values.shape == (2, 3) and grads.shape == (2, 3, 3)
    for idx in np.ndindex(2, 3):
        np.testing.assert_allclose(values[idx], J.value(theta[idx], batch[idx]), rtol=1e-13)
        np.testing.assert_allclose(grads[idx], J.grad(theta[idx], batch[idx]), rtol=1e-12, atol=1e-15)
    shared = batch[0, 0]
    np.testing.assert_allclose(J.grad(theta, shared), J.grad(theta, np.broadcast_to(shared, (2, 3, 5))), rtol=1e-12)


@pytest.mark.parametrize("J", LOSSES, ids=IDS)
@pytest.mark.parametrize("batch_size", [1, 7, 20, 60])
def test_minibatch_gradient_is_unbiased_over_an_epoch(J, batch_size):
    theta = np.array([0.3, -1.2, 2.0])
    batches = list(minibatches(J.n, batch_size, np.random.default_rng(batch_size)))
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(J.n))
    assert all(len(b) == batch_size for b in batches[:-1]) and 1 <= len(batches[-1]) <= batch_size
    # Weighted by batch size (equal weights when batch_size divides n) the epoch average is the full gradient.
    weights = np.array([len(b) for b in batches]) / J.n
    average = sum(w * J.grad(theta, b) for w, b in zip(weights, batches))
    np.testing.assert_allclose(average, J.grad(theta), rtol=1e-12, atol=1e-14)


def test_minibatches_accepts_a_seed_and_shuffles():
    a = [b.tolist() for b in minibatches(20, 5, 7)]
    b = [b.tolist() for b in minibatches(20, 5, np.random.default_rng(7))]
    assert a == b and a != [list(range(i, i + 5)) for i in range(0, 20, 5)]


@pytest.mark.parametrize("J", LOSSES, ids=IDS)
def test_minimiser_has_zero_gradient_and_is_f_min(J):
    assert J.minima.shape == (1, J.d)
    np.testing.assert_allclose(J.grad(J.minima[0]), 0.0, atol=1e-10)
    assert J.value(J.minima[0]) == pytest.approx(J.f_min)
    rng = np.random.default_rng(0)
    assert np.all(J.value(J.minima[0] + 1e-2 * rng.standard_normal((50, J.d))) > J.f_min)


@pytest.mark.parametrize("J", LOSSES, ids=IDS)
def test_per_example_loss_averages_to_the_loss(J):
    theta = np.array([[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]])
    per = J.per_example_loss(theta)
    assert per.shape == (2, J.n)
    penalty = 0.5 * getattr(J, "l2", 0.0) * np.sum(theta**2, -1)
    np.testing.assert_allclose(per.mean(-1) + penalty, J.value(theta), rtol=1e-13)


def test_logistic_loss_is_stable_at_huge_scores():
    X, y = make_logistic_regression(n=20, d=2, seed=0)
    J = LogisticRegression(X, y)
    theta = np.array([[1e6, -1e6], [1e300, 1e300], [-1e300, 2.0]])
    assert np.all(np.isfinite(J.grad(theta)))
    assert np.all(J.value(theta) > 0)


def test_separable_logistic_data_has_no_minimiser():
    J = LogisticRegression(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1, 0]))
    assert J.minima.shape == (0, 2) and np.isnan(J.f_min)
    assert LogisticRegression(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1, 0]), l2=0.1).minima.shape == (1, 2)


def test_data_is_read_only_and_inputs_are_not_mutated():
    X, y, _ = make_linear_regression(n=10, d=2)
    J = LeastSquares(X, y)
    with pytest.raises(ValueError):
        J.X[0, 0] = 1.0
    theta = np.array([1.0, 2.0])
    J.grad(theta, np.array([1, 2]))
    np.testing.assert_array_equal(theta, [1.0, 2.0])


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("optlab.data")  # optlab.data may be re-exported as a name in optlab
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_minibatches_for_a_batch_of_runs_shuffle_each_run_on_its_own():
    from optlab.data import minibatches

    batches = list(minibatches(10, 4, np.random.default_rng(0), runs=(3,)))
    assert [b.shape for b in batches] == [(3, 4), (3, 4), (3, 2)]
    epoch = np.concatenate(batches, axis=-1)
    assert all(sorted(row) == list(range(10)) for row in epoch.tolist()) and len({tuple(r) for r in epoch}) == 3
    plain = [b.tolist() for b in minibatches(10, 4, np.random.default_rng(0))]
    assert plain == [b.tolist() for b in minibatches(10, 4, np.random.default_rng(0), runs=())]


def test_sigmoid_is_one_function_for_the_data_and_the_network():
    from optlab import nn
    from optlab.data import sigmoid

    z = np.linspace(-800, 800, 2001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = sigmoid(z)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-np.clip(z, -700, 700))), rtol=1e-12, atol=1e-16)
    assert nn.sigmoid is sigmoid and p[0] == 0.0 and p[-1] == 1.0
