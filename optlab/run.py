"""The runner: an optimizer on an objective from θ0 for N steps, batched by broadcasting.

One call is a whole sweep: θ0 of shape ``(..., d)`` and every hyperparameter of the optimizer may
carry leading axes; they broadcast together into the run shape S, and the trajectory holds every run.

Example:
    >>> from optlab.optimizers import Adam
    >>> traj = run(Adam(lr=np.geomspace(1e-3, 1.0, 5)), "rosenbrock", [-1.2, 1.0], steps=100)
    >>> traj.thetas.shape, traj.losses.shape
    ((101, 5, 2), (101, 5))
    >>> run(Adam(lr=0.05), "quadratic", [3.0, 1.0], steps=300).message
    'converged: J = 1.4e-13 after 300 steps'

A run *diverges* at step k when θ_k or J(θ_k) is not finite or |θ_k| > ``bound``: from step k on it is
frozen, its ``thetas``/``losses``/``grad_norms`` are NaN (so plots stop there) and ``diverged_at`` holds
k. No RuntimeWarning escapes. The step loop does a handful of numpy operations per step on the whole
batch, so 10 000 runs cost about as much as a few hundred (see ``benchmarks/run.py``).

The same loop serves every optimizer (the d2l habit): ``g = ∇J(opt.eval_point(θ, state))``,
``θ, state = opt.step(θ, g, state, lr_scale)``. Lessons 01–07 use it through the panels.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._validate import finite_array, nonnegative, positive

__all__ = ["run", "Trajectory"]


@dataclass(frozen=True)
class Trajectory:
    """The record of one run or a batch of runs of shape S (``thetas`` has shape ``(steps + 1,) + S + (d,)``).

    Attributes:
        thetas: θ_0 … θ_steps, shape ``(steps + 1, ..., d)``; NaN from a run's divergence on.
        losses: J(θ_k) (full-batch for data objectives), shape ``(steps + 1, ...)``.
        grad_norms: |∇J(θ_k)| (full-batch, without noise), shape ``(steps + 1, ...)``.
        diverged_at: first diverged step of each run, -1 if none; int array of shape S.
        steps: the number of steps N.
        states: with ``record_state=True``: dict field -> array of the optimizer state after each step
            (index 0 = after ``init``), e.g. ``m``, ``v`` of shape ``(steps + 1, ..., d)`` and ``t`` of shape
            ``(steps + 1,)``; otherwise None.
        updates: with ``record_state=True``: θ_{k+1} − θ_k, shape ``(steps, ..., d)``; otherwise None.
        grads: with ``record_state=True``: the gradient g each step used (at the evaluation point, with
            noise or on the mini-batch), shape ``(steps, ..., d)``; otherwise None.
        optimizer, objective: names, for titles and messages.
        f_min: the objective's minimum value, if known (NaN otherwise).
    """

    thetas: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged_at: np.ndarray
    steps: int
    states: Optional[dict] = None
    updates: Optional[np.ndarray] = None
    grads: Optional[np.ndarray] = None
    optimizer: str = ""
    objective: str = ""
    f_min: float = float("nan")

    def __getitem__(self, index) -> "Trajectory":
        """The runs ``index`` of a batch (indexing the run axes), e.g. ``traj[3]`` or ``traj[2, 5]``."""
        if not isinstance(index, tuple):
            index = (index,)
        if len(index) > self.diverged_at.ndim:
            raise IndexError(f"too many indices for a batch of runs of shape {self.diverged_at.shape}")
        per_step = (slice(None),) + index

        def pick(arr):
            return None if arr is None else arr[per_step]

        states = None if self.states is None else {
            k: (v if k == "t" else v[per_step]) for k, v in self.states.items()}
        return dataclasses.replace(self, thetas=pick(self.thetas), losses=pick(self.losses),
                                   grad_norms=pick(self.grad_norms), diverged_at=self.diverged_at[index],
                                   states=states, updates=pick(self.updates), grads=pick(self.grads))

    @property
    def diverged(self) -> np.ndarray:
        """True for each run that diverged."""
        return self.diverged_at >= 0

    @property
    def final_loss(self) -> np.ndarray:
        """J(θ_N) of each run (NaN for a diverged run)."""
        return self.losses[-1]

    @property
    def message(self) -> str:
        """One line for a person: 'diverged at step 37' or 'converged: J = 1.2e-08 after 200 steps'.

        'Converged' means J is within 1e-6 (relative) of the objective's known minimum ``f_min``;
        otherwise 'not converged yet: …', or 'finished: …' when the minimum is unknown. A batch gets a summary.
        """
        if self.diverged_at.ndim == 0:
            k = int(self.diverged_at)
            if k >= 0:
                return f"diverged at step {k}"
            loss = float(self.final_loss)
            gap = loss - self.f_min if math.isfinite(self.f_min) else float("nan")
            if math.isfinite(gap) and gap > 1e-6 * max(1.0, abs(self.f_min)):
                return f"not converged yet: J = {loss:.3g}, J − J* = {gap:.2g} after {self.steps} steps"
            if not math.isfinite(gap):  # no known minimum to compare with
                return f"finished: J = {loss:.2g} after {self.steps} steps"
            return f"converged: J = {loss:.2g} after {self.steps} steps"
        total, bad = self.diverged_at.size, int(np.count_nonzero(self.diverged))
        if bad == total:
            return f"all {total} runs diverged (the first at step {int(self.diverged_at.min())})"
        best = float(np.nanmin(self.final_loss))
        text = f"{total} runs, best J = {best:.2g} after {self.steps} steps"
        if bad:
            first = int(self.diverged_at[self.diverged].min())
            text += f"; {bad} diverged (the first at step {first})"
        return text


def _objective_and_dim(objective):
    if isinstance(objective, str):
        from .objectives import get_objective

        objective = get_objective(objective)
    if not (hasattr(objective, "grad") and hasattr(objective, "value")):
        raise ValueError(f"objective must be a name or an object with value() and grad() (got {objective!r})")
    d = getattr(objective, "d", None)  # objectives without ``d`` take the dimension of theta0
    return objective, None if d is None else int(d)


def _optimizer(optimizer):
    if isinstance(optimizer, str):
        from .optimizers import make_optimizer

        try:
            optimizer = make_optimizer(optimizer)
        except TypeError as exc:  # e.g. GD has no default learning rate
            raise ValueError(f"optimizer {optimizer!r} has no default for every hyperparameter ({exc}); pass an "
                             f"optimizer object instead, e.g. make_optimizer({optimizer!r}, lr=0.1)") from None
    for method in ("init", "step", "eval_point"):
        if not callable(getattr(optimizer, method, None)):
            raise ValueError(f"optimizer must be a name or an optimizer object with init/eval_point/step "
                             f"(got {optimizer!r})")
    return optimizer


def _evaluator(objective, data: bool):
    """A function (θ, batch) -> (J, ∇J) without per-call checks; the runner holds one np.errstate."""
    fast = getattr(objective, "_value_and_grad", None)
    if fast is not None:
        return fast if data else (lambda theta, batch=None: fast(theta))
    both = getattr(objective, "value_and_grad", None)
    if both is not None:
        return (lambda theta, batch=None: both(theta, batch)) if data else (lambda theta, batch=None: both(theta))
    if data:
        return lambda theta, batch=None: (objective.value(theta, batch), objective.grad(theta, batch))
    return lambda theta, batch=None: (objective.value(theta), objective.grad(theta))


def _lr_scales(schedule, steps: int):
    """The multipliers for steps t = 1..N: a list of floats (or arrays for per-run schedules); None if constant."""
    if schedule is None:
        return None
    if not callable(schedule):
        raise ValueError(f"schedule must be a callable t -> multiplier (got {schedule!r})")
    try:
        scales = np.asarray(schedule(np.arange(1, steps + 1)), dtype=np.float64)
        if scales.ndim == 0 or scales.shape[0] != steps:
            raise ValueError
    except (ValueError, TypeError):
        scales = [np.asarray(schedule(t), dtype=np.float64) for t in range(1, steps + 1)]
        scales = np.stack(scales) if steps > 1 else scales[0][None]
    scales = nonnegative("schedule(t)", scales)
    if scales.ndim == 1:
        return scales.tolist()
    return list(scales)


def run(optimizer, objective, theta0=None, steps: int = 100, *, noise=0.0, batch_size=None, schedule=None,
        seed=0, bound: float = 1e6, record_state: bool = False) -> Trajectory:
    """Run ``optimizer`` on ``objective`` from θ0 for ``steps`` steps; all runs of a batch at once.

    Each step evaluates the gradient g at ``optimizer.eval_point(θ, state)`` (the look-ahead point for
    Nesterov), adds seeded Gaussian noise of standard deviation ``noise`` or uses a mini-batch of
    ``batch_size`` examples, and calls ``optimizer.step(θ, g, state, lr_scale=schedule(t))``.

    Args:
        optimizer: an optimizer object from :mod:`optlab.optimizers` (or its name, with default
            hyperparameters). Hyperparameters may be arrays over runs.
        objective: an objective from :mod:`optlab.objectives` or :mod:`optlab.data`, or a name.
        theta0: start point(s), shape ``(..., d)``, finite; default ``objective.start``.
        steps: the number of steps N, an integer >= 1.
        noise: std (>= 0) of the Gaussian noise added to each gradient; scalar or array over runs.
        batch_size: for data objectives (with ``.n`` examples): examples per step, in [1, n]. Each run
            goes through its own shuffled epochs; the last batch of an epoch is smaller when
            ``batch_size`` does not divide n.
        schedule: callable t -> multiplier of the learning rate (see :mod:`optlab.schedules`).
        seed: seed of ``np.random.default_rng`` for noise and batches (or a Generator).
        bound: a run with |θ| > bound counts as diverged (> 0).
        record_state: also record the optimizer state, the updates and the gradients (step replay).

    Returns:
        A :class:`Trajectory`. Runs of a batch are independent: without noise or mini-batches a batched
        run equals the loop of single runs; with them, the batch shares one random stream, so it equals
        the loop in distribution only.

    Raises:
        ValueError: naming the argument, for steps < 1, non-finite θ0, a wrong last-axis length,
            batch_size out of range or without a data objective, negative noise, bound <= 0, ...
    """
    optimizer = _optimizer(optimizer)
    objective, d = _objective_and_dim(objective)
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1 (got {steps!r})")
    steps = int(steps)
    if theta0 is None:
        theta0 = getattr(objective, "start", None)
        if theta0 is None:
            raise ValueError("theta0 must be given: the objective has no default start point")
    theta0 = finite_array("theta0", theta0)
    if d is None and theta0.ndim:
        d = theta0.shape[-1]
    if theta0.ndim == 0 or theta0.shape[-1] != d:
        raise ValueError(f"theta0 must have shape (..., {d}) for this objective (got shape {theta0.shape})")
    noise = nonnegative("noise", noise)
    bound = positive("bound", bound)
    if np.ndim(bound):
        raise ValueError(f"bound must be a single number > 0 (got shape {np.shape(bound)})")
    data = hasattr(objective, "n")
    if batch_size is not None:
        if not data:
            raise ValueError(f"batch_size needs a data objective with n examples, such as optlab.data.LeastSquares "
                             f"(got batch_size={batch_size!r} for {type(objective).__name__})")
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)) \
                or not 1 <= batch_size <= objective.n:
            raise ValueError(f"batch_size must be an integer in [1, {objective.n}] (got {batch_size!r})")
        batch_size = int(batch_size)
    if isinstance(seed, np.random.Generator):
        rng = seed
    elif isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)) and seed >= 0:
        rng = np.random.default_rng(int(seed))
    else:
        raise ValueError(f"seed must be an integer >= 0 or a numpy Generator (got {seed!r})")
    scales = _lr_scales(schedule, steps)

    shapes = [theta0.shape[:-1], tuple(getattr(optimizer, "batch_shape", ())), np.shape(noise)]
    if scales is not None:
        shapes.append(np.shape(scales[0]))
    try:
        runs = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"theta0 (runs {shapes[0]}), the hyperparameters (shape {shapes[1]}) and noise "
                         f"(shape {shapes[2]}) must broadcast together") from None
    noise_std = noise if np.ndim(noise) == 0 else np.asarray(noise)[..., None]
    evaluate = _evaluator(objective, data)
    return _loop(optimizer, objective, evaluate, theta0, runs, d, steps, noise_std, batch_size, scales, rng,
                 float(bound), record_state)


def _loop(optimizer, objective, evaluate, theta0, runs, d, steps, noise, batch_size, scales, rng, bound,
          record_state):
    shape = runs + (d,)
    theta = np.array(np.broadcast_to(theta0, shape), dtype=np.float64)  # our own copy, writable
    state = optimizer.init(theta)
    thetas = np.empty((steps + 1,) + shape)
    losses = np.empty((steps + 1,) + runs)
    grad_norms = np.empty((steps + 1,) + runs)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    alive = np.ones(runs, dtype=bool)
    n_alive = int(alive.size)
    bound2 = bound * bound
    ones = np.ones(d)  # (x * x) @ ones is |x|² over the last axis, several times faster than einsum or sum
    use_noise = np.any(noise != 0)
    batches = _batch_stream(objective.n, batch_size, runs, rng) if batch_size is not None else None
    # The runner made θ and the state itself (float64, matching shapes), so it can skip the per-step
    # argument checks that ``Optimizer.step`` does for callers from outside.
    step = getattr(optimizer, "_update", optimizer.step)
    saved_states = [state] if record_state else None
    used_grads = [] if record_state else None

    with np.errstate(all="ignore"):
        loss, grad = evaluate(theta)
        for k in range(steps + 1):
            # Divergence: |θ|² > bound² or a non-finite θ/J (NaN compares False, so it is caught too).
            ok = (theta * theta) @ ones <= bound2
            ok &= np.isfinite(loss)
            n_ok = int(np.count_nonzero(ok))
            if n_ok < n_alive:
                newly = alive & ~ok
                diverged_at[newly] = k
                alive &= ok
                n_alive = n_ok
                keep = ok[..., None]
                theta = np.where(keep, theta, np.nan)
                grad = np.where(keep, grad, np.nan)
                loss = np.where(ok, loss, np.nan)
            thetas[k] = theta
            losses[k] = loss
            if runs:
                np.sqrt((grad * grad) @ ones, out=grad_norms[k])
            else:
                grad_norms[k] = np.sqrt(grad @ grad)
            if k == steps:
                break
            point = optimizer.eval_point(theta, state)
            if batches is not None:
                g = evaluate(point, next(batches))[1]
            elif point is theta:
                g = grad
            else:
                g = evaluate(point)[1]
            if use_noise:
                g = g + noise * rng.standard_normal(shape)
            if record_state:
                used_grads.append(g)
            if scales is None:
                theta, state = step(theta, g, state)
            else:
                theta, state = step(theta, g, state, scales[k])
            if record_state:
                saved_states.append(state)
            loss, grad = evaluate(theta)

    extra = {}
    if record_state:
        extra = dict(states=_stack_states(saved_states, diverged_at), updates=np.diff(thetas, axis=0),
                     grads=np.stack(used_grads))
        _mask_after(extra["grads"], diverged_at, offset=0)
    return Trajectory(thetas=thetas, losses=losses, grad_norms=grad_norms, diverged_at=diverged_at, steps=steps,
                      optimizer=str(getattr(optimizer, "name", type(optimizer).__name__)),
                      objective=str(getattr(objective, "name", type(objective).__name__)),
                      f_min=float(getattr(objective, "f_min", float("nan"))), **extra)


def _stack_states(states, diverged_at):
    """Stack a list of NamedTuple states into a dict of arrays; a run's entries are NaN from its divergence on."""
    out = {}
    fields = getattr(states[0], "_fields", ())
    for i, field in enumerate(fields):
        values = [s[i] for s in states]
        arr = np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64 if field != "t" else None),
                                        np.shape(values[-1])) for v in values])
        if arr.dtype.kind == "f":
            _mask_after(arr, diverged_at, offset=0)
        out[field] = arr
    return out


def _mask_after(arr, diverged_at, offset):
    """Set ``arr[k:]`` to NaN for each run that diverged at step k (``arr`` indexed by step first)."""
    if not np.any(diverged_at >= 0) or arr.ndim < 1 + diverged_at.ndim:
        return
    steps = np.arange(arr.shape[0]).reshape((-1,) + (1,) * diverged_at.ndim)
    dead = (diverged_at >= 0) & (steps >= diverged_at + offset)
    dead = dead.reshape(dead.shape + (1,) * (arr.ndim - dead.ndim))
    arr[np.broadcast_to(dead, arr.shape)] = np.nan


def _batch_stream(n, batch_size, runs, rng):
    """Endless mini-batches: each run shuffles its own epoch; index arrays of shape runs + (b,)."""
    while True:
        if runs:
            order = rng.permuted(np.broadcast_to(np.arange(n), runs + (n,)), axis=-1)
        else:
            order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[..., start:start + batch_size]
