"""What every check shares: the exercises optlab knows, the verdict and how it is shown, calling the student.

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

import functools
import inspect
import numbers
import textwrap
import types
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .._format import fmt

RTOL, ATOL = 1e-6, 1e-9
#: The first line of every check's AssertionError — the verdict — fits in this many characters.
VERDICT_WIDTH = 90
#: Details are wrapped to this width, so ``nbgrader validate`` (which cuts lines at 87) shows them whole.
DETAIL_WIDTH = 80


# --------------------------------------------------------------------------- the exercises optlab knows
@dataclass(frozen=True)
class Exercise:
    """An exercise of the course: its function's name, lesson, check, optlab's reference (or None) and the
    mistakes its check names beyond the ones every check names (not written, not defined, raised an error,
    returns None, a list or the wrong number of values, values swapped, an input changed in place)."""

    name: str
    lesson: str
    check: Callable
    reference: Optional[Callable]
    mistakes: tuple = ()


#: Every exercise optlab has a check for, by the name of the function the student writes.
EXERCISES: dict = {}


def _register(name, lesson, check, reference=None, mistakes=()):
    """Add an exercise; ``mistakes``: its check's named verdicts, or its ``[(verdict, detail, fn), …]`` catalogue."""
    verdicts = tuple(dict.fromkeys(m[0] if isinstance(m, tuple) else m for m in mistakes))
    EXERCISES[name] = Exercise(name, lesson, check, reference, verdicts)


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
        # tb_offset=0: the chain starts at the notebook's own frame (IPython 8 would skip it by default)
        return shell.InteractiveTB.structured_traceback(type(error), error, _visible_frames(error.__traceback__),
                                                        tb_offset=0)
    return render


def _as_assertion(failure):
    error = AssertionError(failure.message)
    error._render_traceback_ = _short_traceback(error)
    return error


def _public(check):
    """Re-raise a check's verdict as a bare AssertionError (verdict, then detail; optlab's frames hidden).

    A check handed optlab's own reference for its exercise fails too: that is what a student checks who runs
    the check cell again after ``gd_step = reference_or("gd_step")`` put optlab's function in place of a wrong
    one — a "✓ correct" would grade optlab's code and tell the student their own was right.
    """
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True
        try:
            if args:
                _not_optlabs_own(wrapper, args[0])
            return check(*args, **kwargs)
        except _Failure as failure:
            error = _as_assertion(failure)
        raise error from None
    return wrapper


def _not_optlabs_own(check, fn):
    """Fail if ``fn`` is optlab's reference for the exercise that ``check`` checks."""
    __tracebackhide__ = True
    for ex in EXERCISES.values():
        if ex.check is check and ex.reference is not None and fn is ex.reference:
            _fail(f"{ex.name} is optlab's now, not yours — run your own cell again",
                  f"After a failed check, `{ex.name} = reference_or(\"{ex.name}\")` puts optlab's {ex.name} in "
                  f"place of yours, so that the lesson runs on. To check your own, run the cell where you "
                  f"wrote {ex.name} again, then this check.")


def _fmt(a):
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        return repr(a)
    return fmt(a, 6) if a.ndim == 0 else fmt(a.ravel(), 4)  # optlab's one formatter


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


def _kind(value):
    """'array', 'number', 'list', 'tuple', 'None' or the type name of a value a student returned."""
    if isinstance(value, np.ndarray):
        return "array" if value.ndim else "number"
    if isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, bool):
        return "number"
    return type(value).__name__


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


