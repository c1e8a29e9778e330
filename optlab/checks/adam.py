"""Checks for lesson 05: Adam (with its bias-correction switch) and the uncorrected step's size."""
from __future__ import annotations

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _call, _fail, _kind, _public, _register, _variant
from ._adam_family import _M_RULE, _SHARED_VARIANTS, _V_RULE, _adam, _adam_cases, _no_flag
from ._rule import _check_rule


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
