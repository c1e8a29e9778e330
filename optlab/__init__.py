"""Optimization Lab: the optimizers behind deep learning, from derivation to live sliders.

The package reads in the order of the course — math → runs → pictures → panels:

* :mod:`optlab.specs` — one description per optimizer (hyperparameters, defaults, ranges, sliders, state);
* :mod:`optlab.rules` — the update rules as pure functions (``gd_step``, ``adam_step``, …);
* :mod:`optlab.optimizers` — optimizer objects built on the very same functions (``Adam(rule=adam_step)`` steps
  with yours);
* :mod:`optlab.schedules` — learning-rate schedules; :mod:`optlab.clipping` — gradient clipping;
* :mod:`optlab.objectives`, :mod:`optlab.data` — test functions and data-driven losses;
* :mod:`optlab.runner` — the batched runner :func:`optlab.run` (one call is a whole sweep);
* :mod:`optlab.plotting`, :mod:`optlab.widgets` — pictures and live slider panels (import them
  explicitly: they load matplotlib and ipywidgets, which the math does not need);
* :mod:`optlab.checks` — the exercise checks; :mod:`optlab.nn` — the capstone's MLP (numpy only),
  with its pictures in :mod:`optlab.nn_plots`.

The numpy-only core is re-exported here, so ``import optlab; optlab.adam_step(...)`` works. The course's notation
and conventions are in ``docs/conventions.md``.
"""

from .clipping import clip_by_global_norm, clip_by_value
from .data import (
    LeastSquares,
    LogisticRegression,
    make_linear_regression,
    make_logistic_regression,
    make_moons,
    make_spirals,
    minibatches,
)
from .objectives import OBJECTIVES, Beale, Himmelblau, Objective, Quadratic, RotatedQuadratic, Rosenbrock, Saddle, get_objective
from .optimizers import (OPTIMIZERS, GD, SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, Optimizer, RMSProp, RuleError,
                         make_optimizer)
from .rules import (
    adagrad_step,
    adam_step,
    adamw_step,
    framework_momentum_step,
    gd_step,
    momentum_step,
    nesterov_step,
    rmsprop_step,
    sgd_step,
)
from .runner import Trajectory, run
from .schedules import constant, cosine, exponential, inverse_time, linear_warmup, step_decay

__version__ = "0.1.0"

__all__ = [
    # rules
    "gd_step", "sgd_step", "momentum_step", "framework_momentum_step", "nesterov_step",
    "adagrad_step", "rmsprop_step", "adam_step", "adamw_step",
    # optimizers
    "Optimizer", "GD", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW",
    "make_optimizer", "OPTIMIZERS", "RuleError",
    # schedules
    "constant", "step_decay", "exponential", "cosine", "linear_warmup", "inverse_time",
    # gradient clipping
    "clip_by_global_norm", "clip_by_value",
    # objectives and data
    "Objective", "Quadratic", "RotatedQuadratic", "Rosenbrock", "Saddle", "Himmelblau", "Beale",
    "OBJECTIVES", "get_objective",
    "make_linear_regression", "make_logistic_regression", "make_moons", "make_spirals",
    "LeastSquares", "LogisticRegression", "minibatches",
    # runs
    "run", "Trajectory",
]
