"""The update rules of the course as pure functions of numpy arrays, with the state passed and returned.

Each public ``*_step`` function checks its arguments (a ValueError names the argument, the value and
the allowed range), then hands over to a private kernel ``_*`` that holds the math. The optimizer
objects in :mod:`optlab.optimizers` call the very same kernels, so the rule a student writes in a
lesson and the computation optlab performs are one and the same.

Conventions (COURSE.md): θ has shape ``(..., d)`` and leading axes are independent runs; every
hyperparameter may be a scalar or an array broadcastable to θ (one call = a whole sweep); ``t``
counts steps from 1; nothing mutates its inputs, every rule returns new arrays. θ itself may hold
non-finite values (a diverging run), so only the gradient is checked for finiteness. Where the
operations are ordered unusually, it is to reproduce torch.optim in float64 to the last bits.
"""

from __future__ import annotations

import numpy as np

from ._validate import (broadcastable, finite_array, nonnegative, positive, positive_int, real_array, same_shape,
                        unit_interval)

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
]

# Overflow of a diverging run is reported by the runner, not as a RuntimeWarning.
_QUIET = dict(over="ignore", invalid="ignore", divide="ignore", under="ignore")


# --------------------------------------------------------------------------- argument checks
def _theta_grad(theta, grad):
    theta = real_array("theta", theta)
    grad = finite_array("grad", grad)
    same_shape("theta", theta, "grad", grad)
    return theta, grad


def _state(name, a, theta):
    return same_shape("theta", theta, name, a)


def _hyper(check, name, x, theta):
    return broadcastable(name, check(name, x), "theta", theta.shape)


def _step_count(t, theta):
    return broadcastable("t", positive_int("t", t), "theta", theta.shape)


# --------------------------------------------------------------------------- kernels (the math)
def _gd(theta, grad, lr):
    with np.errstate(**_QUIET):
        return theta - lr * grad


def _momentum(theta, grad, velocity, lr, beta):
    with np.errstate(**_QUIET):
        velocity = beta * velocity - lr * grad
        return theta + velocity, velocity


def _framework_momentum(theta, grad, buf, lr, beta):
    with np.errstate(**_QUIET):
        buf = beta * buf + grad
        return theta - lr * buf, buf


def _adagrad(theta, grad, s, lr, eps):
    with np.errstate(**_QUIET):
        s = s + grad * grad
        return theta - lr * grad / (np.sqrt(s) + eps), s


def _rms_denominator(v, beta2, eps, t):
    """√v̂ + ε, with v̂ = v/(1 − β2ᵗ) written as √v/√(1 − β2ᵗ) (torch's order of operations)."""
    if t is None:
        return np.sqrt(v) + eps
    return np.sqrt(v) / np.sqrt(1 - beta2**t) + eps


def _rmsprop(theta, grad, v, lr, beta2, eps, t):
    with np.errstate(**_QUIET):
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


def _adam(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction):
    with np.errstate(**_QUIET):
        step, m, v = _adam_direction(grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
        return theta - step, m, v


def _adamw(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, bias_correction):
    with np.errstate(**_QUIET):
        step, m, v = _adam_direction(grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
        # θ − α(u + λθ) written as θ(1 − αλ) − αu: the decay first, as torch.optim.AdamW does.
        return theta * (1 - lr * weight_decay) - step, m, v


# --------------------------------------------------------------------------- public rules
def gd_step(theta, grad, lr):
    r"""One step of gradient descent.

    θ is ``theta``, g = ∇J(θ) is ``grad`` and the learning rate α is ``lr``:

    .. math:: \theta \leftarrow \theta - \alpha\, g

    ``sgd_step`` is the same function: with a mini-batch gradient g = ∇J(θ; B) it is one SGD step.

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape as ``theta``, finite.
        lr: learning rate α > 0 (scalar or array broadcastable to ``theta``).

    Returns:
        The new θ (a new array).

    Example:
        >>> gd_step(np.array([1.0, 2.0]), np.array([2.0, 4.0]), lr=0.1)
        array([0.8, 1.6])

    Introduced in lesson 01 (gradient descent); SGD in lesson 02.
    """
    theta, grad = _theta_grad(theta, grad)
    return _gd(theta, grad, _hyper(positive, "lr", lr, theta))


sgd_step = gd_step


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
        lr: learning rate α > 0.
        beta: momentum coefficient β in [0, 1).

    Returns:
        ``(theta, velocity)``, both new arrays.

    Example:
        >>> momentum_step(np.array([1.0]), np.array([2.0]), np.array([-0.5]), lr=0.1, beta=0.5)
        (array([0.55]), array([-0.45]))

    Introduced in lesson 03 (momentum).
    """
    theta, grad = _theta_grad(theta, grad)
    velocity = _state("velocity", velocity, theta)
    lr, beta = _hyper(positive, "lr", lr, theta), _hyper(unit_interval, "beta", beta, theta)
    return _momentum(theta, grad, velocity, lr, beta)


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
        lr: learning rate α > 0.
        beta: momentum coefficient β in [0, 1).

    Returns:
        ``(theta, buf)``, both new arrays.

    Example:
        >>> framework_momentum_step(np.array([1.0]), np.array([2.0]), np.array([5.0]), lr=0.1, beta=0.5)
        (array([0.55]), array([4.5]))

    Introduced in lesson 03 (momentum: the two common forms).
    """
    theta, grad = _theta_grad(theta, grad)
    buf = _state("buf", buf, theta)
    lr, beta = _hyper(positive, "lr", lr, theta), _hyper(unit_interval, "beta", beta, theta)
    return _framework_momentum(theta, grad, buf, lr, beta)


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
        lr: learning rate α > 0.
        beta: momentum coefficient β in [0, 1).

    Returns:
        ``(theta, velocity)``, both new arrays.

    Example:
        >>> nesterov_step(np.array([1.0]), np.array([2.0]), np.array([-0.5]), lr=0.1, beta=0.5)
        (array([0.55]), array([-0.45]))

    Introduced in lesson 03 (Nesterov look-ahead).
    """
    return momentum_step(theta, grad, velocity, lr, beta)


def adagrad_step(theta, grad, s, lr=1e-2, eps=1e-10):
    r"""One step of AdaGrad: each coordinate's step is divided by the root of its summed squared gradients.

    θ is ``theta``, g is ``grad``, the running sum s is ``s``, α is ``lr`` and ε is ``eps``
    (g² is elementwise):

    .. math::
        s \leftarrow s + g^2, \qquad \theta \leftarrow \theta - \alpha\, \frac{g}{\sqrt{s} + \varepsilon}

    ε sits outside the square root, as in torch.optim.Adagrad (whose defaults these are).

    Args:
        theta: parameters θ, shape ``(..., d)``.
        grad: gradient g at θ, same shape, finite.
        s: running sum of squared gradients (zeros at the start), same shape.
        lr: learning rate α > 0. Default 1e-2.
        eps: ε > 0. Default 1e-10.

    Returns:
        ``(theta, s)``, both new arrays.

    Example:
        >>> adagrad_step(np.array([1.0, 1.0]), np.array([3.0, -0.5]), np.zeros(2), lr=0.1)
        (array([0.9, 1.1]), array([9.  , 0.25]))

    Introduced in lesson 04 (adaptive steps).
    """
    theta, grad = _theta_grad(theta, grad)
    s = _state("s", s, theta)
    return _adagrad(theta, grad, s, _hyper(positive, "lr", lr, theta), _hyper(positive, "eps", eps, theta))


def rmsprop_step(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8, *, t=None):
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
        v: running average of squared gradients (zeros at the start), same shape.
        lr: learning rate α > 0. Default 1e-2.
        beta2: decay rate β2 in [0, 1). Default 0.99.
        eps: ε > 0. Default 1e-8.
        t: optional step count ≥ 1 (first step is 1) to switch on the bias correction.

    Returns:
        ``(theta, v)``, both new arrays.

    Example:
        >>> rmsprop_step(np.array([1.0]), np.array([2.0]), np.zeros(1), lr=0.1, beta2=0.75, eps=1e-8)
        (array([0.8]), array([1.]))

    Introduced in lesson 04 (adaptive steps).
    """
    theta, grad = _theta_grad(theta, grad)
    v = _state("v", v, theta)
    lr, beta2, eps = (_hyper(positive, "lr", lr, theta), _hyper(unit_interval, "beta2", beta2, theta),
                      _hyper(positive, "eps", eps, theta))
    return _rmsprop(theta, grad, v, lr, beta2, eps, None if t is None else _step_count(t, theta))


def _adam_args(theta, grad, m, v, t, lr, beta1, beta2, eps):
    theta, grad = _theta_grad(theta, grad)
    return (theta, grad, _state("m", m, theta), _state("v", v, theta), _step_count(t, theta),
            _hyper(positive, "lr", lr, theta), _hyper(unit_interval, "beta1", beta1, theta),
            _hyper(unit_interval, "beta2", beta2, theta), _hyper(positive, "eps", eps, theta))


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
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
        v: second moment estimate (zeros at the start), same shape.
        t: step count ≥ 1 of *this* step (the first call uses t = 1).
        lr: learning rate α > 0. Default 1e-3.
        beta1: decay rate β1 of m, in [0, 1). Default 0.9.
        beta2: decay rate β2 of v, in [0, 1). Default 0.999.
        eps: ε > 0. Default 1e-8.
        bias_correction: use m̂ and v̂ (default) or m and v.

    Returns:
        ``(theta, m, v)``, all new arrays.

    Example:
        >>> theta, m, v = adam_step(np.array([1.0, 1.0]), np.array([0.5, -2.0]), np.zeros(2), np.zeros(2), t=1, lr=0.1)
        >>> theta.round(6)   # the first corrected step is ≈ α·sign(g)
        array([0.9, 1.1])

    Introduced in lesson 05 (Adam).
    """
    args = _adam_args(theta, grad, m, v, t, lr, beta1, beta2, eps)
    return _adam(*args, bool(bias_correction))


def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2,
               bias_correction=True):
    r"""One step of AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Symbols as in :func:`adam_step`; the weight decay λ is ``weight_decay``:

    .. math::
        \theta \leftarrow \theta - \alpha \left(\frac{\hat m}{\sqrt{\hat v} + \varepsilon} + \lambda \theta\right)

    The decay λθ bypasses m and v, unlike L2 regularisation (adding λθ to g), which Adam would
    rescale per coordinate. Computed as θ(1 − αλ) − α m̂/(√v̂ + ε), as torch.optim.AdamW does.

    Args:
        theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction: as in :func:`adam_step`.
        weight_decay: λ ≥ 0. Default 1e-2 (torch's default).

    Returns:
        ``(theta, m, v)``, all new arrays.

    Example:
        >>> theta, m, v = adamw_step(np.array([2.0]), np.array([0.0]), np.zeros(1), np.zeros(1), t=1,
        ...                          lr=0.1, weight_decay=0.5)
        >>> theta   # g = 0: only the decay acts, θ(1 − αλ)
        array([1.9])

    Introduced in lesson 06 (beyond Adam).
    """
    args = _adam_args(theta, grad, m, v, t, lr, beta1, beta2, eps)
    wd = _hyper(nonnegative, "weight_decay", weight_decay, args[0])
    return _adamw(*args, wd, bool(bias_correction))
