"""Checks for lessons 04–05: AdaGrad, RMSProp (with its optional bias correction) and Adam."""
from __future__ import annotations

import functools

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _arrays, _Case, _check_rule, _public, _rng, _variant


# --------------------------------------------------------------------------- lesson 04: AdaGrad, RMSProp
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
              sqrt=True, sign=-1, accumulate=True, swap=False, one_minus=True, t_ignored=False, dt=0,
              return_hat=False):
    g2 = np.abs(g) if abs_ else (g * g if square else g)
    if not accumulate:
        new = g2
    elif not avg:
        new = s + g2
    elif swap:
        new = (1 - beta2) * s + beta2 * g2
    else:
        new = beta2 * s + ((1 - beta2) if one_minus else 1.0) * g2
    used = s if old else new
    if t is not None and not t_ignored:
        used = used / (1 - beta2 ** (t + dt))
    den = np.sqrt(used + eps) if eps_inside else ((np.sqrt(used) if sqrt else used) + eps)
    return th + sign * lr * g / den, (used if return_hat else new)


def _adagrad(th, g, s, lr, eps, *, avg_beta=None, **mistakes):
    """AdaGrad; ``avg_beta``: the mistake of a running average s ← βs + (1 − β)g² instead of the sum."""
    return _adaptive(th, g, s, lr, avg_beta, eps, avg=avg_beta is not None, **mistakes)


_rmsprop = functools.partial(_adaptive, avg=True)


def _adaptive_variants(rule_fn, state, rule):
    common = [
        (f"{state} collects g instead of g² — square the gradient (elementwise): {rule}.", dict(square=False)),
        (f"{state} collects |g| instead of g² — square the gradient: {rule}.", dict(abs_=True)),
        (f"ε is inside the square root — add it outside: θ ← θ − α g/(√{state} + ε).", dict(eps_inside=True)),
        (f"θ is updated with the old {state} — update {state} first ({rule}), then use the new one.",
         dict(old=True)),
        (f"the square root is missing — divide by √{state} + ε, not {state} + ε.", dict(sqrt=False)),
        ("θ moves uphill — a sign error: θ ← θ − α g/(…).", dict(sign=1)),
    ]
    return [(m, _variant(rule_fn, **kw)) for m, kw in common]


_ADAGRAD_VARIANTS = _adaptive_variants(_adagrad, "s", "s ← s + g²") + [
    ("s is replaced by g² instead of accumulated — AdaGrad sums: s ← s + g².", _variant(_adagrad, accumulate=False)),
] + [("s is a running average (that is RMSProp) — AdaGrad sums every squared gradient, s ← s + g², so its "
      "steps keep shrinking.", _variant(_adagrad, avg_beta=beta)) for beta in (0.9, 0.99, 0.999, 0.95, 0.5)]
_RMSPROP_VARIANTS = _adaptive_variants(_rmsprop, "v", "v ← β2 v + (1 − β2) g²") + [
    ("β2 and 1 − β2 are swapped — the old average keeps the weight β2: v ← β2 v + (1 − β2) g².",
     _variant(_rmsprop, swap=True)),
    ("the (1 − β2) in front of g² is missing — v ← β2 v + (1 − β2) g².", _variant(_rmsprop, one_minus=False)),
    ("v is a running sum (that is AdaGrad) — RMSProp averages: v ← β2 v + (1 − β2) g².",
     _variant(_adaptive, avg=False)),
    ("t is ignored — when t is given, step with the bias-corrected v̂ = v/(1 − β2ᵗ).", _variant(_rmsprop, t_ignored=True)),
    ("it returns the corrected v̂ — return the running average v itself; v̂ = v/(1 − β2ᵗ) is only used in the step.",
     _variant(_rmsprop, return_hat=True)),
    ("t is counted from 0 — the first step has t = 1, so use 1 − β2ᵗ with the t you are given.",
     _variant(_rmsprop, dt=-1)),
    ("the bias correction uses t + 1 — the t you are given already counts from 1: use 1 − β2ᵗ.",
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
                missing="rmsprop_step has no t argument — the exercise asks for an optional t, "
                        "rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None): when t is given, step with the "
                        "bias-corrected v̂ = v/(1 − β2ᵗ) (your steps without t are right).")


# --------------------------------------------------------------------------- lesson 05: Adam
def _adam_cases(weight_decay=None):
    r = _rng()
    wd = () if weight_decay is None else (weight_decay,)

    def case(label, shape, t, lr, b1, b2, eps, *, zero=False, bc=True, batched=False, v_scale=0.5):
        m = np.zeros(shape) if zero else r.normal(size=shape) * 0.3
        v = np.zeros(shape) if zero else _arrays(r, shape, positive=True, scale=v_scale)
        args = (r.normal(size=shape), r.normal(size=shape), m, v, t, lr, b1, b2, eps) + wd + (bc,)
        return _Case(label, args, batched, needs=len(args) - (1 if bc else 0))

    return [case("the first step (t = 1, m = v = 0)", (3,), 1, 0.1, 0.9, 0.999, 1e-8, zero=True),
            case("step t = 4 with m and v from earlier steps", (3,), 4, 0.05, 0.8, 0.95, 1e-8),
            case("step t = 3 with a large ε = 0.1", (2,), 3, 0.1, 0.9, 0.99, 0.1, v_scale=0.01),
            case("bias_correction=False at t = 2", (3,), 2, 0.1, 0.9, 0.99, 1e-8, bc=False),
            case("a batch of θ's of shape (4, 3) at t = 2", (4, 3), 2, 0.01, 0.9, 0.999, 1e-8, batched=True),
            case("a batch of θ's of shape (2, 3, 2) at t = 7", (2, 3, 2), 7, 0.05, 0.7, 0.9, 1e-6,
                 batched=True),
            case("the first step with bias_correction=False (t = 1, m = v = 0)", (3,), 1, 0.1, 0.9, 0.999, 1e-8,
                 zero=True, bc=False),
            case("bias_correction=False on a batch of shape (4, 3) at t = 5", (4, 3), 5, 0.05, 0.8, 0.95, 1e-8,
                 bc=False, batched=True)]


def _adam(th, g, m, v, t, lr, b1, b2, eps, bc=True, *, corr_m=True, corr_v=True, dt=0, eps_inside=False,
          eps_hat=False, square=True, abs_=False, swap_weights=False, swap_betas=False, sign=-1, old=False,
          sqrt=True, one_minus=True, flag="obeyed", return_hat=False):
    """Adam with mistake switches. ``flag``: how bias_correction is read — "obeyed", "ignored" (always
    corrects), "inverted", "keeps_m" / "keeps_v" (False switches off only v's / only m's correction)."""
    if swap_betas:
        b1, b2 = b2, b1
    w1, w2 = (b1, b2) if not swap_weights else (1 - b1, 1 - b2)
    o1, o2 = ((1 - b1), (1 - b2)) if not swap_weights else (b1, b2)
    if not one_minus:
        o1 = o2 = 1.0
    new_m = w1 * m + o1 * g
    new_v = w2 * v + o2 * (np.abs(g) if abs_ else g * g if square else g)
    mm, vv = (m, v) if old else (new_m, new_v)
    bc = {"obeyed": bc, "ignored": True, "inverted": not bc}.get(flag, bc)
    te = t + dt
    c1 = (1 - b1 ** te) if ((bc or flag == "keeps_m") and corr_m) else 1.0
    c2 = (1 - b2 ** te) if ((bc or flag == "keeps_v") and corr_v) else 1.0
    m_hat, v_hat = mm / c1, vv / c2
    root = np.sqrt if sqrt else (lambda x: x)
    if eps_hat:
        den = (root(vv) + eps) / np.sqrt(c2)
    elif eps_inside:
        den = root(v_hat + eps)
    else:
        den = root(v_hat) + eps
    return (th + sign * lr * m_hat / den,) + ((m_hat, v_hat) if return_hat else (new_m, new_v))


# Adam mistakes whose message check_adamw_step reuses
_RETURN_HAT = ("it returns the corrected m̂ and v̂ — return the running averages m and v themselves; m̂ = m/(1 − β1ᵗ) "
               "and v̂ = v/(1 − β2ᵗ) are only used in the step.")
_FLAG_INVERTED = ("bias_correction is inverted — correct m and v when it is True, and use m and v themselves when "
                  "it is False.")
_FLAG_KEEPS_V = ("bias_correction=False still corrects v — without the correction use both m and v themselves: "
                 "θ ← θ − α m/(√v + ε).")
_FLAG_KEEPS_M = ("bias_correction=False still corrects m — without the correction use both m and v themselves: "
                 "θ ← θ − α m/(√v + ε).")
_PAPER_FORM = ("this is the Adam paper's efficient form θ ← θ − α·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε), where ε is "
               "added to √v before the correction, so it sits in a different place (it acts like ε·√(1 − β2ᵗ)) — "
               "the course's rule adds ε to the corrected √v̂: θ ← θ − α m̂/(√v̂ + ε).")
_SHARED_VARIANTS = [(_FLAG_INVERTED, dict(flag="inverted")), (_FLAG_KEEPS_V, dict(flag="keeps_v")),
                    (_FLAG_KEEPS_M, dict(flag="keeps_m")), (_RETURN_HAT, dict(return_hat=True)),
                    (_PAPER_FORM, dict(eps_hat=True))]


def _no_flag(call):
    return (f"{call.split('(')[0]} has no bias_correction argument — the exercise asks for {call}: with "
            "bias_correction=False step with m and v themselves instead of m̂ and v̂ (your corrected steps are right).")


_ADAM_VARIANTS = [
    ("the bias correction is missing — with bias_correction=True use m̂ = m/(1 − β1ᵗ) and "
     "v̂ = v/(1 − β2ᵗ) in the update.", _variant(_adam, corr_m=False, corr_v=False)),
    ("only m is bias-corrected — correct v as well: v̂ = v/(1 − β2ᵗ).", _variant(_adam, corr_v=False)),
    ("only v is bias-corrected — correct m as well: m̂ = m/(1 − β1ᵗ).", _variant(_adam, corr_m=False)),
    ("t is counted from 0 — the first step has t = 1, so use 1 − β1ᵗ and 1 − β2ᵗ with the t you are given.",
     _variant(_adam, dt=-1)),
    ("the bias correction uses t + 1 — the t you are given already counts from 1: use 1 − β1ᵗ and 1 − β2ᵗ.",
     _variant(_adam, dt=1)),
    ("ε is inside the square root — add it outside: θ ← θ − α m̂/(√v̂ + ε).", _variant(_adam, eps_inside=True)),
    ("v collects g instead of g² — square the gradient: v ← β2 v + (1 − β2) g².", _variant(_adam, square=False)),
    ("v collects |g| instead of g² — square the gradient: v ← β2 v + (1 − β2) g².", _variant(_adam, abs_=True)),
    ("β and 1 − β are swapped — the old average keeps the weight β: m ← β1 m + (1 − β1) g, "
     "v ← β2 v + (1 − β2) g².", _variant(_adam, swap_weights=True)),
    ("β1 and β2 are swapped — m uses β1 and v uses β2.", _variant(_adam, swap_betas=True)),
    ("the (1 − β) factors are missing — m ← β1 m + (1 − β1) g and v ← β2 v + (1 − β2) g².",
     _variant(_adam, one_minus=False)),
    ("θ moves uphill — a sign error: θ ← θ − α m̂/(√v̂ + ε).", _variant(_adam, sign=1)),
    ("θ is updated with the old m and v — update m and v first, then use the new ones.", _variant(_adam, old=True)),
    ("the square root is missing — divide by √v̂ + ε.", _variant(_adam, sqrt=False)),
    ("bias_correction=False is ignored — without the correction the rule is θ ← θ − α m/(√v + ε).",
     _variant(_adam, flag="ignored")),
] + [(message, _variant(_adam, **mistake)) for message, mistake in _SHARED_VARIANTS]


@_public
def check_adam_step(adam_step):
    """Check lesson 05's ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True)``."""
    _check_rule("adam_step", adam_step, _rules.adam_step, _adam_cases(), ("θ", "m", "v"), _ADAM_VARIANTS,
                specs.ADAM.rule_arguments,
                missing=_no_flag("adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True)"))

