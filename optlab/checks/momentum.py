"""Checks for lesson 03: momentum and Nesterov's look-ahead momentum."""
from __future__ import annotations

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _Case, _check_rule, _public, _rng, _variant


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


_MOMENTUM_VARIANTS = [
    ("θ moves with the old velocity — update the velocity first, v ← βv − αg, then θ ← θ + v with the new v.",
     _variant(_mom, old=True)),
    ("the velocity points uphill — a sign error: v ← βv − αg (minus the gradient).",
     _variant(_mom, sign_v=1)),
    ("θ moves against the velocity — with v ← βv − αg the step is θ ← θ + v (plus).",
     _variant(_mom, sign_th=-1)),
    ("this is the frameworks' form (b ← βb + g; θ ← θ − αb), but the exercise uses the course's form "
     "v ← βv − αg; θ ← θ + v.",
     lambda th, g, v, lr, beta: (th - lr * (beta * v + g), beta * v + g)),
    ("β is missing — the old velocity decays: v ← βv − αg.", _variant(_mom, beta_on=False)),
    ("the gradient is scaled by (1 − β) — the course's velocity is v ← βv − αg, without 1 − β.",
     _variant(_mom, one_minus=True)),
    ("the incoming velocity is ignored — v ← βv − αg starts from the velocity you are given.",
     _variant(_mom, ignore_v=True)),
]


def _look_ahead(th, g, v, lr, beta, *, point):
    """Nesterov, but returning a look-ahead point instead of the new θ = θ + v (v the new velocity)."""
    new_v = beta * v - lr * g
    return {"next": th + new_v + beta * new_v, "new_v": th + beta * new_v, "old_v": th + beta * v}[point], new_v


_LOOK_AHEAD = ("instead of the new θ = θ + v — the caller takes the next gradient there itself; the step is "
               "v ← βv − αg; θ ← θ + v.")
_NESTEROV_VARIANTS = _MOMENTUM_VARIANTS + [
    (f"it returns the next look-ahead point θ + v + βv {_LOOK_AHEAD}", _variant(_look_ahead, point="next")),
    (f"it returns the look-ahead point θ + βv (with the new v) {_LOOK_AHEAD}", _variant(_look_ahead, point="new_v")),
    (f"it returns the look-ahead point θ + βv, where grad was taken, {_LOOK_AHEAD}",
     _variant(_look_ahead, point="old_v")),
]


def _check_momentum(name, fn, variants):
    _check_rule(name, fn, _rules.momentum_step, _momentum_cases(), ("θ", "velocity"), variants,
                specs.MOMENTUM.rule_arguments)


@_public
def check_momentum_step(momentum_step):
    """Check lesson 03's ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``."""
    _check_momentum("momentum_step", momentum_step, _MOMENTUM_VARIANTS)


@_public
def check_nesterov_step(nesterov_step):
    """Check lesson 03's ``nesterov_step(theta, grad, velocity, lr, beta)``, grad taken at θ + βv.

    Given the look-ahead gradient, the update is the momentum update, so the same cases apply.
    """
    _check_momentum("nesterov_step", nesterov_step, _NESTEROV_VARIANTS)

