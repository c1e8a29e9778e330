"""The Adam family's shared pieces for the checks of lessons 05 and 06: cases, a switchable Adam and its mistakes.

``check_adam_step`` (:mod:`.adam`) and ``check_adamw_step`` (:mod:`.beyond`) both use them: AdamW is Adam plus a
decoupled decay, so every Adam mistake is an AdamW mistake too.
"""
from __future__ import annotations

import numpy as np

from ._core import _arrays, _rng
from ._rule import _Case


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
          sqrt=True, one_minus_m=True, one_minus_v=True, beta1_on=True, beta2_on=True, flag="obeyed",
          return_hat=False, eps_on=True):
    """Adam with mistake switches. ``flag``: how bias_correction is read — "obeyed", "ignored" (always
    corrects), "inverted", "keeps_m" / "keeps_v" (False switches off only v's / only m's correction)."""
    if swap_betas:
        b1, b2 = b2, b1
    w1, w2 = (b1, b2) if not swap_weights else (1 - b1, 1 - b2)
    o1, o2 = ((1 - b1), (1 - b2)) if not swap_weights else (b1, b2)
    o1, o2 = (o1 if one_minus_m else 1.0), (o2 if one_minus_v else 1.0)
    w1, w2 = (w1 if beta1_on else 1.0), (w2 if beta2_on else 1.0)
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
        den = root(v_hat) + (eps if eps_on else 0.0)
    return (th + sign * lr * m_hat / den,) + ((m_hat, v_hat) if return_hat else (new_m, new_v))


_M_RULE, _V_RULE = "m ← β1 m + (1 − β1) g", "v ← β2 v + (1 − β2) g²"
# Adam mistakes whose message check_adamw_step reuses: (verdict, detail, mistake switches)
_SHARED_VARIANTS = [
    ("bias_correction is inverted",
     "Correct m and v when it is True, and use m and v themselves when it is False.", dict(flag="inverted")),
    ("bias_correction=False still corrects v",
     "Without the correction use both m and v themselves: θ ← θ − α m/(√v + ε).", dict(flag="keeps_v")),
    ("bias_correction=False still corrects m",
     "Without the correction use both m and v themselves: θ ← θ − α m/(√v + ε).", dict(flag="keeps_m")),
    ("it returns the corrected m̂ and v̂, not m and v",
     "Return the running averages m and v themselves; m̂ = m/(1 − β1ᵗ) and v̂ = v/(1 − β2ᵗ) are only used in "
     "the step.", dict(return_hat=True)),
    ("this is the Adam paper's efficient form, with ε elsewhere",
     "θ ← θ − α·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε) adds ε to √v before the correction, so it acts like "
     "ε·√(1 − β2ᵗ) — the course's rule adds ε to the corrected √v̂: θ ← θ − α m̂/(√v̂ + ε).", dict(eps_hat=True)),
    ("the bias correction is missing",
     "With bias_correction=True use m̂ = m/(1 − β1ᵗ) and v̂ = v/(1 − β2ᵗ) in the update.",
     dict(corr_m=False, corr_v=False)),
    ("t is counted from 0", "The first step has t = 1, so use 1 − β1ᵗ and 1 − β2ᵗ with the t you are given.",
     dict(dt=-1)),
    ("ε is inside the square root", "Add it outside: θ ← θ − α m̂/(√v̂ + ε).", dict(eps_inside=True)),
    ("ε is missing", "Add it to the root: θ ← θ − α m̂/(√v̂ + ε); it keeps the step finite where v̂ is tiny.",
     dict(eps_on=False)),
    ("v collects g instead of g²", f"Square the gradient: {_V_RULE}.", dict(square=False)),
    ("θ moves uphill — a sign error", "θ ← θ − α m̂/(√v̂ + ε).", dict(sign=1)),
    ("θ is updated with the old m and v", "Update m and v first, then use the new ones.", dict(old=True)),
    ("bias_correction=False is ignored", "Without the correction the rule is θ ← θ − α m/(√v + ε).",
     dict(flag="ignored")),
    ("β2 is missing — the old v must decay", f"{_V_RULE}.", dict(beta2_on=False)),
    ("the (1 − β1) in front of g is missing", f"{_M_RULE} (v is right).", dict(one_minus_m=False)),
]


def _no_flag(call):
    return (f"{call.split('(')[0]} has no bias_correction argument",
            f"The exercise asks for {call}: with bias_correction=False step with m and v themselves instead of "
            "m̂ and v̂ (your corrected steps are right).")
