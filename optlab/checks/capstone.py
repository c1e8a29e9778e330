"""Checks for lesson 07 (the capstone): backpropagation through a one-hidden-layer network, and a working α."""
from __future__ import annotations

import numpy as np

from ..nn import MLP, grad_check, train
from ..optimizers import GD
from ._core import _call, _close, _fail, _kind, _public, _register

_GRADS = ("dW1", "db1", "dW2", "db2")


def reference_mlp_grad(W1, b1, W2, b2, X, y):
    """optlab's answer to lesson 07's ``mlp_grad``: (J, (dW1, db1, dW2, db2)) by backpropagation."""
    a1 = np.tanh(X @ W1 + b1)
    z = (a1 @ W2)[:, 0] + b2[0]
    J = float(np.mean(np.logaddexp(0.0, z) - y * z))
    delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
    delta1 = (delta2 @ W2.T) * (1 - a1 ** 2)
    return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0))


@_public
def check_mlp_grad(mlp_grad):
    """Check lesson 07's exercise ``mlp_grad(W1, b1, W2, b2, X, y) -> (J, (dW1, db1, dW2, db2))``.

    Compares with :meth:`MLP.loss_and_grad` on a seeded one-hidden-layer network and names the first
    mistake found (the loss, a shape, the output layer, tanh′, the 1/n, a mutated input) in one sentence.
    """
    name = "mlp_grad"
    rng = np.random.default_rng(7)
    net = MLP((3, 5, 1))
    X, y = rng.standard_normal((11, 3)), (rng.random(11) < 0.5).astype(np.int64)
    theta = net.init(seed=7) + 0.1 * rng.standard_normal(net.n_params)
    (W1, b1), (W2, b2) = [(W.copy(), b.copy()) for W, b in net.unflatten(theta)]
    args = (W1, b1, W2, b2, X, y)
    before = [a.copy() for a in args]
    out = _call(name, mlp_grad, args, returns="J, (dW1, db1, dW2, db2)")
    J_ref, g_ref = net.loss_and_grad(theta, X, y)
    expected = [a for layer in net.unflatten(g_ref) for a in layer]
    changed = [n for n, a, b in zip(("W1", "b1", "W2", "b2", "X", "y"), args, before) if not np.array_equal(a, b)]
    if changed:
        _fail(f"{name} changes its input {changed[0]} in place",
              "Compute new arrays (a1 = np.tanh(…), …) instead of writing into the arrays you are given.")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        what = f"{len(out)} values" if isinstance(out, (tuple, list)) else f"a single {_kind(out)}"
        _fail(f"{name} returns {what}, not the pair (J, (dW1, db1, dW2, db2))",
              "End it with `return J, (dW1, db1, dW2, db2)`.")
    J, grads = out
    if isinstance(J, (tuple, list)) and _kind(grads) == "number" and _close(grads, J_ref, rtol=1e-8):
        _fail(f"{name} returns (grads, J): the values are swapped", "Return the loss first: J, (dW1, db1, dW2, db2).")
    if _kind(J) != "number" and np.size(J) != 1:
        _fail(f"{name} returns J as a {_kind(J)} of shape {np.shape(J)}, not one number",
              "J is the mean cross-entropy over the examples: one number (np.mean of the per-example losses).")
    J = float(np.asarray(J, dtype=float).reshape(()))
    if not np.isclose(J, J_ref, rtol=1e-8):
        if np.isclose(J, len(y) * J_ref, rtol=1e-8):
            _fail(f"{name}: the loss J is the sum over the examples, not the mean",
                  f"J = mean of log(1 + e^z) − y z over the n = {len(y)} examples.")
        _fail(f"{name} computes the wrong loss J",
              f"J = {J:.6g} should be the mean cross-entropy {J_ref:.6g}: mean of log(1 + e^z) − y z over the examples.")
    if not isinstance(grads, (tuple, list)) or len(grads) != 4:
        what = f"{len(grads)} gradients" if isinstance(grads, (tuple, list)) else f"a {_kind(grads)} as its gradients"
        _fail(f"{name} returns {what}, not the four (dW1, db1, dW2, db2)",
              "Return the gradients as a tuple in the order of the parameters: (dW1, db1, dW2, db2).")
    for n, got in zip(_GRADS, grads):
        if _kind(got) != "array":
            _fail(f"{name} returns {n} as a {_kind(got)}, not a numpy array",
                  "Each gradient is an array with the shape of its parameter.")
    shapes_ok = all(np.shape(g) == e.shape for g, e in zip(grads, expected))
    if not shapes_ok or not all(_close(g, e, rtol=1e-7, atol=1e-12) for g, e in zip(grads, expected)):
        for perm in ([2, 3, 0, 1], [1, 0, 3, 2], [0, 2, 1, 3]):
            if all(np.shape(grads[i]) == e.shape and _close(grads[i], e, rtol=1e-7, atol=1e-12)
                   for i, e in zip(perm, expected)):
                order = ", ".join(_GRADS[perm.index(k)] for k in range(4))
                _fail(f"{name} returns its gradients in the order ({order})",
                      "The numbers are right; return them as (dW1, db1, dW2, db2).")
    for n, got, want in zip(_GRADS, grads, expected):
        if np.shape(got) != want.shape:
            _fail(f"{name} returns {n} of shape {np.shape(got)}, expected {want.shape}",
                  "Every gradient has the shape of the parameter it belongs to.")
    for n, got, want in zip(_GRADS[::-1], grads[::-1], expected[::-1]):
        got = np.asarray(got, dtype=float)
        if np.allclose(got, want, rtol=1e-7, atol=1e-12):
            continue
        if np.allclose(got, len(y) * want, rtol=1e-7):
            _fail(f"{name}: {n} is n = {len(y)} times too large: J is a mean",
                  "So δ = (σ(z) − y)/n at the output.")
        if np.allclose(got, want / len(y), rtol=1e-7):
            _fail(f"{name}: {n} is n = {len(y)} times too small",
                  "δ already carries the 1/n of the mean; sum over the examples (…sum(axis=0)), do not average again.")
        if np.allclose(got, -want, rtol=1e-7):
            _fail(f"{name}: {n} has the wrong sign", "δ = ∂J/∂z = (σ(z) − y)/n, not (y − σ(z))/n.")
        if n in ("dW2", "db2"):
            _fail(f"{name}: {n} does not match backpropagation", "Check δ = (σ(z) − y)/n and ∇W2 = a1ᵀ δ, ∇b2 = Σᵢ δ.")
        _fail(f"{name}: {n} does not match backpropagation — tanh′ missing?",
              "Between the layers δ1 = (δ W2ᵀ) ⊙ (1 − a1²): did you multiply by tanh′ = 1 − a1²?")
    student = net.flatten([(np.asarray(grads[0]), np.asarray(grads[1])), (np.asarray(grads[2]), np.asarray(grads[3]))])
    err = grad_check(lambda th: net.loss_and_grad(th, X, y)[0], lambda th: student, theta)
    print(f"✓ mlp_grad is correct — it matches optlab's backpropagation and central differences "
          f"(max relative error {err:.1e}).")


@_public
def check_gd_lr(gd_lr, loss, theta0, lrs):
    """Check lesson 07's ``gd_lr()``: a learning rate, not one of the sweep's ``lrs``, with which gradient
    descent from ``theta0`` classifies every training point of ``loss`` within 1000 steps."""
    name = "gd_lr"
    alpha = _call(name, gd_lr, (), returns="alpha")
    if isinstance(alpha, bool) or _kind(alpha) != "number":
        _fail(f"{name} returns a {_kind(alpha)}, not a number", "Return one learning rate, e.g. `return 0.5`.")
    alpha = float(np.asarray(alpha, dtype=float).reshape(()))
    if not np.isfinite(alpha) or alpha <= 0:
        _fail(f"{name} returns α = {alpha:g}; a learning rate is a number > 0", "Return one α > 0.")
    if np.isclose(np.asarray(lrs), alpha, rtol=1e-3).any():
        _fail(f"{name} returns α = {alpha:.3g}, one of the sweep's seven values", "Find another α that works.")
    result = train(GD(lr=alpha), loss, np.array(theta0, dtype=float), steps=1000)
    if not np.isfinite(result.losses[-1]):
        _fail(f"{name}: with α = {alpha:.3g} gradient descent diverges", "Try a smaller α.")
    if result.final_accuracy != 1.0:
        _fail(f"{name}: with α = {alpha:.3g} GD reaches {result.final_accuracy:.1%} in 1000 steps, not 100%",
              "Try a larger α (the table above shows which α reached 99 %)." if alpha < 1
              else "Try an α between 1 and 3.")
    print(f"✓ with α = {alpha:g} gradient descent classifies every training point after 1000 steps.")


_register("mlp_grad", "07", check_mlp_grad, reference_mlp_grad,
          ["tanh′ missing", "times too large: J is a mean", "has the wrong sign", "times too small",
           "the loss J is the sum over the examples", "computes the wrong loss J", "returns its gradients in the order"])
_register("gd_lr", "07", check_gd_lr, None,
          ["one of the sweep's seven values", "gradient descent diverges", "not 100%", "a learning rate is a number > 0"])
