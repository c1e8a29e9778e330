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
