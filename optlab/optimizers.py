"""Optimizer objects: hyperparameters + explicit, immutable state, built on the kernels of :mod:`optlab.rules`.

Every optimizer has the same shape (as in optax)::

    opt = Adam(lr=0.1)
    state = opt.init(theta)                       # NamedTuple of zero arrays (+ t = 0 for the Adam family)
    for k in range(steps):
        g = objective.grad(opt.eval_point(theta, state))   # θ + βv for Nesterov, θ otherwise
        theta, state = opt.step(theta, g, state, lr_scale=schedule(k + 1))

``step`` performs exactly the computation of the matching rule function (``Adam.step`` is
``adam_step``), with the learning rate α multiplied by ``lr_scale`` (a schedule's multiplier).

Batches: θ has shape ``(..., d)``. A hyperparameter may be an array of shape S broadcastable to the
leading axes of θ; the object appends the trailing axis, so ``Adam(lr=np.geomspace(1e-3, 1, 50))``
with θ of shape ``(50, 2)`` is 50 runs at once. :attr:`Optimizer.batch_shape` is the broadcast
shape of all hyperparameters: broadcast θ0 to ``batch_shape + (d,)`` before :meth:`Optimizer.init`.

Hyperparameters are validated once, when the object is built. ``step`` checks shapes (the runner calls the
unchecked ``_update``: it built θ, g and the state itself) but
lets a non-finite gradient through, so a diverging run in a batch turns non-finite and the runner reports
it (the rule functions themselves reject such a gradient).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import rules
from ._validate import nonnegative, positive, real_array, same_shape, unit_interval

__all__ = [
    "Optimizer", "GD", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW",
    "GDState", "MomentumState", "AdaGradState", "RMSPropState", "AdamState",
    "OPTIMIZERS", "make_optimizer",
]


class GDState(NamedTuple):
    """Gradient descent keeps no state."""


class MomentumState(NamedTuple):
    """State of Momentum and Nesterov: the velocity v."""

    velocity: np.ndarray


class AdaGradState(NamedTuple):
    """State of AdaGrad: the running sum s of squared gradients."""

    s: np.ndarray


class RMSPropState(NamedTuple):
    """State of RMSProp: the running average v of squared gradients and the number t of steps taken."""

    v: np.ndarray
    t: int


class AdamState(NamedTuple):
    """State of Adam and AdamW: moment estimates m, v and the number t of steps taken (0 after init)."""

    m: np.ndarray
    v: np.ndarray
    t: int


def _trailing(x):
    """Give an array hyperparameter of shape S the shape S + (1,), so it broadcasts against θ (S + (d,))."""
    return x if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)[..., None]


class Optimizer:
    """Base class: subclasses name their hyperparameters (with checks) and define ``_init`` / ``_step``."""

    name = "Optimizer"
    _specs: dict = {}  # hyperparameter name -> validator

    def __init__(self, **hyperparams):
        self.hyperparams = {}
        for key, value in hyperparams.items():
            check = self._specs[key]
            value = bool(value) if check is bool else check(key, value)
            if isinstance(value, np.ndarray):
                # Our own read-only copy: changing the caller's array later must not change the optimizer.
                value = value.copy()
                value.flags.writeable = False
            self.hyperparams[key] = value
        shapes = [np.shape(v) for k, v in self.hyperparams.items() if self._specs[k] is not bool]
        try:
            self.batch_shape = np.broadcast_shapes(*shapes)
        except ValueError:
            raise ValueError(f"the hyperparameters of {self.name} must broadcast together "
                             f"(got shapes {dict(zip(self.hyperparams, shapes))})") from None
        self._hp = {k: _trailing(v) for k, v in self.hyperparams.items()}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        return f"{type(self).__name__}({args})"

    def replace(self, **changes) -> "Optimizer":
        """A new optimizer of the same kind with some hyperparameters changed."""
        return type(self)(**{**self.hyperparams, **changes})

    def _theta(self, theta) -> np.ndarray:
        theta = real_array("theta", theta)
        if theta.ndim == 0:
            raise ValueError(f"theta must have shape (..., d) (got a scalar {float(theta)!r})")
        runs = theta.shape[:-1]
        if self.batch_shape and not _bc_ok(self.batch_shape, runs):
            raise ValueError(f"the hyperparameters of {self.name} have batch shape {self.batch_shape}, "
                             f"which does not broadcast to the runs of theta (shape {theta.shape}); "
                             f"broadcast theta to {self.batch_shape + theta.shape[-1:]} first")
        return theta

    def init(self, theta):
        """The initial state for parameters ``theta`` of shape (..., d): zero arrays (and t = 0)."""
        return self._init(self._theta(theta))

    def eval_point(self, theta, state) -> np.ndarray:
        """Where the gradient for the next step is evaluated: θ (θ + βv for Nesterov)."""
        return np.asarray(theta, dtype=np.float64)

    def step(self, theta, grad, state, lr_scale=1.0):
        """One update. ``grad`` is ∇J at :meth:`eval_point`; the learning rate used is α·``lr_scale``.

        Returns ``(theta, state)``, new arrays and a new state; nothing is mutated. The arguments are
        checked (shapes, a non-negative ``lr_scale``); :func:`optlab.run.run`, which builds θ, g and the
        state itself, calls the unchecked :meth:`_update` instead.
        """
        theta, grad, lr_scale = self._checked(theta, grad, state, lr_scale)
        return self._update(theta, grad, state, lr_scale)

    def _update(self, theta, grad, state, lr_scale=1.0):
        """:meth:`step` without any check, for runners that built θ, g and the state themselves.

        The hyperparameters were validated when the object was built; θ and g must be float64 arrays
        of the same shape (runs + (d,)) and ``lr_scale`` a float >= 0 or an array over the runs.
        """
        lr = self._hp["lr"]
        if not (type(lr_scale) in (int, float) and lr_scale == 1):
            lr = lr * _trailing(lr_scale)
        return self._step(theta, grad, state, lr)

    def _checked(self, theta, grad, state, lr_scale):
        """The full checks of :meth:`step`; returns θ, g and ``lr_scale`` converted."""
        theta = self._theta(theta)
        grad = same_shape("theta", theta, "grad", real_array("grad", grad))
        for field, arr in zip(state._fields, state):
            if field != "t":
                same_shape("theta", theta, f"state.{field}", arr)
        if not (type(lr_scale) in (int, float) and lr_scale == 1):
            lr_scale = nonnegative("lr_scale", lr_scale)
            if np.ndim(lr_scale) and not _bc_ok(np.shape(lr_scale), theta.shape[:-1]):
                raise ValueError(f"lr_scale of shape {np.shape(lr_scale)} must broadcast to the runs of theta "
                                 f"(shape {theta.shape[:-1]})")
        return theta, grad, lr_scale


def _bc_ok(shape, runs) -> bool:
    """True when ``shape`` broadcasts to ``runs`` without enlarging it."""
    try:
        return np.broadcast_shapes(tuple(shape), tuple(runs)) == tuple(runs)
    except ValueError:
        return False


def _zeros(theta):
    return np.zeros_like(theta)


class GD(Optimizer):
    r"""Gradient descent (SGD when the gradient is a mini-batch one): θ ← θ − α g.

    Args:
        lr: the learning rate α > 0 (scalar or array over runs).

    Example:
        >>> opt = GD(lr=0.1)
        >>> theta, state = opt.step(np.array([1.0, 2.0]), np.array([2.0, 4.0]), opt.init(np.zeros(2)))
        >>> theta
        array([0.8, 1.6])

    The rule: :func:`optlab.rules.gd_step` (lessons 01 and 02).
    """

    name = "GD"
    _specs = {"lr": positive}

    def __init__(self, lr):
        super().__init__(lr=lr)

    def _init(self, theta):
        return GDState()

    def _step(self, theta, grad, state, lr):
        return rules._gd(theta, grad, lr), state


SGD = GD


class Momentum(Optimizer):
    r"""Momentum in the course's form: v ← βv − αg; θ ← θ + v (:func:`optlab.rules.momentum_step`, lesson 03).

    Args:
        lr: the learning rate α > 0.
        beta: the momentum coefficient β in [0, 1). Default 0.9.
    """

    name = "Momentum"
    _specs = {"lr": positive, "beta": unit_interval}

    def __init__(self, lr, beta=0.9):
        super().__init__(lr=lr, beta=beta)

    def _init(self, theta):
        return MomentumState(velocity=_zeros(theta))

    def _step(self, theta, grad, state, lr):
        theta, velocity = rules._momentum(theta, grad, state.velocity, lr, self._hp["beta"])
        return theta, MomentumState(velocity)


class Nesterov(Momentum):
    r"""Nesterov momentum: the gradient is taken at the look-ahead point θ + βv (:func:`optlab.rules.nesterov_step`).

    ``eval_point(theta, state)`` returns θ + βv; pass the gradient there to ``step``.

    Args:
        lr: the learning rate α > 0.
        beta: the momentum coefficient β in [0, 1). Default 0.9.
    """

    name = "Nesterov"

    def eval_point(self, theta, state):
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(theta, dtype=np.float64) + self._hp["beta"] * state.velocity


class AdaGrad(Optimizer):
    r"""AdaGrad: s ← s + g²; θ ← θ − α g/(√s + ε) (:func:`optlab.rules.adagrad_step`, lesson 04).

    Args:
        lr: the learning rate α > 0. Default 1e-2.
        eps: ε > 0. Default 1e-10.
    """

    name = "AdaGrad"
    _specs = {"lr": positive, "eps": positive}

    def __init__(self, lr=1e-2, eps=1e-10):
        super().__init__(lr=lr, eps=eps)

    def _init(self, theta):
        return AdaGradState(s=_zeros(theta))

    def _step(self, theta, grad, state, lr):
        theta, s = rules._adagrad(theta, grad, state.s, lr, self._hp["eps"])
        return theta, AdaGradState(s)


class RMSProp(Optimizer):
    r"""RMSProp: v ← β2 v + (1 − β2) g²; θ ← θ − α g/(√v + ε) (:func:`optlab.rules.rmsprop_step`, lesson 04).

    Args:
        lr: the learning rate α > 0. Default 1e-2.
        beta2: the decay rate β2 in [0, 1). Default 0.99.
        eps: ε > 0. Default 1e-8.
        bias_correction: use v̂ = v/(1 − β2ᵗ) (Adam with β1 = 0). Default False, as in torch.
    """

    name = "RMSProp"
    _specs = {"lr": positive, "beta2": unit_interval, "eps": positive, "bias_correction": bool}

    def __init__(self, lr=1e-2, beta2=0.99, eps=1e-8, bias_correction=False):
        super().__init__(lr=lr, beta2=beta2, eps=eps, bias_correction=bias_correction)

    def _init(self, theta):
        return RMSPropState(v=_zeros(theta), t=0)

    def _step(self, theta, grad, state, lr):
        t = state.t + 1
        hp = self._hp
        theta, v = rules._rmsprop(theta, grad, state.v, lr, hp["beta2"], hp["eps"],
                                  t if hp["bias_correction"] else None)
        return theta, RMSPropState(v, t)


class Adam(Optimizer):
    r"""Adam: m, v as exponential averages of g and g², then θ ← θ − α m̂/(√v̂ + ε) (:func:`optlab.rules.adam_step`).

    Args:
        lr: the learning rate α > 0. Default 1e-3.
        beta1: the decay rate β1 of m, in [0, 1). Default 0.9.
        beta2: the decay rate β2 of v, in [0, 1). Default 0.999.
        eps: ε > 0. Default 1e-8.
        bias_correction: use m̂, v̂ (default) or the rule as first written.

    Example:
        >>> opt = Adam(lr=0.1)
        >>> state = opt.init(np.ones(2))
        >>> theta, state = opt.step(np.ones(2), np.array([0.5, -2.0]), state)
        >>> theta.round(6), state.t
        (array([0.9, 1.1]), 1)

    Introduced in lesson 05.
    """

    name = "Adam"
    _specs = {"lr": positive, "beta1": unit_interval, "beta2": unit_interval, "eps": positive,
              "bias_correction": bool}

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction)

    def _init(self, theta):
        return AdamState(m=_zeros(theta), v=_zeros(theta), t=0)

    def _step(self, theta, grad, state, lr):
        hp, t = self._hp, state.t + 1
        theta, m, v = rules._adam(theta, grad, state.m, state.v, t, lr, hp["beta1"], hp["beta2"], hp["eps"],
                                  hp["bias_correction"])
        return theta, AdamState(m, v, t)


class AdamW(Optimizer):
    r"""AdamW: θ ← θ − α (m̂/(√v̂ + ε) + λθ) (:func:`optlab.rules.adamw_step`, lesson 06).

    Args:
        lr, beta1, beta2, eps, bias_correction: as for :class:`Adam`.
        weight_decay: the decoupled weight decay λ ≥ 0. Default 1e-2.
    """

    name = "AdamW"
    _specs = {"lr": positive, "beta1": unit_interval, "beta2": unit_interval, "eps": positive,
              "weight_decay": nonnegative, "bias_correction": bool}

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, bias_correction=True):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                         bias_correction=bias_correction)

    def _init(self, theta):
        return AdamState(m=_zeros(theta), v=_zeros(theta), t=0)

    def _step(self, theta, grad, state, lr):
        hp, t = self._hp, state.t + 1
        theta, m, v = rules._adamw(theta, grad, state.m, state.v, t, lr, hp["beta1"], hp["beta2"], hp["eps"],
                                   hp["weight_decay"], hp["bias_correction"])
        return theta, AdamState(m, v, t)


OPTIMIZERS = {"gd": GD, "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
              "rmsprop": RMSProp, "adam": Adam, "adamw": AdamW}


def make_optimizer(name, **hyperparams) -> Optimizer:
    """Build an optimizer by name (case-insensitive): ``make_optimizer("adam", lr=0.1)``.

    Names: gd, sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw. An Optimizer instance passed as
    ``name`` is returned as is (with ``hyperparams`` applied through :meth:`Optimizer.replace`).
    """
    if isinstance(name, Optimizer):
        return name.replace(**hyperparams) if hyperparams else name
    key = str(name).lower().replace("-", "").replace("_", "")
    if key not in OPTIMIZERS:
        raise ValueError(f"name must be one of {', '.join(OPTIMIZERS)} (got {name!r})")
    cls = OPTIMIZERS[key]
    unknown = set(hyperparams) - set(cls._specs)
    if unknown:
        raise ValueError(f"{cls.name} takes the hyperparameters {', '.join(cls._specs)} "
                         f"(got unknown {', '.join(sorted(unknown))})")
    return cls(**hyperparams)
