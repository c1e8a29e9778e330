"""Checks for lesson 04: AdaGrad, RMSProp (with its optional bias correction) and sign descent."""
from __future__ import annotations

import functools

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _arrays, _call, _fail, _kind, _public, _register, _rng, _variant
from ._rule import _Case, _check_rule


def _adaptive_cases(with_beta):
    r = _rng()

    def case(label, shape, lr, beta2, eps, zero=False, batched=False, t=None):
        state = np.zeros(shape) if zero else _arrays(r, shape, positive=True, scale=0.5)
        args = (r.normal(size=shape), r.normal(size=shape) * 2, state, lr)
        return _Case(label, args + ((beta2, eps) if with_beta else (eps,)), batched,
                     kwargs=None if t is None else {"t": t})

    cases = [case("one step from a non-zero state (α = 0.1, ε = 1e-8)", (3,), 0.1, 0.9, 1e-8),
             case("the first step with a large ε = 0.5", (2,), 0.2, 0.75, 0.5, zero=True),
             case("a step with ε = 0.1", (3,), 0.05, 0.99, 0.1),
             case("a batch of θ's of shape (4, 3)", (4, 3), 0.05, 0.8, 1e-3, batched=True),
             case("a batch of θ's of shape (2, 3, 2)", (2, 3, 2), 0.3, 0.6, 1e-2, batched=True)]
    if with_beta:  # rmsprop_step(..., *, t=None): bias-corrected when t is given (checked if accepted)
        cases += [case("the first bias-corrected step, t = 1 (v = 0)", (3,), 0.1, 0.9, 1e-8, zero=True, t=1),
                  case("a bias-corrected step at t = 5", (3,), 0.05, 0.8, 1e-8, t=5),
                  case("a bias-corrected batch of shape (4, 3) at t = 3", (4, 3), 0.05, 0.9, 1e-6, batched=True,
                       t=3)]
    return cases


def _adaptive(th, g, s, lr, beta2, eps, t=None, *, avg, square=True, abs_=False, eps_inside=False, old=False,
              sqrt=True, sign=-1, accumulate=True, swap=False, one_minus=True, beta_on=True, t_ignored=False, dt=0,
              return_hat=False, eps_on=True):
    g2 = np.abs(g) if abs_ else (g * g if square else g)
    if not accumulate:
        new = g2
    elif not avg:
        new = s + g2
    elif swap:
        new = (1 - beta2) * s + beta2 * g2
    else:
        new = (beta2 if beta_on else 1.0) * s + ((1 - beta2) if one_minus else 1.0) * g2
    used = s if old else new
    if t is not None and not t_ignored:
        used = used / (1 - beta2 ** (t + dt))
    den = np.sqrt(used + eps) if eps_inside else ((np.sqrt(used) if sqrt else used) + (eps if eps_on else 0.0))
    return th + sign * lr * g / den, (used if return_hat else new)


def _adagrad(th, g, s, lr, eps, *, avg_beta=None, **mistakes):
    """AdaGrad; ``avg_beta``: the mistake of a running average s ← βs + (1 − β)g² instead of the sum."""
    return _adaptive(th, g, s, lr, avg_beta, eps, avg=avg_beta is not None, **mistakes)


_rmsprop = functools.partial(_adaptive, avg=True)


def _adaptive_variants(rule_fn, state, rule):
    common = [
        (f"{state} collects g instead of g²", f"Square the gradient (elementwise): {rule}.", dict(square=False)),
        (f"{state} collects |g| instead of g²", f"Square the gradient: {rule}.", dict(abs_=True)),
        ("ε is inside the square root", f"Add it outside: θ ← θ − α g/(√{state} + ε).", dict(eps_inside=True)),
        ("ε is missing", f"Add it to the root: θ ← θ − α g/(√{state} + ε); it keeps the step finite where {state} "
         "is tiny.", dict(eps_on=False)),
        (f"θ is updated with the old {state}", f"Update {state} first ({rule}), then use the new one.",
         dict(old=True)),
        ("the square root is missing", f"Divide by √{state} + ε, not {state} + ε.", dict(sqrt=False)),
        ("θ moves uphill — a sign error", "θ ← θ − α g/(…).", dict(sign=1)),
    ]
    return [(verdict, detail, _variant(rule_fn, **kw)) for verdict, detail, kw in common]


_ADAGRAD_VARIANTS = _adaptive_variants(_adagrad, "s", "s ← s + g²") + [
    ("s is replaced by g² instead of accumulated", "AdaGrad sums: s ← s + g².", _variant(_adagrad, accumulate=False)),
] + [("s is a running average (that is RMSProp)",
      "AdaGrad sums every squared gradient, s ← s + g², so its steps keep shrinking.", _variant(_adagrad, avg_beta=beta))
     for beta in (0.9, 0.99, 0.999, 0.95, 0.5)]
_RMSPROP_RULE = "v ← β2 v + (1 − β2) g²"
_RMSPROP_VARIANTS = _adaptive_variants(_rmsprop, "v", _RMSPROP_RULE) + [
    ("β2 and 1 − β2 are swapped", f"The old average keeps the weight β2: {_RMSPROP_RULE}.", _variant(_rmsprop, swap=True)),
    ("the (1 − β2) in front of g² is missing", f"{_RMSPROP_RULE}.", _variant(_rmsprop, one_minus=False)),
    ("β2 is missing — the old v must decay", f"{_RMSPROP_RULE}.", _variant(_rmsprop, beta_on=False)),
    ("v is a running sum (that is AdaGrad)", f"RMSProp averages: {_RMSPROP_RULE}.", _variant(_adaptive, avg=False)),
    ("t is ignored", "When t is given, step with the bias-corrected v̂ = v/(1 − β2ᵗ).", _variant(_rmsprop, t_ignored=True)),
    ("it returns the corrected v̂, not v",
     "Return the running average v itself; v̂ = v/(1 − β2ᵗ) is only used in the step.",
     _variant(_rmsprop, return_hat=True)),
    ("t is counted from 0", "The first step has t = 1, so use 1 − β2ᵗ with the t you are given.",
     _variant(_rmsprop, dt=-1)),
    ("the bias correction uses t + 1", "The t you are given already counts from 1: use 1 − β2ᵗ.",
     _variant(_rmsprop, dt=1)),
]


@_public
def check_adagrad_step(adagrad_step):
    """Check lesson 04's ``adagrad_step(theta, grad, s, lr, eps) -> (theta, s)``."""
    _check_rule("adagrad_step", adagrad_step, _rules.adagrad_step, _adaptive_cases(False), ("θ", "s"),
                _ADAGRAD_VARIANTS, specs.ADAGRAD.rule_arguments)


@_public
def check_rmsprop_step(rmsprop_step):
    """Check lesson 04's ``rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None) -> (theta, v)``.

    Steps without ``t`` and bias-corrected steps with ``t`` are checked; a function without the
    keyword ``t`` fails (after its other steps are checked), as the exercise asks for it.
    """
    _check_rule("rmsprop_step", rmsprop_step, _rules.rmsprop_step, _adaptive_cases(True), ("θ", "v"),
                _RMSPROP_VARIANTS, specs.RMSPROP.rule_arguments,
                missing=("rmsprop_step has no t argument",
                         "The exercise asks for an optional t, rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None): "
                         "when t is given, step with the bias-corrected v̂ = v/(1 − β2ᵗ) (your steps without t are "
                         "right)."))


# --------------------------------------------------------------------------- sign descent (lesson 04's exercise)
def reference_sign_descent_step(theta, grad, lr):
    """optlab's answer to lesson 04's ``sign_descent_step``: θ − α·sign(g)."""
    return np.asarray(theta, dtype=float) - lr * np.sign(grad)


@_public
def check_sign_descent_step(sign_descent_step):
    """Check lesson 04's ``sign_descent_step(theta, grad, lr)`` against RMSProp with β2 = 0 and a tiny ε,
    on gradients from 10⁻³ to 10³ and a gradient coordinate that is exactly 0 (sign(0) = 0: no move)."""
    name = "sign_descent_step"
    rng = np.random.default_rng(4)
    theta, grad = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)) * np.geomspace(1e-3, 1e3, 3)
    grad[2, 1] = 0.0  # a flat coordinate: g/|g| would give 0/0 there
    theta_in, grad_in = theta.copy(), grad.copy()
    out = _call(name, sign_descent_step, (theta, grad, 0.1), returns="theta")
    want, _ = _rules.rmsprop_step(theta_in, grad_in, np.zeros_like(theta), lr=0.1, beta2=0.0, eps=1e-300)
    if _kind(out) != "array":
        _fail(f"{name} returns θ as a {_kind(out)}, not a numpy array",
              "Compute it with numpy on the arrays you are given: theta - lr * np.sign(grad).")
    got = np.asarray(out)
    if got.shape != want.shape:
        _fail(f"{name} returns shape {got.shape}; expected {want.shape}",
              f"For theta and grad of shape {theta.shape} the new θ has the same shape.")
    if not (np.array_equal(theta, theta_in) and np.array_equal(grad, grad_in)):
        if np.allclose(got, want):
            _fail(f"{name} changes theta or grad in place",
                  "Return a new array, e.g. theta - lr * np.sign(grad), so the caller's arrays stay unchanged.")
    if not np.allclose(got, want, rtol=0, atol=1e-12):
        flat = grad_in == 0
        if np.isnan(got[flat]).any() and np.allclose(got[~flat], want[~flat], rtol=0, atol=1e-12):
            _fail(f"{name} gives NaN where g = 0 — g/|g| is 0/0 there",
                  "sign(0) is 0: a coordinate with a zero gradient does not move. Use np.sign(grad).")
        named = [(theta_in + 0.1 * np.sign(grad_in), "θ moves uphill — a sign error",
                  "The step goes against the gradient: subtract α·sign(g)."),
                 (theta_in - 0.1 * grad_in, "it steps by α·g, not α·sign(g)",
                  "Use only the sign of g (np.sign), not its size: every coordinate moves by exactly α."),
                 (-0.1 * np.sign(grad_in), "it returns the step, not the new θ", "Return θ − α·sign(g)."),
                 (theta_in - np.sign(grad_in), "the learning rate α is missing", "θ ← θ − α·sign(g)."),
                 (theta_in - 0.1 * grad_in / np.abs(grad_in).max(), "it divides by the largest |g|, not each |gᵢ|",
                  "Each coordinate moves by α: θ ← θ − α·sign(g).")]
        for value, verdict, detail in named:
            if np.allclose(got, value):
                _fail(f"{name}: {verdict}", detail)
        i = int(np.argmax(~np.all(np.isclose(got, want, rtol=0, atol=1e-12), axis=-1)))
        show = lambda a: "[" + ", ".join(f"{x:.3g}" for x in a) + "]"  # noqa: E731
        _fail(f"{name} does not move every coordinate by exactly α",
              f"For gradients {show(grad_in[i])} and α = 0.1 the step is {show(want[i] - theta_in[i])}, but it moved "
              f"{show(got[i] - theta_in[i])}.")
    print("✓ sign_descent_step is correct — it equals RMSProp with β2 = 0: every coordinate moves by α.")


_register("adagrad_step", "04", check_adagrad_step, _rules.adagrad_step, _ADAGRAD_VARIANTS)
_register("rmsprop_step", "04", check_rmsprop_step, _rules.rmsprop_step, _RMSPROP_VARIANTS + ["has no t argument"])
_register("sign_descent_step", "04", check_sign_descent_step, reference_sign_descent_step,
          ["θ moves uphill", "it steps by α·g, not α·sign(g)", "it returns the step, not the new θ",
           "the learning rate α is missing", "it divides by the largest |g|",
           "does not move every coordinate by exactly α", "gives NaN where g = 0"])
