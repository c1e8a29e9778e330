"""A slider's whole range in one batched run: how a path panel answers a drag without running again.

:func:`optlab.run` is batched, and for the small problems of the panels a batch of a hundred runs costs little more
than one run (a step's numpy calls cost their overhead, not their arithmetic). So when a slider starts to move, a
panel runs every position of that slider at once, the other controls fixed, and answers that move and the next
ones by picking a run out of the batch — the same numbers, to the last bit, as a run of its own. A long run (lesson
01's 5000 steps of gradient descent on Rosenbrock) then costs one batch when the slider starts to move instead of a
run per move, and a panel whose runs are long computes its α slider's range as soon as it is shown.

A run is only answered from a batch where that gives what a run of its own would, to the last bit. Elementwise
arithmetic (+, −, ×, ÷, √) gives each element the same bits whatever the array, so:

* deterministic runs only (gradient noise and mini-batches draw their random numbers for the whole batch at once);
* on the 2-D test functions of :mod:`optlab.objectives`, which are elementwise (a data loss multiplies matrices,
  and a matrix product may add in another order for another shape);
* a numeric hyperparameter of the optimizer, or a coordinate of the start point θ0 (κ or the objective change the
  objective itself: those moves run once) — but not a decay that the rule raises to the step count t (Adam's β1
  and β2, RMSProp's β2: numpy's βᵗ of an array differs from Python's of a number in the last bits);
* with a student's rule, the batch's run at the position shown before the move must equal, bit for bit, the run
  that was shown (optlab's rules pass by construction). A rule that cannot take a batch (it raises, returns the
  wrong shape, mixes the runs) fails this or makes the batch fall back to optlab's rule: that slider is then run
  move by move, with your rule, saying what it says for a single run.

Memory: a batch keeps every step of every position (what the picture draws), at most :attr:`SliderBatches.BYTES`
per optimizer (beyond that, the positions nearest to the current one), and only the latest batch of each optimizer.
Like any cache it takes the objective for a fixed function: one whose J changes between moves (a user's object
with a switch) shows the batch's runs until another control moves.
"""

from __future__ import annotations

import time

import numpy as np

from .. import specs
from ..objectives import Objective
from ..optimizers import make_optimizer
from ..runner import run

__all__ = ["SliderBatches"]


def _same_run(a, b) -> bool:
    """Two trajectories of one run with the same record, bit for bit."""
    return (np.array_equal(a.thetas, b.thetas, equal_nan=True) and np.array_equal(a.losses, b.losses, equal_nan=True)
            and np.array_equal(a.diverged_at, b.diverged_at) and a.note == b.note and a.rule == b.rule)


class _Batch:
    """The runs of one optimizer at the given values of one control, the rest fixed (``key``)."""

    def __init__(self, key, values, trajectory):
        self.key, self.trajectory = key, trajectory
        self.index = {v: i for i, v in enumerate(values)}

    def get(self, value):
        i = self.index.get(value)
        return None if i is None else self.trajectory[i]


class SliderBatches:
    """The batches of a :class:`~optlab.widgets._paths.PathsPanel`: one per optimizer, for the slider that moved last.

    Attributes:
        enabled: False runs every move on its own (as without batches; for comparisons).
        built: how many batches were run; answered: how many runs were answered from a batch; seconds: how long the
            latest batch took (for tests and benchmarks).
    """

    #: at most this many bytes of record per optimizer's batch
    BYTES = 32 << 20
    #: a panel whose runs take at least this many steps in all runs its α slider's range right away (a long run
    #: costs a student more than a frame; a short one is batched when its slider first moves, in about one run's time)
    PREPARE_STEPS = 1000
    #: a student's rule gets a batch of the positions around the current one only: a rule that loops over the runs in
    #: Python (right, but slow on a batch) then costs a few runs' time, not a hundred
    STUDENT_POSITIONS = 17

    def __init__(self, panel):
        self.panel = panel
        self.enabled = True
        self._batches = {}  # optimizer -> _Batch
        self._single = set()  # (optimizer, control) whose batch would differ from single runs: run move by move
        self.built = self.answered = 0
        self.seconds = 0.0

    # ------------------------------------------------------------------------------------------ a move
    def trajectory(self, name, moved, values, hp, theta0, objective, kwargs, before):
        """The run of optimizer ``name`` for these settings: from a batch over the control ``moved`` if it can be,
        else a run of its own. ``before`` is (trajectory, hyperparameters) shown before this move, or None."""
        axis = self._axis(name, moved, objective, kwargs)
        if axis is not None:
            key = self._key(name, moved, values)
            value = hp[axis[1]] if axis[0] == "hyper" else float(theta0[axis[1]])
            batch = self._batches.get(name)
            if batch is None or batch.key != key or value not in batch.index:  # (past the positions a batch keeps)
                batch = self._build(name, moved, axis, key, hp, theta0, objective, kwargs, before)
            if batch is not None:
                traj = batch.get(value)
                if traj is not None:
                    self.answered += 1
                    return traj
        panel = self.panel
        return run(make_optimizer(name, **hp, rule=panel.rules.get(name)), objective, theta0, panel.steps, **kwargs)

    def prepare(self, control, values, theta0, objective, kwargs):
        """After the first picture (drawn with these settings): if its runs are long, run the range of ``control``
        (α) now, so that the first move of that slider is already a lookup. Only for optlab's rules (a student's rule
        runs when its slider moves)."""
        panel = self.panel
        long = panel.steps * len(panel.optimizers) >= self.PREPARE_STEPS
        if control is None or not long or panel.rules or not panel.trajectories:
            return
        for name, traj, hp in zip(panel.optimizers, panel.trajectories, panel.hyperparams_used):
            axis = self._axis(name, control, objective, kwargs)
            if axis is not None:
                self._build(name, control, axis, self._key(name, control, values), hp, theta0, objective, kwargs,
                            (traj, hp))

    # ------------------------------------------------------------------------------------------ parts
    def _axis(self, name, moved, objective, kwargs):
        """What a batch over the control ``moved`` varies for optimizer ``name``: ("hyper", keyword) or ("start", i);
        None if the move cannot be answered from a batch (see the module docstring)."""
        if moved is None or (name, moved) in self._single or not self.enabled or not isinstance(objective, Objective):
            return None
        if np.any(kwargs.get("noise", 0.0)) or kwargs.get("batch_size") is not None:
            return None  # random numbers are drawn for the whole batch: a batch would not repeat a single run
        if moved in ("theta0_1", "theta0_2"):
            return ("start", int(moved[-1]) - 1)
        group = self.panel.groups.get(moved)
        if group is None or name not in group.targets or group.hyperparameter.kind == "flag":
            return None
        if group.key in ("beta1", "beta2") and specs.get_spec(name).counts_steps:
            return None  # raised to the power t: βᵗ of an array and of a number differ in the last bits
        return ("hyper", group.key)

    def _key(self, name, moved, values):
        """What the runs of a batch share: the optimizer, which control varies, the value of every other control and
        whether each shared control still leaves each optimizer its own default."""
        others = tuple((k, v) for k, v in values.items() if k != moved)
        modes = tuple(g.follows_defaults for k, g in self.panel.groups.items() if k != moved)
        return name, moved, others, modes

    def _build(self, name, moved, axis, key, hp, theta0, objective, kwargs, before):
        """Run every position of ``moved`` for optimizer ``name``; None (and single runs from now on, if the rule is to
        blame) where a batch would not give what single runs give."""
        panel = self.panel
        self._batches.pop(name, None)  # the old batch goes before the new one is made: one at a time in memory
        positions = panel.controls[moved].slider_values()
        if positions is None:
            return None
        current = hp[axis[1]] if axis[0] == "hyper" else float(theta0[axis[1]])
        shown = None
        if before is not None:
            shown, used = before
            shown_at = used[axis[1]] if axis[0] == "hyper" else float(shown.thetas[0][axis[1]])
        positions = self._within_budget(positions, current, panel.steps, np.size(theta0),
                                        self.STUDENT_POSITIONS if panel.rules.get(name) else None)
        for value in (current, None if shown is None else shown_at):
            if value is not None and value not in positions:
                positions.append(value)
        start = time.perf_counter()
        try:
            if axis[0] == "hyper":
                batched = make_optimizer(name, **{**hp, axis[1]: np.array(positions)}, rule=panel.rules.get(name))
                starts = theta0
            else:
                batched = make_optimizer(name, **hp, rule=panel.rules.get(name))
                starts = np.repeat(np.asarray(theta0, dtype=float)[None], len(positions), axis=0)
                starts[:, axis[1]] = positions
            traj = run(batched, objective, starts, panel.steps, **kwargs)
        except ValueError:  # a position the optimizer does not accept: run move by move
            return None
        self.seconds = time.perf_counter() - start
        self.built += 1
        batch = _Batch(key, positions, traj)
        if traj.note or (shown is not None and not _same_run(batch.get(shown_at), shown)):
            self._single.add((name, moved))  # the rule cannot take a batch, or computes a batch differently
            return None
        self._batches[name] = batch
        return batch

    def _within_budget(self, positions, current, steps, d, most=None):
        """The positions a batch can keep in :attr:`BYTES` (and at most ``most``): all of them, or those nearest to
        ``current``."""
        per_run = (steps + 1) * (d + 2) * 8  # θ, J and |∇J| at every step
        most = min(max(int(self.BYTES // per_run), 1), most or len(positions))
        if len(positions) <= most:
            return list(positions)
        centre = int(np.argmin(np.abs(np.asarray(positions, dtype=float) - current)))
        lo = min(max(centre - most // 2, 0), len(positions) - most)
        return list(positions[lo:lo + most])
