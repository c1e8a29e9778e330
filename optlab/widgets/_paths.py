"""The path panel behind trajectory_panel, comparison_panel, sgd_panel and schedule_panel.

One figure: contour of the objective with each run's path (start circle, last point square, minimiser
star) on the left, the loss curves J(θₖ) − J* on a log axis on the right, and optionally the learning-rate
multiplier of a schedule. A slider move runs the optimizers with :func:`optlab.run` and moves the
existing artists; only a change of objective, κ or of the loss-axis decades redraws the background. The controls
come from each optimizer's description in :mod:`optlab.specs`; the first picture's α and run length from
:mod:`optlab.widgets.course_defaults`.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from .. import plotting, specs
from .._format import fmt
from ..objectives import get_objective
from ..optimizers import make_optimizer
from ..runner import run
from ._batch import SliderBatches
from .course_defaults import default_steps, suggested_lr
from .render import FastFigure
from ._base import GrowingAxis, Panel, choice_control, hyperparameter_control, linear_control, log_control, run_caption

__all__ = ["PathsPanel", "HyperGroup", "rules_for"]

_RUN_OPTIONS = tuple(name for name, p in inspect.signature(run).parameters.items()
                     if p.kind is p.KEYWORD_ONLY and name not in ("schedule", "record_state"))
_COLORS = ["#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


def _check_steps(steps):
    values = steps.values() if isinstance(steps, dict) else [] if steps is None else [steps]
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"steps must be an integer >= 1 or a dict objective name -> integer >= 1 (got {steps!r})")
    return dict(steps) if isinstance(steps, dict) else steps


def rules_for(optimizers, rule) -> dict:
    """Which optimizer steps with which of your rules: ``rule`` is None, a dict name -> function, or one function.

    One function goes to the only optimizer, or else to the one whose rule it is named after (``adam_step`` ->
    "adam", ``sgd_step`` -> "sgd" or "gd"); anything else is a ValueError that says how to write it.
    """
    keys = [specs.canonical_name(o) for o in optimizers]
    if rule is None:
        return {}
    if isinstance(rule, dict):
        out = {specs.canonical_name(k): fn for k, fn in rule.items()}
        unknown = set(out) - set(keys)
        if unknown:
            raise ValueError(f"rule names optimizers that are not on this panel: {', '.join(sorted(unknown))} "
                             f"(the panel has {', '.join(keys)})")
    elif len(keys) == 1:
        out = {keys[0]: rule}
    else:
        name = getattr(rule, "__name__", "")
        matches = [k for k in keys if specs.get_spec(k).rule == name or f"{k}_step" == name]
        if len(matches) != 1:
            raise ValueError(f"rule={name or rule!r} does not say which optimizer it is for; pass a dict such as "
                             f"rule={{'{keys[-1]}': {name or 'your_rule'}}}")
        out = {matches[0]: rule}
    for key, fn in out.items():
        if not callable(fn):
            raise ValueError(f"rule for {key} must be a function such as your {specs.get_spec(key).rule} (got {fn!r})")
    return out


class HyperGroup:
    """One hyperparameter control and the optimizers it drives.

    ``follows_defaults`` is True while a shared control has not been set: each optimizer then runs with its
    own default (``defaults``); the first move of the control (or a value given by the caller) sets them all.
    """

    def __init__(self, name, hyperparameter):
        self.name, self.hyperparameter, self.key = name, hyperparameter, hyperparameter.name
        self.targets, self.defaults = [], {}
        self.follows_defaults = False
        self.control = None

    def value_for(self, optimizer, values):
        return self.defaults[optimizer] if self.follows_defaults else values[self.name]


def _annotate(control, group, labels):
    """Make a shared control's readout say which optimizers it drives, or that each keeps its own default."""
    plain = control.describe

    def describe(value):
        if group.follows_defaults:
            own = ", ".join(f"{labels[o]} {fmt(group.defaults[o])}" for o in group.targets)
            return f"{control.symbol}: each its own default ({own}) — move to set all"
        return f"{plain(value)} → {', '.join(labels[o] for o in group.targets)}"

    def moved(change):
        group.follows_defaults = False
        control.refresh_readout()

    control.describe = describe
    control.widget.observe(moved, names="value")  # before the panel's redraw observer: the run sees the new mode
    control.refresh_readout()


def _loss_top(objective, window, f_min):
    """The largest J − J* over the picture, rounded up to a decade: runs that leave the picture leave the plot."""
    if f_min is None:
        return None
    (x0, x1), (y0, y1) = window
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 41), np.linspace(y0, y1, 41)), axis=-1)
    with np.errstate(all="ignore"):
        gap = np.asarray(objective.value(grid), dtype=float) - f_min
    top = np.nanmax(np.where(np.isfinite(gap), gap, np.nan)) if np.isfinite(gap).any() else 1.0
    return 10.0 ** math.ceil(math.log10(max(top, plotting.LOSS_FLOOR)) + 1e-9)


class PathsPanel(Panel):
    """Runs of one or more optimizers on one objective, with shared controls.

    Args:
        optimizers: optimizer names, one run each.
        objective: name or objective object.
        steps: steps per run: an int for every objective, a dict objective name -> steps (objectives not in it
            take their default), or None for the defaults of :data:`optlab.widgets.course_defaults.STEPS` (100 on a
            quadratic, 2000 on Rosenbrock).
        theta0: start point; default ``objective.start``.
        objectives: names for an objective dropdown (None: no dropdown).
        kappa_slider: add a κ slider (quadratic objectives).
        kappa: the condition number κ of the quadratic objectives (where the κ slider starts); default the
            objective's own κ.
        separate: hyperparameter keywords that get one control per optimizer (e.g. ``("lr",)``) instead of one
            shared control; a dict value such as ``lr={"gd": 1e-3, "adam": 0.05}`` does the same.
        extra_controls: more :class:`~optlab.widgets.Control` s; one named after an option of :func:`optlab.run`
            (``noise``, ``batch_size``, …) sets that option, the others are for ``make_schedule``.
        make_schedule: values -> schedule callable or None; draws a third axes with α·schedule(t).
        start_controls: add sliders for the start point.
        title: heading.
        rule: your rule(s) to run instead of optlab's: a dict optimizer name -> function, or one function
            (see :func:`rules_for`); the caption says whose rule ran, and why optlab's took over if it had to.
        hyperparams: initial hyperparameter values. ``key=value`` sets the shared control ``key`` (or, if that
            hyperparameter has one control per optimizer, all of them); ``key_optimizer=value`` one optimizer's
            own control (e.g. ``lr_gd``, ``bias_correction_rmsprop``); ``key={optimizer: value}`` per optimizer.

    Shared controls: with several optimizers, a hyperparameter with the same meaning in several of them (α; β of
    momentum and Nesterov; β1; β2 and ε of RMSProp, Adam, AdamW; Adam's and AdamW's bias correction) gets one
    control that drives all of them; its readout names them. Until that control is moved (or given a value), each
    optimizer keeps its own default — RMSProp β2 = 0.99 and Adam β2 = 0.999 — and the readout lists them.
    RMSProp's bias correction (v only, off by default) is its own control, ``bias_correction_rmsprop``.

    Attributes:
        objective, window, f_min: the objective on the picture now, its ((x0, x1), (y0, y1)) and J* (None if
            unknown).
        trajectories, messages, hyperparams_used: per optimizer, the latest run, its caption text and the
            hyperparameters it ran with.
        batches: the :class:`~optlab.widgets._batch.SliderBatches` that answer a slider's moves from one batched run
            of its whole range (the same numbers as a run per move; ``panel.batches.enabled = False`` turns it off).
    """

    def __init__(self, optimizers, objective, *, steps=None, theta0=None, objectives=None, kappa_slider=False,
                 kappa=None, separate=(), extra_controls=(), make_schedule=None, start_controls=True, title=None,
                 rule=None, **hyperparams):
        self.spec_of = {}
        for name in optimizers:
            spec = specs.get_spec(name)  # a ValueError names the known optimizers
            self.spec_of[specs.canonical_name(name)] = spec
        self.optimizers = list(self.spec_of)
        self.rules = rules_for(self.optimizers, rule)
        self._steps_arg = _check_steps(steps)
        self._base_objective = get_objective(objective)
        self._kappa = None
        if kappa is not None:
            self._kappa = float(kappa)
            names = [n for n in (objectives or []) if isinstance(n, str)]
            if not (hasattr(self._base_objective, "kappa") or any(hasattr(get_objective(n), "kappa") for n in names)):
                raise ValueError(f"kappa applies to quadratic objectives; none is on this panel (got kappa={kappa!r})")
            if hasattr(self._base_objective, "kappa"):
                base = self._base_objective
                self._base_objective = type(base)(kappa=self._kappa, angle=base.angle, lam_min=base.lam_min)
        self.steps = default_steps(self._base_objective, self._steps_arg)
        self.objective = self._drawn_name = None
        self._make_schedule = make_schedule
        self._theta0 = None if theta0 is None else np.asarray(theta0, dtype=float)
        controls = self._hyper_controls(hyperparams, set(separate))
        if objectives:
            names = list(dict.fromkeys([getattr(self._base_objective, "name", "objective")] + list(objectives)))
            controls.append(choice_control("objective", "J", names[0], names))
        if kappa_slider:
            start_kappa = self._kappa if self._kappa is not None else getattr(self._base_objective, "kappa", 10.0)
            controls.append(log_control("kappa", "κ", start_kappa, 0.0, 3.0, 0.05))
        controls.extend(extra_controls)
        if start_controls:
            window = plotting.objective_window(self._base_objective)
            start = self._theta0 if self._theta0 is not None else self._base_objective.start
            for i, sym in enumerate(("θ0₁", "θ0₂")):
                lo, hi = window[i]
                controls.append(linear_control(f"theta0_{i + 1}", sym, float(np.clip(start[i], lo, hi)), lo, hi,
                                               (hi - lo) / 100))
        self._build_figure()
        self.trajectories, self.hyperparams_used, self._last_values = [], [], None
        self.batches = SliderBatches(self)
        super().__init__(self.fast_figure, controls, title=title)
        if self._last_values is not None:  # the first picture is drawn: its α slider's range may be run right away
            alpha = "lr" if "lr" in self.controls else next((n for n in self.controls if n.startswith("lr_")), None)
            values = self._last_values
            self.batches.prepare(alpha, values, self._start(values), self.objective, self._run_kwargs(values))

    # ----------------------------------------------------------------------------------- set-up
    def _hyper_controls(self, given, separate):
        """One :class:`HyperGroup` (and control) per hyperparameter meaning; see the class docstring."""
        multi = len(self.optimizers) > 1
        labels = {name: spec.label for name, spec in self.spec_of.items()}
        self.groups, self._group_of = {}, {}
        for opt, spec in self.spec_of.items():
            for h in spec.hyperparameters:
                key = h.name
                # A hyperparameter whose meaning differs from the others' of that name (RMSProp's bias correction,
                # of v only) gets a control of its own.
                own = multi and (key in separate or isinstance(given.get(key), dict) or h.group != key)
                name = f"{key}_{opt}" if own else key
                group = self.groups.setdefault(name, HyperGroup(name, h))
                group.targets.append(opt)
                group.defaults[opt] = suggested_lr(opt, self._base_objective) if key == "lr" else h.default
                self._group_of[opt, key] = group
        known = set(self.groups) | {g.key for g in self.groups.values()}
        unknown = set(given) - known
        if unknown:
            raise ValueError(f"{', '.join(self.optimizers)} take the hyperparameters {', '.join(sorted(known))} "
                             f"(got unknown {', '.join(sorted(unknown))})")
        controls = []
        for group in self.groups.values():
            value = self._given_value(group, given)
            if value is None:
                first = group.defaults[group.targets[0]]
                group.follows_defaults = any(group.defaults[o] != first for o in group.targets)
                value = first
            group.control = control = hyperparameter_control(group.hyperparameter, value, name=group.name)
            if multi:
                _annotate(control, group, labels)
            controls.append(control)
        return controls

    def _given_value(self, group, given):
        """The caller's value for this group's control, or None."""
        if group.name in given:
            return given[group.name]
        value = given.get(group.key)
        if isinstance(value, dict):
            picked = [value[o] for o in group.targets if o in value]
            return picked[0] if picked else None
        # key=value sets the shared control of that name; where there is none, each optimizer's own control.
        if value is not None and (group.name == group.key or group.key not in self.groups):
            return value
        return None

    def _build_figure(self):
        has_schedule = self._make_schedule is not None
        ff = FastFigure(figsize=(10.5 if has_schedule else 8.4, 3.5), dpi=86, layout="constrained")
        ratios = [1.1, 1.0, 0.8] if has_schedule else [1.1, 1.0]
        axes = ff.figure.subplots(1, len(ratios), width_ratios=ratios)
        self.ax_path, self.ax_loss = axes[0], axes[1]
        self._contour = None
        self.paths, self.loss_lines, self.colors = [], [], []
        for i, name in enumerate(self.optimizers):
            color = _COLORS[i % len(_COLORS)]
            label = self.spec_of[name].label
            self.paths.append(plotting.plot_trajectory(np.zeros((1, 2)), self.ax_path, color=color, label=label))
            (line,) = self.ax_loss.plot([], [], color=color, label=label)
            self.loss_lines.append(line)
            self.colors.append(color)
            ff.animate(*self.paths[-1], line)
        self.ax_loss.set_xlabel("step k")
        if len(self.optimizers) > 1:
            self.ax_loss.legend(loc="lower left", fontsize=8)
        self.loss_axis = GrowingAxis(self.ax_loss, ff)
        self.ax_lr = None
        if has_schedule:
            self.ax_lr = axes[2]
            (self.lr_line,) = self.ax_lr.plot([], [], color="black")
            self.ax_lr.set_xlabel("step t")
            self.ax_lr.set_ylim(0, 1.08)
            self.ax_lr.set_title(r"schedule $\alpha_t / \alpha$", fontsize=10)
            ff.animate(self.lr_line)
        self.fast_figure = ff

    def _current_objective(self, values):
        name = values.get("objective")
        kappa = values.get("kappa", self._kappa)
        key = (name, kappa)
        if self.objective is None or key != self._objective_key:
            base = self._base_objective
            if name is not None and name != getattr(base, "name", None):
                base = get_objective(name)
            if kappa is not None and hasattr(base, "kappa"):
                base = type(base)(kappa=kappa, angle=base.angle, lam_min=base.lam_min)
            self.objective, self._objective_key = base, key
            self._draw_objective(base)
        return self.objective

    def _draw_objective(self, objective):
        if self._contour is not None:
            for artist in self._contour:
                artist.remove()
        self._contour = plotting.plot_contour(objective, self.ax_path, levels=20, resolution=160)
        self.window = plotting.objective_window(objective)
        self.f_min = plotting.objective_f_min(objective)
        self.steps = default_steps(objective, self._steps_arg)
        self.ax_loss.set_xlim(0, self.steps)
        if self.ax_lr is not None:
            self.ax_lr.set_xlim(0, self.steps)
        self.ax_path.set_title(getattr(objective, "name", "objective").replace("_", " "), fontsize=10)
        self.ax_loss.set_yscale("log" if self.f_min is not None else "linear")
        self.ax_loss.set_ylabel(r"$J(\theta_k) - J^*$" if self.f_min is not None else r"$J(\theta_k)$")
        self.loss_axis.reset(top=_loss_top(objective, self.window, self.f_min))
        self.fast_figure.invalidate()
        name = getattr(objective, "name", None)
        if self._drawn_name is not None and name != self._drawn_name and "theta0_1" in self.controls:
            self._reset_start(objective)
        self._drawn_name = name

    def _reset_start(self, objective):
        """A new objective brings its own window and default start: move the start sliders (no redraw)."""
        window = plotting.objective_window(objective)
        self._held += 1
        try:
            for i in range(2):
                slider = self.controls[f"theta0_{i + 1}"].widget
                lo, hi = window[i]
                if lo > slider.max:  # set the bounds in an order in which min never exceeds max
                    slider.max, slider.min = hi, lo
                else:
                    slider.min, slider.max = lo, hi
                slider.step = (hi - lo) / 100
                slider.value = float(np.clip(objective.start[i], lo, hi))
        finally:
            self._held -= 1

    # ----------------------------------------------------------------------------------- per move
    def _start(self, values):
        if "theta0_1" in values:
            return np.array([values["theta0_1"], values["theta0_2"]])
        return self._theta0 if self._theta0 is not None else np.asarray(self.objective.start, dtype=float)

    def _run_kwargs(self, values):
        # A control named after an option of optlab.run (noise, batch_size, …) sets that option: a new run option
        # becomes a panel control by adding the control alone.
        kwargs = {k: values[k] for k in _RUN_OPTIONS if k in values}
        if "batch_size" in kwargs and not (hasattr(self.objective, "n") and kwargs["batch_size"] < self.objective.n):
            del kwargs["batch_size"]  # every example: full-batch gradient descent, no shuffling
        if self._make_schedule is not None:
            kwargs["schedule"] = self._make_schedule(values)
        return kwargs

    def update(self):
        values = self.values()
        moved = self._moved(values)
        self._last_values = None  # until this redraw is complete
        objective = self._current_objective(values)
        theta0 = self._start(self.values())  # a new objective may just have moved the start sliders
        kwargs = self._run_kwargs(values)
        before = dict(zip(self.optimizers, zip(self.trajectories, self.hyperparams_used)))
        self.trajectories, self.messages, self.hyperparams_used = [], [], []
        multi = len(self.optimizers) > 1
        captions = []
        for name, path, line, color in zip(self.optimizers, self.paths, self.loss_lines, self.colors):
            hp = {k: self._group_of[name, k].value_for(name, values) for k in self.spec_of[name].names}
            self.hyperparams_used.append(hp)
            group = self.groups.get(moved)
            if group is not None and name not in group.targets and name in before:
                traj = before[name][0]  # a control of the others' moved: this run is the same, and so is its picture
            else:
                traj = self.batches.trajectory(name, moved, values, hp, theta0, objective, kwargs, before.get(name))
                # Long runs are drawn through at most DRAW_POINTS points: Agg's cost grows with the vertices, the
                # eye's not.
                plotting.update_trajectory(path, plotting.clip_to_view(np.asarray(traj.thetas), self.window),
                                           max_points=plotting.DRAW_POINTS)
                plotting.update_loss(line, traj.losses, self.f_min, max_points=plotting.DRAW_POINTS)
            self.trajectories.append(traj)
            label = self.spec_of[name].label if multi else ""
            self.messages.append(f"{label}: {traj.message}" if label else traj.message)
            captions.append(run_caption(traj, label=label, color=color, rule=name in self.rules))
        self.caption.value = " &nbsp;·&nbsp; ".join(captions)
        self.loss_axis.fit(*(line.get_ydata() for line in self.loss_lines))
        if self.ax_lr is not None:
            self._draw_schedule(kwargs.get("schedule"))
        self._last_values = values

    def _moved(self, values):
        """The one control whose value differs from the previous redraw's, or None (several, or the first redraw)."""
        last = self._last_values
        if last is None or last.keys() != values.keys():
            return None
        changed = [k for k in values if values[k] != last[k]]
        return changed[0] if len(changed) == 1 else None

    def _draw_schedule(self, schedule):
        t = np.arange(1, self.steps + 1)
        self.lr_line.set_data(t, np.ones(t.shape) if schedule is None else np.broadcast_to(schedule(t), t.shape))
