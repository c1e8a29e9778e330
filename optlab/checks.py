"""Exercise checks: run a student's function against optlab's reference and name the mistake.

Each ``check_*`` runs the function on a handful of cases built to tell the usual mistakes apart
(sign errors, a missing bias correction, ε inside the square root, g instead of g², t counted from
0, θ moved with the old velocity, mutated inputs, batched shapes, outputs in the wrong order, an
unwritten stub). A right answer prints one short line; a wrong one raises ``AssertionError`` with
one friendly sentence saying what is wrong and what was expected (so nbgrader scores the check 0).
The diagnosis compares the student's outputs with those of a catalogue of known-wrong variants.

Exercise signatures the checks expect (lesson authors: keep these; hyperparameters are passed
positionally in this order, so the names may differ but the order may not):

=====  ==========================================================================  =====================
lesson exercise                                                                      check
=====  ==========================================================================  =====================
00     ``quadratic_grad(theta, A) -> grad``  ∇J for J(θ) = ½ θᵀAθ (A symmetric) is   check_quadratic_grad
       Aθ; θ has shape (..., d), one point per row (``theta @ A.T``)
01     ``gd_step(theta, grad, lr) -> theta``                                         check_gd_step
02     ``sgd_step(theta, grad, lr) -> theta`` (same rule, mini-batch gradient)       check_sgd_step
02     ``minibatches(n, batch_size, rng)`` yields index arrays for one shuffled      check_minibatches
       epoch: every index once, batches of ``batch_size``, the last one smaller,
       the order drawn from ``rng`` (e.g. ``rng.permutation(n)``)
03     ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``       check_momentum_step
03     ``nesterov_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``,      check_nesterov_step
       ``grad`` taken at the look-ahead point θ + βv
04     ``adagrad_step(theta, grad, s, lr, eps) -> (theta, s)``                       check_adagrad_step
04     ``rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None) -> (theta, v)``;   check_rmsprop_step
       optional ``t``: if accepted, v̂ = v/(1 − β2ᵗ) is used in the step (checked too)
05     ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps,                      check_adam_step
       bias_correction=True) -> (theta, m, v)`` (``bias_correction`` optional)
06     ``adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay,       check_adamw_step
       bias_correction=True) -> (theta, m, v)``
06     ``cosine_lr(t, total_steps, lr_max, lr_min=0.0) -> lr``:                      check_cosine_schedule
       lr_min + (lr_max − lr_min)(1 + cos(π·min(t − 1, T)/T))/2, T = total_steps
06     ``warmup_lr(t, warmup_steps, lr_max) -> lr``: lr_max·min(t/W, 1)               check_warmup_schedule
06     ``warmup_cosine_lr(t, warmup_steps, total_steps, lr_max, lr_min=0.0)``:       check_warmup_cosine_schedule
       warm-up for t ≤ W, then ``cosine_lr(t − W, total_steps − W, …)``
=====  ==========================================================================  =====================

``t`` counts steps from 1 everywhere; the schedule functions must accept an int or an integer
array of t's (use ``np.minimum``/``np.cos``). ``check_schedule(fn)`` picks the schedule check from
the function's name.

After an exercise, later cells use ``gd_step = reference_or(gd_step)``: the student's function if
it is written, otherwise optlab's reference (with a note saying so), so a lesson runs top to bottom.
"""
from __future__ import annotations

import copy
import functools
import inspect
import itertools
import warnings

import numpy as np

from . import rules as _rules
from . import schedules as _schedules

__all__ = [
    "check_quadratic_grad", "check_gd_step", "check_sgd_step", "check_minibatches",
    "check_momentum_step", "check_nesterov_step", "check_adagrad_step", "check_rmsprop_step",
    "check_adam_step", "check_adamw_step", "check_cosine_schedule", "check_warmup_schedule",
    "check_warmup_cosine_schedule", "check_schedule", "reference_or", "quadratic_grad",
    "cosine_lr", "warmup_lr", "warmup_cosine_lr",
]

RTOL, ATOL = 1e-6, 1e-9


# --------------------------------------------------------------------------- references not in rules
def quadratic_grad(theta, A):
    """∇J(θ) = Aθ for J(θ) = ½ θᵀAθ with a symmetric A; θ of shape (..., d) (lesson 00)."""
    return np.asarray(theta, dtype=float) @ np.asarray(A, dtype=float).T


def cosine_lr(t, total_steps, lr_max, lr_min=0.0):
    """Cosine-annealed learning rate at step t ≥ 1 (lesson 06); optlab.schedules.cosine × lr_max."""
    t = np.asarray(t, dtype=float)
    frac = np.minimum(t - 1, total_steps) / total_steps
    out = lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * frac)) / 2
    return float(out) if out.ndim == 0 else out


def warmup_lr(t, warmup_steps, lr_max):
    """Linear warm-up lr_max·min(t/W, 1) at step t ≥ 1 (lesson 06); optlab.schedules.linear_warmup."""
    out = lr_max * np.minimum(np.asarray(t, dtype=float) / warmup_steps, 1.0)
    return float(out) if out.ndim == 0 else out


def warmup_cosine_lr(t, warmup_steps, total_steps, lr_max, lr_min=0.0):
    """Warm-up for t ≤ W, then cosine annealing over the remaining total_steps − W steps (lesson 06)."""
    t = np.asarray(t, dtype=float)
    after = cosine_lr(np.maximum(t - warmup_steps, 1), total_steps - warmup_steps, lr_max, lr_min)
    out = np.where(t <= warmup_steps, lr_max * t / warmup_steps, after)
    return float(out) if out.ndim == 0 else out


def _reference_minibatches(n, batch_size, rng):
    try:
        from .data import minibatches
    except ImportError:  # pragma: no cover - optlab.data is part of the package
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                yield order[start:start + batch_size]
    return minibatches(n, batch_size, rng)


# --------------------------------------------------------------------------- the engine
class _Failure(AssertionError):
    """Raised inside the checks; the public check re-raises it as a plain AssertionError."""


def _fail(msg):
    raise _Failure(msg)


def _public(check):
    """Re-raise a check's verdict as a bare AssertionError, so the student sees one sentence."""
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except _Failure as failure:
            raise AssertionError(str(failure)) from None
    return wrapper


def _fmt(a):
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    flat = np.array2string(a.ravel()[:4], precision=4, separator=", ")
    return flat if a.size <= 4 else flat[:-1] + ", …]"


def _close(a, b):
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))


def _all_close(xs, ys):
    return len(xs) == len(ys) and all(_close(x, y) for x, y in zip(xs, ys))


def _quiet_call(fn, args, kwargs=None):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args, **(kwargs or {}))


def _accepts(fn, name):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values())


def _n_positional(fn, default):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return default
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return default
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


class _Case:
    """One call: ``args`` in the reference's positional order; the student gets at least ``needs``."""

    def __init__(self, label, args, batched=False, needs=None, kwargs=None):
        self.label, self.args, self.batched = label, tuple(args), batched
        self.needs = len(self.args) if needs is None else needs
        self.kwargs = dict(kwargs or {})


def _not_written(name):
    return (f"{name} is not written yet — replace `raise NotImplementedError()` with your code, "
            "run that cell, then run this check again.")


def _run_student(name, fn, cases, n_args):
    """Call fn on every case with fresh copies; returns [(output or exception, mutated arg idx)]."""
    results = []
    for case in cases:
        args = copy.deepcopy(case.args[:n_args])
        try:
            out = _quiet_call(fn, args, case.kwargs)
        except NotImplementedError:
            _fail(_not_written(name))
        except Exception as exc:  # the student's bug, reported below
            results.append((exc, []))
            continue
        mutated = [i for i, (a, b) in enumerate(zip(args, case.args))
                   if isinstance(b, np.ndarray) and not _close(a, b)]
        results.append((out, mutated))
    return results


def _report_exceptions(name, cases, results, hint_batched, single="a single θ"):
    bad = [(c, r) for c, (r, _) in zip(cases, results) if isinstance(r, Exception)]
    if not bad:
        return
    case, exc = bad[0]
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = text if len(text) <= 90 else text[:87] + "…"
    why = f"{type(exc).__name__}: {text}".strip().rstrip(":")
    if all(c.batched for c, _ in bad) and not all(c.batched for c in cases):
        _fail(f"{name} works for {single} but fails on {case.label} ({why}) — {hint_batched}")
    _fail(f"{name} raised {why} on {case.label} — fix that error, run the cell, then this check again.")


def _check_rule(name, fn, reference, cases, outputs, variants, arg_names, *,
                hint_batched="write it with elementwise numpy operations, which work for any "
                             "leading batch axes.", success=None, single="a single θ", value_shape_msg=None):
    """Shared logic of the update-rule checks. ``outputs``: names of the returned arrays."""
    if not callable(fn):
        _fail(f"{name} should be a function, but got {type(fn).__name__} — define it with `def {name}(...)`.")
    n_args = _n_positional(fn, max(len(c.args) for c in cases))
    cases = [c for c in cases if n_args >= c.needs and all(_accepts(fn, k) for k in c.kwargs)]
    results = _run_student(name, fn, cases, n_args)
    _report_exceptions(name, cases, results, hint_batched, single)
    k = len(outputs)
    multi = k > 1
    expected = []
    for case in cases:
        ref = _quiet_call(reference, copy.deepcopy(case.args), case.kwargs)
        expected.append(tuple(ref) if multi else (ref,))
    got = []
    want = "(" + ", ".join(outputs) + ")" if multi else outputs[0]
    code_names = ", ".join({"θ": "theta"}.get(o, o) for o in outputs)
    for case, (out, _) in zip(cases, results):
        if out is None:
            _fail(f"{name} returns None — did you forget `return {code_names}` at the end?")
        if multi:
            if not isinstance(out, (tuple, list)):
                _fail(f"{name} returns a single {type(out).__name__}; it should return the tuple {want}.")
            if len(out) != k:
                _fail(f"{name} returns {len(out)} values; it should return the {k} values {want}.")
            got.append(tuple(out))
        else:
            if isinstance(out, (tuple, list)) and not isinstance(out, np.ndarray) and len(out) != np.size(out):
                _fail(f"{name} returns a {type(out).__name__}; it should return one array, {want}.")
            got.append((out,))
    # shapes
    for case, g, e in zip(cases, got, expected):
        for o, gi, ei in zip(outputs, g, e):
            gs, es = np.shape(gi), np.shape(ei)
            if gs != es and value_shape_msg and gs == es[:-1]:
                _fail(f"{name} {value_shape_msg}")
            if gs != es:
                where = f"for {case.label}"
                if case.batched:
                    _fail(f"{name} returns {o} of shape {gs} {where}; it should have shape {es} — "
                          f"{hint_batched}")
                _fail(f"{name} returns {o} of shape {gs} {where}; expected shape {es}.")
    # order
    if multi and not all(_all_close(g, e) for g, e in zip(got, expected)):
        for perm in itertools.permutations(range(k)):
            if perm != tuple(range(k)) and all(
                    _all_close([g[i] for i in perm], e) for g, e in zip(got, expected)):
                order = ", ".join(outputs[i] for i in np.argsort(perm))
                _fail(f"{name} returns its values in the order ({order}); return them as {want}.")
    failing = [i for i, (g, e) in enumerate(zip(got, expected)) if not _all_close(g, e)]
    if failing:
        _fail(_diagnose(name, cases, got, failing, outputs, variants, hint_batched, expected, single))
    for case, (_, mutated) in zip(cases, results):
        if mutated:
            names = " and ".join(f"`{arg_names[i]}`" for i in mutated)
            _fail(f"{name} gives the right numbers but changes its input {names} in place — build new "
                  f"arrays (e.g. `{arg_names[mutated[0]]} = …` instead of `{arg_names[mutated[0]]} -= …` "
                  "or `[...] =`) so the caller's arrays stay unchanged.")
    n_batched = sum(c.batched for c in cases)
    print(success or f"✓ {name} is correct — it matches optlab's reference on {len(cases)} cases"
          + (f", {n_batched} of them batched." if n_batched else "."))


def _diagnose(name, cases, got, failing, outputs, variants, hint_batched, expected, single):
    def variant_out(variant, case):
        try:
            out = _quiet_call(variant, copy.deepcopy(case.args), case.kwargs)
        except Exception:
            return None
        return tuple(out) if len(outputs) > 1 else (out,)

    for message, variant in variants:  # a variant that explains every case
        if all((vo := variant_out(variant, c)) is not None and _all_close(g, vo)
               for c, g in zip(cases, got)):
            return f"{name}: {message}"
    first = failing[0]
    for message, variant in variants:  # one that explains the first failing case
        vo = variant_out(variant, cases[first])
        if vo is not None and _all_close(got[first], vo):
            return f"{name}: {message}"
    case = cases[first]
    if all(cases[i].batched for i in failing) and not all(c.batched for c in cases):
        return (f"{name} is right for {single} but gives different numbers for {case.label} — "
                f"{hint_batched}")
    wrong = [o for o, g, e in zip(outputs, got[first], expected[first]) if not _close(g, e)]
    o = wrong[0]
    i = outputs.index(o)
    right = [x for x in outputs if x not in wrong]
    also = f" (the {', '.join(right)} {'is' if len(right) == 1 else 'are'} right)" if right else ""
    return (f"{name} computes the wrong {o} on {case.label}{also}: got {_fmt(got[first][i])}, "
            f"expected {_fmt(expected[first][i])} — compare your code with the update rule line by line.")


def _arrays(rng, shape, *, positive=False, scale=1.0):
    a = rng.normal(size=shape) * scale
    return np.abs(a) + 0.05 if positive else a


def _rng():
    return np.random.default_rng(20241125)


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
    ("the sign is flipped — the gradient Aθ points uphill; the minus sign belongs in the update "
     "step, not in ∇J.", lambda th, A: -(th @ A.T)),
    ("returns ½Aθ — differentiating ½ θᵀAθ cancels the ½ (the derivative of θᵀAθ is 2Aθ), so "
     "∇J(θ) = Aθ.", lambda th, A: 0.5 * (th @ A.T)),
    ("returns 2Aθ — the ½ in J(θ) = ½ θᵀAθ cancels the 2, so ∇J(θ) = Aθ.", lambda th, A: 2 * (th @ A.T)),
    ("returns θ itself — multiply by the matrix: ∇J(θ) = Aθ.", lambda th, A: th),
    ("uses only the diagonal of A (an elementwise product) — use the matrix product Aθ "
     "(theta @ A.T).", lambda th, A: th * np.diag(A)),
]


@_public
def check_quadratic_grad(quadratic_grad):
    """Check lesson 00's warm-up ``quadratic_grad(theta, A)`` = Aθ (∇ of ½ θᵀAθ), batched over rows."""
    _check_rule("quadratic_grad", quadratic_grad, globals()["quadratic_grad"], _quadratic_cases(),
                ("gradient",), _QUADRATIC_VARIANTS, ("theta", "A"),
                hint_batched="θ holds one point per row, so compute theta @ A.T, which works for any "
                             "leading axes (A @ theta only works for a single θ).",
                value_shape_msg="returns one number per point — that looks like the value J(θ); return the "
                                "gradient vector Aθ, which has the same shape as θ.",
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
    ("θ moves uphill — a sign error: step against the gradient, θ ← θ − α g.", lambda th, g, lr: th + lr * g),
    ("the learning rate α is missing — the step is α g, so θ ← θ − α g.", lambda th, g, lr: th - g),
    ("it returns the step instead of the new θ — return θ − α g.", lambda th, g, lr: -lr * g),
    ("it returns the step instead of the new θ — return θ − α g.", lambda th, g, lr: lr * g),
    ("it divides by α instead of multiplying — θ ← θ − α g.", lambda th, g, lr: th - g / lr),
    ("θ comes back unchanged — subtract α g from it: θ ← θ − α g.", lambda th, g, lr: th),
]


@_public
def check_gd_step(gd_step, _name="gd_step"):
    """Check lesson 01's ``gd_step(theta, grad, lr)`` = θ − α g."""
    _check_rule(_name, gd_step, _rules.gd_step, _gd_cases(), ("θ",), _GD_VARIANTS, ("theta", "grad", "lr"))


@_public
def check_sgd_step(sgd_step):
    """Check lesson 02's ``sgd_step(theta, grad, lr)`` = θ − α ∇J(θ; B) (the same rule as gd_step)."""
    check_gd_step(sgd_step, _name="sgd_step")


@_public
def check_minibatches(minibatches):
    """Check lesson 02's ``minibatches(n, batch_size, rng)``: one shuffled epoch of index arrays."""
    name = "minibatches"
    if not callable(minibatches):
        _fail(f"{name} should be a function — define it with `def {name}(n, batch_size, rng):`.")

    def epoch(n, b, seed):
        try:
            batches = [np.asarray(x) for x in _quiet_call(minibatches, (n, b, np.random.default_rng(seed)))]
        except NotImplementedError:
            _fail(_not_written(name))
        except TypeError as exc:
            if "not iterable" in str(exc) or "NoneType" in str(exc):
                _fail(f"{name} returned nothing to loop over — `yield` each batch of indices "
                      "(or return a list of them).")
            _fail(f"{name}({n}, {b}, rng) raised TypeError: {exc} — fix it and run the cell again.")
        except Exception as exc:
            _fail(f"{name}({n}, {b}, rng) raised {type(exc).__name__}: {exc} — fix it and run the cell again.")
        return batches

    for n, b in [(10, 3), (12, 4), (7, 7), (100, 32)]:
        batches = epoch(n, b, 0)
        if not batches:
            _fail(f"{name}({n}, {b}, rng) yields no batches — one epoch must cover all {n} examples.")
        for x in batches:
            if x.ndim != 1 or (x.size and x.dtype.kind not in "iu"):
                _fail(f"{name} should yield 1-D arrays of integer indices, but one batch is "
                      f"{x.dtype} with shape {x.shape} — slice a permutation, e.g. order[start:start + batch_size].")
        sizes = [len(x) for x in batches]
        allidx = np.concatenate(batches)
        want = [b] * (n // b) + ([n % b] if n % b else [])
        counts = np.bincount(allidx[(allidx >= 0) & (allidx < n)], minlength=n)
        if np.any((allidx < 0) | (allidx >= n)):
            _fail(f"{name}({n}, {b}, rng) yields indices outside 0…{n - 1} — index the n examples 0, …, n − 1.")
        if np.any(counts > 1):
            dup = int(np.flatnonzero(counts > 1)[0])
            _fail(f"{name}({n}, {b}, rng) visits example {dup} more than once — in one epoch every example "
                  "is used exactly once: shuffle a permutation (rng.permutation(n)) and slice it, rather than "
                  "sampling with replacement.")
        if np.any(counts == 0):
            missing = np.flatnonzero(counts == 0)
            if sizes == want[:-1] and n % b:
                _fail(f"{name}({n}, {b}, rng) drops the last, smaller batch — with n = {n} and batch_size = "
                      f"{b} the batch sizes should be {want}, so no example is left out.")
            _fail(f"{name}({n}, {b}, rng) never visits example {int(missing[0])} — one epoch must use every "
                  f"index 0…{n - 1} exactly once.")
        if sizes != want:
            _fail(f"{name}({n}, {b}, rng) yields batches of sizes {sizes}; expected {want} (full batches of "
                  "batch_size, then one smaller batch with the rest).")
    a, b_, c = (np.concatenate(epoch(100, 32, s)) for s in (0, 0, 1))
    if np.array_equal(a, np.arange(100)):
        _fail(f"{name} keeps the examples in order 0, 1, 2, … — shuffle them each epoch with the rng, "
              "e.g. order = rng.permutation(n).")
    if not np.array_equal(a, b_):
        _fail(f"{name} gives different orders for the same seed — draw the shuffle from the rng you are "
              "given (rng.permutation(n)), not from np.random or a new generator.")
    if np.array_equal(a, c):
        _fail(f"{name} gives the same order for different seeds — use the rng argument "
              "(rng.permutation(n)) instead of a fixed seed.")
    print(f"✓ {name} is correct — every example once per epoch, batches of batch_size with a smaller "
          "last one, shuffled by the rng.")


# --------------------------------------------------------------------------- lesson 03: momentum
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
     lambda *a: _mom(*a, old=True)),
    ("the velocity points uphill — a sign error: v ← βv − αg (minus the gradient).",
     lambda *a: _mom(*a, sign_v=1)),
    ("θ moves against the velocity — with v ← βv − αg the step is θ ← θ + v (plus).",
     lambda *a: _mom(*a, sign_th=-1)),
    ("this is the frameworks' form (b ← βb + g; θ ← θ − αb), but the exercise uses the course's form "
     "v ← βv − αg; θ ← θ + v.",
     lambda th, g, v, lr, beta: (th - lr * (beta * v + g), beta * v + g)),
    ("β is missing — the old velocity decays: v ← βv − αg.", lambda *a: _mom(*a, beta_on=False)),
    ("the gradient is scaled by (1 − β) — the course's velocity is v ← βv − αg, without 1 − β.",
     lambda *a: _mom(*a, one_minus=True)),
    ("the incoming velocity is ignored — v ← βv − αg starts from the velocity you are given.",
     lambda *a: _mom(*a, ignore_v=True)),
]


@_public
def check_momentum_step(momentum_step, _name="momentum_step"):
    """Check lesson 03's ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``."""
    _check_rule(_name, momentum_step, _rules.momentum_step, _momentum_cases(), ("θ", "velocity"),
                _MOMENTUM_VARIANTS, ("theta", "grad", "velocity", "lr", "beta"))


@_public
def check_nesterov_step(nesterov_step):
    """Check lesson 03's ``nesterov_step(theta, grad, velocity, lr, beta)``, grad taken at θ + βv.

    Given the look-ahead gradient, the update is the momentum update, so the same cases apply.
    """
    check_momentum_step(nesterov_step, _name="nesterov_step")


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


def _adagrad_variant(**kw):
    return lambda th, g, s, lr, eps: _adaptive(th, g, s, lr, None, eps, avg=False, **kw)


def _rmsprop_variant(**kw):
    return lambda th, g, v, lr, beta2, eps, t=None: _adaptive(th, g, v, lr, beta2, eps, t, avg=True, **kw)


def _adaptive_variants(make, state, rule):
    common = [
        (f"{state} collects g instead of g² — square the gradient (elementwise): {rule}.", dict(square=False)),
        (f"{state} collects |g| instead of g² — square the gradient: {rule}.", dict(abs_=True)),
        (f"ε is inside the square root — add it outside: θ ← θ − α g/(√{state} + ε).", dict(eps_inside=True)),
        (f"θ is updated with the old {state} — update {state} first ({rule}), then use the new one.",
         dict(old=True)),
        (f"the square root is missing — divide by √{state} + ε, not {state} + ε.", dict(sqrt=False)),
        ("θ moves uphill — a sign error: θ ← θ − α g/(…).", dict(sign=1)),
    ]
    return [(m, make(**kw)) for m, kw in common]


_ADAGRAD_VARIANTS = _adaptive_variants(_adagrad_variant, "s", "s ← s + g²") + [
    ("s is replaced by g² instead of accumulated — AdaGrad sums: s ← s + g².", _adagrad_variant(accumulate=False)),
]
_RMSPROP_VARIANTS = _adaptive_variants(_rmsprop_variant, "v", "v ← β2 v + (1 − β2) g²") + [
    ("β2 and 1 − β2 are swapped — the old average keeps the weight β2: v ← β2 v + (1 − β2) g².",
     _rmsprop_variant(swap=True)),
    ("the (1 − β2) in front of g² is missing — v ← β2 v + (1 − β2) g².", _rmsprop_variant(one_minus=False)),
    ("v is a running sum (that is AdaGrad) — RMSProp averages: v ← β2 v + (1 − β2) g².",
     lambda th, g, v, lr, beta2, eps, t=None: _adaptive(th, g, v, lr, beta2, eps, t, avg=False)),
    ("t is ignored — when t is given, step with the bias-corrected v̂ = v/(1 − β2ᵗ).", _rmsprop_variant(t_ignored=True)),
    ("it returns the corrected v̂ — return the running average v itself; v̂ = v/(1 − β2ᵗ) is only used in the step.",
     _rmsprop_variant(return_hat=True)),
    ("t is counted from 0 — the first step has t = 1, so use 1 − β2ᵗ with the t you are given.",
     _rmsprop_variant(dt=-1)),
    ("the bias correction uses t + 1 — the t you are given already counts from 1: use 1 − β2ᵗ.",
     _rmsprop_variant(dt=1)),
]


@_public
def check_adagrad_step(adagrad_step):
    """Check lesson 04's ``adagrad_step(theta, grad, s, lr, eps) -> (theta, s)``."""
    _check_rule("adagrad_step", adagrad_step, _rules.adagrad_step, _adaptive_cases(False), ("θ", "s"),
                _ADAGRAD_VARIANTS, ("theta", "grad", "s", "lr", "eps"))


@_public
def check_rmsprop_step(rmsprop_step):
    """Check lesson 04's ``rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None) -> (theta, v)``.

    The keyword ``t`` is optional: if the function accepts it, bias-corrected steps are checked too.
    """
    _check_rule("rmsprop_step", rmsprop_step, _rules.rmsprop_step, _adaptive_cases(True), ("θ", "v"),
                _RMSPROP_VARIANTS, ("theta", "grad", "v", "lr", "beta2", "eps"))


# --------------------------------------------------------------------------- lessons 05–06: Adam, AdamW
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
                 batched=True)]


def _adam(th, g, m, v, t, lr, b1, b2, eps, bc=True, *, corr_m=True, corr_v=True, dt=0, eps_inside=False,
          eps_hat=False, square=True, swap_weights=False, swap_betas=False, sign=-1, old=False, sqrt=True,
          one_minus=True, ignore_flag=False):
    if swap_betas:
        b1, b2 = b2, b1
    w1, w2 = (b1, b2) if not swap_weights else (1 - b1, 1 - b2)
    o1, o2 = ((1 - b1), (1 - b2)) if not swap_weights else (b1, b2)
    if not one_minus:
        o1 = o2 = 1.0
    new_m = w1 * m + o1 * g
    new_v = w2 * v + o2 * (g * g if square else g)
    mm, vv = (m, v) if old else (new_m, new_v)
    correct = bc or ignore_flag
    te = t + dt
    c1 = (1 - b1 ** te) if (correct and corr_m) else 1.0
    c2 = (1 - b2 ** te) if (correct and corr_v) else 1.0
    m_hat, v_hat = mm / c1, vv / c2
    root = np.sqrt if sqrt else (lambda x: x)
    if eps_hat and correct:
        den = (root(vv) + eps) / np.sqrt(c2)
    elif eps_inside:
        den = root(v_hat + eps)
    else:
        den = root(v_hat) + eps
    return th + sign * lr * m_hat / den, new_m, new_v


def _adam_variant(**kw):
    return lambda *a: _adam(*a, **kw)


_ADAM_VARIANTS = [
    ("the bias correction is missing — with bias_correction=True use m̂ = m/(1 − β1ᵗ) and "
     "v̂ = v/(1 − β2ᵗ) in the update.", _adam_variant(corr_m=False, corr_v=False)),
    ("only m is bias-corrected — correct v as well: v̂ = v/(1 − β2ᵗ).", _adam_variant(corr_v=False)),
    ("only v is bias-corrected — correct m as well: m̂ = m/(1 − β1ᵗ).", _adam_variant(corr_m=False)),
    ("t is counted from 0 — the first step has t = 1, so use 1 − β1ᵗ and 1 − β2ᵗ with the t you are given.",
     _adam_variant(dt=-1)),
    ("the bias correction uses t + 1 — the t you are given already counts from 1: use 1 − β1ᵗ and 1 − β2ᵗ.",
     _adam_variant(dt=1)),
    ("ε is inside the square root — add it outside: θ ← θ − α m̂/(√v̂ + ε).", _adam_variant(eps_inside=True)),
    ("ε is added to √v before the bias correction — add it to √v̂: θ ← θ − α m̂/(√v̂ + ε).",
     _adam_variant(eps_hat=True)),
    ("v collects g instead of g² — square the gradient: v ← β2 v + (1 − β2) g².", _adam_variant(square=False)),
    ("β and 1 − β are swapped — the old average keeps the weight β: m ← β1 m + (1 − β1) g, "
     "v ← β2 v + (1 − β2) g².", _adam_variant(swap_weights=True)),
    ("β1 and β2 are swapped — m uses β1 and v uses β2.", _adam_variant(swap_betas=True)),
    ("the (1 − β) factors are missing — m ← β1 m + (1 − β1) g and v ← β2 v + (1 − β2) g².",
     _adam_variant(one_minus=False)),
    ("θ moves uphill — a sign error: θ ← θ − α m̂/(√v̂ + ε).", _adam_variant(sign=1)),
    ("θ is updated with the old m and v — update m and v first, then use the new ones.", _adam_variant(old=True)),
    ("the square root is missing — divide by √v̂ + ε.", _adam_variant(sqrt=False)),
    ("bias_correction=False is ignored — without the correction the rule is θ ← θ − α m/(√v + ε).",
     _adam_variant(ignore_flag=True)),
]


@_public
def check_adam_step(adam_step):
    """Check lesson 05's ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction=True)``."""
    _check_rule("adam_step", adam_step, _rules.adam_step, _adam_cases(), ("θ", "m", "v"), _ADAM_VARIANTS,
                ("theta", "grad", "m", "v", "t", "lr", "beta1", "beta2", "eps", "bias_correction"))


def _adamw(th, g, m, v, t, lr, b1, b2, eps, wd, bc=True, *, mode="decoupled", **kw):
    if mode == "l2":
        return _adam(th, g + wd * th, m, v, t, lr, b1, b2, eps, bc, **kw)
    th2, m2, v2 = _adam(th, g, m, v, t, lr, b1, b2, eps, bc, **kw)
    decay = {"decoupled": lr * wd * th, "none": 0.0, "no_lr": wd * th, "sign": -lr * wd * th,
             "after": lr * wd * th2}[mode]
    return th2 - decay, m2, v2


def _adamw_variant(**kw):
    return lambda *a: _adamw(*a, **kw)


_ADAMW_VARIANTS = [
    ("λθ is added to the gradient (that is L2 regularisation) — AdamW decouples the decay: m and v see "
     "only g, and θ ← θ − α(m̂/(√v̂ + ε) + λθ).", _adamw_variant(mode="l2")),
    ("the weight decay is missing — subtract α λ θ as well: θ ← θ − α(m̂/(√v̂ + ε) + λθ).",
     _adamw_variant(mode="none")),
    ("the decay is λθ instead of α λθ — the learning rate scales the decay too: θ ← θ − α(… + λθ).",
     _adamw_variant(mode="no_lr")),
    ("the decay pushes θ away from 0 — a sign error: θ ← θ − α(m̂/(√v̂ + ε) + λθ).",
     _adamw_variant(mode="sign")),
    ("the decay uses the already-updated θ — decay the θ you were given: θ ← θ − α(m̂/(√v̂ + ε) + λθ).",
     _adamw_variant(mode="after")),
]


def _with_adam_mistakes():
    out = []
    for message, kw in [
            ("the bias correction is missing — with bias_correction=True use m̂ = m/(1 − β1ᵗ) and "
             "v̂ = v/(1 − β2ᵗ).", dict(corr_m=False, corr_v=False)),
            ("t is counted from 0 — the first step has t = 1, so use 1 − β1ᵗ and 1 − β2ᵗ.", dict(dt=-1)),
            ("ε is inside the square root — add it outside: m̂/(√v̂ + ε).", dict(eps_inside=True)),
            ("v collects g instead of g² — v ← β2 v + (1 − β2) g².", dict(square=False)),
            ("θ moves uphill — a sign error in the Adam part: θ ← θ − α(m̂/(√v̂ + ε) + λθ).", dict(sign=1)),
            ("θ is updated with the old m and v — update m and v first.", dict(old=True)),
            ("bias_correction=False is ignored — without it use m and v themselves.", dict(ignore_flag=True))]:
        out.append((message, (lambda k: (lambda *a: _adamw(*a, **k)))(kw)))
    return out


_ADAMW_VARIANTS = _ADAMW_VARIANTS + _with_adam_mistakes()


@_public
def check_adamw_step(adamw_step):
    """Check lesson 06's ``adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction=True)``."""
    _check_rule("adamw_step", adamw_step, _rules.adamw_step, _adam_cases(weight_decay=0.5), ("θ", "m", "v"),
                _ADAMW_VARIANTS,
                ("theta", "grad", "m", "v", "t", "lr", "beta1", "beta2", "eps", "weight_decay",
                 "bias_correction"))


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
    ("t is counted from 0 — at t = 1 the rate must still be lr_max, so use (t − 1)/T.",
     lambda *a: _cos(*a, dt=1)),
    ("after total_steps the cosine comes back up — hold lr_min for t > T, e.g. with np.minimum(t − 1, T).",
     lambda *a: _cos(*a, clamp=False)),
    ("lr_min is ignored — the rate goes from lr_max down to lr_min: lr_min + (lr_max − lr_min)(1 + cos(…))/2.",
     lambda *a: _cos(*a, use_min=False)),
    ("lr_min is added on top of the full lr_max — scale the cosine by lr_max − lr_min.",
     lambda *a: _cos(*a, scale_min=False)),
    ("the /2 is missing — (1 + cos(…))/2 runs from 1 to 0.", lambda *a: _cos(*a, half=False)),
    ("the cosine makes a full period — use cos(π (t − 1)/T), which falls from 1 to −1 once.",
     lambda *a: _cos(*a, period=2.0)),
    ("it returns the multiplier, not the learning rate — scale it: lr_min + (lr_max − lr_min)·(…).",
     lambda *a: _cos(*a, mult=True)),
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
    ("the first step gets lr = 0 (t counted from 0) — use t/W so step 1 already has lr_max/W.",
     lambda *a: _warm(*a, dt=-1)),
    ("the rate keeps growing after the warm-up — cap it at lr_max, lr_max·min(t/W, 1).",
     lambda *a: _warm(*a, clamp=False)),
    ("t // W is integer division — use t / W.", lambda *a: _warm(*a, floor=True)),
    ("it returns the multiplier, not the learning rate — multiply by lr_max.", lambda *a: _warm(*a, mult=True)),
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
    ("the cosine does not restart after the warm-up — run it on t − W over the total_steps − W steps left, "
     "so it starts at lr_max.", lambda *a: _wc(*a, restart=False, remaining=False)),
    ("the cosine does not restart after the warm-up — run it on t − W so it starts at lr_max.",
     lambda *a: _wc(*a, restart=False)),
    ("the cosine anneals over total_steps — after the warm-up only total_steps − warmup_steps steps remain.",
     lambda *a: _wc(*a, remaining=False)),
    ("the first step gets lr = 0 (t counted from 0) — warm up with t/W.", lambda *a: _wc(*a, warm_dt=-1)),
    ("the cosine part counts t from 0 — at its first step the rate must be lr_max.", lambda *a: _wc(*a, cos_dt=1)),
]


@_public
def check_cosine_schedule(cosine_lr):
    """Check lesson 06's ``cosine_lr(t, total_steps, lr_max, lr_min=0.0)`` (t from 1, scalar or array)."""
    _check_rule("cosine_lr", cosine_lr, globals()["cosine_lr"], _cosine_cases(), ("learning rate",),
                _COSINE_VARIANTS, ("t", "total_steps", "lr_max", "lr_min"), hint_batched=_ARRAY_HINT, single="a single t",
                success="✓ cosine_lr is correct — lr_max at t = 1, lr_min from t = T + 1 on, arrays of t work.")


@_public
def check_warmup_schedule(warmup_lr):
    """Check lesson 06's ``warmup_lr(t, warmup_steps, lr_max)`` = lr_max·min(t/W, 1)."""
    _check_rule("warmup_lr", warmup_lr, globals()["warmup_lr"], _WARMUP_CASES, ("learning rate",),
                _WARMUP_VARIANTS, ("t", "warmup_steps", "lr_max"), hint_batched=_ARRAY_HINT, single="a single t",
                success="✓ warmup_lr is correct — lr_max/W at t = 1, lr_max from t = W on, arrays of t work.")


@_public
def check_warmup_cosine_schedule(warmup_cosine_lr):
    """Check lesson 06's ``warmup_cosine_lr(t, warmup_steps, total_steps, lr_max, lr_min=0.0)``."""
    _check_rule("warmup_cosine_lr", warmup_cosine_lr, globals()["warmup_cosine_lr"], _WC_CASES,
                ("learning rate",), _WC_VARIANTS, ("t", "warmup_steps", "total_steps", "lr_max", "lr_min"),
                hint_batched=_ARRAY_HINT, single="a single t",
                success="✓ warmup_cosine_lr is correct — linear warm-up, then a cosine from lr_max to lr_min.")


@_public
def check_schedule(fn):
    """Check a lesson-06 schedule, choosing the check from its name (cosine_lr, warmup_lr, warmup_cosine_lr)."""
    name = getattr(fn, "__name__", "")
    if "cos" in name and "warm" in name:
        return check_warmup_cosine_schedule(fn)
    if "cos" in name:
        return check_cosine_schedule(fn)
    if "warm" in name:
        return check_warmup_schedule(fn)
    raise ValueError(f"check_schedule does not know {name!r}: call check_cosine_schedule, "
                     "check_warmup_schedule or check_warmup_cosine_schedule directly.")


# --------------------------------------------------------------------------- fall back to the reference
def _references():
    from . import data as _data  # noqa: F401  (optlab.data holds the minibatches reference)
    return {
        "quadratic_grad": (quadratic_grad, lambda: _quadratic_cases()[0].args),
        "gd_step": (_rules.gd_step, lambda: _gd_cases()[0].args),
        "sgd_step": (_rules.sgd_step, lambda: _gd_cases()[0].args),
        "minibatches": (_data.minibatches, lambda: (10, 3, np.random.default_rng(0))),
        "momentum_step": (_rules.momentum_step, lambda: _momentum_cases()[0].args),
        "nesterov_step": (_rules.nesterov_step, lambda: _momentum_cases()[0].args),
        "adagrad_step": (_rules.adagrad_step, lambda: _adaptive_cases(False)[0].args),
        "rmsprop_step": (_rules.rmsprop_step, lambda: _adaptive_cases(True)[0].args),
        "adam_step": (_rules.adam_step, lambda: _adam_cases()[0].args[:9]),
        "adamw_step": (_rules.adamw_step, lambda: _adam_cases(0.5)[0].args[:10]),
        "cosine_lr": (cosine_lr, lambda: (1, 100, 0.1)),
        "warmup_lr": (warmup_lr, lambda: (1, 10, 0.1)),
        "warmup_cosine_lr": (warmup_cosine_lr, lambda: (1, 10, 110, 0.1)),
    }


def reference_or(fn, name=None, *, reference=None, probe_args=None):
    """Return ``fn`` if it is written, else optlab's reference of the same name (and say so).

    "Written" means: calling ``fn`` on a small probe case does not raise NotImplementedError. Use it
    after an exercise, ``gd_step = reference_or(gd_step)``, so the rest of a lesson runs even while
    the exercise is still a stub. For a lesson's own exercise pass the fallback and a probe call:
    ``train = reference_or(train, reference=_train_reference, probe_args=(loss, theta0, 0.1))``.
    """
    name = name or getattr(fn, "__name__", None)
    refs = _references()
    if reference is not None:
        refs[name] = (reference, lambda: probe_args if probe_args is not None else ())
    if name not in refs:
        raise ValueError(f"reference_or knows no reference called {name!r}; pass name= one of {sorted(refs)}, "
                         "or reference= and probe_args=.")
    reference, probe = refs[name]
    try:
        out = _quiet_call(fn, copy.deepcopy(probe()))
        if inspect.isgenerator(out) or name == "minibatches":
            list(out)
    except NotImplementedError:
        print(f"{name} is not written yet — using optlab's reference {name} so the rest of this notebook runs.")
        return reference
    except Exception as exc:
        print(f"{name} raised {type(exc).__name__}: {exc} — using optlab's reference {name} so the rest "
              "of this notebook runs.")
        return reference
    return fn
