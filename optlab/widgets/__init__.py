"""Live slider panels (the only part of optlab that imports ipywidgets).

Panels a lesson opens in one line (each returns a widget; show it as the cell's last expression):

* ``trajectory_panel(optimizer="gd", objective="quadratic", *, steps=None, theta0=None, objectives=None,
  kappa_slider=False, kappa=None, noise=None, clip_norm=None, clip_value=None, rule=None, **hyperparams)`` — path,
  start, minimiser and loss curve; a slider per hyperparameter. (Additions to the contract: ``noise=σ`` adds a
  gradient-noise slider; SGD always has it, and on a data loss a batch-size slider too. ``clip_norm=c`` (or
  ``"off"``) adds a gradient-clipping slider with an "off" end, ``clip_value=c`` one per coordinate. ``kappa=`` sets
  the quadratic's κ. ``steps`` is an int, a dict objective name -> steps, or None: each objective's own default,
  100 on a quadratic, 2000 on Rosenbrock.)
* ``sgd_panel(*, steps=200, n=200, noise=0.0, batch_size=8, decay=0.0, lr=0.1, seed=0, rule=None)`` — lesson 02.
* ``step_panel(optimizer="adam", objective="rosenbrock", *, steps=50, theta0=None, rule=None, **hyperparams)`` —
  Play.
* ``comparison_panel(optimizers=("gd", "momentum", "adam"), objective="rosenbrock", *, steps=None, theta0=None,
  objectives=None, kappa_slider=False, kappa=None, separate=(), clip_norm=None, clip_value=None, rule=None,
  **hyperparams)`` — one control per
  hyperparameter meaning, driving the optimizers its readout names; each optimizer keeps its own defaults until a
  shared control is moved; ``separate=("lr",)`` gives each optimizer its own α.
* ``sweep_panel(*, kappa=10.0, noise=0.0, resolution=100, steps=100, rule=None)`` — live (α, β) map, optimum marked.
* ``training_panel(...)`` (:mod:`optlab.widgets.training`) — lesson 07: an MLP retrained live when the
  optimizer, α, β, β1, β2 or ε change.
* ``schedule_panel(optimizer="adamw", objective="rosenbrock", *, steps=200, schedule="constant", theta0=None,
  rule=None, **hyperparams)`` — lesson 06.

**Your rule, live.** ``rule=`` runs your function instead of optlab's (``trajectory_panel("adam",
rule=adam_step)``); the caption says whose rule runs, and if yours fails, one sentence says why and optlab's takes
over. The sliders come from each optimizer's description in :mod:`optlab.specs`; a panel's first α and run length
from :mod:`optlab.widgets.course_defaults`.

Every panel has ``.controls`` (name -> :class:`Control`; ``control.value`` is the real value, settable),
``.image`` (the PNG), ``.caption`` (how the runs ended, and why where known), ``.status`` (errors/warnings of a
redraw are shown there, never raised) and ``.redraws``. The building blocks for new panels (``Panel``, ``Control``,
``GrowingAxis``, the control factories, ``run_caption`` and :class:`~optlab.widgets.render.FastFigure`) are
exported here and documented in their modules.
"""

from ._base import (Control, GrowingAxis, Panel, choice_control, clip_control, hyperparameter_control, int_control,
                    linear_control, log_control, one_minus_log_control, run_caption, toggle_control)
from .render import FastFigure
from .step import step_panel
from .sweep import sweep_panel
from .trajectory import comparison_panel, schedule_panel, sgd_panel, trajectory_panel
from .training import TrainingPanel, training_panel

__all__ = [
    "trajectory_panel",
    "sgd_panel",
    "step_panel",
    "comparison_panel",
    "sweep_panel",
    "schedule_panel",
    "training_panel",
    "TrainingPanel",
    "Panel",
    "Control",
    "GrowingAxis",
    "log_control",
    "one_minus_log_control",
    "linear_control",
    "int_control",
    "choice_control",
    "toggle_control",
    "clip_control",
    "hyperparameter_control",
    "run_caption",
    "FastFigure",
]
