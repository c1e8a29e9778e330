"""Checks for lesson 05: Adam (with its bias-correction switch), the uncorrected step's size, and AMSGrad."""
from __future__ import annotations

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _arrays, _call, _fail, _kind, _public, _register, _rng, _variant
from ._adam_family import _M_RULE, _SHARED_VARIANTS, _V_RULE, _adam, _adam_cases, _no_flag
from ._rule import _Case, _check_rule


_ADAM_VARIANTS = [(verdict, detail, _variant(_adam, **kw)) for verdict, detail, kw in _SHARED_VARIANTS] + [
    ("only m is bias-corrected", "Correct v as well: v̂ = v/(1 − β2ᵗ).", _variant(_adam, corr_v=False)),
    ("only v is bias-corrected", "Correct m as well: m̂ = m/(1 − β1ᵗ).", _variant(_adam, corr_m=False)),
    ("the bias correction uses t + 1", "The t you are given already counts from 1: use 1 − β1ᵗ and 1 − β2ᵗ.",
     _variant(_adam, dt=1)),
    ("v collects |g| instead of g²", f"Square the gradient: {_V_RULE}.", _variant(_adam, abs_=True)),
    ("β and 1 − β are swapped", f"The old average keeps the weight β: {_M_RULE}, {_V_RULE}.",
     _variant(_adam, swap_weights=True)),
    ("β1 and β2 are swapped", "m uses β1 and v uses β2.", _variant(_adam, swap_betas=True)),
    ("the (1 − β) factors are missing", f"{_M_RULE} and {_V_RULE}.", _variant(_adam, one_minus_m=False,
                                                                               one_minus_v=False)),
    ("the (1 − β2) in front of g² is missing", f"{_V_RULE} (m is right).", _variant(_adam, one_minus_v=False)),
    ("β1 is missing — the old m must decay", f"{_M_RULE}.", _variant(_adam, beta1_on=False)),
    ("the square root is missing", "Divide by √v̂ + ε.", _variant(_adam, sqrt=False)),
]


@_public
def check_adam_step(adam_step):
    """Check lesson 05's ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True)``."""
    _check_rule("adam_step", adam_step, _rules.adam_step, _adam_cases(), ("θ", "m", "v"), _ADAM_VARIANTS,
                specs.ADAM.rule_arguments,
                missing=_no_flag("adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True)"))


# --------------------------------------------------------------------------- the uncorrected step (lesson 05)
def reference_uncorrected_step_ratio(t, beta1, beta2):
    """optlab's answer to lesson 05's ``uncorrected_step_ratio``: (1 − β1ᵗ)/√(1 − β2ᵗ)."""
    return (1 - beta1 ** t) / np.sqrt(1 - beta2 ** t)


def _measured_ratio(t, beta1, beta2):
    """The uncorrected step over the corrected one at step t, from runs of optlab's Adam on a constant gradient."""
    g = np.array([0.3, -2.0])                         # constant gradient, any size
    theta_c = theta_u = np.zeros(2)
    m_c = v_c = m_u = v_u = np.zeros(2)
    for k in range(1, t + 1):
        new_c, m_c, v_c = _rules.adam_step(theta_c, g, m_c, v_c, k, lr=1.0, beta1=beta1, beta2=beta2, eps=1e-300)
        new_u, m_u, v_u = _rules.adam_step(theta_u, g, m_u, v_u, k, lr=1.0, beta1=beta1, beta2=beta2, eps=1e-300,
                                           bias_correction=False)
        step_c, step_u = new_c - theta_c, new_u - theta_u
        theta_c, theta_u = new_c, new_u
    return float(np.abs(step_u[0] / step_c[0]))


@_public
def check_uncorrected_step_ratio(uncorrected_step_ratio):
    """Check lesson 05's ``uncorrected_step_ratio(t, beta1, beta2)`` against measured Adam runs at four (t, β1, β2)."""
    name = "uncorrected_step_ratio"
    for t, beta1, beta2 in [(1, 0.9, 0.999), (12, 0.9, 0.999), (50, 0.8, 0.99), (3, 0.0, 0.5)]:
        out = _call(name, uncorrected_step_ratio, (t, beta1, beta2), returns="ratio")
        if _kind(out) != "number" and np.size(out) != 1:
            _fail(f"{name} returns a {_kind(out)}, not a number",
                  "Return the ratio of the two step lengths, one number.")
        got, want = float(np.asarray(out, dtype=float).reshape(())), _measured_ratio(t, beta1, beta2)
        if np.isclose(got, want, rtol=1e-9):
            continue
        if t == 1 and np.isnan(got):
            _fail(f"{name}: t is counted from 0 — at t = 1 it divides 0 by 0",
                  "At step t the corrections are 1 − β1ᵗ and 1 − β2ᵗ, with t from 1.")
        named = [(1 / want, "it is inverted — corrected over uncorrected",
                  "The uncorrected step is m/√v; divide it by the corrected m̂/√v̂."),
                 ((1 - beta1 ** t) / (1 - beta2 ** t), "the square root on v's correction is missing",
                  "v is a squared gradient, so its correction 1 − β2ᵗ enters under a square root."),
                 ((1 - beta1 ** (t - 1)) / np.sqrt(1 - beta2 ** (t - 1)) if t > 1 else np.nan,
                  "t is counted from 0", "At step t the corrections are 1 − β1ᵗ and 1 − β2ᵗ, with t from 1."),
                 (1 - beta1 ** t, "v's correction is left out", "The ratio is (1 − β1ᵗ)/√(1 − β2ᵗ)."),
                 (1 / np.sqrt(1 - beta2 ** t), "m's correction is left out", "The ratio is (1 − β1ᵗ)/√(1 − β2ᵗ).")]
        for value, verdict, detail in named:
            if np.isclose(got, value, rtol=1e-9):
                _fail(f"{name}: {verdict}", detail)
        _fail(f"{name}(t={t}, beta1={beta1}, beta2={beta2}) is wrong",
              f"It should be {want:.6f}, as measured runs of optlab's Adam give, but it returned {got:.6g}.")
    print(f"✓ uncorrected_step_ratio is correct — it matches measured Adam runs; at t = 1 with β1 = 0.9, β2 = 0.999 "
          f"the uncorrected step is {_measured_ratio(1, 0.9, 0.999):.2f} times the corrected one.")


_register("adam_step", "05", check_adam_step, _rules.adam_step, _ADAM_VARIANTS + ["has no bias_correction argument"])
_register("uncorrected_step_ratio", "05", check_uncorrected_step_ratio, reference_uncorrected_step_ratio,
          ["it is inverted", "the square root on v's correction is missing", "t is counted from 0",
           "v's correction is left out", "m's correction is left out"])


# --------------------------------------------------------------------------- AMSGrad (lesson 05)
def _amsgrad_cases():
    r = _rng()

    def case(label, shape, t, lr, b1, b2, eps, *, zero=False, v_max_scale=1.0, batched=False):
        m = np.zeros(shape) if zero else r.normal(size=shape) * 0.3
        v = np.zeros(shape) if zero else _arrays(r, shape, positive=True, scale=0.5)
        # v_max ≥ v (it is a maximum of earlier v's); the scale decides whether the new v overtakes it
        v_max = np.zeros(shape) if zero else v + _arrays(r, shape, positive=True, scale=v_max_scale)
        return _Case(label, (r.normal(size=shape), r.normal(size=shape) * 2, m, v, v_max, t, lr, b1, b2, eps), batched)

    return [case("the first step (t = 1, m = v = v_max = 0)", (3,), 1, 0.1, 0.9, 0.999, 1e-8, zero=True),
            case("step t = 4, a large v_max that the new v stays below", (3,), 4, 0.05, 0.8, 0.95, 1e-8,
                 v_max_scale=2.0),
            case("step t = 3, a v_max just above v (some coordinates overtake it)", (4,), 3, 0.1, 0.9, 0.5, 1e-8,
                 v_max_scale=0.02),
            case("step t = 5 with a large ε = 0.1", (2,), 5, 0.1, 0.9, 0.99, 0.1),
            case("a batch of θ's of shape (4, 3) at t = 2", (4, 3), 2, 0.01, 0.9, 0.999, 1e-8, batched=True),
            case("a batch of θ's of shape (2, 3, 2) at t = 7", (2, 3, 2), 7, 0.05, 0.7, 0.9, 1e-6,
                 v_max_scale=0.05, batched=True)]


def _amsgrad(th, g, m, v, v_max, t, lr, b1, b2, eps, *, max_of="v", use_max=True, update_max=True, corr=True,
             corr_m=True, overwrite_v=False, sign=-1, dt=0, eps_inside=False, square=True, eps_on=True):
    """AMSGrad with mistake switches. ``max_of``: what v_max keeps the maximum of — "v" (right), "old v", "v_hat"
    (the corrected v̂; then no further correction) or "g2"."""
    new_m = b1 * m + (1 - b1) * g
    new_v = b2 * v + (1 - b2) * (g * g if square else g)
    te = t + dt
    c2 = 1 - b2 ** te
    seen = {"v": new_v, "old v": v, "v_hat": new_v / c2, "g2": g * g}[max_of]
    new_max = np.maximum(v_max, seen) if update_max else v_max
    scale = np.maximum(v_max, seen) if use_max else new_v
    if max_of == "v_hat" or not corr:
        c2 = 1.0
    m_hat = new_m / (1 - b1 ** te) if corr_m else new_m
    den = np.sqrt(scale / c2 + eps) if eps_inside else np.sqrt(scale / c2) + (eps if eps_on else 0.0)
    if overwrite_v:
        new_v = new_max
    return th + sign * lr * m_hat / den, new_m, new_v, new_max


_AMS_RULE = "v_max ← max(v_max, v), then θ ← θ − α m̂/(√(v_max/(1 − β2ᵗ)) + ε)"
_AMSGRAD_VARIANTS = [
    ("it divides by v, not by the maximum v_max — that is Adam",
     f"Keep the running maximum and divide by it: {_AMS_RULE}.", _variant(_amsgrad, use_max=False)),
    ("v_max is never updated", f"Update it with the new v and return it: {_AMS_RULE}.",
     _variant(_amsgrad, update_max=False)),
    ("v_max is never updated", f"Update it with the new v and return it: {_AMS_RULE}.",
     _variant(_amsgrad, update_max=False, use_max=False)),
    ("the maximum is taken with the old v", "Update v first, v ← β2 v + (1 − β2) g², then v_max ← max(v_max, v).",
     _variant(_amsgrad, max_of="old v")),
    ("v_max keeps the maximum of the corrected v̂",
     "Keep the maximum of the uncorrected v (as torch does) and divide it by 1 − β2ᵗ in the step.",
     _variant(_amsgrad, max_of="v_hat")),
    ("v_max is not divided by 1 − β2ᵗ in the step",
     f"Correct the maximum as Adam corrects v: {_AMS_RULE}.", _variant(_amsgrad, corr=False)),
    ("v_max keeps the maximum of g², not of v",
     "v_max ← max(v_max, v), with v the running average β2 v + (1 − β2) g².", _variant(_amsgrad, max_of="g2")),
    ("v is overwritten by the maximum — keep v the running average",
     "Return the new v = β2 v + (1 − β2) g² itself, and the maximum separately as v_max.",
     _variant(_amsgrad, overwrite_v=True)),
    ("m is not bias-corrected", "Divide m by 1 − β1ᵗ, as in Adam.", _variant(_amsgrad, corr_m=False)),
    ("θ moves uphill — a sign error", f"{_AMS_RULE}.", _variant(_amsgrad, sign=1)),
    ("t is counted from 0", "The first step has t = 1: use 1 − β1ᵗ and 1 − β2ᵗ with the t you are given.",
     _variant(_amsgrad, dt=-1)),
    ("ε is inside the square root", "Add it outside: √(v_max/(1 − β2ᵗ)) + ε.", _variant(_amsgrad, eps_inside=True)),
    ("ε is missing", "Add it to the root: √(v_max/(1 − β2ᵗ)) + ε; it keeps the step finite where v_max is tiny.",
     _variant(_amsgrad, eps_on=False)),
    ("v collects g instead of g²", "Square the gradient: v ← β2 v + (1 − β2) g².", _variant(_amsgrad, square=False)),
]


@_public
def check_amsgrad_step(amsgrad_step):
    """Check lesson 05's ``amsgrad_step(theta, grad, m, v, v_max, t, lr, beta1, beta2, eps)`` (torch's AMSGrad)."""
    _check_rule("amsgrad_step", amsgrad_step, _rules.amsgrad_step, _amsgrad_cases(), ("θ", "m", "v", "v_max"),
                _AMSGRAD_VARIANTS, ("theta", "grad", "m", "v", "v_max", "t", "lr", "beta1", "beta2", "eps"))


_register("amsgrad_step", "05", check_amsgrad_step, _rules.amsgrad_step, _AMSGRAD_VARIANTS)
