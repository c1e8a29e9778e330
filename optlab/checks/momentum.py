"""Checks for lesson 03: momentum, Nesterov's look-ahead momentum and the optimal (α*, β*) on a quadratic."""
from __future__ import annotations

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _call, _fail, _public, _register, _rng, _variant
from ._rule import _Case, _check_rule, _pair, _swapped


def _momentum_cases():
    r = _rng()

    def case(label, shape, lr, beta, zero_v=False, batched=False):
        v = np.zeros(shape) if zero_v else r.normal(size=shape) * 0.3
        return _Case(label, (r.normal(size=shape), r.normal(size=shape), v, lr, beta), batched)

    return [case("one step from a non-zero velocity (α = 0.1, β = 0.9)", (3,), 0.1, 0.9),
            case("the first step, velocity = 0 (α = 0.2, β = 0.5)", (2,), 0.2, 0.5, zero_v=True),
            case("a batch of θ's of shape (4, 3)", (4, 3), 0.05, 0.8, batched=True),
            case("a batch of θ's of shape (2, 3, 2)", (2, 3, 2), 0.3, 0.6, batched=True)]


def _mom(th, g, v, lr, beta, *, old=False, sign_v=-1, sign_th=1, beta_on=True, one_minus=False, ignore_v=False):
    v0 = 0 * v if ignore_v else v
    new_v = (beta if beta_on else 1.0) * v0 + sign_v * lr * (1 - beta if one_minus else 1) * g
    return th + sign_th * (v if old else new_v), new_v


_RULE = "v ← βv − αg; θ ← θ + v"
_MOMENTUM_VARIANTS = [
    ("θ moves with the old velocity",
     "Update the velocity first, v ← βv − αg, then move θ ← θ + v with the new v.", _variant(_mom, old=True)),
    ("the velocity points uphill — a sign error", f"The velocity collects minus the gradient: {_RULE}.",
     _variant(_mom, sign_v=1)),
    ("θ moves against the velocity", "With v ← βv − αg the step is θ ← θ + v (plus).",
     _variant(_mom, sign_th=-1)),
    ("its velocity has the opposite sign: v ← βv + αg; θ ← θ − v",
     f"The course's velocity is the step itself, pointing downhill: {_RULE}. Yours is −v: the same path from "
     "v = 0, but a velocity you are given is read with the wrong sign.",
     lambda th, g, v, lr, beta: (th - (beta * v + lr * g), beta * v + lr * g)),
    ("this is the frameworks' form b ← βb + g; θ ← θ − αb",
     f"The exercise uses the course's form {_RULE} (the same path for a constant α, but v = −αb).",
     lambda th, g, v, lr, beta: (th - lr * (beta * v + g), beta * v + g)),
    ("this is the moving-average form v ← βv + (1 − β)g; θ ← θ − αv",
     f"That velocity is an average of gradients; the course's velocity is a step: {_RULE}.",
     lambda th, g, v, lr, beta: (th - lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g)),
    ("β is missing — the old velocity must decay", f"{_RULE}.", _variant(_mom, beta_on=False)),
    ("the gradient is scaled by (1 − β)", f"The course's velocity has no 1 − β: {_RULE}.",
     _variant(_mom, one_minus=True)),
    ("the incoming velocity is ignored", f"Start from the velocity you are given: {_RULE}.",
     _variant(_mom, ignore_v=True)),
]


def _look_ahead(th, g, v, lr, beta, *, point):
    """Nesterov, but returning a look-ahead point instead of the new θ = θ + v (v the new velocity)."""
    new_v = beta * v - lr * g
    return {"next": th + new_v + beta * new_v, "new_v": th + beta * new_v, "old_v": th + beta * v}[point], new_v


_LOOK_AHEAD = ("The caller takes the next gradient at the look-ahead point itself; return the new θ = θ + v, "
               "with v ← βv − αg.")
_NESTEROV_VARIANTS = _MOMENTUM_VARIANTS + [
    ("this is the frameworks' Nesterov step θ ← θ + βv − αg",
     "That form moves the look-ahead point φ = θ + βv. Here grad is already taken at θ + βv, so the step "
     f"is plain momentum: {_RULE}.",
     lambda th, g, v, lr, beta: (th + beta * (beta * v - lr * g) - lr * g, beta * v - lr * g)),
    ("it returns the next look-ahead point θ + v + βv, not the new θ", _LOOK_AHEAD,
     _variant(_look_ahead, point="next")),
    ("it returns the look-ahead point θ + βv (new v), not the new θ", _LOOK_AHEAD,
     _variant(_look_ahead, point="new_v")),
    ("it returns the point θ + βv where grad was taken, not the new θ", _LOOK_AHEAD,
     _variant(_look_ahead, point="old_v")),
]


def _check_momentum(name, fn, variants):
    __tracebackhide__ = True
    _check_rule(name, fn, _rules.momentum_step, _momentum_cases(), ("θ", "velocity"), variants,
                specs.MOMENTUM.rule_arguments)


@_public
def check_momentum_step(momentum_step):
    """Check lesson 03's ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``."""
    _check_momentum("momentum_step", momentum_step, _MOMENTUM_VARIANTS)


@_public
def check_nesterov_step(nesterov_step):
    """Check lesson 03's ``nesterov_step(theta, grad, velocity, lr, beta)``, grad taken at θ + βv.

    Given the look-ahead gradient, the update is the momentum update, so the same cases apply (and a
    ``nesterov_step`` that calls ``momentum_step`` is checked with optlab's).
    """
    _check_momentum("nesterov_step", nesterov_step, _NESTEROV_VARIANTS)


# --------------------------------------------------------------------------- the optimal (α*, β*)
def reference_optimal_momentum(lam_min, lam_max):
    """optlab's answer to lesson 03's ``optimal_momentum``: α* = (2/(√λmax + √λmin))², β* = ((√κ−1)/(√κ+1))²."""
    kappa = lam_max / lam_min
    return (2 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2, ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2


def _spectral_radius(lr, beta, lam):
    """Largest |eigenvalue| of one heavy-ball step on the coordinate of eigenvalue λ and its velocity."""
    return np.abs(np.linalg.eigvals(np.array([[1 - lr * lam, beta], [-lr * lam, beta]]))).max()


@_public
def check_optimal_momentum(optimal_momentum):
    """Check lesson 03's ``optimal_momentum(lam_min, lam_max) -> (lr, beta)`` on three quadratics:
    every eigen-direction must contract at the optimal rate (√κ − 1)/(√κ + 1)."""
    name, names = "optimal_momentum", ("lr", "beta")
    found = {}
    for lam_min, lam_max in [(1.0, 100.0), (0.5, 2.0), (2.0, 2000.0)]:
        out = _call(name, optimal_momentum, (lam_min, lam_max), returns="lr, beta")
        lr, beta = got = _pair(name, out, names)
        want = tuple(float(x) for x in reference_optimal_momentum(lam_min, lam_max))
        _swapped(name, got, want, names)
        kappa = lam_max / lam_min
        rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
        radii = [_spectral_radius(lr, beta, lam) for lam in np.linspace(lam_min, lam_max, 7)]
        if np.allclose(radii, rate, rtol=1e-6):
            found[lam_min, lam_max] = got
            continue
        call = f"{name}({lam_min}, {lam_max})"
        if np.isclose(beta, rate) and not np.isclose(beta, want[1]):
            _fail(f"{name}: β* is the rate (√κ−1)/(√κ+1), not its square",
                  f"β* = ((√κ − 1)/(√κ + 1))²; for {call} that is {want[1]:.5g}.")
        if np.isclose(lr, np.sqrt(want[0])):
            _fail(f"{name}: α* is missing its square", f"α* = (2/(√λmax + √λmin))²; for {call} that is {want[0]:.5g}.")
        if np.isclose(lr, want[0] / 2):
            _fail(f"{name}: α* is half what it should be", f"α* = (2/(√λmax + √λmin))² = 4/(√λmax + √λmin)²; for "
                                                          f"{call} that is {want[0]:.5g}.")
        if np.isclose(beta, ((kappa - 1) / (kappa + 1)) ** 2):
            _fail(f"{name}: β* uses κ, not √κ", f"β* = ((√κ − 1)/(√κ + 1))²; for {call} that is {want[1]:.5g}.")
        if np.isclose(lr, 2 / (lam_min + lam_max)):
            _fail(f"{name}: α* is gradient descent's best α, not momentum's",
                  f"With momentum α* = (2/(√λmax + √λmin))²; for {call} that is {want[0]:.5g}.")
        _fail(f"{name}({lam_min}, {lam_max}) is not the optimum",
              f"It should return (α*, β*) = ({want[0]:.5g}, {want[1]:.5g}), which makes every eigen-direction contract "
              f"at {rate:.4f}; it returned ({lr:.5g}, {beta:.5g}), whose worst eigen-direction contracts at "
              f"{max(radii):.4f} per step.")
    lr, beta = found[1.0, 100.0]
    print(f"✓ optimal_momentum is correct — every eigen-direction contracts at (√κ−1)/(√κ+1); for κ = 100: "
          f"α* = {lr:.5f}, β* = {beta:.5f}.")


_register("momentum_step", "03", check_momentum_step, _rules.momentum_step, _MOMENTUM_VARIANTS)
_register("nesterov_step", "03", check_nesterov_step, _rules.nesterov_step, _NESTEROV_VARIANTS)
_register("optimal_momentum", "03", check_optimal_momentum, reference_optimal_momentum,
          ["β* is the rate (√κ−1)/(√κ+1), not its square", "α* is missing its square", "α* is half what it should be",
           "β* uses κ, not √κ", "α* is gradient descent's best α"])
