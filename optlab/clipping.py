"""Gradient clipping: a cap on the gradient before the step, by its norm or coordinate by coordinate.

Both are applied to g between computing it and stepping with it, as ``torch.nn.utils.clip_grad_norm_`` and
``clip_grad_value_`` are between ``backward()`` and ``step()``; :func:`optlab.run` does it with ``clip_norm=`` or
``clip_value=``. With the threshold c (``max_norm``, ``limit``):

* **by global norm** keeps the direction and shortens the vector: g ← g·min(1, c/‖g‖), so ‖g‖ ≤ c afterwards and
  a step of gradient descent is at most αc long. ‖g‖ is the norm of the *whole* gradient of a run — every
  parameter of a network together, torch's "total norm" over all its tensors.
* **by value** clamps each coordinate to [−c, c]: g_i ← max(−c, min(g_i, c)). A coordinate that was clamped
  shrinks more than the others, so the direction changes too (towards the diagonal, like Adam's sign-like step).

Conventions (``docs/conventions.md``): g has shape ``(..., d)``; the last axis is the dimension, every leading
axis an independent run, so the norm is taken per run over the last axis; a threshold may be a scalar or an
array that broadcasts against g (one value per run: give it a trailing axis, shape ``(S, 1)`` for g of shape
``(S, d)``); ``inf`` means no clipping; nothing is mutated. Computed with torch's formulas: the norm clip
multiplies by min(1, c/(‖g‖ + 10⁻⁶)) — torch adds 10⁻⁶ against a division by zero, so a clipped gradient's norm
is a hair under c — and the value clip is a clamp. (torch sums the squares for ‖g‖ with fused multiply-adds, so
its norm may differ from this one in the last bit; ``tests/test_conformance.py`` replays torch's clipped runs.)

Example:
    >>> clip_by_global_norm(np.array([3.0, 4.0]), 1.0).round(6)    # ‖g‖ = 5: shortened to length 1, same direction
    array([0.6, 0.8])
    >>> clip_by_value(np.array([3.0, 0.5]), 1.0)                   # each coordinate to [−1, 1]: the direction turns
    array([1. , 0.5])

Introduced in lesson 05 (gradient clipping, next to the optimizers that α too large makes diverge).
"""

from __future__ import annotations

import numpy as np

from ._validate import broadcastable, finite_array, threshold

__all__ = ["clip_by_global_norm", "clip_by_value", "unchecked_clip_by_global_norm", "unchecked_clip_by_value",
           "global_norm", "norm_clip_factor"]

#: torch's guard against a zero norm in ``clip_grad_norm_``: the factor is c/(‖g‖ + NORM_EPS).
NORM_EPS = 1e-6


def global_norm(grad):
    """‖g‖ per run: the Euclidean norm over the last axis, shape ``grad.shape[:-1]`` (a number for one run)."""
    grad = np.asarray(grad, dtype=np.float64)
    return np.sqrt(np.sum(grad * grad, axis=-1))


def norm_clip_factor(grad, max_norm):
    """min(1, c/(‖g‖ + 10⁻⁶)) per run, shape ``grad.shape[:-1] + (1,)``: what clipping by norm multiplies g by (< 1
    exactly when it acts). Unchecked: g a float array, ``max_norm`` broadcasting against it."""
    norm = np.sqrt(np.sum(grad * grad, axis=-1, keepdims=True))
    return np.minimum(max_norm / (norm + NORM_EPS), 1.0)


def unchecked_clip_by_global_norm(grad, max_norm):
    """:func:`clip_by_global_norm` without checks: g·min(1, c/(‖g‖ + 10⁻⁶)); ``max_norm`` broadcasts against g."""
    return grad * norm_clip_factor(grad, max_norm)


def unchecked_clip_by_value(grad, limit):
    """:func:`clip_by_value` without checks: each coordinate clamped to [−c, c]."""
    return np.clip(grad, -limit, limit)


def _arguments(grad, name, value):
    grad = finite_array("grad", grad)
    if grad.ndim == 0:
        raise ValueError(f"grad must be an array of shape (..., d), one gradient per row (got a number, {float(grad)!r})")
    value = threshold(name, value)
    return grad, broadcastable(name, value, "grad", grad.shape)


def clip_by_global_norm(grad, max_norm):
    r"""Shorten g to the norm c if it is longer, keeping its direction.

    g is ``grad``, the threshold c is ``max_norm``:

    .. math::
        g \leftarrow g \cdot \min\!\left(1, \frac{c}{\lVert g \rVert}\right)

    (computed as torch's ``clip_grad_norm_``: min(1, c/(‖g‖ + 10⁻⁶))). A gradient of norm ≤ c − 10⁻⁶ comes back
    unchanged; a longer one comes back with norm c·‖g‖/(‖g‖ + 10⁻⁶), a hair under c, and the same
    direction.

    Args:
        grad: gradient g, shape ``(..., d)``, finite; the norm is taken over the last axis, one per run.
        max_norm: c > 0, or ``inf`` for no clipping; a number or an array that broadcasts against ``grad`` (one
            value per run: shape ``(S, 1)`` for ``grad`` of shape ``(S, d)``).

    Returns:
        the clipped gradient, a new array of ``grad``'s shape.

    Raises:
        ValueError: naming the argument, for a non-finite gradient, a threshold ≤ 0 or NaN, or shapes that do
            not broadcast.

    Example:
        >>> g = np.array([[3.0, 4.0], [0.3, 0.4]])          # two runs: ‖g‖ = 5 and 0.5
        >>> clip_by_global_norm(g, 1.0).round(6)            # the first is shortened, the second left alone
        array([[0.6, 0.8],
               [0.3, 0.4]])

    Introduced in lesson 05 (gradient clipping).
    """
    grad, max_norm = _arguments(grad, "max_norm", max_norm)
    return unchecked_clip_by_global_norm(grad, max_norm)


def clip_by_value(grad, limit):
    r"""Clamp every coordinate of g to [−c, c]; the direction of g changes when some coordinates are clamped.

    g is ``grad``, the threshold c is ``limit``:

    .. math::
        g_i \leftarrow \max(-c, \min(g_i, c))

    as torch's ``clip_grad_value_``.

    Args:
        grad: gradient g, shape ``(..., d)``, finite.
        limit: c > 0, or ``inf`` for no clipping; a number or an array that broadcasts against ``grad``.

    Returns:
        the clipped gradient, a new array of ``grad``'s shape.

    Raises:
        ValueError: naming the argument, for a non-finite gradient, a threshold ≤ 0 or NaN, or shapes that do
            not broadcast.

    Example:
        >>> clip_by_value(np.array([-250.0, 80.0]), 10.0)   # both clamped: the direction is now (−1, 1)
        array([-10.,  10.])

    Introduced in lesson 05 (gradient clipping).
    """
    grad, limit = _arguments(grad, "limit", limit)
    return unchecked_clip_by_value(grad, limit)
