"""training_panel (lesson 07): retrain the capstone's network live whenever a control moves.

Built on the blocks of :mod:`optlab.widgets`: a :class:`~optlab.widgets.render.FastFigure` whose moving
artists (decision-boundary image, loss and accuracy curves, a message) are blitted over a cached background,
:func:`~optlab.widgets.hyperparameter_control` sliders with exact readouts (symbols and ranges from
:mod:`optlab.specs`), and a :class:`~optlab.widgets.Panel` that retrains in :meth:`TrainingPanel.update`. A retrain is one call of
:func:`optlab.nn.train` (the batched runner) for ``steps`` full-batch steps; ``last_retrain_seconds``
holds its duration (``benchmarks/bench_course.py`` reports it). The trainings of the last settings shown are kept
(a network's training costs a few frames): a drag back over them, or a move of a slider the optimizer does not use,
redraws without training again.
"""

from __future__ import annotations

import time

import numpy as np

from .. import specs
from ..data import make_moons, make_spirals
from ..nn import MLP, MLPLoss, train
from ..nn_plots import decision_grid, plot_decision_boundary
from ..optimizers import make_optimizer
from ..plotting import LOSS_FLOOR
from .render import FastFigure
from ._base import GrowingAxis, Panel, choice_control, hyperparameter_control

__all__ = ["training_panel", "TrainingPanel"]

_NAMES = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
# The sliders the panel shows (symbols, ranges: optlab.specs); each optimizer uses those of them it has, the others
# keep their defaults (AdamW's λ, bias correction). Momentum's β and Adam's β1 are two sliders: two meanings.
_CONTROLS = ("lr", "beta", "beta1", "beta2", "eps")


def _uses(name):
    return [h for h in specs.get_spec(name).hyperparameters if h.name in _CONTROLS]


def _optimizer(name, values):
    return make_optimizer(name, **{h.name: values[h.name] for h in _uses(name)})


class TrainingPanel(Panel):
    """The capstone's MLP on a seeded data set, retrained on every move of optimizer, α, β, β1, β2 or ε.

    Attributes:
        loss: the :class:`optlab.nn.MLPLoss` being minimised; theta0: the fixed initial θ.
        result: the :class:`optlab.nn.Training` shown.
        last_retrain_seconds: wall-clock time of the latest retrain (training only, not drawing).
        retrains: how many trainings ran (a setting shown before is redrawn from the kept ones).
    """

    #: trainings kept for the settings shown last (about 140 KB each)
    KEPT = 64

    def __init__(self, loss, theta0, *, steps, optimizer, resolution=80, **hyperparams):
        self.loss, self.theta0, self.steps = loss, theta0, int(steps)
        self.last_retrain_seconds = float("nan")
        self.retrains = 0
        self._kept = {}  # (optimizer, values of the sliders it uses) -> (Training, decision grid), oldest first
        controls = [choice_control("optimizer", "opt", optimizer,
                                   [(specs.get_spec(n).label, n) for n in _NAMES])]
        controls += [hyperparameter_control(key, hyperparams[key]) for key in _CONTROLS]
        self._resolution = resolution
        self._build_figure()
        super().__init__(self.fast_figure, controls, title="Train the network live", columns=2)

    def _build_figure(self):
        ff = FastFigure(figsize=(10.0, 3.1), dpi=86, layout="constrained")
        ax_map, ax_loss, ax_acc = ff.figure.subplots(1, 3, width_ratios=[0.9, 1.0, 1.0])
        model, X, y = self.loss.model, self.loss.X, self.loss.y
        self.boundary, points = plot_decision_boundary(model, self.theta0, X, y, ax_map, resolution=self._resolution)
        ax_map.set_title("decision boundary", fontsize=10)
        (self.loss_line,) = ax_loss.plot([], [], color="#1f77b4")
        ax_loss.set(yscale="log", xlim=(0, self.steps), xlabel="step k", ylabel=r"training loss $J(\theta_k)$")
        (self.acc_line,) = ax_acc.plot([], [], color="#d62728")
        ax_acc.set(xlim=(0, self.steps), ylim=(0.4, 1.02), xlabel="step k", ylabel="training accuracy")
        box = dict(boxstyle="round,pad=0.2", facecolor="white", alpha=0.85, edgecolor="none")
        self.message = ax_loss.text(0.97, 0.96, "", transform=ax_loss.transAxes, fontsize=9, ha="right", va="top",
                                    bbox=box)
        self.message.set_in_layout(False)  # its changing width must not move the axes
        # The points are drawn after the (moving) probability image, or it would veil them.
        ff.animate(self.boundary, points, self.loss_line, self.acc_line, self.message)
        # Grows in whole decades as better runs come in; losses above 10 (a stuck, saturated net) leave the top.
        self.loss_axis = GrowingAxis(ax_loss, ff, top=10.0, floor=1e-8)
        self.fast_figure = ff

    def update(self):
        values = self.values()
        name = values["optimizer"]
        uses = _uses(name)
        for key, control in self.controls.items():  # grey out the sliders this optimizer does not use
            if key != "optimizer":
                control.widget.disabled = key not in {h.name for h in uses}
        key = (name,) + tuple(values[h.name] for h in uses)
        kept = self._kept.pop(key, None)
        if kept is None:
            start = time.perf_counter()
            result = train(_optimizer(name, values), self.loss, self.theta0, self.steps)
            self.last_retrain_seconds = time.perf_counter() - start
            self.retrains += 1
            grid = None
            if result.trajectory.diverged_at < 0:
                grid = decision_grid(self.loss.model, result.theta, self.loss.X, self._resolution)[1]
            kept = (result, grid)
        self._kept[key] = kept
        while len(self._kept) > self.KEPT:
            del self._kept[next(iter(self._kept))]
        result, grid = kept
        self.result = result
        traj = result.trajectory
        self.loss_line.set_data(np.arange(traj.steps + 1), np.maximum(traj.losses, LOSS_FLOOR))
        self.loss_axis.fit(traj.losses)
        self.acc_line.set_data(result.record_steps, result.accuracies)
        label = f"{specs.get_spec(name).label} ({', '.join(h.symbol for h in uses)})"
        if traj.diverged_at >= 0:
            self.message.set_text(f"{label}\ndiverged at step {int(traj.diverged_at)}")
            self.boundary.set_data(np.full((self._resolution,) * 2, 0.5))
        else:
            self.message.set_text(f"{label}\nJ = {traj.losses[-1]:.3g}, "
                                  f"accuracy {100 * float(result.final_accuracy):.1f}%")
            self.boundary.set_data(grid)


def training_panel(optimizer="adam", *, data="spirals", sizes=(2, 16, 16, 1), n=200, noise=0.05, steps=300,
                   seed=0, lr=0.03, beta=0.9, beta1=0.9, beta2=0.999, eps=1e-8):
    """Lesson 07: train an MLP live; every change of optimizer, α, β, β1, β2 or ε retrains it from the same θ0.

    The picture: the decision boundary p(x), the training loss J(θ_k) (log axis) and the training accuracy.
    Sliders an optimizer does not use are greyed out: Momentum and Nesterov use β, Adam and AdamW β1 and β2.

    Args:
        optimizer: "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam" or "adamw".
        data: "spirals" or "moons" (``optlab.data.make_spirals`` / ``make_moons`` with ``n``, ``noise``, ``seed``).
        sizes: the network's layer widths.
        steps: full-batch steps per retrain.
        seed: seeds the data and the initial θ.
        lr, beta, beta1, beta2, eps: initial slider values.

    Returns:
        the panel; show it as the cell's last expression.

    Example:
        >>> panel = training_panel("adam", steps=50)
        >>> panel.controls["lr"].value = 0.01      # retrains and redraws
        >>> panel.result.trajectory.steps
        50
    """
    make = {"spirals": make_spirals, "moons": make_moons}
    if data not in make:
        raise ValueError(f"data must be 'spirals' or 'moons' (got {data!r})")
    if optimizer not in _NAMES:
        raise ValueError(f"optimizer must be one of {', '.join(_NAMES)} (got {optimizer!r})")
    model = MLP(sizes)
    loss = MLPLoss(model, *make[data](n=n, noise=noise, seed=seed))
    return TrainingPanel(loss, model.init(seed=seed), steps=steps, optimizer=optimizer, lr=lr, beta=beta,
                         beta1=beta1, beta2=beta2, eps=eps)
