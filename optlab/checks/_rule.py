"""The update-rule checks' shared logic: run the student's function on cases, compare, name the mistake.

A check hands :func:`_check_rule` the student's function, optlab's reference, a list of :class:`_Case`
calls and a catalogue of known-wrong variants, ``[(verdict, detail, fn), ...]``. It calls the student's
function (with other exercises taken from optlab) on fresh copies of each case, so in-place changes are
caught and cannot spoil the next case, then reports the first problem it finds, in this order: an
exception, ``None`` or the wrong number of values, values that are not arrays, wrong shapes, values in
the wrong order, wrong numbers (named by the variant that reproduces them), mutated inputs. The checks of
functions that return iterates or a pair of numbers share :func:`_iterates`, :func:`_pair` and :func:`_swapped`.
"""
from __future__ import annotations

import copy
import inspect
import itertools

import numpy as np

from ._core import _all_close, _close, _fail, _Failure, _fmt, _independent, _kind, _not_written, _quiet_call, _raised


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


def _run_student(name, fn, cases, n_args, arg_names):
    """Call fn on every case with fresh copies; returns [(output or exception, mutated arg idx)].

    The first ``n_args`` arguments go by position, later ones by name if ``fn`` takes them so.
    """
    __tracebackhide__ = True
    results = []
    named = _keyword_only(fn, arg_names[n_args:])
    run = _independent(fn, name)
    for case in cases:
        args = copy.deepcopy(case.args[:n_args])
        extra = {k: a for k, a in zip(arg_names[n_args:], case.args[n_args:]) if k in named}
        try:
            out = _quiet_call(run, args, {**extra, **case.kwargs})
        except NotImplementedError:
            raise _not_written(name) from None
        except Exception as exc:  # the student's bug, reported below
            results.append((exc, []))
            continue
        mutated = [i for i, (a, b) in enumerate(zip(args, case.args))
                   if isinstance(b, np.ndarray) and not _close(a, b)]
        results.append((out, mutated))
    return results


def _report_exceptions(name, cases, results, hint_batched, single="a single θ"):
    __tracebackhide__ = True
    bad = [(c, r) for c, (r, _) in zip(cases, results) if isinstance(r, Exception)]
    if not bad:
        return
    case, exc = bad[0]
    if all(c.batched for c, _ in bad) and not all(c.batched for c in cases):
        text = str(exc).splitlines()[0] if str(exc) else ""
        _fail(f"{name} works for {single} but fails on a batch",
              f"On {case.label} it raised {type(exc).__name__}: {text} — {hint_batched}")
    raise _raised(name, exc, f"on {case.label}") from None


def _check_types(name, case, got, expected, outputs, code_names):
    """Reject values that are not numpy arrays where the reference returns an array (lists, tuples,
    numbers), naming the value — later cells do arithmetic with them."""
    __tracebackhide__ = True
    for o, code, g, e in zip(outputs, code_names, got, expected):
        want_array = isinstance(e, np.ndarray) and e.ndim > 0
        kind = _kind(g)
        if want_array and kind != "array":
            article = "a number" if kind == "number" else f"a {kind}"
            shape = np.shape(e)
            _fail(f"{name} returns {o} as {article}, not a numpy array",
                  f"For {case.label} {o} should be an array of shape {shape}. Build it with numpy operations on "
                  "the arrays you are given (they give arrays); a list or a plain number breaks the later cells "
                  "that compute with it.")
        if not want_array and kind not in ("number", "array"):
            _fail(f"{name} returns {o} as a {kind}, not a number",
                  f"For {case.label} it should be a single number.")


def _check_rule(name, fn, reference, cases, outputs, variants, arg_names, *,
                hint_batched="write it with elementwise numpy operations, which work for any "
                             "leading batch axes.", success=None, single="a single θ", value_shape_msg=None,
                missing=None):
    """Shared logic of the update-rule checks. ``outputs``: names of the returned arrays.

    ``variants``: ``[(verdict, detail, wrong_fn), ...]``. Cases whose arguments ``fn`` does not take are
    left out; with ``missing`` (a (verdict, detail) pair) a function that is right on the rest still fails,
    because the exercise asks for them.
    """
    __tracebackhide__ = True
    if not callable(fn):
        _fail(f"{name} should be a function, but it is a {type(fn).__name__}",
              f"Define it with `def {name}(...)` and run that cell.")
    n_args = _n_positional(fn, max(len(c.args) for c in cases))
    n_cases = len(cases)
    named = _keyword_only(fn, arg_names[n_args:])
    takes = n_args + sum(1 for _ in itertools.takewhile(named.__contains__, arg_names[n_args:]))
    cases = [c for c in cases if takes >= c.needs and all(_accepts(fn, k) for k in c.kwargs)]
    if not cases:
        _fail(f"{name} takes too few arguments",
              f"It should take ({', '.join(arg_names)}) — keep the signature the exercise gives.")
    results = _run_student(name, fn, cases, n_args, arg_names)
    _report_exceptions(name, cases, results, hint_batched, single)
    k = len(outputs)
    multi = k > 1
    expected = []
    for case in cases:
        ref = _quiet_call(reference, copy.deepcopy(case.args), case.kwargs)
        expected.append(tuple(ref) if multi else (ref,))
    got = []
    code_names = tuple({"θ": "theta", "learning rate": "lr"}.get(o, o) for o in outputs)
    want = "(" + ", ".join(code_names) + ")" if multi else code_names[0]
    for case, (out, _) in zip(cases, results):
        if out is None:
            _fail(f"{name} returns None — did you forget `return {', '.join(code_names)}`?",
                  "A function without a `return` line gives back None; end it with "
                  f"`return {', '.join(code_names)}`.")
        if multi:
            if not isinstance(out, (tuple, list)):
                _fail(f"{name} returns a single {_kind(out)}, not the {k} values {want}",
                      f"Return all of them: `return {', '.join(code_names)}`.")
            if len(out) != k:
                _fail(f"{name} returns {len(out)} values; it should return the {k} values {want}",
                      f"End it with `return {', '.join(code_names)}`.")
            got.append(tuple(out))
        else:
            if isinstance(out, tuple) and len(out) > 1:
                _fail(f"{name} returns a tuple of {len(out)} values; it should return one array, {want}",
                      f"End it with `return {want}` alone.")
            got.append((out,))
    if value_shape_msg and any(np.shape(gi) != np.shape(ei) and np.shape(gi) == np.shape(ei)[:-1]
                               for g, e in zip(got, expected) for gi, ei in zip(g, e)):
        _fail(*value_shape_msg(name))
    for case, g, e in zip(cases, got, expected):
        _check_types(name, case, g, e, outputs, code_names)
    # shapes
    for case, g, e in zip(cases, got, expected):
        for o, gi, ei in zip(outputs, g, e):
            gs, es = np.shape(gi), np.shape(ei)
            if gs != es:
                if case.batched:
                    _fail(f"{name} works for {single} but not for a batch",
                          f"For {case.label} it returns {o} of shape {gs}; it should have shape {es} — "
                          f"{hint_batched}")
                _fail(f"{name} returns {o} of shape {gs}; expected shape {es}", f"That was for {case.label}.")
    # order
    if multi and not all(_all_close(g, e) for g, e in zip(got, expected)):
        for perm in itertools.permutations(range(k)):
            if perm != tuple(range(k)) and all(
                    _all_close([g[i] for i in perm], e) for g, e in zip(got, expected)):
                order = "(" + ", ".join(code_names[i] for i in np.argsort(perm)) + ")"
                _fail(f"{name} returns {order}: the values are swapped",
                      f"The numbers are right; return them in the order {want}.")
    failing = [i for i, (g, e) in enumerate(zip(got, expected)) if not _all_close(g, e)]
    if failing:
        raise _diagnose(name, cases, got, failing, outputs, variants, hint_batched, expected, single)
    for case, (_, mutated) in zip(cases, results):
        if mutated:
            names = " and ".join(f"`{arg_names[i]}`" for i in mutated)
            a = arg_names[mutated[0]]
            _fail(f"{name} changes its input {names} in place",
                  f"The numbers are right, but the caller's array changes too. Build new arrays (`{a} = {a} …` "
                  f"instead of `{a} -= …` or `{a}[...] = …`) so the caller's arrays stay unchanged.")
    if missing and len(cases) < n_cases:
        _fail(*missing)
    n_batched = sum(c.batched for c in cases)
    print(success or f"✓ {name} is correct — it matches optlab's reference on {len(cases)} cases"
          + (f", {n_batched} of them batched." if n_batched else "."))


def _diagnose(name, cases, got, failing, outputs, variants, hint_batched, expected, single):
    """The _Failure for wrong numbers: the named variant that reproduces them, or what differs."""
    def variant_out(variant, case):
        try:
            out = _quiet_call(variant, copy.deepcopy(case.args), case.kwargs)
        except Exception:
            return None
        return tuple(out) if len(outputs) > 1 else (out,)

    for verdict, detail, variant in variants:  # a variant that explains every case
        if all((vo := variant_out(variant, c)) is not None and _all_close(g, vo)
               for c, g in zip(cases, got)):
            return _Failure(f"{name}: {verdict}", detail)
    first = failing[0]
    for verdict, detail, variant in variants:  # one that explains the first failing case
        vo = variant_out(variant, cases[first])
        if vo is not None and _all_close(got[first], vo):
            return _Failure(f"{name}: {verdict}", detail)
    case = cases[first]
    if all(cases[i].batched for i in failing) and not all(c.batched for c in cases):
        return _Failure(f"{name} is right for {single} but not for a batch",
                        f"It gives different numbers for {case.label} — {hint_batched}")
    wrong = [o for o, g, e in zip(outputs, got[first], expected[first]) if not _close(g, e)]
    o = wrong[0]
    i = outputs.index(o)
    right = [x for x in outputs if x not in wrong]
    also = f" (the {', '.join(right)} {'is' if len(right) == 1 else 'are'} right)" if right else ""
    return _Failure(f"{name} computes the wrong {o}",
                    f"On {case.label}{also}: got {_fmt(got[first][i])}, expected {_fmt(expected[first][i])} — "
                    "compare your code with the update rule line by line.")


# --------------------------------------------------------------------------- results of other shapes
def _iterates(name, out, want, label, returns="np.stack(thetas)"):
    """Common checks of a function that returns the iterates θ0 … θ_T (one row each)."""
    __tracebackhide__ = True
    kind = _kind(out)
    if kind == "list" and np.shape(out) == want.shape:
        _fail(f"{name} returns a list, not a numpy array",
              f"Stack the iterates into one array: `return {returns}`.")
    if kind != "array":
        _fail(f"{name} returns a {kind}, not an array of iterates",
              f"It should return all iterates θ0 … θ{len(want) - 1} {label} as one array of shape {want.shape}: "
              f"`return {returns}`.")
    got, steps = np.asarray(out), len(want) - 1
    if got.shape == want.shape[1:]:
        _fail(f"{name} returns only the last θ, not every iterate",
              f"Keep a list with θ0 and append every new θ; return all {steps + 1} of them, shape {want.shape}.")
    if got.shape == (steps,) + want.shape[1:]:
        _fail(f"{name} leaves out θ0 ({steps} rows, expected {steps + 1})",
              "Put the start θ0 in the list before the first step.")
    if got.shape[1:] == want.shape[1:] and len(got) == steps + 2:
        _fail(f"{name} takes one step too many ({steps + 2} rows, expected {steps + 1})",
              f"`steps` steps give θ0 … θ{steps}: loop `for _ in range(steps)`.")
    if got.shape != want.shape:
        _fail(f"{name} returns shape {got.shape}, expected {want.shape}",
              f"It should return all iterates θ0 … θ{steps} {label}, one row each.")
    return got


def _pair(name, out, names):
    """The student's result as two floats, or the verdict for a result that is not such a pair."""
    __tracebackhide__ = True
    pair = f"({', '.join(names)})"
    if not isinstance(out, (tuple, list)):
        shape = np.shape(out) if _kind(out) == "array" else ()
        if shape == (2,):
            return tuple(float(x) for x in out)
        _fail(f"{name} returns a single {_kind(out)}, not the pair {pair}",
              f"End it with `return {', '.join(names)}`.")
    if len(out) != 2:
        _fail(f"{name} returns {len(out)} values; it should return the pair {pair}",
              f"End it with `return {', '.join(names)}`.")
    values = []
    for n, x in zip(names, out):
        if _kind(x) not in ("number",) and np.size(x) != 1:
            _fail(f"{name} returns {n} as a {_kind(x)}, not a number", f"Each of {pair} is one number.")
        try:
            values.append(float(np.asarray(x, dtype=float).reshape(())))
        except (TypeError, ValueError):
            _fail(f"{name} returns {n} as a {_kind(x)}, not a number", f"Each of {pair} is one number.")
    return tuple(values)


def _swapped(name, got, want, names):
    __tracebackhide__ = True
    if not _close(got, want) and _close(got[::-1], want):
        _fail(f"{name} returns ({names[1]}, {names[0]}): the values are swapped",
              f"The numbers are right; return them in the order ({names[0]}, {names[1]}).")
