"""``reference_or``: go on with a function known to be right; ``whose``: say whose function runs."""
from __future__ import annotations

import contextlib
import io
import sys

from ._core import EXERCISES, Exercise, _independent, _is_reference, _verdict_of

_MISSING = object()


def not_defined(name, one_line=False) -> str:
    """The sentence for an exercise whose function does not exist (its cell failed or was not run); its
    first line is the verdict (≤ 90 characters)."""
    sep = " " if one_line else "\n"
    return f"{name} is not defined — run the cell above;{sep}if it shows an error, fix that first"


def _exercise(name, reference, check):
    known = EXERCISES.get(name)
    if reference is None and check is None:
        if known is None or known.reference is None:
            choices = sorted(n for n, ex in EXERCISES.items() if ex.reference is not None)
            raise ValueError(f"reference_or knows no reference called {name!r}; use one of {choices}, "
                             "or pass reference= and check=.")
        return known
    if reference is None:
        raise ValueError(f"reference_or({name!r}, check=…) also needs reference=, the function to fall back to.")
    return Exercise(name, known.lesson if known else "", check if check is not None else
                    (known.check if known else None), reference)


def reference_or(fn, *, reference=None, check=None):
    """The exercise's function if it passes its check, else optlab's reference — one line says which and why.

    After an exercise a lesson continues with ``gd_step = reference_or("gd_step")``. The function of that
    name in the notebook (the caller's globals) is run through its check, silently:

    * it passes — it is kept (calling optlab's version of any *other* exercise it uses), and the line
      says "your gd_step passed its check; the rest of this lesson uses it";
    * it fails — "your gd_step did not pass its check (θ moves uphill — a sign error); the rest of this
      lesson uses optlab's gd_step", and optlab's reference is returned;
    * it is a stub, or not defined at all (its cell raised, e.g. a SyntaxError, or was not run) — the line
      says so and the reference is returned.

    So a wrong answer costs its own check and nothing else: later cells never run a function that failed.
    ``fn`` may also be the function itself (``reference_or(gd_step)``), but then a missing definition is a
    NameError before the call. A lesson's own exercise passes ``reference=`` (and ``check=``, unless optlab
    already has a check of that name).
    """
    if isinstance(fn, str):
        name, fn = fn, sys._getframe(1).f_globals.get(fn, _MISSING)
    else:
        name = getattr(fn, "__name__", None)
    exercise = _exercise(name, reference, check)
    ref = exercise.reference
    if fn is _MISSING:
        print(f"{not_defined(name, one_line=True)}. Until then the rest of this lesson uses optlab's {name}.")
        return ref
    if fn is ref or _is_reference(fn):
        print(f"the rest of this lesson uses optlab's {name}.")
        return ref
    verdict = None
    if exercise.check is not None:
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                exercise.check(fn)
            except AssertionError as error:
                verdict = _verdict_of(error)
    if verdict is None:
        print(f"your {name} passed its check; the rest of this lesson uses it.")
        return _independent(fn, name)
    if verdict.startswith(f"{name} is not written yet"):
        print(f"{name} is not written yet; the rest of this lesson uses optlab's {name}.")
        return ref
    reason = verdict[len(name) + 2:] if verdict.startswith(f"{name}: ") else verdict
    print(f"your {name} did not pass its check ({reason}); the rest of this lesson uses optlab's {name}.")
    return ref


def whose(fn, name=None, *, compares=True) -> str:
    """"your gd_step", or — when ``fn`` is optlab's reference standing in for it after a failed check —
    "optlab's gd_step (in place of yours: the reference against itself)", for lines that compare a
    student's function with optlab's optimizers. ``compares=False`` is for lines that only use the function
    (a result computed with it): "optlab's gd_step (in place of yours)"."""
    name = name or getattr(fn, "__name__", "function")
    if _is_reference(fn):
        return f"optlab's {name} (in place of yours" + (": the reference against itself)" if compares else ")")
    return f"your {name}"
