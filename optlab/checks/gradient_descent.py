"""Checks for lessons 00–01: the warm-up gradient, the gradient-descent step, the loop and the best α."""
from __future__ import annotations

import numpy as np

from .. import rules as _rules
from .. import specs
from ..objectives import Quadratic
from ._core import _call, _fail, _public, _register, _rng
from ._rule import _Case, _check_rule, _iterates, _pair, _swapped


def quadratic_grad(theta, A):
    """∇J(θ) = Aθ for J(θ) = ½ θᵀAθ with a symmetric A; θ of shape (..., d) (lesson 00)."""
    return np.asarray(theta, dtype=float) @ np.asarray(A, dtype=float).T


# --------------------------------------------------------------------------- lesson 00: warm-up
_A2 = np.array([[3.0, 1.0], [1.0, 2.0]])
_A3 = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 4.0]])


def _quadratic_cases():
    r = _rng()
    return [_Case("θ = (1, −2) with A = [[3, 1], [1, 2]]", (np.array([1.0, -2.0]), _A2)),
            _Case("a 3-D θ with a 3×3 A", (r.normal(size=3), _A3)),
            _Case("a batch of θ's of shape (5, 2), one point per row", (r.normal(size=(5, 2)), _A2), True),
            _Case("a batch of θ's of shape (2, 3, 2)", (r.normal(size=(2, 3, 2)), _A2), True)]


_QUADRATIC_VARIANTS = [
    ("the sign is flipped — ∇J(θ) = Aθ points uphill",
     "The minus sign belongs in the update step, not in the gradient.", lambda th, A: -(th @ A.T)),
    ("returns ½Aθ — differentiating ½ θᵀAθ cancels the ½",
     "The derivative of θᵀAθ is 2Aθ, so ∇J(θ) = Aθ.", lambda th, A: 0.5 * (th @ A.T)),
    ("returns 2Aθ — the ½ in J(θ) = ½ θᵀAθ cancels the 2",
     "So ∇J(θ) = Aθ.", lambda th, A: 2 * (th @ A.T)),
    ("returns θ itself — multiply by the matrix A",
     "∇J(θ) = Aθ, which is theta @ A.T for one point per row.", lambda th, A: th),
    ("uses only the diagonal of A (an elementwise product)",
     "theta * np.diag(A) ignores the off-diagonal entries; use the matrix product Aθ (theta @ A.T).",
     lambda th, A: th * np.diag(A)),
]


def _value_not_gradient(name):
    return (f"{name} returns one number per point — that looks like the value J(θ)",
            "Return the gradient vector Aθ, which has the same shape as θ.")


@_public
def check_quadratic_grad(quadratic_grad):
    """Check lesson 00's warm-up ``quadratic_grad(theta, A)`` = Aθ (∇ of ½ θᵀAθ), batched over rows."""
    _check_rule("quadratic_grad", quadratic_grad, globals()["quadratic_grad"], _quadratic_cases(),
                ("gradient",), _QUADRATIC_VARIANTS, ("theta", "A"),
                hint_batched="θ holds one point per row, so compute theta @ A.T, which works for any "
                             "leading axes (A @ theta only works for a single θ).",
                value_shape_msg=_value_not_gradient,
                success="✓ quadratic_grad is correct — ∇J(θ) = Aθ for single points and for batches.")


# --------------------------------------------------------------------------- lessons 01–02: GD, SGD
def _gd_cases():
    r = _rng()
    return [_Case("θ = (1, 2, 3) with α = 0.1", (np.array([1.0, 2.0, 3.0]), np.array([2.0, -1.0, 0.5]), 0.1)),
            _Case("a 2-D θ with α = 0.5", (r.normal(size=2), r.normal(size=2), 0.5)),
            _Case("a batch of θ's of shape (4, 3)", (r.normal(size=(4, 3)), r.normal(size=(4, 3)), 0.05), True),
            _Case("a batch of θ's of shape (2, 3, 2)", (r.normal(size=(2, 3, 2)), r.normal(size=(2, 3, 2)), 0.2),
                  True)]


_GD_VARIANTS = [
    ("θ moves uphill — a sign error", "Step against the gradient: θ ← θ − α g.", lambda th, g, lr: th + lr * g),
    ("the learning rate α is missing", "The step is α g, so θ ← θ − α g.", lambda th, g, lr: th - g),
    ("it returns the step, not the new θ", "Return the new parameters θ − α g.", lambda th, g, lr: -lr * g),
    ("it returns the step, not the new θ", "Return the new parameters θ − α g.", lambda th, g, lr: lr * g),
    ("it divides by α instead of multiplying", "θ ← θ − α g.", lambda th, g, lr: th - g / lr),
    ("θ comes back unchanged", "Subtract α g from it: θ ← θ − α g.", lambda th, g, lr: th),
    ("it adds α to the gradient instead of multiplying", "θ ← θ − α g, with α times g.",
     lambda th, g, lr: th - (lr + g)),
]


@_public
def check_gd_step(gd_step, _name="gd_step"):
    """Check lesson 01's ``gd_step(theta, grad, lr)`` = θ − α g."""
    _check_rule(_name, gd_step, _rules.gd_step, _gd_cases(), ("θ",), _GD_VARIANTS, specs.GD.rule_arguments)


# --------------------------------------------------------------------------- lesson 01: the loop
def reference_gradient_descent(objective, theta0, lr, steps):
    """optlab's answer to lesson 01's ``gradient_descent``: θ0, θ1, … θ_steps stacked, shape (steps + 1, d)."""
    theta = np.asarray(theta0, dtype=float)
    thetas = [theta]
    for _ in range(steps):
        theta = _rules.gd_step(theta, objective.grad(theta), lr)
        thetas.append(theta)
    return np.stack(thetas)


@_public
def check_gradient_descent(gradient_descent):
    """Check lesson 01's ``gradient_descent(objective, theta0, lr, steps)`` against optlab's runner.

    Runs with optlab's ``gd_step`` (whatever the notebook's is), on a rotated valley: all iterates,
    θ0 first, each step from the gradient at the current θ, θ0 left unchanged, ``steps=0``.
    """
    name = "gradient_descent"
    bowl = Quadratic(kappa=5.0, angle=0.3)
    start = np.array([1.0, -2.0])
    keep = start.copy()
    out = _call(name, gradient_descent, (bowl, start, 0.1, 25), returns="np.stack(thetas)")
    want = reference_gradient_descent(bowl, keep, 0.1, 25)
    if not np.array_equal(start, keep):
        _fail(f"{name} changes theta0 in place",
              f"θ0 should stay {keep}, but after the call it is {np.round(start, 6)} — work on a copy, "
              "e.g. theta = np.array(theta0, dtype=float).")
    got = _iterates(name, out, want, "with steps = 25")
    if not np.allclose(got[0], keep):
        _fail(f"{name}'s first row is not the start θ0",
              f"Row 0 should be θ0 = {keep} itself, but it is {np.round(got[0], 6)} — put θ0 in the list "
              "before the first step.")
    wrong = ~np.all(np.isclose(got, want, rtol=1e-12, atol=1e-14), axis=-1)
    if wrong.any():
        k = int(np.argmax(wrong))
        if np.allclose(got[1], keep + 0.1 * bowl.grad(keep)):
            _fail(f"{name}: θ moves uphill", "Step against the gradient: θ ← θ − α∇J(θ).")
        stale = np.array([keep - k * 0.1 * bowl.grad(keep) for k in range(26)])
        if np.allclose(got, stale):
            _fail(f"{name} uses the gradient at θ0 in every step",
                  "Take the gradient at the current θ each step: g = objective.grad(theta).")
        _fail(f"{name} computes the wrong θ{k}",
              f"With θ ← θ − α∇J(θ) and α = 0.1, θ{k} should be {np.round(want[k], 6)}, but it is "
              f"{np.round(got[k], 6)}.")
    short = _call(name, gradient_descent, (bowl, keep.copy(), 0.1, 0), returns="np.stack(thetas)")
    if np.shape(short) != (1, 2):
        _fail(f"{name} with steps=0 returns shape {np.shape(short)}, expected (1, 2)",
              "With no steps the only iterate is θ0: return it as one row.")
    print("✓ gradient_descent is correct — it reproduces optlab's runner to 1e-12.")


# --------------------------------------------------------------------------- lesson 01: the best α
def reference_optimal_lr(A):
    """optlab's answer to lesson 01's ``optimal_lr``: (α* = 2/(λmin + λmax), r* = (λmax − λmin)/(λmax + λmin))."""
    lam = np.linalg.eigvalsh(A)
    return 2.0 / (lam[0] + lam[-1]), float((lam[-1] - lam[0]) / (lam[-1] + lam[0]))


@_public
def check_optimal_lr(optimal_lr):
    """Check lesson 01's ``optimal_lr(A) -> (alpha_star, rate)`` on a 4 × 4 matrix with eigenvalues 0.5 … 8."""
    name, names = "optimal_lr", ("alpha_star", "rate")
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    lams = np.array([3.0, 0.5, 8.0, 1.0])              # np.linalg.eigvals need not sort them
    A = Q @ np.diag(lams) @ Q.T
    A = 0.5 * (A + A.T)
    out = _call(name, optimal_lr, (A.copy(),), returns="alpha_star, rate")
    alpha, rate = got = _pair(name, out, names)
    want_alpha, want_rate = want = (2 / 8.5, 7.5 / 8.5)
    _swapped(name, got, want, names)
    if not np.isclose(alpha, want_alpha):
        unsorted = np.linalg.eigvals(A).real
        named = {
            2 / 8.0: ("α* = 2/λmax is the edge of divergence, not the best α", "α* = 2/(λmin + λmax)."),
            1 / 8.0: ("α* = 1/λmax is safe but not the best α", "α* = 2/(λmin + λmax)."),
            2 / (np.diag(A).min() + np.diag(A).max()): (
                "α* uses the diagonal of A, not its eigenvalues",
                "The diagonal entries of a rotated A are not its eigenvalues: use np.linalg.eigvalsh(A)."),
            2 / (unsorted[0] + unsorted[-1]): (
                "α* uses the first and last eigenvalue, which are not the extremes",
                "np.linalg.eigvals does not sort; np.linalg.eigvalsh(A) gives them in ascending order."),
            1 / (0.5 + 8.0): ("α* = 1/(λmin + λmax) is missing the 2", "α* = 2/(λmin + λmax)."),
        }
        for value, (verdict, detail) in named.items():
            if np.isclose(alpha, value):
                _fail(f"{name}: {verdict}", detail)
        _fail(f"{name} computes the wrong alpha_star",
              f"For eigenvalues 0.5 … 8, α* = 2/(λmin + λmax) = {want_alpha:.4f}; got {alpha:.4g}.")
    worst = np.linalg.norm(np.eye(4) - want_alpha * A, 2)   # the error map e ← (I − α*A)e; its norm is r*
    if not np.isclose(rate, worst):
        kappa = 16.0
        named = {
            ((kappa - 1) / (kappa + 1)) ** 2: ("the rate is squared — that is the rate of J, not of the error",
                                               "r* = (κ − 1)/(κ + 1) is the factor by which ‖θ − θ*‖ shrinks."),
            (kappa - 1) / kappa: ("the rate is (κ − 1)/κ, not (κ − 1)/(κ + 1)", "r* = (λmax − λmin)/(λmax + λmin)."),
            1 / kappa: ("the rate is 1/κ, not (κ − 1)/(κ + 1)", "r* = (λmax − λmin)/(λmax + λmin)."),
        }
        for value, (verdict, detail) in named.items():
            if np.isclose(rate, value):
                _fail(f"{name}: {verdict}", detail)
        _fail(f"{name} computes the wrong rate",
              f"r* = (λmax − λmin)/(λmax + λmin) = {worst:.4f}, the norm of the error map I − α*A; got {rate:.4g}.")
    print(f"✓ optimal_lr is correct — for eigenvalues 0.5 … 8: α* = {alpha:.4f}, r* = {rate:.4f}.")


_register("quadratic_grad", "00", check_quadratic_grad, quadratic_grad,
          _QUADRATIC_VARIANTS + ["that looks like the value J(θ)", "works for a single θ but fails on a batch"])
_register("gd_step", "01", check_gd_step, _rules.gd_step, _GD_VARIANTS)
_register("gradient_descent", "01", check_gradient_descent, reference_gradient_descent,
          ["θ moves uphill", "leaves out θ0", "returns only the last θ", "takes one step too many",
           "first row is not the start θ0", "uses the gradient at θ0 in every step", "with steps=0 returns shape"])
_register("optimal_lr", "01", check_optimal_lr, reference_optimal_lr,
          ["α* uses the diagonal of A", "α* = 2/λmax is the edge of divergence", "α* = 1/λmax is safe",
           "α* uses the first and last eigenvalue", "is missing the 2", "the rate is squared", "the rate is (κ − 1)/κ",
           "the rate is 1/κ"])
