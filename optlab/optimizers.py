"""Optimizer objects: hyperparameters + explicit, immutable state, stepping with the rules of :mod:`optlab.rules`.

Every optimizer has the same shape (as in optax)::

    opt = Adam(lr=0.1)
    state = opt.init(theta)                       # NamedTuple of zero arrays (+ t = 0 for the Adam family)
    for k in range(steps):
        g = objective.grad(opt.eval_point(theta, state))   # θ + βv for Nesterov, θ otherwise
        theta, state = opt.step(theta, g, state, lr_scale=schedule(k + 1))

``step`` performs exactly the computation of the matching rule (``Adam.step`` is ``adam_step``): the class
gathers the state and the hyperparameters and hands them to the rule, as torch's ``Adam`` hands them to its
functional ``adam()``. The learning rate α is multiplied by ``lr_scale`` (a schedule's multiplier).

**Your own rule.** ``Adam(lr=0.1, rule=adam_step)`` steps with *your* ``adam_step`` instead of optlab's, called
exactly as the lesson's exercise defines it (``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps,
bias_correction)``), so :func:`optlab.run` and every panel can run it — batched, when the hyperparameters are
arrays. Your function gets copies of the arrays (an in-place update cannot change the run's record); if it
raises or returns the wrong number or shape of values, the step raises :class:`RuleError`, one sentence that
says so (the runner then uses optlab's rule and tells you why).

Batches: θ has shape ``(..., d)``. A hyperparameter may be an array of shape S broadcastable to the
leading axes of θ; the object appends the trailing axis, so ``Adam(lr=np.geomspace(1e-3, 1, 50))``
with θ of shape ``(50, 2)`` is 50 runs at once. :attr:`Optimizer.batch_shape` is the broadcast
shape of all hyperparameters: broadcast θ0 to ``batch_shape + (d,)`` before :meth:`Optimizer.init`.

Hyperparameters, their defaults and allowed ranges come from :mod:`optlab.specs` and are validated once, when the
object is built. ``step`` checks shapes but lets a non-finite gradient through, so a diverging run in a batch turns
non-finite and the runner reports it (the rule functions themselves reject such a gradient);
:meth:`Optimizer.unchecked_step` is ``step`` without any check, for runners that built θ, g and the state
themselves.
"""

from __future__ import annotations

import inspect
from typing import NamedTuple

import numpy as np

from . import rules, specs
from ._validate import nonnegative, real_array, same_shape

__all__ = [
    "Optimizer", "GD", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW",
    "GDState", "MomentumState", "AdaGradState", "RMSPropState", "AdamState", "RuleError",
    "OPTIMIZERS", "make_optimizer",
]

_QUIET = dict(over="ignore", invalid="ignore", divide="ignore", under="ignore")


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


class RuleError(ValueError):
    """A rule given as ``rule=`` failed: it raised, or returned the wrong number, kind or shape of values.

    ``str(error)`` is one sentence for a person ("your adam_step returned 2 values; it should return 3:
    (theta, m, v)"); ``error.rule`` is the function.
    """

    def __init__(self, message, rule=None):
        super().__init__(message)
        self.rule = rule


def _trailing(x):
    """Give an array hyperparameter of shape S the shape S + (1,), so it broadcasts against θ (S + (d,))."""
    return x if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)[..., None]


def _bc_ok(shape, runs) -> bool:
    """True when ``shape`` broadcasts to ``runs`` without enlarging it."""
    try:
        return np.broadcast_shapes(tuple(shape), tuple(runs)) == tuple(runs)
    except ValueError:
        return False


def _is_optlab_rule(fn) -> bool:
    return getattr(inspect.unwrap(fn), "__module__", None) == rules.__name__


def _rule_label(fn) -> str:
    name = getattr(inspect.unwrap(fn), "__name__", None) or type(fn).__name__
    return f"optlab's {name}" if _is_optlab_rule(fn) else f"your {name}"


class _GuardedRule:
    """Someone else's rule as an optimizer calls it: fresh copies in, every output checked, failures one sentence."""

    def __init__(self, fn, spec):
        self.fn, self.label = fn, _rule_label(fn)
        self.outputs = ("theta",) + spec.state_fields

    def __call__(self, theta, grad, *args, **kwargs):
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in (theta, grad) + args]
        try:
            out = self.fn(*copies, **kwargs)
        except NotImplementedError:
            raise RuleError(f"{self.label} is not written yet", self.fn) from None
        except Exception as exc:  # the rule's own bug: say which, in one line
            text = str(exc).splitlines()[0] if str(exc) else ""
            text = text if len(text) <= 100 else text[:97] + "…"
            runs = theta.shape[:-1]
            where = f" on a batch of {int(np.prod(runs)):,} runs" if runs else ""
            raise RuleError(f"{self.label} raised {type(exc).__name__}{': ' + text if text else ''}{where}",
                            self.fn) from exc
        return self._checked(out, theta.shape)

    def _checked(self, out, shape):
        k, want = len(self.outputs), "(" + ", ".join(self.outputs) + ")"
        if k > 1:
            if not isinstance(out, (tuple, list)) or len(out) != k:
                got = f"{len(out)} values" if isinstance(out, (tuple, list)) else f"a single {type(out).__name__}"
                raise RuleError(f"{self.label} returned {got}; it should return {k}: {want}", self.fn)
        else:
            out = (out,)
        arrays = []
        for name, value in zip(self.outputs, out):
            try:
                arr = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise RuleError(f"{self.label} returned {name} = {value!r}, not an array of numbers",
                                self.fn) from None
            if arr.shape != shape:
                hint = " — it cannot take a batch of runs" if len(shape) > 1 else ""
                raise RuleError(f"{self.label} returned {name} of shape {arr.shape} for θ of shape {shape}{hint}",
                                self.fn)
            arrays.append(arr)
        return arrays[0] if k == 1 else tuple(arrays)


class Optimizer:
    """Base class: a subclass names its :class:`~optlab.specs.OptimizerSpec`, its state and how it calls the rule.

    Args:
        *hyperparams, **hyperparams: the hyperparameters of ``spec`` (positionally in its order, or by keyword);
            scalars or arrays over runs. Defaults and allowed ranges: :mod:`optlab.specs`.
        rule: a function to step with instead of optlab's rule, with the rule's signature (``spec.rule_arguments``),
            e.g. your ``adam_step``; None for optlab's.

    Attributes:
        hyperparams: keyword -> validated value (arrays are read-only copies).
        batch_shape: the broadcast shape of the hyperparameters (the runs of a sweep).
        rule: the function given as ``rule=``, or None.
    """

    name = "Optimizer"
    spec: specs.OptimizerSpec = None
    #: optlab's rule, unchecked (the math of :mod:`optlab.rules`)
    reference = None
    state_type = GDState

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is None:
            return
        cls.name = spec.label
        cls.__signature__ = spec.signature
        if cls.__doc__ and "{hyperparameters}" in cls.__doc__:
            cls.__doc__ = cls.__doc__.replace("{hyperparameters}", spec.args_doc())

    def __init__(self, *args, rule=None, **kwargs):
        bound = self.spec.signature.bind(*args, rule=rule, **kwargs)  # a TypeError names a missing argument
        bound.apply_defaults()
        values = dict(bound.arguments)
        values.pop("rule")
        self.hyperparams = {}
        for key, value in self.spec.validate(values).items():
            if isinstance(value, np.ndarray):
                # Our own read-only copy: changing the caller's array later must not change the optimizer.
                value = value.copy()
                value.flags.writeable = False
            self.hyperparams[key] = value
        numeric = {k: np.shape(v) for k, v in self.hyperparams.items() if self.spec[k].kind != "flag"}
        try:
            self.batch_shape = np.broadcast_shapes(*numeric.values())
        except ValueError:
            raise ValueError(f"the hyperparameters of {self.name} must broadcast together "
                             f"(got shapes {numeric})") from None
        self._hp = {k: _trailing(v) for k, v in self.hyperparams.items()}
        passed = self.spec.names if self.spec.rule_hyperparameters is None else self.spec.rule_hyperparameters
        self._lr = self._hp["lr"]
        self._rest = tuple(self._hp[k] for k in passed if k != "lr")  # what the rule takes after α
        if rule is not None and not callable(rule):
            raise ValueError(f"rule must be a function such as your {self.spec.rule} (got {rule!r})")
        self.rule = rule
        own = rule is None or inspect.unwrap(rule) is getattr(rules, self.spec.rule)  # optlab's, given by name
        self._rule = type(self).reference if own else _GuardedRule(rule, self.spec)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        if self.rule is not None:
            args += f", rule={getattr(self.rule, '__name__', self.rule)}"
        return f"{type(self).__name__}({args})"

    @property
    def rule_label(self) -> str:
        """Whose rule steps: ``"your adam_step"`` or ``"optlab's adam_step"``."""
        return f"optlab's {self.spec.rule}" if self.rule is None else _rule_label(self.rule)

    @property
    def custom_rule(self) -> bool:
        """True when a rule other than optlab's was given (``rule=``)."""
        return self.rule is not None and not _is_optlab_rule(self.rule)

    def replace(self, **changes) -> "Optimizer":
        """A new optimizer of the same kind with some hyperparameters (or ``rule``) changed."""
        return type(self)(**{**self.hyperparams, "rule": self.rule, **changes})

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
        theta = self._theta(theta)
        zeros = [np.zeros_like(theta) for _ in self.spec.state_fields]
        return self.state_type(*zeros, *((0,) if self.spec.counts_steps else ()))

    def eval_point(self, theta, state) -> np.ndarray:
        """Where the gradient for the next step is evaluated: θ (θ + βv for Nesterov)."""
        return np.asarray(theta, dtype=np.float64)

    def step(self, theta, grad, state, lr_scale=1.0):
        """One update. ``grad`` is ∇J at :meth:`eval_point`; the learning rate used is α·``lr_scale``.

        Returns ``(theta, state)``, new arrays and a new state; nothing is mutated, and no numpy warning escapes
        (a diverging step gives non-finite numbers). The arguments are checked (shapes, a non-negative
        ``lr_scale``); :func:`optlab.run`, which builds θ, g and the state itself, calls :meth:`unchecked_step`.
        """
        theta, grad, lr_scale = self._checked(theta, grad, state, lr_scale)
        with np.errstate(**_QUIET):
            return self.unchecked_step(theta, grad, state, lr_scale)

    def unchecked_step(self, theta, grad, state, lr_scale=1.0):
        """:meth:`step` without any check and without ``np.errstate`` (the caller holds one).

        The hyperparameters were validated when the object was built; θ and g must be float64 arrays
        of the same shape (runs + (d,)) and ``lr_scale`` a float >= 0 or an array over the runs.
        """
        lr = self._lr
        if not (type(lr_scale) in (int, float) and lr_scale == 1):
            lr = lr * _trailing(lr_scale)
        return self._apply(self._rule, theta, grad, state, lr)

    def _apply(self, rule, theta, grad, state, lr):
        """Call ``rule`` with the state and the hyperparameters in the rule's order; return (θ, new state)."""
        raise NotImplementedError

    def _checked(self, theta, grad, state, lr_scale):
        """The full checks of :meth:`step`; returns θ, g and ``lr_scale`` converted."""
        theta = self._theta(theta)
        grad = same_shape("theta", theta, "grad", grad)
        if not isinstance(state, self.state_type):
            raise ValueError(f"state must be the {self.state_type.__name__} that {type(self).__name__}.init or the "
                             f"last step returned (got {_describe(state)})")
        for field, arr in zip(state._fields, state):
            if field != "t":
                same_shape("theta", theta, f"state.{field}", arr)
        if not (type(lr_scale) in (int, float) and lr_scale == 1):
            lr_scale = nonnegative("lr_scale", lr_scale)
            if np.ndim(lr_scale) and not _bc_ok(np.shape(lr_scale), theta.shape[:-1]):
                raise ValueError(f"lr_scale of shape {np.shape(lr_scale)} must broadcast to the runs of theta "
                                 f"(shape {theta.shape[:-1]})")
        return theta, grad, lr_scale

    def lr_limit(self, curvature):
        """On a quadratic whose largest curvature (Hessian eigenvalue) is L = ``curvature``: the learning rate
        above which this optimizer diverges, one per run (shape ``batch_shape``), and its formula ("2/L"); None
        where no fixed bound exists (the adaptive methods)."""
        if self.spec.lr_limit is None:
            return None
        return np.asarray(self.spec.lr_limit(self.hyperparams, float(curvature))), self.spec.lr_limit_text

    def derived(self, state) -> dict:
        """What the step computes from the state without keeping it, keyed by symbol (for step-by-step readouts).

        ``state`` is a state of this optimizer or a dict of stacked states (``Trajectory.states`` rows, with t of
        shape (K,)). Adam: m̂, v̂ and the per-coordinate learning rate α/(√v̂ + ε); AdaGrad: α/(√s + ε).
        """
        return {}


def _describe(value):
    """A short description of a wrong argument: its type, and its value where that is short."""
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def _field(state, name):
    return state[name] if isinstance(state, dict) else getattr(state, name)


def _step_counts(state, like):
    """The state's t, shaped to broadcast against the array ``like`` (a stack of states has t of shape (K,))."""
    t = np.asarray(_field(state, "t"))
    return t.reshape(t.shape + (1,) * (np.ndim(like) - t.ndim))


class GD(Optimizer):
    r"""Gradient descent (SGD when the gradient is a mini-batch one): θ ← θ − α g.

    Args:
        {hyperparameters}
        rule: your ``gd_step(theta, grad, lr)`` to step with instead of optlab's (see the module docstring).

    Example:
        >>> opt = GD(lr=0.1)
        >>> theta, state = opt.step(np.array([1.0, 2.0]), np.array([2.0, 4.0]), opt.init(np.zeros(2)))
        >>> theta
        array([0.8, 1.6])

    The rule: :func:`optlab.rules.gd_step` (lessons 01 and 02).
    """

    spec = specs.GD
    reference = staticmethod(rules.unchecked_gd_step)
    state_type = GDState

    def _apply(self, rule, theta, grad, state, lr):
        return rule(theta, grad, lr), state


SGD = GD


class Momentum(Optimizer):
    r"""Momentum in the course's form: v ← βv − αg; θ ← θ + v (:func:`optlab.rules.momentum_step`, lesson 03).

    Args:
        {hyperparameters}
        rule: your ``momentum_step(theta, grad, velocity, lr, beta)`` (see the module docstring).
    """

    spec = specs.MOMENTUM
    reference = staticmethod(rules.unchecked_momentum_step)
    state_type = MomentumState

    def _apply(self, rule, theta, grad, state, lr):
        theta, velocity = rule(theta, grad, state.velocity, lr, *self._rest)
        return theta, MomentumState(velocity)


class Nesterov(Momentum):
    r"""Nesterov momentum: the gradient is taken at the look-ahead point θ + βv (:func:`optlab.rules.nesterov_step`).

    ``eval_point(theta, state)`` returns θ + βv; pass the gradient there to ``step``.

    Args:
        {hyperparameters}
        rule: your ``nesterov_step(theta, grad, velocity, lr, beta)`` (see the module docstring).
    """

    spec = specs.NESTEROV

    def eval_point(self, theta, state):
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(theta, dtype=np.float64) + self._hp["beta"] * state.velocity


class AdaGrad(Optimizer):
    r"""AdaGrad: s ← s + g²; θ ← θ − α g/(√s + ε) (:func:`optlab.rules.adagrad_step`, lesson 04).

    Args:
        {hyperparameters}
        rule: your ``adagrad_step(theta, grad, s, lr, eps)`` (see the module docstring).
    """

    spec = specs.ADAGRAD
    reference = staticmethod(rules.unchecked_adagrad_step)
    state_type = AdaGradState

    def _apply(self, rule, theta, grad, state, lr):
        theta, s = rule(theta, grad, state.s, lr, *self._rest)
        return theta, AdaGradState(s)

    def derived(self, state):
        s = _field(state, "s")
        return {"α/(√s+ε)": rules.effective_lr(self._lr, s, 0.0, self._hp["eps"])}


class RMSProp(Optimizer):
    r"""RMSProp: v ← β2 v + (1 − β2) g²; θ ← θ − α g/(√v + ε) (:func:`optlab.rules.rmsprop_step`, lesson 04).

    With ``bias_correction=True`` the step uses v̂ = v/(1 − β2ᵗ) (Adam with β1 = 0); off by default, as in torch.

    Args:
        {hyperparameters}
        rule: your ``rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None)`` (see the module docstring).
    """

    spec = specs.RMSPROP
    reference = staticmethod(rules.unchecked_rmsprop_step)
    state_type = RMSPropState

    def _apply(self, rule, theta, grad, state, lr):
        t = state.t + 1
        if self.hyperparams["bias_correction"]:
            theta, v = rule(theta, grad, state.v, lr, *self._rest, t=t)
        else:
            theta, v = rule(theta, grad, state.v, lr, *self._rest)
        return theta, RMSPropState(v, t)

    def derived(self, state):
        v, hp = _field(state, "v"), self._hp
        t = _step_counts(state, v) if hp["bias_correction"] else None
        v_hat = v if t is None else rules.bias_corrected(v, hp["beta2"], t)
        return {"v̂": v_hat, "α/(√v̂+ε)": rules.effective_lr(self._lr, v, hp["beta2"], hp["eps"], t)}


class Adam(Optimizer):
    r"""Adam: m, v as exponential averages of g and g², then θ ← θ − α m̂/(√v̂ + ε) (:func:`optlab.rules.adam_step`).

    Args:
        {hyperparameters}
        rule: your ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)`` (see the module
            docstring).

    Example:
        >>> opt = Adam(lr=0.1)
        >>> state = opt.init(np.ones(2))
        >>> theta, state = opt.step(np.ones(2), np.array([0.5, -2.0]), state)
        >>> theta.round(6), state.t
        (array([0.9, 1.1]), 1)

    Introduced in lesson 05.
    """

    spec = specs.ADAM
    reference = staticmethod(rules.unchecked_adam_step)
    state_type = AdamState

    def _apply(self, rule, theta, grad, state, lr):
        t = state.t + 1
        theta, m, v = rule(theta, grad, state.m, state.v, t, lr, *self._rest)
        return theta, AdamState(m, v, t)

    def derived(self, state):
        m, v, hp = _field(state, "m"), _field(state, "v"), self._hp
        if not hp["bias_correction"]:
            return {"m̂": m, "v̂": v, "α/(√v̂+ε)": rules.effective_lr(self._lr, v, hp["beta2"], hp["eps"])}
        t = _step_counts(state, m)
        return {"m̂": rules.bias_corrected(m, hp["beta1"], t), "v̂": rules.bias_corrected(v, hp["beta2"], t),
                "α/(√v̂+ε)": rules.effective_lr(self._lr, v, hp["beta2"], hp["eps"], t)}


class AdamW(Adam):
    r"""AdamW: θ ← θ − α (m̂/(√v̂ + ε) + λθ) (:func:`optlab.rules.adamw_step`, lesson 06): Adam plus a decay.

    Args:
        {hyperparameters}
        rule: your ``adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction)``.
    """

    spec = specs.ADAMW
    reference = staticmethod(rules.unchecked_adamw_step)


#: key -> class, the keys of :data:`optlab.specs.SPECS`.
OPTIMIZERS = {"gd": GD, "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
              "rmsprop": RMSProp, "adam": Adam, "adamw": AdamW}


def make_optimizer(name, **hyperparams) -> Optimizer:
    """Build an optimizer by name (case-insensitive): ``make_optimizer("adam", lr=0.1)`` (``rule=`` too).

    Names: gd, sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw. An Optimizer instance passed as
    ``name`` is returned as is (with ``hyperparams`` applied through :meth:`Optimizer.replace`).
    """
    if isinstance(name, Optimizer):
        return name.replace(**hyperparams) if hyperparams else name
    key = specs.canonical_name(name)
    if key not in OPTIMIZERS:
        raise ValueError(f"name must be one of {', '.join(OPTIMIZERS)} (got {name!r})")
    cls = OPTIMIZERS[key]
    unknown = set(hyperparams) - set(cls.spec.names) - {"rule"}
    if unknown:
        raise ValueError(f"{cls.name} takes the hyperparameters {', '.join(cls.spec.names)} "
                         f"(got unknown {', '.join(sorted(unknown))})")
    return cls(**hyperparams)
