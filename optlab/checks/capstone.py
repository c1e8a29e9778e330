"""Check for lesson 07 (the capstone): backpropagation through a one-hidden-layer network."""
from __future__ import annotations

import numpy as np

from ..nn import MLP, grad_check
from ._core import call_student


def check_mlp_grad(mlp_grad):
    """Check lesson 07's exercise ``mlp_grad(W1, b1, W2, b2, X, y) -> (J, (dW1, db1, dW2, db2))``.

    Compares with :meth:`MLP.loss_and_grad` on a seeded one-hidden-layer network and names the first
    mistake found (the loss, a shape, the output layer, tanh′, the 1/n, a mutated input) in one sentence.
    """
    rng = np.random.default_rng(7)
    net = MLP((3, 5, 1))
    X, y = rng.standard_normal((11, 3)), (rng.random(11) < 0.5).astype(np.int64)
    theta = net.init(seed=7) + 0.1 * rng.standard_normal(net.n_params)
    (W1, b1), (W2, b2) = [(W.copy(), b.copy()) for W, b in net.unflatten(theta)]
    args = (W1, b1, W2, b2, X, y)
    before = [a.copy() for a in args]
    J, grads = call_student(mlp_grad, *args)  # an unwritten stub: "mlp_grad is not written yet — …"
    J_ref, g_ref = net.loss_and_grad(theta, X, y)
    expected = [a for layer in net.unflatten(g_ref) for a in layer]
    names = ("dW1", "db1", "dW2", "db2")
    if any(not np.array_equal(a, b) for a, b in zip(args, before)):
        raise AssertionError("mlp_grad changed one of its inputs in place; compute new arrays instead.")
    assert np.allclose(J, J_ref, rtol=1e-8), (
        f"the loss J = {float(np.mean(J)):.6g} should be the mean cross-entropy {J_ref:.6g}: "
        "mean of log(1 + e^z) − y z over the examples.")
    if not isinstance(grads, (tuple, list)) or len(grads) != 4:
        raise AssertionError("mlp_grad should return J and a tuple of four gradients (dW1, db1, dW2, db2).")
    for name, got, want in zip(names, grads, expected):
        got = np.asarray(got)
        assert got.shape == want.shape, (f"{name} should have shape {want.shape}, like the parameter it "
                                         f"belongs to (got {got.shape}).")
    for name, got, want in zip(names[::-1], grads[::-1], expected[::-1]):
        if np.allclose(got, want, rtol=1e-7, atol=1e-12):
            continue
        if np.allclose(got, len(y) * want, rtol=1e-7):
            raise AssertionError(f"{name} is n = {len(y)} times too large: J is a mean, so δ = (σ(z) − y)/n.")
        if np.allclose(got, -want, rtol=1e-7):
            raise AssertionError(f"{name} has the wrong sign: δ = ∂J/∂z = σ(z) − y (over n), not y − σ(z).")
        hint = ("check δ = (σ(z) − y)/n and ∇W2 = a1ᵀ δ, ∇b2 = Σᵢ δ." if name in ("dW2", "db2") else
                "between the layers δ1 = (δ W2ᵀ) ⊙ (1 − a1²) — did you multiply by tanh′ = 1 − a1²?")
        raise AssertionError(f"{name} does not match backpropagation: {hint}")
    student = net.flatten([(np.asarray(grads[0]), np.asarray(grads[1])), (np.asarray(grads[2]), np.asarray(grads[3]))])
    err = grad_check(lambda th: net.loss_and_grad(th, X, y)[0], lambda th: student, theta)
    print(f"✓ mlp_grad is correct — it matches optlab's backpropagation and central differences "
          f"(max relative error {err:.1e}).")
