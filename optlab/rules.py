"""The update rules of the course as pure functions of numpy arrays, with the state passed and returned.

Each rule comes twice, side by side, as torch keeps ``adam()`` beside ``_single_tensor_adam``:

* ``adam_step`` — what a lesson calls and a student writes: it checks every argument (a ValueError names the
  argument, what it must be and what it got; no numpy warning escapes) and hands over to
* ``unchecked_adam_step`` — the same math without any check or ``np.errstate``, for callers that built the
  arrays themselves: :mod:`optlab.optimizers` (and so the runner and every panel) calls these, so the rule a
  student writes in a lesson and the computation optlab performs are one and the same.

Defaults, allowed ranges and symbols of the hyperparameters come from :mod:`optlab.specs` (``help(adam_step)``
shows them). Conventions (``docs/conventions.md``): θ has shape ``(..., d)`` and leading axes are independent
runs; every hyperparameter may be a scalar or an array broadcastable to θ (one call = a whole sweep); ``t``
counts steps from 1; the arguments come in the order theta, grad, state, t, hyperparameters; nothing mutates
its inputs, every rule returns new arrays. θ itself may hold non-finite values (a diverging run), so only the
gradient is checked for finiteness. Where the operations are ordered unusually, it is to reproduce torch.optim
in float64 to the last bits.
"""

from __future__ import annotations

import numpy as np

from . import specs
from ._validate import (broadcastable, finite_array, no_negatives, positive, positive_int, real_array,
                        same_shape, unit_interval)

__all__ = [
    "gd_step",
    "sgd_step",
    "momentum_step",
    "framework_momentum_step",
    "nesterov_step",
    "adagrad_step",
    "rmsprop_step",
    "adam_step",
    "adamw_step",
    "amsgrad_step",
    "unchecked_gd_step",
    "unchecked_momentum_step",
    "unchecked_framework_momentum_step",
    "unchecked_adagrad_step",
    "unchecked_rmsprop_step",
    "unchecked_adam_step",
    "unchecked_adamw_step",
    "unchecked_amsgrad_step",
    "bias_corrected",
    "effective_lr",
]

# Overflow of a diverging run is reported by the runner, not as a RuntimeWarning.
_QUIET = dict(over="ignore", invalid="ignore", divide="ignore", under="ignore")


def _described_by(spec):
    """Give a rule its hyperparameters' defaults and Args lines from ``spec`` (the one place they are written).

    The hyperparameters are the rule's last positional parameters, in the spec's order; ``{hyperparameters}``
    in the docstring becomes one Args line per hyperparameter (meaning, symbol, range, default).
    """
    def decorate(fn):
        code = fn.__code__
        positional = code.co_varnames[:code.co_argcount]
        hyper = [spec[name] for name in positional if name in spec.names]
        assert tuple(h.name for h in hyper) == positional[len(positional) - len(hyper):], fn.__name__
        defaults = []
        for h in reversed(hyper):  # the trailing run of hyperparameters that have a default
            if h.required:
                break
            defaults.insert(0, h.default)
        fn.__defaults__ = tuple(defaults) or None
        lines = [h.doc() for h in hyper]
        fn.__doc__ = fn.__doc__.replace("{hyperparameters}", "\n        ".join(lines))
        return fn
    return decorate


# --------------------------------------------------------------------------- argument checks
def _theta_grad(theta, grad):
    theta = real_array("theta", theta)
    grad = finite_array("grad", grad)
    same_shape("theta", theta, "grad", grad)
    return theta, grad


def _state(name, a, theta, squares=None):
    """A state array of θ's shape; ``squares``: it accumulates g², so it must hold no negative number."""
    a = same_shape("theta", theta, name, a)
    return a if squares is None else no_negatives(name, a, squares)


def _hyper(spec, theta, *values):
    """The hyperparameters ``values`` (in the spec's order) checked against ``spec`` and broadcast to θ."""
    out = []
    for h, x in zip(spec.hyperparameters, values):
        x = h.check(x)
        out.append(x if h.kind == "flag" else broadcastable(h.name, x, "theta", theta.shape))
    return out


def _step_count(t, theta):
    return broadcastable("t", positive_int("t", t), "theta", theta.shape)


# --------------------------------------------------------------------------- the math, unchecked
# Callers hold ``np.errstate`` (the checked rules below, Optimizer.step, the runner): these functions are called
# on every step of every run and do nothing but the arithmetic.
def unchecked_gd_step(theta, grad, lr):
    """:func:`gd_step` without checks: θ − α g (θ, g float64 arrays of one shape)."""
    return theta - lr * grad


def unchecked_momentum_step(theta, grad, velocity, lr, beta):
    """:func:`momentum_step` without checks: v ← βv − αg; θ ← θ + v."""
    velocity = beta * velocity - lr * grad
    return theta + velocity, velocity


def unchecked_framework_momentum_step(theta, grad, buf, lr, beta):
    """:func:`framework_momentum_step` without checks: b ← βb + g; θ ← θ − αb."""
    buf = beta * buf + grad
    return theta - lr * buf, buf


def unchecked_adagrad_step(theta, grad, s, lr, eps):
    """:func:`adagrad_step` without checks: s ← s + g²; θ ← θ − α g/(√s + ε)."""
    s = s + grad * grad
    return theta - lr * grad / (np.sqrt(s) + eps), s


def _rms_denominator(v, beta2, eps, t):
    """√v̂ + ε, with v̂ = v/(1 − β2ᵗ) written as √v/√(1 − β2ᵗ) (torch's order of operations); t=None: √v + ε."""
    if t is None:
        return np.sqrt(v) + eps
    return np.sqrt(v) / np.sqrt(1 - beta2**t) + eps


def unchecked_rmsprop_step(theta, grad, v, lr, beta2, eps, t=None):
    """:func:`rmsprop_step` without checks: v ← β2 v + (1 − β2) g²; θ ← θ − α g/(√v̂ + ε) (v̂ = v without t)."""
    v = beta2 * v + (1 - beta2) * grad * grad
    return theta - lr * grad / _rms_denominator(v, beta2, eps, t), v


def _adam_direction(grad, m, v, t, lr, beta1, beta2, eps, bias_correction):
    """New m, v and the step α m̂/(√v̂ + ε) (α/(1 − β1ᵗ) is applied to m first, as torch does)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    if bias_correction:
        step = (lr / (1 - beta1**t)) * m / _rms_denominator(v, beta2, eps, t)
    else:
        step = lr * m / _rms_denominator(v, beta2, eps, None)
    return step, m, v


def unchecked_adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction):
    """:func:`adam_step` without checks."""
    step, m, v = _adam_direction(grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    return theta - step, m, v


def unchecked_adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction):
    """:func:`adamw_step` without checks: Adam's step, and the decay first, θ(1 − αλ), as torch.optim.AdamW does."""
    step, m, v = _adam_direction(grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    return theta * (1 - lr * weight_decay) - step, m, v


def unchecked_amsgrad_step(theta, grad, m, v, v_max, t, lr, beta1, beta2, eps):
    """:func:`amsgrad_step` without checks: Adam's m and v, v_max ← max(v_max, v), and √(v_max/(1 − β2ᵗ)) + ε below."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    v_max = np.maximum(v_max, v)
    step = (lr / (1 - beta1**t)) * m / _rms_denominator(v_max, beta2, eps, t)
    return theta - step, m, v, v_max


def _broadcast(name, x, target_name, target):
    """Check that ``x`` broadcasts against the array ``target`` (either may be the larger)."""
    try:
        np.broadcast_shapes(np.shape(x), np.shape(target))
    except ValueError:
        raise ValueError(f"{name} of shape {np.shape(x)} must broadcast against {target_name} of shape "
                         f"{np.shape(target)}") from None
    return x


def bias_corrected(x, beta, t):
    """x̂ = x/(1 − βᵗ): a moment estimate started at 0, corrected for its bias towards 0 after t steps.

    ``beta`` in [0, 1) and the step count ``t`` ≥ 1 (an integer, or an integer array) broadcast against ``x``.

    Example:
        >>> bias_corrected(np.array([0.1, -0.2]), 0.9, 1)
        array([ 1., -2.])
    """
    x = real_array("x", x)
    beta = _broadcast("beta", unit_interval("beta", beta), "x", x)
    t = _broadcast("t", positive_int("t", t), "x", x)
    with np.errstate(**_QUIET):
        return x / (1 - beta**t)


def effective_lr(lr, v, beta2, eps, t=None):
    """α/(√v̂ + ε) per coordinate, the learning rate RMSProp and Adam use (v̂ = v/(1 − β2ᵗ); t=None: v itself).

    AdaGrad's is ``effective_lr(lr, s, 0.0, eps)``. The denominator is the one the steps divide by, to the bit.
    ``lr`` and ``eps`` > 0, ``v`` ≥ 0, ``beta2`` in [0, 1) and ``t`` ≥ 1 (or None) broadcast against ``v``.

    Example:
        >>> effective_lr(0.1, np.array([4.0, 0.0]), 0.0, 1.0)
        array([0.03333333, 0.1       ])
    """
    v = no_negatives("v", v, "v is an average of squared gradients")
    lr = _broadcast("lr", positive("lr", lr), "v", v)
    beta2 = _broadcast("beta2", unit_interval("beta2", beta2), "v", v)
    eps = _broadcast("eps", positive("eps", eps), "v", v)
    if t is not None:
        t = _broadcast("t", positive_int("t", t), "v", v)
    with np.errstate(**_QUIET):
        return lr / _rms_denominator(v, beta2, eps, t)


# --------------------------------------------------------------------------- the rules, checked
@_described_by(specs.GD)
def gd_step(theta, grad, lr):
    r"""One step of gradient descent.

    θ is ``theta``, g = ∇J(θ) is ``grad`` and the learning rate α is ``lr``:

    .. math:: \theta \leftarrow \theta - \alpha\, g

    ``sgd_step`` is the same function: with a mini-batch gradient g = ∇J(θ; B) it is one SGD step.

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape as ``theta``, finite.
        {hyperparameters} (A scalar or an array broadcastable to ``theta``.)

    Returns:
        The new θ (a new array).

    Example:
        >>> gd_step(np.array([1.0, 2.0]), np.array([2.0, 4.0]), lr=0.1)
        array([0.8, 1.6])

    Introduced in lesson 01 (gradient descent); SGD in lesson 02.
    """
    theta, grad = _theta_grad(theta, grad)
    (lr,) = _hyper(specs.GD, theta, lr)
    with np.errstate(**_QUIET):
        return unchecked_gd_step(theta, grad, lr)


sgd_step = gd_step


@_described_by(specs.MOMENTUM)
def momentum_step(theta, grad, velocity, lr, beta):
    r"""One step of momentum in the course's form (heavy ball).

    θ is ``theta``, g = ∇J(θ) is ``grad``, the velocity v is ``velocity``, the learning rate α is
    ``lr`` and the momentum coefficient β is ``beta``:

    .. math::
        v \leftarrow \beta v - \alpha g, \qquad \theta \leftarrow \theta + v

    θ moves with the *new* velocity. With a constant α this is the same trajectory as the
    frameworks' form (:func:`framework_momentum_step`, v = −α b); with β = 0 it is gradient descent.

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape, finite.
        velocity: velocity v (zeros at the start), same shape.
        {hyperparameters}

    Returns:
        ``(theta, velocity)``, both new arrays.

    Example:
        >>> momentum_step(np.array([1.0]), np.array([2.0]), np.array([-0.5]), lr=0.1, beta=0.5)
        (array([0.55]), array([-0.45]))

    Introduced in lesson 03 (momentum).
    """
    theta, grad = _theta_grad(theta, grad)
    velocity = _state("velocity", velocity, theta)
    lr, beta = _hyper(specs.MOMENTUM, theta, lr, beta)
    with np.errstate(**_QUIET):
        return unchecked_momentum_step(theta, grad, velocity, lr, beta)


@_described_by(specs.MOMENTUM)
def framework_momentum_step(theta, grad, buf, lr, beta):
    r"""One step of momentum in the form most frameworks use (torch.optim.SGD with ``momentum=β``).

    θ is ``theta``, g is ``grad``, the buffer b is ``buf``, α is ``lr`` and β is ``beta``:

    .. math::
        b \leftarrow \beta b + g, \qquad \theta \leftarrow \theta - \alpha b

    b sums past gradients without the learning rate, so when α changes over time (a schedule) the
    whole accumulated direction is rescaled at once, unlike :func:`momentum_step`, whose velocity
    remembers the learning rates it was built with. For constant α the two agree with v = −α b.

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape, finite.
        buf: momentum buffer b (zeros at the start), same shape.
        {hyperparameters}

    Returns:
        ``(theta, buf)``, both new arrays.

    Example:
        >>> framework_momentum_step(np.array([1.0]), np.array([2.0]), np.array([5.0]), lr=0.1, beta=0.5)
        (array([0.55]), array([4.5]))

    Introduced in lesson 03 (momentum: the two common forms).
    """
    theta, grad = _theta_grad(theta, grad)
    buf = _state("buf", buf, theta)
    lr, beta = _hyper(specs.MOMENTUM, theta, lr, beta)
    with np.errstate(**_QUIET):
        return unchecked_framework_momentum_step(theta, grad, buf, lr, beta)


@_described_by(specs.NESTEROV)
def nesterov_step(theta, grad, velocity, lr, beta):
    r"""One step of Nesterov momentum: momentum with the gradient taken at the look-ahead point.

    Symbols as in :func:`momentum_step`; the difference is *where* ``grad`` was evaluated:

    .. math::
        v \leftarrow \beta v - \alpha \nabla J(\theta + \beta v), \qquad \theta \leftarrow \theta + v

    The caller computes ``grad`` at ``theta + beta * velocity`` (the optimizer object's
    ``eval_point`` does it). torch.optim.SGD(nesterov=True) stores the look-ahead point φ = θ + βv
    instead of θ; the trajectories are the same (tests/test_conformance.py shows it).

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: ∇J(θ + βv), same shape, finite.
        velocity: velocity v (zeros at the start), same shape.
        {hyperparameters}

    Returns:
        ``(theta, velocity)``, both new arrays.

    Example:
        >>> nesterov_step(np.array([1.0]), np.array([2.0]), np.array([-0.5]), lr=0.1, beta=0.5)
        (array([0.55]), array([-0.45]))

    Introduced in lesson 03 (Nesterov look-ahead).
    """
    return momentum_step(theta, grad, velocity, lr, beta)


@_described_by(specs.ADAGRAD)
def adagrad_step(theta, grad, s, lr, eps):
    r"""One step of AdaGrad: each coordinate's step is divided by the root of its summed squared gradients.

    θ is ``theta``, g is ``grad``, the running sum s is ``s``, α is ``lr`` and ε is ``eps``
    (g² is elementwise):

    .. math::
        s \leftarrow s + g^2, \qquad \theta \leftarrow \theta - \alpha\, \frac{g}{\sqrt{s} + \varepsilon}

    ε sits outside the square root, as in torch.optim.Adagrad (whose defaults these are).

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape, finite.
        s: running sum of squared gradients (zeros at the start), same shape, no negative entry.
        {hyperparameters}

    Returns:
        ``(theta, s)``, both new arrays.

    Example:
        >>> adagrad_step(np.array([1.0, 1.0]), np.array([3.0, -0.5]), np.zeros(2), lr=0.1)
        (array([0.9, 1.1]), array([9.  , 0.25]))

    Introduced in lesson 04 (adaptive steps).
    """
    theta, grad = _theta_grad(theta, grad)
    s = _state("s", s, theta, squares="s is a sum of squared gradients")
    lr, eps = _hyper(specs.ADAGRAD, theta, lr, eps)
    with np.errstate(**_QUIET):
        return unchecked_adagrad_step(theta, grad, s, lr, eps)


@_described_by(specs.RMSPROP)
def rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None):
    r"""One step of RMSProp: AdaGrad with an exponentially weighted average instead of a sum.

    θ is ``theta``, g is ``grad``, the running average v is ``v`` (the same v as Adam's), α is
    ``lr``, the decay rate β2 is ``beta2`` and ε is ``eps``:

    .. math::
        v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2, \qquad
        \theta \leftarrow \theta - \alpha\, \frac{g}{\sqrt{v} + \varepsilon}

    If the step count ``t`` is given, v̂ = v / (1 − β2ᵗ) replaces v in the update (bias-corrected
    RMSProp, i.e. Adam with β1 = 0). Without ``t`` this is torch.optim.RMSprop (``alpha`` = β2).

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape, finite.
        v: running average of squared gradients (zeros at the start), same shape, no negative entry.
        {hyperparameters}
        t: optional step count ≥ 1 (first step is 1) to switch on the bias correction.

    Returns:
        ``(theta, v)``, both new arrays.

    Example:
        >>> rmsprop_step(np.array([1.0]), np.array([2.0]), np.zeros(1), lr=0.1, beta2=0.75, eps=1e-8)
        (array([0.8]), array([1.]))

    Introduced in lesson 04 (adaptive steps).
    """
    theta, grad = _theta_grad(theta, grad)
    v = _state("v", v, theta, squares="v is an average of squared gradients")
    lr, beta2, eps = _hyper(specs.RMSPROP, theta, lr, beta2, eps)
    t = None if t is None else _step_count(t, theta)
    with np.errstate(**_QUIET):
        return unchecked_rmsprop_step(theta, grad, v, lr, beta2, eps, t)


def _adam_args(spec, theta, grad, m, v, t, *hyperparameters):
    theta, grad = _theta_grad(theta, grad)
    return (theta, grad, _state("m", m, theta), _state("v", v, theta, squares="v is an average of squared gradients"),
            _step_count(t, theta), *_hyper(spec, theta, *hyperparameters))


@_described_by(specs.ADAM)
def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction):
    r"""One step of Adam (Kingma & Ba, 2015, Algorithm 1): momentum on m plus RMSProp on v.

    θ is ``theta``, g is ``grad``, the moment estimates m, v are ``m``, ``v``, the step count t is
    ``t`` (from 1), α is ``lr``, β1, β2 are ``beta1``, ``beta2`` and ε is ``eps``:

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2) g^2

        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        \theta \leftarrow \theta - \alpha\, \frac{\hat m}{\sqrt{\hat v} + \varepsilon}

    With ``bias_correction=False`` the rule as first written: θ ← θ − α m / (√v + ε); its first
    step is (1 − β1)/√(1 − β2) ≈ 3.16 times the corrected one for the default β's.

    Warning:
        Frameworks disagree on where ε goes. Here (and in torch.optim.Adam) it is added to √v̂;
        the paper's "ε-hat" variant adds it to √v before the correction.

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape, finite.
        m: first moment estimate (zeros at the start), same shape.
        v: second moment estimate (zeros at the start), same shape, no negative entry.
        t: step count ≥ 1 of *this* step (the first call uses t = 1).
        {hyperparameters}

    Returns:
        ``(theta, m, v)``, all new arrays.

    Example:
        >>> theta, m, v = adam_step(np.array([1.0, 1.0]), np.array([0.5, -2.0]), np.zeros(2), np.zeros(2), t=1, lr=0.1)
        >>> theta.round(6)   # the first corrected step is ≈ α·sign(g)
        array([0.9, 1.1])

    Introduced in lesson 05 (Adam).
    """
    args = _adam_args(specs.ADAM, theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    with np.errstate(**_QUIET):
        return unchecked_adam_step(*args)


@_described_by(specs.ADAMW)
def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction):
    r"""One step of AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Symbols as in :func:`adam_step`; the weight decay λ is ``weight_decay``:

    .. math::
        \theta \leftarrow \theta - \alpha \left(\frac{\hat m}{\sqrt{\hat v} + \varepsilon} + \lambda \theta\right)

    The decay λθ bypasses m and v, unlike L2 regularisation (adding λθ to g), which Adam would
    rescale per coordinate. Computed as θ(1 − αλ) − α m̂/(√v̂ + ε), as torch.optim.AdamW does.

    Args:
        theta, grad, m, v, t: as in :func:`adam_step`.
        {hyperparameters}

    Returns:
        ``(theta, m, v)``, all new arrays.

    Example:
        >>> theta, m, v = adamw_step(np.array([2.0]), np.array([0.0]), np.zeros(1), np.zeros(1), t=1,
        ...                          lr=0.1, weight_decay=0.5)
        >>> theta   # g = 0: only the decay acts, θ(1 − αλ)
        array([1.9])

    Introduced in lesson 06 (beyond Adam).
    """
    args = _adam_args(specs.ADAMW, theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction)
    with np.errstate(**_QUIET):
        return unchecked_adamw_step(*args)


@_described_by(specs.ADAM)
def amsgrad_step(theta, grad, m, v, v_max, t, lr, beta1, beta2, eps):
    r"""One step of AMSGrad (Reddi, Kale & Kumar, 2018) as PyTorch writes it: Adam dividing by a running maximum.

    Symbols as in :func:`adam_step`; v_max is ``v_max`` (zeros at the start), the largest v so far:

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \qquad
        v_{\max} \leftarrow \max(v_{\max}, v)

        \theta \leftarrow \theta - \alpha\, \frac{m/(1 - \beta_1^t)}{\sqrt{v_{\max}/(1 - \beta_2^t)} + \varepsilon}

    The maximum is of the *uncorrected* v, then divided by 1 − β2ᵗ as v is, as ``torch.optim.Adam(amsgrad=True)``
    does (the paper's AMSGrad keeps max(v_max, v) and has no bias correction at all). Because v_max never
    shrinks, neither does the denominator: a gradient that suddenly gets small cannot make the step long, and a
    rare large gradient is not forgotten — which is what Adam gets wrong on Reddi et al.'s online problem.

    Args:
        theta, grad, m, v, t: as in :func:`adam_step`.
        v_max: the running maximum of v (zeros at the start), same shape, no negative entry.
        {hyperparameters}

    Returns:
        ``(theta, m, v, v_max)``, all new arrays.

    Example:
        >>> small = np.array([0.01])                            # a gradient much smaller than before
        >>> theta, m, v, v_max = amsgrad_step(np.zeros(1), small, np.zeros(1), np.full(1, 0.004), np.full(1, 0.004),
        ...                                   t=2, lr=0.1)
        >>> v, v_max                                            # v falls below the maximum, which stays
        (array([0.0039961]), array([0.004]))

    Introduced in lesson 05 (why Adam can fail to converge).
    """
    theta, grad, m, v, t, lr, beta1, beta2, eps = _adam_args(specs.ADAM, theta, grad, m, v, t, lr, beta1, beta2, eps)
    v_max = _state("v_max", v_max, theta, squares="v_max is an average of squared gradients")
    with np.errstate(**_QUIET):
        return unchecked_amsgrad_step(theta, grad, m, v, v_max, t, lr, beta1, beta2, eps)
