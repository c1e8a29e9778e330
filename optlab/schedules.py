"""Learning-rate schedules: callables ``schedule(t) -> multiplier`` of the learning rate α.

The step count t starts at 1 (the first update) and may be an integer array (vectorised). Pass the
multiplier as ``lr_scale`` to :meth:`optlab.optimizers.Optimizer.step` (``optlab.run`` does it
with ``schedule=``): step t then uses the learning rate α·schedule(t).

Example:
    >>> sched = linear_warmup(4, after=cosine(10))
    >>> sched(np.arange(1, 6))
    array([0.25, 0.5 , 0.75, 1.  , 1.  ])

Introduced in lesson 06 (schedules and warm-up); ``inverse_time`` in lesson 02 (Robbins–Monro).
"""

from __future__ import annotations

import numpy as np

from ._validate import nonnegative, positive, positive_int

__all__ = ["Schedule", "constant", "step_decay", "exponential", "cosine", "linear_warmup", "inverse_time"]


class Schedule:
    """A named multiplier t ↦ m(t); calling it checks that t is an integer ≥ 1 (scalar or array)."""

    def __init__(self, fn, description: str):
        self._fn = fn
        self.description = description

    def __call__(self, t):
        t = positive_int("t", t)
        out = self._fn(np.asarray(t, dtype=np.float64))
        return float(out) if np.ndim(out) == 0 else out

    def __repr__(self):
        return self.description


def constant() -> Schedule:
    """m(t) = 1: the learning rate α throughout."""
    return Schedule(lambda t: np.ones_like(t), "constant()")


def step_decay(every: int, factor: float) -> Schedule:
    """m(t) = factor^⌊(t − 1)/every⌋: multiply α by ``factor`` after every ``every`` steps.

    Args:
        every: steps between decays, an integer ≥ 1.
        factor: multiplier per decay, in (0, 1].
    """
    every, factor = positive_int("every", every), _unit_factor("factor", factor)
    return Schedule(lambda t: factor ** np.floor((t - 1) / every), f"step_decay(every={every}, factor={factor})")


def exponential(gamma: float) -> Schedule:
    """m(t) = γ^(t − 1): α shrinks by the factor γ = ``gamma`` in (0, 1] every step."""
    gamma = _unit_factor("gamma", gamma)
    return Schedule(lambda t: gamma ** (t - 1), f"exponential(gamma={gamma})")


def cosine(total_steps: int, final: float = 0.0) -> Schedule:
    r"""Cosine annealing from 1 to ``final`` over ``total_steps`` steps, then ``final``.

    .. math:: m(t) = f + (1 - f)\,\frac{1 + \cos(\pi \min(t - 1, T)/T)}{2}

    with T = ``total_steps`` and f = ``final`` (torch's CosineAnnealingLR stepped once per update).

    Args:
        total_steps: T, an integer ≥ 1.
        final: the multiplier reached at the end, in [0, 1]. Default 0: with ``final=0`` steps after
            T use α·0, i.e. the parameters stop moving.
    """
    total_steps = positive_int("total_steps", total_steps)
    final = nonnegative("final", final)
    if np.any(np.asarray(final) > 1):
        raise ValueError(f"final must be in [0, 1] (got {final!r})")

    def fn(t):
        frac = np.minimum(t - 1, total_steps) / total_steps
        return final + (1 - final) * (1 + np.cos(np.pi * frac)) / 2

    return Schedule(fn, f"cosine(total_steps={total_steps}, final={final})")


def linear_warmup(warmup_steps: int, after: Schedule | None = None) -> Schedule:
    """Warm-up: m(t) = t/W for t ≤ W = ``warmup_steps``; then ``after(t − W)`` (or 1 if ``after`` is None).

    Args:
        warmup_steps: W, an integer ≥ 1.
        after: the schedule that follows the warm-up, restarted at its step 1.
    """
    warmup_steps = positive_int("warmup_steps", warmup_steps)
    if after is not None and not callable(after):
        raise ValueError(f"after must be a schedule (a callable of t) or None (got {after!r})")

    def fn(t):
        rest = np.ones_like(t) if after is None else np.asarray(after(np.maximum(t - warmup_steps, 1).astype(np.int64)))
        return np.where(t <= warmup_steps, t / warmup_steps, rest)

    return Schedule(fn, f"linear_warmup(warmup_steps={warmup_steps}, after={after!r})")


def inverse_time(decay: float) -> Schedule:
    """m(t) = 1/(1 + decay·t): the Robbins–Monro decay (Σα_t = ∞, Σα_t² < ∞), ``decay`` ≥ 0."""
    decay = nonnegative("decay", decay)
    return Schedule(lambda t: 1.0 / (1.0 + decay * t), f"inverse_time(decay={decay})")


def _unit_factor(name, x):
    x = positive(name, x)
    if np.any(np.asarray(x) > 1):
        raise ValueError(f"{name} must be in (0, 1] (got {x!r})")
    return x
