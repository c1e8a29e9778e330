"""step_panel: replay a run step by step (Play button) and read g, the update and the optimizer state."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import plotting, specs
from .._format import fmt
from ..objectives import get_objective
from ..optimizers import make_optimizer
from ..runner import run
from .course_defaults import suggested_lr
from .render import FastFigure
from ._base import Control, GrowingAxis, Panel, hyperparameter_control, run_caption

__all__ = ["step_panel", "StepPanel"]


def _num(x) -> str:
    return "nan" if not np.isfinite(x) else f"{x:.4g}"


class StepPanel(Panel):
    """See :func:`step_panel`."""

    def __init__(self, optimizer, objective, *, steps, theta0, rule=None, **hyperparams):
        self.spec = specs.get_spec(optimizer)  # a ValueError names the known optimizers
        self.name = specs.canonical_name(optimizer)
        self.rule = rule
        if rule is not None and not callable(rule):
            raise ValueError(f"rule must be a function such as your {self.spec.rule} (got {rule!r})")
        self.objective = get_objective(objective)
        self.steps = int(steps)
        self.theta0 = np.asarray(self.objective.start if theta0 is None else theta0, dtype=float)
        unknown = set(hyperparams) - set(self.spec.names)
        if unknown:
            raise ValueError(f"{self.spec.label} takes the hyperparameters {', '.join(self.spec.names)} "
                             f"(got unknown {', '.join(sorted(unknown))})")
        start = {"lr": suggested_lr(self.name, self.objective), **self.spec.defaults, **hyperparams}
        controls = [hyperparameter_control(h, start[h.name]) for h in self.spec.hyperparameters]
        slider = widgets.IntSlider(value=1, min=1, max=self.steps, description="step", readout=False,
                                   layout=widgets.Layout(width="260px"), style={"description_width": "3.5em"})
        controls.append(Control("step", "step", slider, describe=lambda k: f"step t = {k} of {self.steps}"))
        self.play = widgets.Play(value=1, min=1, max=self.steps, interval=250, description="Play")
        widgets.jslink((self.play, "value"), (slider, "value"))
        self.table = widgets.HTML()
        self.table.add_class("optlab-step-table")
        self._cache_key = None
        self._build_figure()
        super().__init__(self.fast_figure, controls, extra=[self.play, self.table],
                         title=f"{self.spec.label}, one step at a time")

    def _build_figure(self):
        ff = FastFigure(figsize=(8.4, 3.5), dpi=86, layout="constrained")
        self.ax_path, self.ax_step = ff.figure.subplots(1, 2, width_ratios=[1.1, 1.0])
        plotting.plot_contour(self.objective, self.ax_path, levels=20, resolution=160)
        self.window = plotting.objective_window(self.objective)
        self.path = plotting.plot_trajectory(np.zeros((1, 2)), self.ax_path, color="0.35", linewidth=1.0)
        self.path.end.set_visible(False)  # the red dot marks θ at step t instead
        (self.point,) = self.ax_path.plot([], [], "o", color="#d62728", markeredgecolor="black", zorder=6)
        arrow = dict(arrowstyle="-|>", linewidth=2, mutation_scale=14)
        self.grad_arrow = self.ax_path.annotate("", (0, 0), (0, 0), zorder=7,
                                                arrowprops=dict(arrow, color="#1f77b4"))
        self.update_arrow = self.ax_path.annotate("", (0, 0), (0, 0), zorder=8,
                                                  arrowprops=dict(arrow, color="#d62728"))
        self.ax_path.plot([], [], color="#1f77b4", label="−g direction")
        self.ax_path.plot([], [], color="#d62728", label="update Δθ")
        self.ax_path.legend(loc="lower right", fontsize=8)
        (self.step_norm,) = self.ax_step.plot([], [], color="#d62728", label="|Δθ| (the update)")
        (self.gd_norm,) = self.ax_step.plot([], [], color="#1f77b4", linestyle=":", label="α|g| (what GD would do)")
        self.eff = [self.ax_step.plot([], [], color=c, linestyle="--", linewidth=1, label=f"α/(√v̂+ε) on θ{i}")[0]
                    for i, c in ((1, "#2ca02c"), (2, "#9467bd"))]
        self.cursor = self.ax_step.axvline(1, color="black", linewidth=0.8)
        shown = [self.step_norm, self.gd_norm] + (self.eff if self.spec.adaptive else [])
        self.ax_step.legend(handles=shown, fontsize=7, loc="lower left")
        self.ax_step.set_yscale("log")
        self.ax_step.set_xlim(0.5, self.steps + 0.5)
        self.ax_step.set_xlabel("step t")
        self.ax_step.set_title("step sizes", fontsize=10)
        ff.animate(*self.path, self.point, self.grad_arrow, self.update_arrow, self.step_norm,
                   self.gd_norm, *self.eff, self.cursor)
        self.step_axis = GrowingAxis(self.ax_step, ff)
        self.fast_figure = ff

    # --------------------------------------------------------------------------------------------
    def _compute(self, hp):
        optimizer = make_optimizer(self.name, **hp, rule=self.rule)
        traj = run(optimizer, self.objective, self.theta0, self.steps, record_state=True)
        self.traj = traj
        lr = hp["lr"]
        t = np.arange(1, self.steps + 1)
        # m̂, v̂, α/(√v̂ + ε) after each step, computed by the optimizer from the recorded states (the rule's math)
        self.hats = optimizer.derived({field: arr[1:] for field, arr in traj.states.items()})
        eff = next((arr for key, arr in self.hats.items() if key.startswith("α/")), None)
        plotting.update_trajectory(self.path, plotting.clip_to_view(np.asarray(traj.thetas), self.window))
        self.step_norm.set_data(t, np.linalg.norm(traj.updates, axis=-1))
        self.gd_norm.set_data(t, lr * np.linalg.norm(traj.grads, axis=-1))
        for i, line in enumerate(self.eff):
            line.set_visible(eff is not None)
            if eff is not None:
                line.set_data(t, eff[:, i])
        self.caption.value = run_caption(traj, rule=self.rule is not None)
        self.step_axis.fit(*(line.get_ydata() for line in [self.step_norm, self.gd_norm]
                             + (self.eff if eff is not None else [])))

    def update(self):
        values = self.values()
        k = values.pop("step")
        key = tuple(sorted(values.items()))
        if key != self._cache_key:
            self._compute(values)
            self._cache_key = key
        traj = self.traj
        theta, update, g = traj.thetas[k - 1], traj.updates[k - 1], traj.grads[k - 1]
        self.point.set_data(theta[:1], theta[1:])
        span = min(np.ptp(self.window[0]), np.ptp(self.window[1]))
        norm = np.linalg.norm(g)
        direction = -g / norm * 0.15 * span if norm > 0 else np.zeros(2)
        self.grad_arrow.xy, self.grad_arrow.xyann = theta + direction, theta
        self.update_arrow.xy, self.update_arrow.xyann = theta + update, theta
        for arrow in (self.grad_arrow, self.update_arrow):
            arrow.set_visible(bool(np.all(np.isfinite(arrow.xy))))
        self.cursor.set_xdata([k, k])
        self._write_table(k, g, update)

    def _write_table(self, k, g, update):
        rows = [("g = ∇J(θ + βv)" if self.spec.look_ahead else "g = ∇J(θ)", g), ("update Δθ", update)]
        for field, symbol in self.spec.state:
            rows.append((symbol, self.traj.states[field][k]))
        rows += [(name, arr[k - 1]) for name, arr in self.hats.items()]
        cells = "".join(f"<tr><td>{html.escape(name)}</td><td>{_num(a[0])}</td><td>{_num(a[1])}</td></tr>"
                        for name, a in rows)
        self.table.value = (f"<table style='font-family:monospace'><tr><th>step t = {fmt(k)}</th><th>θ₁</th>"
                            f"<th>θ₂</th></tr>{cells}</table>")


def step_panel(optimizer="adam", objective="rosenbrock", *, steps=50, theta0=None, rule=None, **hyperparams):
    """Replay a run one step at a time: at step t the gradient g, the update Δθ and the optimizer's state.

    The Play button (or the step slider) moves through the run; the left picture shows θ at step t, the
    direction −g and the update actually taken; the right one the size of every update next to α|g| (what
    gradient descent would do) and, for Adam/RMSProp/AdaGrad, the effective step α/(√v̂ + ε) per coordinate.
    The table lists g, Δθ and the state (for Adam m, v, m̂, v̂ and α/(√v̂ + ε)). Toggle bias correction and
    watch the first steps: without it m̂ = m and v̂ = v are biased towards 0.

    Args:
        optimizer: optimizer name (default "adam").
        objective: objective name or object (default "rosenbrock").
        steps: run length (the step slider's range).
        theta0: start point (default: the objective's ``start``).
        rule: your rule to replay instead of optlab's, e.g. ``step_panel("adam", rule=adam_step)``; the caption says
            whose rule runs (and why optlab's took over, if it had to).
        **hyperparams: initial hyperparameter values.

    Returns:
        the panel; show it as the cell's last expression. Its caption says how the run ended (and why, where known).
    """
    return StepPanel(optimizer, objective, steps=steps, theta0=theta0, rule=rule, **hyperparams)
