"""One description per optimizer: its hyperparameters (defaults, ranges, symbols, sliders) and its state.

This module is the only place where an optimizer's settings are written down. Everything else reads it:

* :mod:`optlab.rules` validates its arguments with it and takes its defaults from it (``help(adam_step)``
  shows them);
* :mod:`optlab.optimizers` builds each class's signature, defaults and checks from it;
* :mod:`optlab.widgets` builds one slider per hyperparameter from its :class:`Slider` (range and scale), names
  it by its symbol, and groups the controls of a comparison by meaning;
* the checks and the conventions page (``docs/conventions.md``) read the argument order of each rule.

So "where is Adam's β2 default, and its slider range?" has one answer: :data:`ADAM` below (the default) and
:data:`BETA2` just above it (symbol, allowed range, slider). Changing either is a one-line change here.

Example:
    >>> adam = get_spec("adam")
    >>> adam.defaults["beta2"], adam["beta2"].symbol, adam["beta2"].slider.scale
    (0.999, 'β2', 'one_minus_log')
    >>> adam.rule_arguments
    ('theta', 'grad', 'm', 'v', 't', 'lr', 'beta1', 'beta2', 'eps', 'bias_correction')

The conventions behind these descriptions (θ of shape ``(..., d)``, t from 1, the argument order theta, grad,
state, t, hyperparameters) are in ``docs/conventions.md``.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Callable, Optional

from ._format import fmt
from ._validate import flag, nonnegative, positive, unit_interval

__all__ = [
    "Slider", "Hyperparameter", "OptimizerSpec", "REQUIRED",
    "LR", "BETA", "BETA1", "BETA2", "EPS", "WEIGHT_DECAY", "BIAS_CORRECTION", "BIAS_CORRECTION_V",
    "GD", "MOMENTUM", "NESTEROV", "ADAGRAD", "RMSPROP", "ADAM", "ADAMW",
    "SPECS", "HYPERPARAMETERS", "canonical_name", "get_spec",
]

#: The default of a hyperparameter that has none (the caller must give it, e.g. GD's learning rate).
REQUIRED = inspect.Parameter.empty

# kind -> (validator, the allowed range as text)
_KINDS = {
    "positive": (positive, "> 0"),
    "nonnegative": (nonnegative, ">= 0"),
    "unit_interval": (unit_interval, "in [0, 1)"),
    "flag": (flag, "True or False"),
}


@dataclass(frozen=True)
class Slider:
    """How a panel shows a hyperparameter.

    ``scale`` is ``"log"`` (``lo``, ``hi`` are powers of ten: α, ε), ``"linear"`` (``lo`` to ``hi``: β, β1, λ),
    ``"one_minus_log"`` (a log slider on 1 − value from 10^lo to 10^hi, read out as the value itself: β2) or
    ``"toggle"`` (a checkbox). ``step`` is the slider's step in its own units.
    """

    scale: str
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.0


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: keyword, symbol, meaning, allowed range, slider and (in an optimizer's spec) default.

    Attributes:
        name: the keyword (``"beta2"``), also the argument name in the rule and the optimizer.
        symbol: how the course writes it (``"β2"``).
        meaning: a few words for docstrings and readouts (``"decay rate of v"``).
        kind: the allowed range: ``"positive"`` (> 0), ``"nonnegative"`` (>= 0), ``"unit_interval"``
            (in [0, 1)) or ``"flag"`` (True or False).
        slider: how a panel shows it (:class:`Slider`).
        default: the default value, or :data:`REQUIRED`.
        group: hyperparameters of several optimizers with the same ``group`` mean the same thing, so a comparison
            panel drives them with one control (RMSProp's bias correction, of v only, has a group of its own).
    """

    name: str
    symbol: str
    meaning: str
    kind: str
    slider: Slider
    default: object = REQUIRED
    group: str = ""

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"kind must be one of {', '.join(_KINDS)} (got {self.kind!r})")
        if not self.group:
            object.__setattr__(self, "group", self.name)

    def with_default(self, default) -> "Hyperparameter":
        """The same hyperparameter with a default (each optimizer spec sets its own)."""
        return dataclasses.replace(self, default=self.check(default) if default is not REQUIRED else default)

    def check(self, value):
        """``value`` validated (a float, a float64 array or a bool), or a ValueError naming the keyword and range."""
        return _KINDS[self.kind][0](self.name, value)

    @property
    def range_text(self) -> str:
        """The allowed range, e.g. ``"β2 in [0, 1)"`` or ``"bias_correction True or False"``."""
        return f"{self.name if self.kind == 'flag' else self.symbol} {_KINDS[self.kind][1]}"

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def doc(self) -> str:
        """The line for a docstring's Args, e.g. ``"beta2: β2 in [0, 1), the decay rate of v. Default 0.999."``."""
        default = "" if self.required else f" Default {fmt(self.default)}."
        what = self.meaning if self.kind == "flag" else f"{self.symbol} {_KINDS[self.kind][1]}, {self.meaning}"
        return f"{self.name}: {what}.{default}"


# ----------------------------------------------------------------------------- the hyperparameters
LR = Hyperparameter("lr", "α", "the learning rate", "positive", Slider("log", -5.0, 1.0, 0.05))
BETA = Hyperparameter("beta", "β", "the momentum coefficient", "unit_interval", Slider("linear", 0.0, 0.995, 0.005))
BETA1 = Hyperparameter("beta1", "β1", "the decay rate of m", "unit_interval", Slider("linear", 0.0, 0.99, 0.01))
BETA2 = Hyperparameter("beta2", "β2", "the decay rate of v", "unit_interval", Slider("one_minus_log", -6.0, -0.3, 0.1))
EPS = Hyperparameter("eps", "ε", "added to the root in the denominator", "positive", Slider("log", -12.0, 0.0, 0.25))
WEIGHT_DECAY = Hyperparameter("weight_decay", "λ", "the decoupled weight decay", "nonnegative",
                              Slider("linear", 0.0, 1.0, 0.01))
BIAS_CORRECTION = Hyperparameter("bias_correction", "bias correction", "use m̂ and v̂ (True) or m and v (False)",
                                 "flag", Slider("toggle"))
BIAS_CORRECTION_V = Hyperparameter("bias_correction", "bias correction",
                                   "divide v by 1 − β2ᵗ in the step (Adam with β1 = 0)", "flag", Slider("toggle"),
                                   group="bias_correction_v")

#: keyword -> the generic description (symbol, range, slider) of every hyperparameter, for panels and docs.
HYPERPARAMETERS = {h.name: h for h in (LR, BETA, BETA1, BETA2, EPS, WEIGHT_DECAY, BIAS_CORRECTION)}


# ----------------------------------------------------------------------------- the optimizers
@dataclass(frozen=True)
class OptimizerSpec:
    """Everything optlab knows about one optimizer, apart from its math (in :mod:`optlab.rules`).

    Attributes:
        name: the key (``"adam"``), as :func:`get_spec` and ``make_optimizer`` take it.
        label: the display name (``"Adam"``).
        rule: the name of its rule in :mod:`optlab.rules` (``"adam_step"``), the function a lesson has students
            write.
        hyperparameters: :class:`Hyperparameter` s with this optimizer's defaults, in the order of the rule's
            arguments (and of the optimizer's signature).
        state: the state arrays ``(field, symbol)``, e.g. ``(("m", "m"), ("v", "v"))``, in the rule's order.
        t: how the rule takes the step count t (1 on the first step; the state holds the number of steps taken):
            ``"positional"`` (after the state, Adam), ``"keyword"`` (``t=`` when bias-corrected, RMSProp) or
            ``""`` (no step count).
        rule_hyperparameters: the hyperparameters passed to the rule, if not all of them (RMSProp's
            ``bias_correction`` decides whether the rule gets ``t``).
        adaptive: divides each coordinate's step by a running root of squared gradients (AdaGrad, RMSProp, Adam).
        look_ahead: the gradient is taken at θ + βv (Nesterov).
        formula: the update in one line, for titles and messages.
        lesson: the lesson that derives it.
        lr_limit: on a quadratic with largest curvature L, ``lr_limit(hyperparams, L)`` is the learning rate
            above which the run diverges (None where no such fixed bound exists); ``lr_limit_text`` writes it.
    """

    name: str
    label: str
    rule: str
    hyperparameters: tuple
    state: tuple = ()
    t: str = ""
    rule_hyperparameters: Optional[tuple] = None
    adaptive: bool = False
    look_ahead: bool = False
    formula: str = ""
    lesson: str = ""
    lr_limit: Optional[Callable] = None
    lr_limit_text: str = ""

    def __getitem__(self, name) -> Hyperparameter:
        for h in self.hyperparameters:
            if h.name == name:
                return h
        raise KeyError(name)

    @property
    def names(self) -> tuple:
        """The hyperparameters' keywords, in order."""
        return tuple(h.name for h in self.hyperparameters)

    @property
    def defaults(self) -> dict:
        """keyword -> default of every hyperparameter that has one."""
        return {h.name: h.default for h in self.hyperparameters if not h.required}

    @property
    def counts_steps(self) -> bool:
        """The state holds the step count t."""
        return bool(self.t)

    @property
    def state_fields(self) -> tuple:
        """The names of the state arrays, e.g. ``("m", "v")``."""
        return tuple(field for field, _ in self.state)

    @property
    def rule_arguments(self) -> tuple:
        """The positional arguments of the rule, in order: theta, grad, the state, t, the hyperparameters."""
        hyper = self.names if self.rule_hyperparameters is None else self.rule_hyperparameters
        return ("theta", "grad") + self.state_fields + (("t",) if self.t == "positional" else ()) + tuple(hyper)

    @property
    def signature(self) -> inspect.Signature:
        """The optimizer's constructor signature: the hyperparameters with their defaults, then ``rule=None``."""
        params = [inspect.Parameter(h.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=h.default)
                  for h in self.hyperparameters]
        params.append(inspect.Parameter("rule", inspect.Parameter.KEYWORD_ONLY, default=None))
        return inspect.Signature(params)

    def validate(self, values: dict) -> dict:
        """Each value checked against its hyperparameter (unknown keywords are an error naming the known ones)."""
        unknown = set(values) - set(self.names)
        if unknown:
            raise ValueError(f"{self.label} takes the hyperparameters {', '.join(self.names)} "
                             f"(got unknown {', '.join(sorted(unknown))})")
        return {name: self[name].check(value) for name, value in values.items()}

    def args_doc(self, indent: str = "        ") -> str:
        """The Args lines of the hyperparameters, for the docstrings of the rule and the optimizer."""
        return ("\n" + indent).join(h.doc() for h in self.hyperparameters)

    def with_hyperparameter(self, hyperparameter: Hyperparameter, *, before: str, **changes) -> "OptimizerSpec":
        """A new spec with one more hyperparameter inserted before ``before`` (how AdamW builds on Adam)."""
        names = self.names
        i = names.index(before)
        hyper = self.hyperparameters[:i] + (hyperparameter,) + self.hyperparameters[i:]
        return dataclasses.replace(self, hyperparameters=hyper, **changes)


def _heavy_ball_limit(hp, L):
    return 2.0 * (1.0 + hp["beta"]) / L


def _nesterov_limit(hp, L):
    beta = hp["beta"]
    return 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * L)


GD = OptimizerSpec(
    "gd", "GD", "gd_step", (LR,), formula="θ ← θ − α g", lesson="01 (gradient descent), 02 (SGD)",
    lr_limit=lambda hp, L: 2.0 / L, lr_limit_text="2/L")
MOMENTUM = OptimizerSpec(
    "momentum", "Momentum", "momentum_step", (LR, BETA.with_default(0.9)), state=(("velocity", "v (velocity)"),),
    formula="v ← βv − αg; θ ← θ + v", lesson="03 (momentum)",
    lr_limit=_heavy_ball_limit, lr_limit_text="2(1 + β)/L")
NESTEROV = dataclasses.replace(
    MOMENTUM, name="nesterov", label="Nesterov", rule="nesterov_step", look_ahead=True,
    formula="v ← βv − α∇J(θ + βv); θ ← θ + v", lr_limit=_nesterov_limit, lr_limit_text="2(1 + β)/((1 + 2β)L)")
ADAGRAD = OptimizerSpec(
    "adagrad", "AdaGrad", "adagrad_step", (LR.with_default(1e-2), EPS.with_default(1e-10)), state=(("s", "s"),),
    adaptive=True, formula="s ← s + g²; θ ← θ − α g/(√s + ε)", lesson="04 (adaptive steps)")
RMSPROP = OptimizerSpec(
    "rmsprop", "RMSProp", "rmsprop_step",
    (LR.with_default(1e-2), BETA2.with_default(0.99), EPS.with_default(1e-8), BIAS_CORRECTION_V.with_default(False)),
    state=(("v", "v"),), t="keyword", rule_hyperparameters=("lr", "beta2", "eps"), adaptive=True,
    formula="v ← β2 v + (1 − β2) g²; θ ← θ − α g/(√v + ε)", lesson="04 (adaptive steps)")
ADAM = OptimizerSpec(
    "adam", "Adam", "adam_step",
    (LR.with_default(1e-3), BETA1.with_default(0.9), BETA2.with_default(0.999), EPS.with_default(1e-8),
     BIAS_CORRECTION.with_default(True)),
    state=(("m", "m"), ("v", "v")), t="positional", adaptive=True,
    formula="m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; θ ← θ − α m̂/(√v̂ + ε)", lesson="05 (Adam)")
ADAMW = ADAM.with_hyperparameter(
    WEIGHT_DECAY.with_default(1e-2), before="bias_correction", name="adamw", label="AdamW", rule="adamw_step",
    formula="Adam's m, v; θ ← θ − α (m̂/(√v̂ + ε) + λθ)", lesson="06 (beyond Adam)")

#: key -> spec. "sgd" is gradient descent with a mini-batch gradient: the same rule and hyperparameters.
SPECS = {"gd": GD, "sgd": GD, "momentum": MOMENTUM, "nesterov": NESTEROV, "adagrad": ADAGRAD, "rmsprop": RMSPROP,
         "adam": ADAM, "adamw": ADAMW}


def canonical_name(name) -> str:
    """The key of an optimizer name: lower case, without ``-`` and ``_`` (``"Adam-W"`` -> ``"adamw"``)."""
    return str(name).lower().replace("-", "").replace("_", "")


def get_spec(name) -> OptimizerSpec:
    """The spec of an optimizer by name (case-insensitive; gd, sgd, momentum, nesterov, adagrad, rmsprop, adam,
    adamw), or a ValueError listing the names."""
    key = canonical_name(name)
    if key not in SPECS:
        raise ValueError(f"optimizer must be one of {', '.join(SPECS)} (got {name!r})")
    return SPECS[key]
