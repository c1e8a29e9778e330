"""Argument checks shared by optlab: each raises a ValueError naming the argument, its value and the allowed range.

Every helper accepts a Python scalar or an array (all elements are checked) and returns the value as a
``float`` (scalar input) or a float64 ``ndarray`` (array input), so callers can write
``lr = positive("lr", lr)`` and go on with clean numbers. Messages read like
``lr must be > 0 (got -0.1)`` or ``beta1 must be in [0, 1) (got 1.2)``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._format import fmt

__all__ = [
    "positive",
    "threshold",
    "unit_interval",
    "nonnegative",
    "finite_array",
    "real_array",
    "same_shape",
    "positive_int",
    "broadcastable",
    "flag",
    "no_negatives",
    "valid_batch_size",
]

# Plain Python numbers take a fast path: the optimizers call these helpers on every step.
_REAL = (int, float)


def _as_float(name: str, x):
    """Convert ``x`` to float / float64 array, or raise a ValueError naming ``name``.

    The kind of ``x`` is looked at before any conversion, so None (which numpy would turn into NaN), strings
    and complex numbers (which numpy would cast with a ComplexWarning) get a clear error instead.
    """
    if type(x) in _REAL:
        try:
            return float(x)
        except OverflowError:  # an int beyond float's range
            raise ValueError(f"{name} must be a real number within float's range (got an integer of "
                             f"{len(str(abs(x)))} digits)") from None
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real number, not a bool (got {x!r})")
    try:
        arr = x if isinstance(x, np.ndarray) else np.asarray(x)
    except (TypeError, ValueError):  # e.g. a ragged list
        raise ValueError(f"{name} must be a real number or an array of real numbers (got {x!r})") from None
    kind = arr.dtype.kind
    if kind not in "iuf":
        if kind == "c":
            raise ValueError(f"{name} must be real, not complex (got {fmt(x)})")
        if kind == "b":
            raise ValueError(f"{name} must hold real numbers, not bools (got {fmt(x)})")
        shown = repr(x) if isinstance(x, str) else fmt(x)  # quoted: "0.1" is text, not a number
        raise ValueError(f"{name} must be a real number or an array of real numbers (got {shown})")
    arr = np.asarray(arr, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


def _first_bad(arr: np.ndarray, ok: np.ndarray) -> str:
    """Describe the first element of ``arr`` where ``ok`` is False."""
    idx = tuple(int(i) for i in np.argwhere(~ok)[0])
    return f"{fmt(arr[idx])} at index {idx}"


def _check(name: str, x, ok_fn, rule: str):
    """Apply an elementwise predicate; raise ``ValueError('<name> must be <rule> (got ...)')`` if it fails."""
    value = _as_float(name, x)
    if isinstance(value, float):
        if not ok_fn(value):
            raise ValueError(f"{name} must be {_rule(rule, value)} (got {fmt(value)})")
        return value
    with np.errstate(invalid="ignore"):
        ok = np.asarray(ok_fn(value), dtype=bool)
    if not ok.all():
        bad = value[tuple(np.argwhere(~ok)[0])]
        raise ValueError(f"{name} must be {_rule(rule, bad)} (got {_first_bad(value, ok)})")
    return value


def _rule(rule: str, bad: float) -> str:
    """Say 'finite' too when the offending value is infinite, so '> 0 (got inf)' does not puzzle."""
    return rule + " and finite" if np.isinf(bad) and not rule.startswith("in ") else rule


def positive(name: str, x):
    """Check 0 < x < inf elementwise (learning rates, ε, ...)."""
    return _check(name, x, lambda v: (v > 0) & (v < np.inf), "> 0")


def threshold(name: str, x):
    """Check 0 < x <= inf elementwise (a clipping threshold, where inf means no clipping)."""
    return _check(name, x, lambda v: v > 0, "> 0 (inf: no clipping)")


def nonnegative(name: str, x):
    """Check 0 <= x < inf elementwise (weight decay, noise, ...)."""
    return _check(name, x, lambda v: (v >= 0) & (v < np.inf), ">= 0")


def unit_interval(name: str, x):
    """Check 0 <= x < 1 elementwise (β, β1, β2)."""
    return _check(name, x, lambda v: (v >= 0) & (v < 1), "in [0, 1)")


def finite_array(name: str, a) -> np.ndarray:
    """Return ``a`` as a float64 array, checking that every element is finite."""
    arr = np.asarray(_as_float(name, a), dtype=np.float64)
    ok = np.isfinite(arr)
    if not ok.all():
        raise ValueError(f"{name} must contain only finite numbers (got {_first_bad(arr, ok)})")
    return arr


def real_array(name: str, a) -> np.ndarray:
    """Return ``a`` as a float64 array; non-finite values are allowed (a diverging run's θ)."""
    return np.asarray(_as_float(name, a), dtype=np.float64)


def same_shape(name_a: str, a, name_b: str, b) -> np.ndarray:
    """Check that ``b`` (real numbers) has exactly the shape of ``a``; return ``b`` as a float64 array."""
    shape_a, arr_b = np.shape(a), real_array(name_b, b)
    if arr_b.shape != shape_a:
        raise ValueError(
            f"{name_b} must have the same shape as {name_a} {shape_a} (got shape {arr_b.shape})"
        )
    return arr_b


def broadcastable(name: str, x, target_name: str, target_shape: tuple):
    """Check that hyperparameter ``x`` broadcasts to ``target_shape`` without enlarging it; return ``x``."""
    shape = np.shape(x)
    if shape:
        try:
            out = np.broadcast_shapes(shape, target_shape)
        except ValueError:
            out = None
        if out != tuple(target_shape):
            raise ValueError(
                f"{name} of shape {shape} must broadcast to the shape of {target_name} "
                f"{tuple(target_shape)} (got shape {shape})"
            )
    return x


def positive_int(name: str, n):
    """Check that ``n`` is an integer >= 1 (scalar or array); return it as int / int64 array."""
    if isinstance(n, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= 1, not a bool (got {n!r})")
    if isinstance(n, numbers.Integral):
        if n < 1:
            raise ValueError(f"{name} must be an integer >= 1 (got {fmt(n)})")
        return int(n)
    arr = np.asarray(n)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name} must be an integer >= 1 (got {n!r})")
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(arr) & (arr >= 1) & (arr == np.round(arr)) if arr.dtype.kind == "f" else arr >= 1
    ok = np.asarray(ok, dtype=bool)
    if not ok.all():
        bad = fmt(arr.item()) if arr.ndim == 0 else _first_bad(arr, ok)
        raise ValueError(f"{name} must be an integer >= 1 (got {bad})")
    out = arr.astype(np.int64)
    return int(out) if out.ndim == 0 else out


def flag(name: str, x) -> bool:
    """Check a switch such as ``bias_correction``: True or False (numpy bools and the integers 0, 1 too)."""
    if isinstance(x, (bool, np.bool_)) or (isinstance(x, (int, np.integer)) and x in (0, 1)):
        return bool(x)
    raise ValueError(f"{name} must be True or False (got {x!r})")


def no_negatives(name: str, a, why: str = "") -> np.ndarray:
    """Return the array ``a`` (float64), checking that it holds no negative number.

    For running sums and averages of squared gradients (AdaGrad's s, RMSProp's and Adam's v): a negative entry
    is a bug upstream and would give NaN in √v. NaN and +inf pass (the state of a diverging run). ``why`` is
    added to the message, e.g. ``"v is an average of squared gradients"``.
    """
    arr = real_array(name, a)
    with np.errstate(invalid="ignore"):
        bad = arr < 0
    if bad.any():
        where = fmt(arr.item()) if arr.ndim == 0 else _first_bad(arr, ~bad)
        because = f" ({why})" if why else ""
        raise ValueError(f"{name} must hold no negative numbers{because} (got {where})")
    return arr


def valid_batch_size(b, n: int) -> int:
    """Check a mini-batch size: an integer in [1, n] (n examples); return it as an int."""
    if isinstance(b, (bool, np.bool_)) or not isinstance(b, (int, np.integer)) or not 1 <= b <= n:
        raise ValueError(f"batch_size must be an integer in [1, {n}] (got {b!r})")
    return int(b)
