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
batch, so 10 000 runs cost about as much as a few hundred (see ``benchmarks/run.py``). Where the reason is known
the trajectory says it: gradient descent and momentum on a quadratic diverge for α above 2/L and 2(1 + β)/L.

The same loop serves every optimizer (the d2l habit): ``g = ∇J(opt.eval_point(θ, state))``,
``θ, state = opt.unchecked_step(θ, g, state, lr_scale)``. Lessons 01–07 use it through the panels. An optimizer
built with your rule (``Adam(lr=0.1, rule=adam_step)``) runs your function, batched; if it fails — raises,
returns the wrong shape, or blows up where optlab's rule does not — the run is redone with optlab's rule and
``Trajectory.note`` says why in one sentence (never a traceback).

The module is ``optlab.runner``; :func:`run` is also ``optlab.run``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._format import fmt
from ._record import Clipping, Record, clipping, mask_after, stack_states
from ._validate import finite_array, nonnegative, positive, valid_batch_size
from .data import minibatches
from .objectives import get_objective
from .optimizers import Optimizer, RuleError, make_optimizer

__all__ = ["run", "Trajectory", "LrLimit"]

# Growth of J (J_N / J_0, or of J − J*) from which a run that did not overflow is flagged as "α too large?".
_GREW = 100.0
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class LrLimit:
    """Why a run on a quadratic diverged: its learning rate α and the stability limit of its optimizer there.

    Attributes:
        lr: α of each run, shape S.
        limit: the largest stable α of each run (e.g. 2/L for gradient descent), shape S.
        formula: the limit as the course writes it, e.g. ``"2/L"`` or ``"2(1 + β)/L"``.
    """

    lr: np.ndarray
    limit: np.ndarray
    formula: str

    def __getitem__(self, index) -> "LrLimit":
        return LrLimit(self.lr[index], self.limit[index], self.formula)

    def explains(self, diverged) -> np.ndarray:
        """True for the runs whose α exceeds the limit."""
        return np.asarray(diverged) & (self.lr > self.limit)

    def text(self, index=()) -> str:
        """``"α = 0.25 > 2/L = 0.2"`` for one run."""
        return f"α = {fmt(float(self.lr[index]), 3)} > {self.formula} = {fmt(float(self.limit[index]), 3)}"


@dataclass(frozen=True)
class Trajectory:
    """The record of one run or a batch of runs of shape S (``thetas`` has shape ``(steps + 1,) + S + (d,)``).

    Attributes:
        thetas: θ_0 … θ_steps, shape ``(steps + 1, ..., d)``; NaN from a run's divergence on. With
            ``run(..., record_every=r)`` only the steps in ``recorded_steps`` (0, r, 2r, …, N).
        losses: J(θ_k) (full-batch for data objectives), shape ``(steps + 1, ...)``: every step, always.
        grad_norms: |∇J(θ_k)| (full-batch, without noise), shape ``(steps + 1, ...)``; like ``thetas``, only the
            ``recorded_steps`` with ``record_every=r``.
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
        rule: whose update rule ran, e.g. ``"your adam_step"`` or ``"optlab's adam_step"`` ("" if unknown).
        note: why optlab's rule ran instead of the one the optimizer was given (one sentence), or "".
        lr_limit: on a quadratic (an objective with ``lam_max``), α and the stability limit of each run
            (:class:`LrLimit`), if the optimizer has one and α is constant (no schedule); otherwise None.
        recorded_steps: the step k of each row of ``thetas`` and ``grad_norms``: 0, 1, …, N (or 0, r, 2r, …, N
            with ``record_every=r``).
        clip: with ``clip_norm``/``clip_value``: what was clipped, ``"‖g‖"`` or ``"|gᵢ|"``; otherwise "".
        clipped: with clipping: at how many steps the clip changed the gradient, per run (int, shape S); else None.
        last_clipped: with clipping: the last step t (from 1) at which it did, −1 if never (shape S); else None.
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
    rule: str = ""
    note: str = ""
    lr_limit: Optional[LrLimit] = None
    recorded_steps: Optional[np.ndarray] = None
    clip: str = ""
    clipped: Optional[np.ndarray] = None
    last_clipped: Optional[np.ndarray] = None

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
        limit = None if self.lr_limit is None else self.lr_limit[index]
        clipped = {} if self.clipped is None else dict(clipped=self.clipped[index],
                                                       last_clipped=self.last_clipped[index])
        return dataclasses.replace(self, thetas=pick(self.thetas), losses=pick(self.losses),
                                   grad_norms=pick(self.grad_norms), diverged_at=self.diverged_at[index],
                                   states=states, updates=pick(self.updates), grads=pick(self.grads),
                                   lr_limit=limit, **clipped)

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
        The reason is given where it is known: 'diverged at step 73: α = 0.22 > 2/L = 0.2' on a quadratic, and a
        run whose J grew a hundredfold or more without overflowing ends with 'J grew 10⁴× — α too large?' (or with
        the limit it exceeds, on a quadratic).
        If optlab's rule took over from the one given, the line starts with the reason (:attr:`note`). With gradient
        clipping the line ends with when it was active: '‖g‖ clipped at 12 of 300 steps, the last at step 40'.
        """
        return f"{self.note}. {self.outcome}" if self.note else self.outcome

    @property
    def outcome(self) -> str:
        """:attr:`message` without the :attr:`note`: how the run (or the batch) ended, and why where known."""
        return (self._summary() if self.diverged_at.ndim else self._single()) + self._clipping()

    def _clipping(self) -> str:
        if self.clipped is None:
            return ""
        if self.clipped.ndim:
            return f"; {self.clip} clipped in {int(np.count_nonzero(self.clipped))} of {self.clipped.size} runs"
        k = int(self.clipped)
        if k == 0:
            return f"; {self.clip} never clipped"
        return f"; {self.clip} clipped at {k} of {self.steps} steps, the last at step {int(self.last_clipped)}"

    def _single(self) -> str:
        k = int(self.diverged_at)
        if k >= 0:
            why = self.lr_limit is not None and bool(self.lr_limit.explains(True))
            return f"diverged at step {k}" + (f": {self.lr_limit.text()}" if why else "")
        loss = float(self.final_loss)
        gap = loss - self.f_min if math.isfinite(self.f_min) else float("nan")
        if math.isfinite(gap) and gap > 1e-6 * max(1.0, abs(self.f_min)):
            also = f", J − J* = {gap:.2g}" if self.f_min != 0 else ""  # with J* = 0, J is the gap itself
            text = f"not converged yet: J = {loss:.3g}{also} after {self.steps} steps"
        elif not math.isfinite(gap):  # no known minimum to compare with
            text = f"finished: J = {loss:.2g} after {self.steps} steps"
        else:
            text = f"converged: J = {loss:.2g} after {self.steps} steps"
        growth = self.growth
        if growth >= _GREW:
            why = (f": {self.lr_limit.text()}" if self.lr_limit is not None and bool(self.lr_limit.explains(True))
                   else " — α too large?")
            text += f"; J grew 10{str(round(math.log10(growth))).translate(_SUPERSCRIPT)}×{why}"
        return text

    def _summary(self) -> str:
        total, bad = self.diverged_at.size, int(np.count_nonzero(self.diverged))
        if bad == total:
            text = f"all {total} runs diverged (the first at step {int(self.diverged_at.min())})"
        else:
            best = float(np.nanmin(self.final_loss))
            text = f"{total} runs, best J = {best:.2g} after {self.steps} steps"
            if bad:
                text += f"; {bad} diverged (the first at step {int(self.diverged_at[self.diverged].min())})"
        if bad and self.lr_limit is not None and np.array_equal(self.lr_limit.explains(self.diverged), self.diverged):
            text += f": α > {self.lr_limit.formula} in {'each' if bad > 1 else 'that run'}"
        return text

    @property
    def growth(self) -> float:
        """For one run: how many times J − J* (J itself when J* is unknown) grew from step 0 to the end; 0 if it
        did not grow, diverged or started at the minimum."""
        if self.diverged_at.ndim or int(self.diverged_at) >= 0:
            return 0.0
        first, last = float(self.losses[0]), float(self.final_loss)
        if math.isfinite(self.f_min):
            first, last = first - self.f_min, last - self.f_min
        return last / first if first > 0 and last > first else 0.0


def _objective_and_dim(objective):
    if isinstance(objective, str):
        objective = get_objective(objective)
    if not (hasattr(objective, "grad") and hasattr(objective, "value")):
        raise ValueError(f"objective must be a name or an object with value() and grad() (got {objective!r})")
    d = getattr(objective, "d", None)  # objectives without ``d`` take the dimension of theta0
    return objective, None if d is None else int(d)


def _optimizer(optimizer):
    if isinstance(optimizer, str):
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
    """A function θ -> (J, ∇J) (data objectives: (θ, batch=None) -> …) without per-call checks; the runner holds
    one np.errstate. Objectives offer that as ``unchecked_value_and_grad``; others get their checked methods."""
    fast = getattr(objective, "unchecked_value_and_grad", None)
    if fast is not None:
        return fast
    both = getattr(objective, "value_and_grad", None)
    if both is not None:
        return both
    if data:
        return lambda theta, batch=None: (objective.value(theta, batch), objective.grad(theta, batch))
    return lambda theta: (objective.value(theta), objective.grad(theta))


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
        seed=0, bound: float = 1e6, record_state: bool = False, record_every: int = 1, clip_norm=None,
        clip_value=None) -> Trajectory:
    """Run ``optimizer`` on ``objective`` from θ0 for ``steps`` steps; all runs of a batch at once.

    Each step evaluates the gradient g at ``optimizer.eval_point(θ, state)`` (the look-ahead point for
    Nesterov), adds seeded Gaussian noise of standard deviation ``noise`` or uses a mini-batch of
    ``batch_size`` examples, clips it if asked (as torch's ``clip_grad_norm_`` between ``backward()`` and
    ``step()``), and calls ``optimizer.step(θ, g, state, lr_scale=schedule(t))``.

    Args:
        optimizer: an optimizer object from :mod:`optlab.optimizers` (or its name, with default
            hyperparameters). Hyperparameters may be arrays over runs. Built with your rule,
            ``Adam(lr=0.1, rule=adam_step)``, it runs your function; where that fails (raises, returns the
            wrong shape, or blows up where optlab's rule does not) optlab's rule runs and ``note`` says why.
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
        record_every: keep θ_k and |∇J(θ_k)| only for k = 0, r, 2r, … and the last step N (an integer r >= 1;
            ``traj.recorded_steps`` lists them); J(θ_k) is kept for every step (one number per run and step: the
            loss curve). Memory for a long sweep: ``thetas`` shrinks r-fold. Divergence is still checked at every
            step, so ``diverged_at`` is exact; the numbers themselves do not depend on r.
        clip_norm: clip each run's gradient by its norm to c = ``clip_norm`` before the step,
            g ← g·min(1, c/‖g‖) (:func:`optlab.clipping.clip_by_global_norm`); > 0, ``inf`` or None: off; a
            number or an array over runs. ``Trajectory.clipped`` counts the steps it changed g.
        clip_value: clip each coordinate of g to [−c, c], c = ``clip_value`` (:func:`optlab.clipping.clip_by_value`);
            as ``clip_norm``. Give one of the two, not both.

    Returns:
        A :class:`Trajectory` (``rule`` says whose rule ran). Runs of a batch are independent: without noise or mini-batches a batched
        run equals the loop of single runs; with them, the batch shares one random stream, so it equals
        the loop in distribution only.

    Raises:
        ValueError: naming the argument, for steps < 1, non-finite θ0, a wrong last-axis length,
            batch_size out of range or without a data objective, negative noise, bound <= 0, a clipping
            threshold <= 0, both clip_norm and clip_value, ...
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
        batch_size = valid_batch_size(batch_size, objective.n)
    if isinstance(seed, np.random.Generator):
        rng = seed
    elif isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)) and seed >= 0:
        rng = np.random.default_rng(int(seed))
    else:
        raise ValueError(f"seed must be an integer >= 0 or a numpy Generator (got {seed!r})")
    scales = _lr_scales(schedule, steps)
    if isinstance(record_every, (bool, np.bool_)) or not isinstance(record_every, (int, np.integer)) \
            or record_every < 1:
        raise ValueError(f"record_every must be an integer >= 1 (got {record_every!r})")
    if record_state and record_every != 1:
        raise ValueError(f"record_state=True replays every step, so it needs record_every=1 (got {record_every!r})")
    clip = clipping(clip_norm, clip_value)

    shapes = [theta0.shape[:-1], tuple(getattr(optimizer, "batch_shape", ())), np.shape(noise)]
    if scales is not None:
        shapes.append(np.shape(scales[0]))
    try:
        runs = np.broadcast_shapes(*shapes, *([] if clip is None else [np.shape(clip.limit)]))
    except ValueError:
        also = "" if clip is None else f" and {clip.name} (shape {np.shape(clip.limit)})"
        raise ValueError(f"theta0 (runs {shapes[0]}), the hyperparameters (shape {shapes[1]}), noise "
                         f"(shape {shapes[2]}){also} must broadcast together") from None
    setting = _Setting(objective, _evaluator(objective, data), theta0, runs, d, steps,
                       noise if np.ndim(noise) == 0 else np.asarray(noise)[..., None], batch_size, scales,
                       float(bound), record_state, int(record_every), clip)
    if not getattr(optimizer, "custom_rule", False):
        return _finish(_loop(optimizer, setting, rng), optimizer, setting)
    return _run_custom_rule(optimizer, setting, rng)


@dataclass(frozen=True)
class _Setting:
    """Everything a run needs apart from the optimizer and the random generator, checked and converted."""

    objective: object
    evaluate: object
    theta0: np.ndarray
    runs: tuple
    d: int
    steps: int
    noise: object
    batch_size: Optional[int]
    scales: Optional[list]
    bound: float
    record_state: bool
    record_every: int
    clip: Optional["Clipping"] = None


def _run_custom_rule(optimizer, setting, rng):
    """Run the optimizer's own rule (a student's); if it fails, run optlab's and say why in ``note``.

    It fails when it raises or returns the wrong number or shape of values (:class:`~optlab.optimizers.RuleError`),
    or when a run blows up (diverges) where optlab's rule, from the same start, does not.
    """
    start = rng.bit_generator.state  # the fallback repeats the same noise and mini-batches
    reference = optimizer.replace(rule=None)
    try:
        traj = _loop(optimizer, setting, rng)
    except RuleError as err:
        problem = str(err)
    else:
        if not traj.diverged.any():
            return _finish(traj, optimizer, setting)
        rng.bit_generator.state = start
        ref = _loop(reference, setting, rng)
        # A run the given rule lost more than two steps before optlab's did: the rule, not α, is to blame.
        ref_at = np.where(ref.diverged, ref.diverged_at, setting.steps + 10)
        blamed = traj.diverged & (traj.diverged_at + 2 < ref_at)
        if not blamed.any():
            return _finish(traj, optimizer, setting)
        k = int(traj.diverged_at[blamed].min())
        problem = (f"{optimizer.rule_label} made θ blow up at step {k}, where {reference.rule_label} does not"
                   + (" (in some runs of the batch)" if traj.diverged_at.ndim else ""))
        return _finish(ref, reference, setting, note=f"{problem} — {reference.rule_label} ran instead")
    rng.bit_generator.state = start
    traj = _loop(reference, setting, rng)
    return _finish(traj, reference, setting, note=f"{problem} — {reference.rule_label} ran instead")


def _finish(traj, optimizer, setting, note=""):
    """Add whose rule ran, the fallback note and, for runs that diverged on a quadratic, the stability limit."""
    limit = None
    curvature = getattr(setting.objective, "lam_max", None)
    if curvature is not None and setting.scales is None and callable(getattr(optimizer, "lr_limit", None)):
        found = optimizer.lr_limit(curvature)
        if found is not None:
            bound, formula = found
            lr = np.broadcast_to(np.asarray(optimizer.hyperparams["lr"], dtype=float), setting.runs)
            limit = LrLimit(lr, np.broadcast_to(bound, setting.runs), formula)
    return dataclasses.replace(traj, rule=getattr(optimizer, "rule_label", ""), note=note, lr_limit=limit)


def _loop(optimizer, setting, rng):
    objective, evaluate, steps = setting.objective, setting.evaluate, setting.steps
    runs, record_state, scales, noise = setting.runs, setting.record_state, setting.scales, setting.noise
    shape = runs + (setting.d,)
    theta = np.array(np.broadcast_to(setting.theta0, shape), dtype=np.float64)  # our own copy, writable
    state = optimizer.init(theta)
    record = Record(steps, runs, setting.d, setting.record_every, setting.bound)
    use_noise = np.any(noise != 0)
    batches = None
    if setting.batch_size is not None:  # endless shuffled epochs, each run its own
        batches = itertools.chain.from_iterable(minibatches(objective.n, setting.batch_size, rng, runs=runs)
                                                for _ in itertools.count())
    # The runner made θ and the state itself (float64, matching shapes), so it can skip the per-step
    # argument checks that ``Optimizer.step`` does for callers from outside.
    step = getattr(optimizer, "unchecked_step", optimizer.step)
    # Only a look-ahead optimizer (Nesterov) evaluates the gradient away from θ.
    eval_point = None if type(optimizer).eval_point is Optimizer.eval_point else optimizer.eval_point
    saved_states = [state] if record_state else None
    used_grads = [] if record_state else None
    clip = None if setting.clip is None else setting.clip.counter(runs, steps)

    with np.errstate(all="ignore"):
        loss, grad = evaluate(theta)
        for k in range(steps + 1):
            theta, grad = record.add(k, theta, loss, grad)
            if k == steps:
                break
            point = theta if eval_point is None else eval_point(theta, state)
            if batches is not None:
                g = evaluate(point, next(batches))[1]
            elif point is theta:
                g = grad
            else:
                g = evaluate(point)[1]
            if use_noise:
                g = g + noise * rng.standard_normal(shape)
            if clip is not None:  # between backward() and step(), as torch's clip_grad_norm_
                g = clip(g, k + 1)
            if record_state:
                used_grads.append(g)
            if scales is None:
                theta, state = step(theta, g, state)
            else:
                theta, state = step(theta, g, state, scales[k])
            if record_state:
                saved_states.append(state)
            loss, grad = evaluate(theta)

    diverged_at = record.diverged_at
    extra = {}
    if record_state:
        extra = dict(states=stack_states(saved_states, diverged_at), updates=np.diff(record.thetas, axis=0),
                     grads=np.stack(used_grads))
        mask_after(extra["grads"], diverged_at, offset=0)
    if clip is not None:
        extra.update(clip.result(diverged_at))
    return Trajectory(thetas=record.thetas, losses=record.losses, grad_norms=record.grad_norms,
                      diverged_at=diverged_at, steps=steps,
                      optimizer=str(getattr(optimizer, "name", type(optimizer).__name__)),
                      objective=str(getattr(objective, "name", type(objective).__name__)),
                      f_min=float(getattr(objective, "f_min", float("nan"))), recorded_steps=record.kept, **extra)
