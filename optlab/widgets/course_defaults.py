"""The course's defaults for the panels: a learning rate and a run length that make a good first picture.

The optimizers' own defaults (torch's: Adam α = 1e-3, …) are in :mod:`optlab.specs`; they suit a network, not
a two-dimensional picture in 200 steps. A panel opened without ``lr=`` starts at :func:`suggested_lr`, and
without ``steps=`` runs for :func:`default_steps` — 100 steps on a quadratic, 2000 on Rosenbrock's valley.
"""

from __future__ import annotations

from .. import specs

__all__ = ["SUGGESTED_LR", "STEPS", "DEFAULT_STEPS", "suggested_lr", "default_steps"]

#: objective name -> α that gives an instructive first picture in ~200 steps, for the plain methods (GD,
#: momentum, Nesterov) and for the adaptive ones (AdaGrad, RMSProp, Adam, AdamW: steps of about α per coordinate).
SUGGESTED_LR = {
    "plain": {"quadratic": 0.05, "rotated_quadratic": 0.05, "rosenbrock": 1e-3, "saddle": 0.1, "himmelblau": 0.01,
              "beale": 1e-3, "least_squares": 0.1},
    "adaptive": {"quadratic": 0.1, "rotated_quadratic": 0.1, "rosenbrock": 0.02, "saddle": 0.05, "himmelblau": 0.1,
                 "beale": 0.05, "least_squares": 0.1},
}
#: α on an objective not in :data:`SUGGESTED_LR`.
OTHER_LR = 0.01

#: objective name -> steps that show its story at the suggested α: a quadratic is done in ~100, Rosenbrock's valley
#: takes thousands (used when the caller gives no ``steps``, or a dict without this objective).
STEPS = {"quadratic": 100, "rotated_quadratic": 100, "saddle": 200, "himmelblau": 200, "beale": 1000,
         "rosenbrock": 2000, "least_squares": 200}
#: steps on an objective not in :data:`STEPS`.
DEFAULT_STEPS = 200


def suggested_lr(optimizer, objective) -> float:
    """A learning rate α that makes a good first picture for this optimizer (a name) on this objective."""
    kind = "adaptive" if specs.get_spec(optimizer).adaptive else "plain"
    return SUGGESTED_LR[kind].get(getattr(objective, "name", ""), OTHER_LR)


def default_steps(objective, steps=None) -> int:
    """Steps per run for ``objective``: ``steps`` if an int, its entry if a dict name -> steps, else :data:`STEPS`."""
    name = getattr(objective, "name", "")
    if isinstance(steps, dict):
        steps = steps.get(name)
    return int(steps) if steps is not None else STEPS.get(name, DEFAULT_STEPS)
