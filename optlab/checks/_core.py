"""The machinery every check shares: run the student's function, compare, name the mistake.

A check hands :func:`_check_rule` the student's function, optlab's reference, a list of
:class:`_Case` calls and a catalogue of known-wrong variants, ``[(verdict, detail, fn), ...]``. It
calls the student's function on fresh copies of each case (so in-place changes are caught, and cannot
spoil the next case), then reports the first problem it finds, in this order: an exception, ``None``
or the wrong number of values, values that are not arrays, wrong shapes, values in the wrong order,
wrong numbers (named by the variant that reproduces them), mutated inputs.

Every failure is a :class:`_Failure` carrying a *verdict* — one line of at most 90 characters that
starts with the function's name — and a *detail* (the rule, the expected value, the fix). :func:`_public`
turns it into the plain ``AssertionError`` the student sees: the verdict, then the detail wrapped to
the same width. In IPython the traceback shows only the notebook's own lines (the check call) and
the message: every frame of optlab's sets ``__tracebackhide__``, and the error carries a
``_render_traceback_`` that leaves those frames out (IPython would otherwise still print the last one).

Independent grading: the student's function runs with every *other* exercise it calls by name taken
from optlab (:func:`_independent`), so a mistake in ``gd_step`` cannot fail ``gradient_descent``.
"""
from __future__ import annotations

import copy
import functools
import inspect
import itertools
import numbers
import re
import textwrap
import types
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

RTOL, ATOL = 1e-6, 1e-9
#: The first line of every check's AssertionError — the verdict — fits in this many characters.
VERDICT_WIDTH = 90
#: Details are wrapped to this width, so ``nbgrader validate`` (which cuts lines at 87) shows them whole.
DETAIL_WIDTH = 80


# --------------------------------------------------------------------------- the exercises optlab knows
@dataclass(frozen=True)
class Exercise:
    """An exercise of the course: its function's name, lesson, check and optlab's reference (or None)."""

    name: str
    lesson: str
    check: Callable
    reference: Optional[Callable]


#: Every exercise optlab has a check for, by the name of the function the student writes.
EXERCISES: dict = {}


def _register(name, lesson, check, reference=None):
    EXERCISES[name] = Exercise(name, lesson, check, reference)


def _is_reference(fn) -> bool:
    return any(fn is ex.reference for ex in EXERCISES.values() if ex.reference is not None)


# --------------------------------------------------------------------------- failures and their display
class _Failure(AssertionError):
    """Raised inside the checks; the public check re-raises it as a plain AssertionError."""

    def __init__(self, verdict, detail=""):
        verdict = " ".join(str(verdict).split())
        if len(verdict) > VERDICT_WIDTH:  # a long exception text inside a verdict: keep the start
            verdict = verdict[:VERDICT_WIDTH - 1] + "…"
        super().__init__(verdict)
        self.verdict, self.detail = verdict, " ".join(str(detail).split())

    @property
    def message(self):
        return self.verdict + ("\n" + _wrap(self.detail) if self.detail else "")


_MATH = set("θαβγδελκσφηρ∇√←−+=·⊙×²ᵗ̂|/≤≥<>₀₁ᵢ′")


def _wrap(text, width=DETAIL_WIDTH):
    """``text`` wrapped to ``width`` columns without breaking a formula ("v ← βv − αg") across lines."""
    def mathy(token):
        return (len(token) == 1 and token.isalpha()) or any(c in _MATH for c in token)

    tokens = text.split(" ")
    glued = tokens[:1]
    for prev, token in zip(tokens, tokens[1:]):
        if mathy(prev) and mathy(token):
            glued[-1] += "\u00a0" + token
        else:
            glued.append(token)
    wrapped = textwrap.fill(" ".join(glued), width, break_long_words=False, break_on_hyphens=False)
    return wrapped.replace("\u00a0", " ")


def _fail(verdict, detail=""):
    __tracebackhide__ = True
    raise _Failure(verdict, detail)


def _visible_frames(tb):
    """The traceback ``tb`` without the frames that set ``__tracebackhide__`` (a new chain)."""
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_locals.get("__tracebackhide__"):
            kept.append(tb)
        tb = tb.tb_next
    chain = None
    for entry in reversed(kept):
        chain = types.TracebackType(chain, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return chain


def _short_traceback(error):
    """IPython's ``_render_traceback_`` hook: the usual traceback, without optlab's frames."""
    def render():
        from IPython import get_ipython

        shell = get_ipython()
        return shell.InteractiveTB.structured_traceback(type(error), error, _visible_frames(error.__traceback__))
    return render


def _as_assertion(failure):
    error = AssertionError(failure.message)
    error._render_traceback_ = _short_traceback(error)
    return error


def _public(check):
    """Re-raise a check's verdict as a bare AssertionError (verdict, then detail; optlab's frames hidden)."""
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True
        try:
            return check(*args, **kwargs)
        except _Failure as failure:
            error = _as_assertion(failure)
        raise error from None
    return wrapper


def _fmt(a):
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        return repr(a)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    flat = np.array2string(a.ravel()[:4], precision=4, separator=", ")
    return flat if a.size <= 4 else flat[:-1] + ", …]"


def _close(a, b, rtol=RTOL, atol=ATOL):
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _all_close(xs, ys):
    return len(xs) == len(ys) and all(_close(x, y) for x, y in zip(xs, ys))


def _quiet_call(fn, args, kwargs=None):
    __tracebackhide__ = True
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args, **(kwargs or {}))


# --------------------------------------------------------------------------- independent grading
def _global_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _independent(fn, name=None):
    """``fn`` with every *other* exercise it calls by name taken from optlab.

    A student's ``gradient_descent`` that calls ``gd_step`` is checked with optlab's ``gd_step``,
    whatever the notebook's ``gd_step`` is, so one mistake costs one check. Helper functions the student
    defined in the same notebook are rebound too (they may call ``gd_step`` themselves). The notebook's
    namespace is not touched: the copies read a copy of it.
    """
    if not isinstance(fn, types.FunctionType):
        return fn
    own = name or fn.__name__
    user_globals = fn.__globals__
    new_globals, done = None, {}

    def rebind(f):
        if id(f) in done:
            return done[id(f)]
        g = types.FunctionType(f.__code__, new_globals, f.__name__, f.__defaults__, f.__closure__)
        g.__kwdefaults__, g.__qualname__, g.__doc__ = f.__kwdefaults__, f.__qualname__, f.__doc__
        g.__dict__.update(f.__dict__)
        done[id(f)] = g
        return g

    # which global names, reachable from fn through the student's own functions, are other exercises?
    todo, seen_fns, swap, helpers = [fn], set(), {}, {}
    while todo:
        f = todo.pop()
        if id(f) in seen_fns:
            continue
        seen_fns.add(id(f))
        for n in _global_names(f.__code__):
            ex = EXERCISES.get(n)
            if ex is not None and n != own and ex.reference is not None:
                swap[n] = ex.reference
                continue
            value = user_globals.get(n)
            if isinstance(value, types.FunctionType) and value.__globals__ is user_globals and value is not fn:
                helpers[n] = value
                todo.append(value)
    if not swap:
        return fn
    new_globals = dict(user_globals)
    new_globals.update(swap)
    for n, helper in helpers.items():
        if n not in swap:
            new_globals[n] = rebind(helper)
    return rebind(fn)


# --------------------------------------------------------------------------- calling the student's function
def _not_written(name):
    return _Failure(f"{name} is not written yet",
                    "Replace `raise NotImplementedError()` with your code, run that cell, then run this "
                    "check again.")


def _raised(name, exc, where=""):
    text = str(exc).splitlines()[0] if str(exc) else ""
    return _Failure(f"{name} raised {type(exc).__name__}{' ' + where if where else ''}",
                    f"{type(exc).__name__}: {text} — fix that error, run the cell, then run this check again."
                    if text else "Fix that error, run the cell, then run this check again.")


def call_student(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` for a lesson's own check, failing the way the built-in checks do.

    The call runs with every other exercise ``fn`` calls by name taken from optlab (independent grading).
    While ``fn`` is an unwritten stub this raises ``AssertionError("sign_descent_step is not written yet
    …")``; any other exception from the student's code becomes an AssertionError naming it ("… raised
    TypeError"); a function that returns ``None`` is told it forgot its ``return``. A generator is
    wrapped so that its stub fails the same way when iterated.
    """
    __tracebackhide__ = True
    name = getattr(fn, "__name__", "this function")
    try:
        return _call(name, fn, args, kwargs)
    except _Failure as failure:
        error = _as_assertion(failure)
    raise error from None


def _call(name, fn, args, kwargs=None, *, returns="the result"):
    """Call the student's ``fn`` (independently of other exercises); stubs, errors and None become _Failure."""
    __tracebackhide__ = True
    if not callable(fn):
        _fail(f"{name} should be a function, but it is a {type(fn).__name__}",
              f"Define it with `def {name}(...)` and run that cell.")
    try:
        out = _quiet_call(_independent(fn, name), args, kwargs)
    except NotImplementedError:
        raise _not_written(name) from None
    except _Failure:
        raise
    except Exception as exc:  # the student's bug, named
        raise _raised(name, exc) from None
    if out is None:
        _fail(f"{name} returns None — did you forget `return {returns}`?",
              "A function without a `return` line gives back None; end it with the line that returns the answer.")
    return _friendly_generator(name, out) if inspect.isgenerator(out) else out


def _friendly_generator(name, gen):
    try:
        yield from gen
    except NotImplementedError:
        raise _not_written(name) from None


# --------------------------------------------------------------------------- the shared rule check
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


def _kind(value):
    """'array', 'number', 'list', 'tuple', 'None' or the type name of a value a student returned."""
    if isinstance(value, np.ndarray):
        return "array" if value.ndim else "number"
    if isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, bool):
        return "number"
    return type(value).__name__


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


def _arrays(rng, shape, *, positive=False, scale=1.0):
    a = rng.normal(size=shape) * scale
    return np.abs(a) + 0.05 if positive else a


def _rng():
    return np.random.default_rng(20241125)


def _variant(fn, **mistakes):
    """``fn`` with some of its mistake switches on: a wrong implementation for a catalogue."""
    return functools.partial(fn, **mistakes)


def _verdict_of(error) -> str:
    """The verdict (first line) of a check's AssertionError."""
    return str(error).split("\n", 1)[0]


_NAME_ERROR = re.compile(r"name '([^']+)' is not defined")
