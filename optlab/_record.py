"""What a run keeps, for :mod:`optlab.runner`: its record and when a clip of the gradient acted.

* :class:`Record` — θ_k and |∇J(θ_k)| at the recorded steps (every step, or every r-th with ``record_every``),
  J(θ_k) at every step, and where each run diverged; for small batches the bookkeeping goes in blocks of steps.
* :func:`clipping` / :class:`ClipCounter` — the runner's ``clip_norm`` / ``clip_value`` option: clips g before
  each step and counts, per run, the steps at which that changed it.
* :func:`stack_states`, :func:`mask_after`, :func:`blank` — a replay's states, and NaN from a run's divergence on.

A private module: the runner's insides, kept apart so that ``runner.py`` reads as the loop it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import threshold
from .clipping import norm_clip_factor, unchecked_clip_by_value

__all__ = ["Record", "recorded_steps", "clipping", "Clipping", "ClipCounter", "stack_states", "mask_after", "blank"]


def clipping(clip_norm, clip_value):
    """The runner's gradient clipping, or None: at most one of the two thresholds, each > 0 (inf: off)."""
    if clip_norm is not None and clip_value is not None:
        raise ValueError(f"give clip_norm or clip_value, not both (got clip_norm={clip_norm!r}, "
                         f"clip_value={clip_value!r})")
    if clip_norm is not None:
        return Clipping("clip_norm", "‖g‖", threshold("clip_norm", clip_norm), _by_norm)
    if clip_value is not None:
        return Clipping("clip_value", "|gᵢ|", threshold("clip_value", clip_value), _by_value)
    return None


def _by_norm(g, limit):
    """optlab.clipping's clip by norm, and which runs it changed (a diverged run's NaN never counts)."""
    factor = norm_clip_factor(g, limit)
    return g * factor, factor[..., 0] < 1.0


def _by_value(g, limit):
    return unchecked_clip_by_value(g, limit), np.any(np.abs(g) > limit, axis=-1)


@dataclass(frozen=True)
class Clipping:
    """A clip of the gradient (``fn(g, limit) -> (clipped g, acted per run)``, limit with a trailing axis)."""

    name: str
    what: str
    limit: object
    fn: object

    def counter(self, runs, steps):
        return ClipCounter(self, np.asarray(self.limit)[..., None] if np.ndim(self.limit) else self.limit, runs,
                            steps)


class ClipCounter:
    """Clips g at each step and counts, per run, the steps at which that changed it, up to the run's divergence.

    The record may learn of a divergence only at the end of a block of steps (:class:`Record`), so the steps at which
    the clip acted are kept (one boolean per step and run) and counted at the end, where ``diverged_at`` is known:
    a clip at step t uses ∇J(θ_{t−1}), so it counts while t − 1 < ``diverged_at``.
    """

    def __init__(self, clipping, limit, runs, steps):
        self.clipping, self.limit = clipping, limit
        self.acted = np.zeros((steps,) + runs, dtype=bool)

    def __call__(self, g, t):
        clipped, self.acted[t - 1] = self.clipping.fn(g, self.limit)
        return clipped

    def result(self, diverged_at):
        acted = self.acted
        mask_after(acted, diverged_at, offset=0, fill=False)  # the clip at step k + 1 uses ∇J(θ_k)
        count = np.count_nonzero(acted, axis=0)
        # the last step t at which it acted (run() takes steps >= 1): steps − its index counted from the end
        last = np.where(count > 0, len(acted) - np.argmax(acted[::-1], axis=0), -1)
        return dict(clip=self.clipping.what, clipped=np.asarray(count, dtype=np.int64),
                    last_clipped=np.asarray(last, dtype=np.int64))


def recorded_steps(steps: int, every: int) -> np.ndarray:
    """The steps k whose θ_k a run keeps: 0, r, 2r, … and the last step N."""
    kept = np.arange(0, steps + 1, every)
    return kept if kept[-1] == steps else np.append(kept, steps)


class Record:
    """What a run keeps: θ_k and |∇J(θ_k)| at the recorded steps, J(θ_k) at every step, and where each run diverged.

    A run diverges at step k when |θ_k|² > bound² or θ_k or J(θ_k) is not finite (NaN compares False, so it is
    caught too); from there on its record is NaN, and θ and g go on as NaN. :meth:`add` takes step k's θ_k, J(θ_k) and
    ∇J(θ_k) and returns θ and g to go on with.

    For a large batch each step is checked as it comes, in a few numpy calls whose cost is their arithmetic. For a
    small one (one run, or a slider's range) those calls would cost mostly their overhead, so up to ``block`` steps
    are copied into a block (recording every step: the rows of ``thetas`` themselves) and checked at once.
    """

    #: a small batch: at most this many numbers of θ in a block, and at most this many steps
    BLOCK_VALUES = 1 << 13
    BLOCK_STEPS = 64

    def __init__(self, steps, runs, d, every, bound):
        shape = runs + (d,)
        self.steps, self.every, self.bound2 = steps, every, bound * bound
        self.kept = recorded_steps(steps, every)
        self.thetas = np.empty((len(self.kept),) + shape)
        self.losses = np.empty((steps + 1,) + runs)
        self.grad_norms = np.empty((len(self.kept),) + runs)
        self.diverged_at = np.full(runs, -1, dtype=np.int64)
        self.alive = np.ones(runs, dtype=bool)
        self.n_alive = self.alive.size
        self.ones = np.ones(d)
        size = int(np.prod(shape))
        self.block = max(1, min(self.BLOCK_STEPS, self.BLOCK_VALUES // max(1, size)))
        if self.block > 1:
            self.k0 = 0  # the first step in the block
            self.theta_block = self.thetas if every == 1 else np.empty((self.block,) + shape)
            self.grad_block = np.empty((self.block,) + shape)
            self.add = self._add_to_block
        else:
            self.add = self._add_step

    def _squares(self, x):
        """|x|² over the last axis: (x * x) @ ones, as one matrix-vector product (several times faster than einsum
        or sum, and than a stack of products)."""
        x = x * x
        return (x.reshape(-1, x.shape[-1]) @ self.ones).reshape(x.shape[:-1])

    def _row(self, k):
        """The row of ``thetas`` that keeps step k, or None."""
        if self.every == 1:
            return k
        return len(self.kept) - 1 if k == self.steps else k // self.every if k % self.every == 0 else None

    def _add_step(self, k, theta, loss, grad):
        ok = self._squares(theta) <= self.bound2
        ok &= np.isfinite(loss)
        n_ok = int(np.count_nonzero(ok))
        if n_ok < self.n_alive:  # a run that diverged stays NaN, so only a new divergence lowers the count
            newly = self.alive & ~ok
            self.diverged_at[newly] = k
            self.alive &= ok
            self.n_alive = n_ok
            keep = ok[..., None]
            theta = np.where(keep, theta, np.nan)
            grad = np.where(keep, grad, np.nan)
            loss = np.where(ok, loss, np.nan)
        self.losses[k] = loss
        row = self._row(k)
        if row is not None:
            self.thetas[row] = theta
            self.grad_norms[row] = np.sqrt(self._squares(grad))
        return theta, grad

    def _add_to_block(self, k, theta, loss, grad):
        j = k - self.k0
        self.theta_block[k if self.every == 1 else j] = theta
        self.losses[k] = loss
        self.grad_block[j] = grad
        if j == self.block - 1 or k == self.steps:
            theta, grad = self._close_block(k, theta, grad)
        return theta, grad

    def _close_block(self, k, theta, grad):
        k0, n = self.k0, k - self.k0 + 1
        thetas = self.theta_block[k0:k + 1] if self.every == 1 else self.theta_block[:n]
        grads, losses = self.grad_block[:n], self.losses[k0:k + 1]
        ok = self._squares(thetas) <= self.bound2
        ok &= np.isfinite(losses)
        ok |= ~self.alive
        if not ok.all():
            newly = ~ok.all(axis=0)
            first = np.argmin(ok[:, newly], axis=0)  # the first step that failed, in the block
            self.diverged_at[newly] = k0 + first
            self.alive &= ~newly
            self.n_alive = int(np.count_nonzero(self.alive))
            dead = np.arange(n)[:, None] >= np.atleast_1d(first)
            for rows in (thetas, losses, grads):
                blank(rows, newly, dead)
            keep = self.alive[..., None]
            theta = np.where(keep, theta, np.nan)
            grad = np.where(keep, grad, np.nan)
        if self.every == 1:
            rows = slice(k0, k + 1)
        else:  # the recorded steps of this block
            rows = np.flatnonzero((self.kept >= k0) & (self.kept <= k))
            picked = self.kept[rows] - k0
            self.thetas[rows] = thetas[picked]
            grads = grads[picked]
        self.grad_norms[rows] = np.sqrt(self._squares(grads))
        self.k0 = k + 1
        return theta, grad


def stack_states(states, diverged_at):
    """Stack a list of NamedTuple states into a dict of arrays; a run's entries are NaN from its divergence on."""
    out = {}
    first = states[0]
    fields = first._fields if isinstance(first, tuple) else ()  # a NamedTuple's public field names
    for i, field in enumerate(fields):
        values = [s[i] for s in states]
        arr = np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64 if field != "t" else None),
                                        np.shape(values[-1])) for v in values])
        if arr.dtype.kind == "f":
            mask_after(arr, diverged_at, offset=0)
        out[field] = arr
    return out


def blank(rows, newly, dead):
    """In a block ``rows`` (steps first, then the runs), set to NaN the runs ``newly`` (a boolean array over the runs)
    in the rows ``dead`` (shape (steps, number of those runs))."""
    if newly.ndim == 0:  # one run
        rows[dead[:, 0]] = np.nan
        return
    picked = rows[:, newly]
    rows[:, newly] = np.where(dead.reshape(dead.shape + (1,) * (picked.ndim - 2)), np.nan, picked)


def mask_after(arr, diverged_at, offset, fill=np.nan):
    """Set ``arr[k + offset:]`` to ``fill`` (NaN) for each run that diverged at step k (``arr`` indexed by step
    first)."""
    if not np.any(diverged_at >= 0) or arr.ndim < 1 + diverged_at.ndim:
        return
    steps = np.arange(arr.shape[0]).reshape((-1,) + (1,) * diverged_at.ndim)
    dead = (diverged_at >= 0) & (steps >= diverged_at + offset)
    np.copyto(arr, fill, where=dead.reshape(dead.shape + (1,) * (arr.ndim - dead.ndim)))
