"""The machinery every check shares: run the student's function, compare, name the mistake.

A check hands :func:`_check_rule` the student's function, optlab's reference, a list of
:class:`_Case` calls and a catalogue of known-wrong variants, ``[(message, fn), ...]``. It calls the
student's function on fresh copies of each case (so in-place changes are caught, and cannot spoil the
next case), then reports the first problem it finds, in this order: an exception, ``None`` or the
wrong number of values, wrong shapes, values in the wrong order, wrong numbers (named by the variant
that reproduces them), mutated inputs. ``_Failure`` carries the sentence; :func:`_public` turns it
into the plain ``AssertionError`` the student sees.
"""
from __future__ import annotations

import copy
import functools
import inspect
import itertools
import warnings

import numpy as np

from .._format import fmt

RTOL, ATOL = 1e-6, 1e-9


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
    return fmt(a, 6) if a.ndim == 0 else fmt(a.ravel(), 4)  # optlab's one formatter


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


def _keyword_only(fn, names):
    """Those of ``names`` that ``fn`` takes as keyword-only arguments (e.g. ``*, bias_correction=True``)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return set()
    return {n for n in names if n in params and params[n].kind == params[n].KEYWORD_ONLY}


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


def call_student(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, but an unwritten stub fails the way the built-in checks do.

    For a lesson's own check: ``got = call_student(sign_descent_step, theta, grad, 0.1)``. While
    ``fn`` still raises NotImplementedError this raises ``AssertionError("sign_descent_step is not
    written yet — …")`` instead; everything else (the result, any other error) passes through. A
    generator function's stub raises only when iterated, so a generator is wrapped to do the same.
    """
    name = getattr(fn, "__name__", "this function")
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(_not_written(name)) from None
    return _friendly_generator(name, out) if inspect.isgenerator(out) else out


def _friendly_generator(name, gen):
    try:
        yield from gen
    except NotImplementedError:
        raise AssertionError(_not_written(name)) from None


def _run_student(name, fn, cases, n_args, arg_names):
    """Call fn on every case with fresh copies; returns [(output or exception, mutated arg idx)].

    The first ``n_args`` arguments go by position, later ones by name if ``fn`` takes them so.
    """
    results = []
    named = _keyword_only(fn, arg_names[n_args:])
    for case in cases:
        args = copy.deepcopy(case.args[:n_args])
        extra = {k: a for k, a in zip(arg_names[n_args:], case.args[n_args:]) if k in named}
        try:
            out = _quiet_call(fn, args, {**extra, **case.kwargs})
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
                             "leading batch axes.", success=None, single="a single θ", value_shape_msg=None,
                missing=None):
    """Shared logic of the update-rule checks. ``outputs``: names of the returned arrays.

    Cases whose arguments ``fn`` does not take are left out; with ``missing`` (a sentence) a function
    that is right on the rest still fails, with that sentence, because the exercise asks for them.
    """
    if not callable(fn):
        _fail(f"{name} should be a function, but got {type(fn).__name__} — define it with `def {name}(...)`.")
    n_args = _n_positional(fn, max(len(c.args) for c in cases))
    n_cases = len(cases)
    named = _keyword_only(fn, arg_names[n_args:])
    takes = n_args + sum(1 for _ in itertools.takewhile(named.__contains__, arg_names[n_args:]))
    cases = [c for c in cases if takes >= c.needs and all(_accepts(fn, k) for k in c.kwargs)]
    results = _run_student(name, fn, cases, n_args, arg_names)
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
    if missing and len(cases) < n_cases:
        _fail(missing)
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


def _variant(fn, **mistakes):
    """``fn`` with some of its mistake switches on: a wrong implementation for a catalogue."""
    return functools.partial(fn, **mistakes)
