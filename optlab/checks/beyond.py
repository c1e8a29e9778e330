"""Checks for lesson 06: AdamW's decoupled weight decay and the learning-rate schedules."""
from __future__ import annotations

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _public, _register, _variant
from ._rule import _Case, _check_rule
from ._adam_family import _SHARED_VARIANTS, _adam, _adam_cases, _no_flag


def _float_if_scalar(out):
    """A schedule called with one t gives a float; with an array of t's, an array."""
    return float(out) if out.ndim == 0 else out


def cosine_lr(t, total_steps, lr_max, lr_min=0.0):
    """Cosine-annealed learning rate at step t ≥ 1 (lesson 06); optlab.schedules.cosine × lr_max."""
    t = np.asarray(t, dtype=float)
    frac = np.minimum(t - 1, total_steps) / total_steps
    out = lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * frac)) / 2
    return _float_if_scalar(out)


def warmup_lr(t, warmup_steps, lr_max):
    """Linear warm-up lr_max·min(t/W, 1) at step t ≥ 1 (lesson 06); optlab.schedules.linear_warmup."""
    out = lr_max * np.minimum(np.asarray(t, dtype=float) / warmup_steps, 1.0)
    return _float_if_scalar(out)


def warmup_cosine_lr(t, warmup_steps, total_steps, lr_max, lr_min=0.0):
    """Warm-up for t ≤ W, then cosine annealing over the remaining total_steps − W steps (lesson 06)."""
    t = np.asarray(t, dtype=float)
    after = cosine_lr(np.maximum(t - warmup_steps, 1), total_steps - warmup_steps, lr_max, lr_min)
    out = np.where(t <= warmup_steps, lr_max * t / warmup_steps, after)
    return _float_if_scalar(out)


# --------------------------------------------------------------------------- AdamW
def _adamw(th, g, m, v, t, lr, b1, b2, eps, wd, bc=True, *, mode="decoupled", **kw):
    if mode == "l2":
        return _adam(th, g + wd * th, m, v, t, lr, b1, b2, eps, bc, **kw)
    th2, m2, v2 = _adam(th, g, m, v, t, lr, b1, b2, eps, bc, **kw)
    decay = {"decoupled": lr * wd * th, "none": 0.0, "no_lr": wd * th, "sign": -lr * wd * th,
             "after": lr * wd * th2}[mode]
    return th2 - decay, m2, v2


_ADAMW_RULE = "θ ← θ − α(m̂/(√v̂ + ε) + λθ)"
_ADAMW_VARIANTS = [
    ("λθ is added to the gradient (that is L2 regularisation)",
     f"AdamW decouples the decay: m and v see only g, and {_ADAMW_RULE}.", _variant(_adamw, mode="l2")),
    ("the weight decay is missing", f"Subtract α λ θ as well: {_ADAMW_RULE}.", _variant(_adamw, mode="none")),
    ("the decay is λθ instead of α λθ", f"The learning rate scales the decay too: {_ADAMW_RULE}.",
     _variant(_adamw, mode="no_lr")),
    ("the decay pushes θ away from 0 — a sign error", f"{_ADAMW_RULE}.", _variant(_adamw, mode="sign")),
    ("the decay uses the already-updated θ", f"Decay the θ you were given: {_ADAMW_RULE}.",
     _variant(_adamw, mode="after")),
] + [(verdict, detail, _variant(_adamw, **mistake)) for verdict, detail, mistake in _SHARED_VARIANTS]


@_public
def check_adamw_step(adamw_step):
    """Check lesson 06's ``adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction=True)``."""
    _check_rule("adamw_step", adamw_step, _rules.adamw_step, _adam_cases(weight_decay=0.5), ("θ", "m", "v"),
                _ADAMW_VARIANTS,
                specs.ADAMW.rule_arguments,
                missing=_no_flag("adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, "
                                 "bias_correction=True)"))


_register("adamw_step", "06", check_adamw_step, _rules.adamw_step, _ADAMW_VARIANTS + ["has no bias_correction argument"])


# --------------------------------------------------------------------------- lesson 06: schedules
_ARRAY_HINT = ("t may be an array of steps, so use numpy functions (np.minimum, np.cos, np.where) "
               "instead of min, math.cos or if.")


def _cosine_cases():
    return [_Case("t = 1, the first step (T = 100, lr_max = 0.1)", (1, 100, 0.1, 0.0), needs=3),
            _Case("t = 51, half-way (T = 100)", (51, 100, 0.1, 0.0), needs=3),
            _Case("t = 26 with lr_min = 0.01", (26, 100, 0.1, 0.01)),
            _Case("t = 150, after the T = 100 steps", (150, 100, 0.1, 0.01)),
            _Case("an array of steps t = 1…120", (np.arange(1, 121), 100, 0.2, 0.02), True)]


def _cos(t, T, hi, lo=0.0, *, dt=0, clamp=True, use_min=True, half=True, period=1.0, scale_min=True, mult=False):
    t = np.asarray(t, dtype=float) + dt
    frac = (np.minimum(t - 1, T) if clamp else t - 1) / T
    wave = (1 + np.cos(period * np.pi * frac)) / (2 if half else 1)
    if mult:
        return wave
    lo = lo if use_min else 0.0
    return lo + ((hi - lo) if scale_min else hi) * wave


_COSINE_VARIANTS = [
    ("t is counted from 0", "At t = 1 the rate must still be lr_max, so use (t − 1)/T.", _variant(_cos, dt=1)),
    ("after total_steps the cosine comes back up", "Hold lr_min for t > T, e.g. with np.minimum(t − 1, T).",
     _variant(_cos, clamp=False)),
    ("lr_min is ignored", "The rate goes from lr_max down to lr_min: lr_min + (lr_max − lr_min)(1 + cos(…))/2.",
     _variant(_cos, use_min=False)),
    ("lr_min is added on top of the full lr_max", "Scale the cosine by lr_max − lr_min.",
     _variant(_cos, scale_min=False)),
    ("the /2 is missing", "(1 + cos(…))/2 runs from 1 to 0.", _variant(_cos, half=False)),
    ("the cosine makes a full period", "Use cos(π (t − 1)/T), which falls from 1 to −1 once.",
     _variant(_cos, period=2.0)),
    ("it returns the multiplier, not the learning rate", "Scale it: lr_min + (lr_max − lr_min)·(…).",
     _variant(_cos, mult=True)),
]


def _warm(t, W, hi, *, dt=0, clamp=True, floor=False, mult=False):
    t = np.asarray(t, dtype=float) + dt
    frac = np.floor(t / W) if floor else t / W
    frac = np.minimum(frac, 1.0) if clamp else frac
    return frac if mult else hi * frac


_WARMUP_CASES = [_Case("t = 1, the first step (W = 10, lr_max = 0.1)", (1, 10, 0.1)),
                 _Case("t = 5 (W = 10)", (5, 10, 0.1)),
                 _Case("t = 10, the end of the warm-up", (10, 10, 0.3)),
                 _Case("t = 25, after the warm-up", (25, 10, 0.3)),
                 _Case("an array of steps t = 1…30", (np.arange(1, 31), 10, 0.2), True)]

_WARMUP_VARIANTS = [
    ("the first step gets lr = 0 (t counted from 0)", "Use t/W, so step 1 already has lr_max/W.",
     _variant(_warm, dt=-1)),
    ("the rate keeps growing after the warm-up", "Cap it at lr_max: lr_max·min(t/W, 1).", _variant(_warm, clamp=False)),
    ("t // W is integer division", "Use t / W.", _variant(_warm, floor=True)),
    ("it returns the multiplier, not the learning rate", "Multiply by lr_max.", _variant(_warm, mult=True)),
]


def _wc(t, W, T, hi, lo=0.0, *, restart=True, remaining=True, warm_dt=0, cos_dt=0):
    t = np.asarray(t, dtype=float)
    tc = np.maximum(t - W, 1) if restart else t
    after = _cos(tc, (T - W) if remaining else T, hi, lo, dt=cos_dt)
    return np.where(t <= W, hi * (t + warm_dt) / W, after)


_WC_CASES = [_Case("t = 1, the first step (W = 10, T = 110, lr_max = 0.1)", (1, 10, 110, 0.1, 0.0), needs=4),
             _Case("t = 10, the end of the warm-up", (10, 10, 110, 0.1, 0.0), needs=4),
             _Case("t = 11, the first step after the warm-up", (11, 10, 110, 0.1, 0.01)),
             _Case("t = 60, half-way through the cosine", (60, 10, 110, 0.1, 0.01)),
             _Case("t = 200, after the schedule", (200, 10, 110, 0.1, 0.01)),
             _Case("an array of steps t = 1…130", (np.arange(1, 131), 10, 110, 0.2, 0.02), True)]

_WC_VARIANTS = [
    ("the cosine does not restart after the warm-up",
     "Run it on t − W over the total_steps − W steps left, so it starts at lr_max.",
     _variant(_wc, restart=False, remaining=False)),
    ("the cosine does not restart after the warm-up", "Run it on t − W so it starts at lr_max.",
     _variant(_wc, restart=False)),
    ("the cosine anneals over total_steps", "After the warm-up only total_steps − warmup_steps steps remain.",
     _variant(_wc, remaining=False)),
    ("the first step gets lr = 0 (t counted from 0)", "Warm up with t/W.", _variant(_wc, warm_dt=-1)),
    ("the cosine part counts t from 0", "At its first step the rate must be lr_max.", _variant(_wc, cos_dt=1)),
]


def _check_lr(name, fn, cases, variants, arg_names, success):
    """Check a schedule against the reference of the same name, for one t and for arrays of t."""
    __tracebackhide__ = True
    _check_rule(name, fn, globals()[name], cases, ("learning rate",), variants, arg_names,
                hint_batched=_ARRAY_HINT, single="a single t", success=success)


@_public
def check_cosine_schedule(cosine_lr):
    """Check lesson 06's ``cosine_lr(t, total_steps, lr_max, lr_min=0.0)`` (t from 1, scalar or array)."""
    _check_lr("cosine_lr", cosine_lr, _cosine_cases(), _COSINE_VARIANTS, ("t", "total_steps", "lr_max", "lr_min"),
              "✓ cosine_lr is correct — lr_max at t = 1, lr_min from t = T + 1 on, arrays of t work.")


@_public
def check_warmup_schedule(warmup_lr):
    """Check lesson 06's ``warmup_lr(t, warmup_steps, lr_max)`` = lr_max·min(t/W, 1)."""
    _check_lr("warmup_lr", warmup_lr, _WARMUP_CASES, _WARMUP_VARIANTS, ("t", "warmup_steps", "lr_max"),
              "✓ warmup_lr is correct — lr_max/W at t = 1, lr_max from t = W on, arrays of t work.")


@_public
def check_warmup_cosine_schedule(warmup_cosine_lr):
    """Check lesson 06's ``warmup_cosine_lr(t, warmup_steps, total_steps, lr_max, lr_min=0.0)``."""
    _check_lr("warmup_cosine_lr", warmup_cosine_lr, _WC_CASES, _WC_VARIANTS,
              ("t", "warmup_steps", "total_steps", "lr_max", "lr_min"),
              "✓ warmup_cosine_lr is correct — linear warm-up, then a cosine from lr_max to lr_min.")


@_public
def check_schedule(fn):
    """Check a lesson-06 schedule, choosing the check from its name (cosine_lr, warmup_lr, warmup_cosine_lr)."""
    __tracebackhide__ = True
    name = getattr(fn, "__name__", "")
    if "cos" in name and "warm" in name:
        return check_warmup_cosine_schedule(fn)
    if "cos" in name:
        return check_cosine_schedule(fn)
    if "warm" in name:
        return check_warmup_schedule(fn)
    raise ValueError(f"check_schedule does not know {name!r}: call check_cosine_schedule, "
                     "check_warmup_schedule or check_warmup_cosine_schedule directly.")


_register("cosine_lr", "06", check_cosine_schedule, cosine_lr, _COSINE_VARIANTS + ["works for a single t but fails"])
_register("warmup_lr", "06", check_warmup_schedule, warmup_lr, _WARMUP_VARIANTS + ["works for a single t but fails"])
_register("warmup_cosine_lr", "06", check_warmup_cosine_schedule, warmup_cosine_lr,
          _WC_VARIANTS + ["works for a single t but fails"])
