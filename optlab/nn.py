"""A small multilayer perceptron in numpy with hand-derived backpropagation (lesson 07, the capstone).

All the network's weights and biases live in ONE flat parameter vector θ of shape ``(..., P)``, so the
course's optimizers and its batched runner train a network exactly as they minimise a 2-D test function,
and a whole hyperparameter grid (leading axes = grid points) trains in one batched call.

The network: tanh hidden layers and one output logit z for binary classification,

    a₀ = x,   aₗ = tanh(aₗ₋₁ Wₗ + bₗ)  (hidden layers),   z = a_{L−1} W_L + b_L,   p = σ(z),

with the mean binary cross-entropy J(θ) = (1/n) Σᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ]. Backpropagation
(derived in lesson 07) runs the chain rule backwards:

    δ_L = (p − y)/n,   ∇W_ℓ = a_{ℓ−1}ᵀ δ_ℓ,   ∇b_ℓ = Σᵢ δ_ℓ,   δ_{ℓ−1} = (δ_ℓ W_ℓᵀ) ⊙ (1 − a_{ℓ−1}²).

Example:
    >>> from optlab.data import make_moons
    >>> X, y = make_moons(n=100, seed=0)
    >>> net = MLP((2, 8, 1))
    >>> loss = MLPLoss(net, X, y)
    >>> theta = net.init(seed=0)
    >>> theta.shape
    (33,)
    >>> bool(grad_check(loss.value, loss.grad, theta) < 1e-5)
    True

This module is numpy only. The capstone's pictures (decision boundaries, training curves, sensitivity maps)
are in :mod:`optlab.nn_plots`; the check of lesson 07's backpropagation exercise is
:func:`optlab.checks.check_mlp_grad`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._validate import finite_array, nonnegative, positive, positive_int
from .data import sigmoid
from .runner import Trajectory, run

__all__ = ["MLP", "MLPLoss", "grad_check", "train", "Training"]


def _cross_entropy(z, y):
    """Mean over the last axis of log(1 + e^z) − y z: with logaddexp, large |z| neither overflows nor loses digits."""
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)


class MLP:
    """A tanh network with one output logit; its parameters are one flat vector θ of shape ``(..., P)``.

    Args:
        sizes: layer widths from input to output, e.g. ``(2, 16, 16, 1)``; the last must be 1.

    Attributes:
        sizes: the layer widths.
        n_params: P, the length of θ (weights and biases of every layer).
    """

    def __init__(self, sizes=(2, 16, 16, 1)):
        sizes = tuple(positive_int("sizes", int(s)) for s in sizes)
        if len(sizes) < 2 or sizes[-1] != 1:
            raise ValueError(f"sizes must list at least an input and an output width, the output being 1 (got {sizes})")
        self.sizes = sizes
        # Layer ℓ's weights W (fan_in × fan_out) then its bias b (fan_out) sit side by side in θ.
        self._slices, start = [], 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            w = slice(start, start + fan_in * fan_out)
            b = slice(w.stop, w.stop + fan_out)
            self._slices.append((w, b, fan_in, fan_out))
            start = b.stop
        self.n_params = start

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, n_params={self.n_params})"

    def unflatten(self, theta):
        """Split θ ``(..., P)`` into views ``[(W, b), ...]``: W ``(..., fan_in, fan_out)``, b ``(..., fan_out)``."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape[-1:] != (self.n_params,):
            raise ValueError(f"theta must have last axis {self.n_params} (got shape {theta.shape})")
        lead = theta.shape[:-1]
        return [(theta[..., w].reshape(*lead, fi, fo), theta[..., b]) for w, b, fi, fo in self._slices]

    def flatten(self, layers) -> np.ndarray:
        """Inverse of :meth:`unflatten`: concatenate ``[(W, b), ...]`` into θ of shape ``(..., P)``."""
        lead = np.broadcast_shapes(*(a.shape[:-1] for W, b in layers for a in (W[..., 0], b)))
        theta = np.empty(lead + (self.n_params,))
        for (W, b), (w, bs, _, _) in zip(layers, self._slices):
            theta[..., w] = W.reshape(W.shape[:-2] + (-1,))  # the assignment broadcasts the leading axes
            theta[..., bs] = b
        return theta

    def init(self, seed=0, shape=()) -> np.ndarray:
        """Seeded initial θ of shape ``shape + (P,)``: W ~ N(0, 1/fan_in) (keeps tanh units unsaturated), b = 0."""
        rng = np.random.default_rng(seed)
        shape = (int(shape),) if np.isscalar(shape) else tuple(shape)
        layers = [(rng.standard_normal(shape + (fi, fo)) / np.sqrt(fi), np.zeros(shape + (fo,)))
                  for _, _, fi, fo in self._slices]
        return self.flatten(layers)

    def forward(self, theta, X):
        """Return the logits z ``(..., n)`` and the activations ``[a₀, …, a_{L−1}]`` backpropagation needs."""
        return self._forward(self.unflatten(theta), X)

    def _forward(self, layers, X):
        a = np.asarray(X, dtype=np.float64)
        activations = [a]
        for W, b in layers[:-1]:
            a = a @ W
            a += b[..., None, :]
            np.tanh(a, out=a)  # in place: on a batched sweep these passes over memory are the cost
            activations.append(a)
        W, b = layers[-1]
        z = (a @ W)[..., 0] + b[..., :1]
        return z, activations

    def logits(self, theta, X) -> np.ndarray:
        """The output logit z for each example: shape ``(..., n)``."""
        return self.forward(theta, X)[0]

    def predict_proba(self, theta, X) -> np.ndarray:
        """p = σ(z), the predicted probability of class 1, shape ``(..., n)``."""
        return sigmoid(self.logits(theta, X))

    def predict(self, theta, X) -> np.ndarray:
        """Predicted class (0 or 1) for each example, shape ``(..., n)``."""
        return (self.logits(theta, X) > 0).astype(np.int64)

    def accuracy(self, theta, X, y) -> np.ndarray:
        """Fraction of examples classified correctly, shape ``(...)``."""
        return np.mean(self.predict(theta, X) == np.asarray(y), axis=-1)

    def loss_and_grad(self, theta, X, y):
        """Mean binary cross-entropy J(θ) ``(...)`` and its gradient ∇J(θ) ``(..., P)`` by backpropagation."""
        y = np.asarray(y, dtype=np.float64)
        layers = self.unflatten(theta)
        z, activations = self._forward(layers, X)
        loss = _cross_entropy(z, y)
        n = z.shape[-1]
        delta = ((sigmoid(z) - y) / n)[..., None]           # δ_L = ∂J/∂z, shape (..., n, 1)
        # ∇θ is written layer by layer straight into its flat vector (what flatten() would assemble from copies)
        grad = np.empty(np.broadcast_shapes(np.shape(theta)[:-1], z.shape[:-1]) + (self.n_params,))
        for ell in range(len(layers) - 1, -1, -1):
            a_prev = activations[ell]
            w, b, fan_in, fan_out = self._slices[ell]
            grad_w = grad[..., w].reshape(grad.shape[:-1] + (fan_in, fan_out))
            np.matmul(np.swapaxes(a_prev, -1, -2), delta, out=grad_w)
            np.sum(delta, axis=-2, out=grad[..., b])
            if ell:
                W_T = np.swapaxes(layers[ell][0], -1, -2)
                # δ Wᵀ; for the one-column δ of the output layer an outer product, cheaper by broadcasting
                delta = delta * W_T if delta.shape[-1] == 1 else delta @ W_T
                # tanh'(·) = 1 − tanh², computed in a_prev's own memory (no longer needed): on a batched sweep
                # the allocations of temporaries cost as much as the arithmetic
                a_prev *= a_prev
                np.subtract(1.0, a_prev, out=a_prev)
                delta *= a_prev
        return loss, grad


class MLPLoss:
    """The training loss of an :class:`MLP` on a data set, an objective the optimizers and ``run`` accept.

    J(θ) = mean binary cross-entropy + (l2/2)|θ|², like :class:`optlab.data.LogisticRegression`: it has
    ``value(theta, batch=None)``, ``grad(theta, batch=None)``, ``value_and_grad``, ``n`` and ``d``; ``batch`` is
    an integer index array ``(b,)`` or ``(..., b)`` (one mini-batch per run).

    Args:
        model: the network.
        X: inputs, shape ``(n, sizes[0])``.
        y: labels in {0, 1}, shape ``(n,)``.
        l2: the L2 regularisation strength λ ≥ 0 (lesson 06 contrasts it with AdamW's weight decay).
    """

    def __init__(self, model: MLP, X, y, l2: float = 0.0):
        self.model = model
        self.X = finite_array("X", X)
        self.y = np.asarray(y)
        if self.X.ndim != 2 or self.X.shape[1] != model.sizes[0]:
            raise ValueError(f"X must have shape (n, {model.sizes[0]}) (got shape {self.X.shape})")
        if self.y.shape != self.X.shape[:1] or not np.isin(self.y, (0, 1)).all():
            raise ValueError(f"y must hold n = {len(self.X)} labels in {{0, 1}} (got shape {self.y.shape})")
        self.l2 = nonnegative("l2", l2)
        self.n, self.d, self.name = len(self.X), model.n_params, "mlp_loss"
        # The minimum is unknown (0 is only a lower bound), so runs report 'finished', not 'not converged'.
        self.minima, self.f_min = np.empty((0, self.d)), float("nan")

    def _data(self, batch):
        return (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])

    def _penalty(self, theta):
        return 0.5 * self.l2 * np.sum(theta * theta, axis=-1) if self.l2 else 0.0

    def value_and_grad(self, theta, batch=None):
        """(J, ∇J) in one forward and backward pass, full-batch or on ``batch``."""
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run turns non-finite quietly
            loss, grad = self.model.loss_and_grad(theta, *self._data(batch))
            return loss + self._penalty(theta), (grad + self.l2 * theta if self.l2 else grad)

    def value(self, theta, batch=None) -> np.ndarray:
        """J(θ) (on ``batch`` if given), shape ``(...)``; cheaper than value_and_grad (no backward pass)."""
        X, y = self._data(batch)
        with np.errstate(over="ignore", invalid="ignore"):
            return _cross_entropy(self.model.logits(theta, X), y) + self._penalty(theta)

    def grad(self, theta, batch=None) -> np.ndarray:
        """∇J(θ) by backpropagation (on ``batch`` if given), shape ``(..., P)``."""
        return self.value_and_grad(theta, batch)[1]

    def accuracy(self, theta) -> np.ndarray:
        """Training accuracy of θ, shape ``(...)``."""
        return self.model.accuracy(theta, self.X, self.y)


def grad_check(f, grad_f, theta, eps=1e-6) -> float:
    """Compare an analytic gradient with central differences; return the largest relative error.

    For each coordinate i, n_i = (f(θ + ε eᵢ) − f(θ − ε eᵢ)) / (2ε) and the relative error is
    |a_i − n_i| / max(|a_i| + |n_i|, 10⁻³ maxⱼ(|a_j| + |n_j|)), where a = grad_f(θ). The floor keeps a
    coordinate whose gradient is negligible from reporting round-off as a large relative error. A correct
    gradient gives about 1e-6 or less (finite-difference and round-off error); a mistake in
    backpropagation gives 1e-3 or more.

    Args:
        f: θ ``(P,)`` -> scalar J(θ).
        grad_f: θ ``(P,)`` -> ∇J(θ) ``(P,)``.
        theta: the point to check at, shape ``(P,)``.
        eps: the finite-difference step ε (> 0).

    Returns:
        The maximum relative error over the coordinates (a float).

    Example:
        >>> f = lambda th: float(np.sum(th**3))
        >>> bool(grad_check(f, lambda th: 3 * th**2, np.array([1.0, -2.0])) < 1e-8)
        True
    """
    eps = positive("eps", eps)
    theta = finite_array("theta", theta)
    if theta.ndim != 1:
        raise ValueError(f"theta must be one parameter vector of shape (P,) (got shape {theta.shape})")
    analytic = np.asarray(grad_f(theta), dtype=np.float64)
    if analytic.shape != theta.shape:
        raise ValueError(f"grad_f(theta) must have the shape of theta {theta.shape} (got {analytic.shape})")
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        numeric[i] = (float(f(theta + step)) - float(f(theta - step))) / (2 * eps)
    size = np.abs(analytic) + np.abs(numeric)
    scale = np.maximum(size, max(1e-3 * size.max(), np.finfo(float).tiny))
    return float(np.max(np.abs(analytic - numeric) / scale))


@dataclass(frozen=True)
class Training:
    """A trained network (or a batch of them): the runner's trajectory plus accuracy curves.

    Attributes:
        trajectory: the :class:`optlab.runner.Trajectory` (θ, losses, divergence) of the run(s); it keeps θ at the
            ``record_steps`` only (and J at every step).
        record_steps: the steps k at which accuracies were measured, shape ``(K,)``.
        accuracies: training accuracy at those steps, shape ``(K, ...)`` (NaN once a run diverged).
        test_accuracies: accuracy on the held-out set at those steps, or None.
    """

    trajectory: Trajectory
    record_steps: np.ndarray
    accuracies: np.ndarray
    test_accuracies: Optional[np.ndarray] = None

    @property
    def losses(self) -> np.ndarray:
        """J(θ_k) for k = 0 … steps, shape ``(steps + 1, ...)``."""
        return self.trajectory.losses

    @property
    def theta(self) -> np.ndarray:
        """The final parameters θ_N, shape ``(..., P)`` (NaN for a diverged run)."""
        return self.trajectory.thetas[-1]

    @property
    def final_accuracy(self) -> np.ndarray:
        """Training accuracy of θ_N, shape ``(...)``."""
        return self.accuracies[-1]

    def __getitem__(self, index) -> "Training":
        """The runs ``index`` of a batch (indexing the run axes), e.g. ``sweep[3]`` for the 4th learning rate."""
        idx = (slice(None),) + (index if isinstance(index, tuple) else (index,))
        test = None if self.test_accuracies is None else self.test_accuracies[idx]
        return Training(self.trajectory[index], self.record_steps, self.accuracies[idx], test)

    def steps_to(self, accuracy: float) -> np.ndarray:
        """The first recorded step at which the training accuracy reached ``accuracy`` (−1 if never)."""
        reached = self.accuracies >= accuracy
        first = np.argmax(reached, axis=0)
        return np.where(reached.any(axis=0), self.record_steps[first], -1)


def train(optimizer, loss: MLPLoss, theta0, steps: int, *, every: int = 10, test=None, **run_kw) -> Training:
    """Train with :func:`optlab.run` and measure the accuracy every ``every`` steps.

    Args:
        optimizer: an optimizer object (hyperparameters may be arrays: one batched run per grid point).
        loss: the :class:`MLPLoss` to minimise.
        theta0: initial parameters ``(..., P)`` (e.g. ``loss.model.init(seed=0)``).
        steps: number of steps N.
        every: measure the accuracy at steps 0, every, 2·every, … and N.
        test: optional held-out data ``(X_test, y_test)``, measured at the same steps.
        **run_kw: passed to ``run`` (``batch_size``, ``schedule``, ``seed``, ``noise``, ``bound``, ``clip_norm``,
            ``clip_value``).

    Returns:
        a :class:`Training`.

    Example:
        >>> from optlab.data import make_moons
        >>> from optlab.optimizers import Adam
        >>> loss = MLPLoss(MLP((2, 8, 1)), *make_moons(n=100, seed=0))
        >>> result = train(Adam(lr=0.05), loss, loss.model.init(seed=0), steps=200)
        >>> float(result.final_accuracy) >= 0.95
        True
    """
    every = positive_int("every", every)
    if "record_every" in run_kw:
        raise ValueError("train keeps θ at the steps where it measures the accuracy: give every=, not record_every= "
                         f"(got record_every={run_kw['record_every']!r})")
    # θ is kept only where the accuracy is measured (the losses at every step): a sweep of networks stays small.
    trajectory = run(optimizer, loss, theta0, steps, record_every=1 if run_kw.get("record_state") else every,
                     **run_kw)
    record = np.unique(np.append(np.arange(0, trajectory.steps + 1, every), trajectory.steps))
    thetas = trajectory.thetas[np.searchsorted(trajectory.recorded_steps, record)]
    model = loss.model

    def accuracy(X, y):
        with np.errstate(invalid="ignore"):
            acc = model.accuracy(np.nan_to_num(thetas), X, y)
        return np.where(np.isnan(thetas).any(axis=-1), np.nan, acc)

    test_acc = None if test is None else accuracy(*test)
    return Training(trajectory, record, accuracy(loss.X, loss.y), test_acc)

