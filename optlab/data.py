"""Seeded synthetic data sets and the data-driven losses of the SGD lesson (least squares, logistic regression).

Every generator draws from ``np.random.default_rng(seed)``, so the same seed gives the same data on every
machine. The losses follow the interface of :mod:`optlab.objectives` (``value``, ``grad``, ``minima``,
``window``, ``start``, ``f_min``) and add mini-batches: ``value(theta, batch)`` and ``grad(theta, batch)``
use only the examples ``batch`` — an integer index array of shape ``(b,)`` shared by all runs, or
``(..., b)`` with one batch per run.

Example:
    >>> X, y, theta_true = make_linear_regression(n=100, d=2, noise=0.1, seed=0)
    >>> J = LeastSquares(X, y)
    >>> bool(np.allclose(J.grad(J.solution), 0.0))
    True

Lesson 02 builds SGD on these: the mini-batch gradient ∇J(θ; B) is an unbiased estimate of ∇J(θ).
"""

from __future__ import annotations

import numpy as np

from ._validate import valid_batch_size
from ._validate import finite_array, nonnegative, positive, positive_int

__all__ = [
    "make_linear_regression",
    "make_logistic_regression",
    "make_moons",
    "make_spirals",
    "LeastSquares",
    "LogisticRegression",
    "minibatches",
    "sigmoid",
]


def _seed(seed):
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0 (got {seed!r})")
    return int(seed)


def make_linear_regression(n: int = 200, d: int = 2, noise: float = 0.5, seed: int = 0):
    """Linear data y = Xθ_true + noise·ε with standard normal X (n, d) and ε.

    Returns:
        ``(X, y, theta_true)`` of shapes ``(n, d)``, ``(n,)``, ``(d,)``.
    """
    n, d = positive_int("n", n), positive_int("d", d)
    noise = nonnegative("noise", noise)
    rng = np.random.default_rng(_seed(seed))
    theta_true = rng.uniform(-2.0, 2.0, size=d)
    X = rng.standard_normal((n, d))
    y = X @ theta_true + noise * rng.standard_normal(n)
    return X, y, theta_true


def sigmoid(z):
    """σ(z) = 1/(1 + e^{−z}), computed as (1 + tanh(z/2))/2: no overflow for any z, and cheaper than exp.

    Example:
        >>> sigmoid(np.array([-800.0, 0.0, 800.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def make_logistic_regression(n: int = 200, d: int = 2, seed: int = 0):
    """Binary labels y ~ Bernoulli(σ(xᵀθ_true)) for standard normal x; the classes overlap.

    Returns:
        ``(X, y)``: X of shape ``(n, d)``, y of shape ``(n,)`` with integer labels in {0, 1}.
    """
    n, d = positive_int("n", n), positive_int("d", d)
    rng = np.random.default_rng(_seed(seed))
    theta_true = rng.uniform(-2.0, 2.0, size=d)
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < sigmoid(X @ theta_true)).astype(np.int64)
    return X, y


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles (as scikit-learn's ``make_moons``), shuffled.

    Returns:
        ``(X, y)``: X of shape ``(n, 2)``, y of shape ``(n,)`` with integer labels in {0, 1}.
    """
    n = positive_int("n", n)
    noise = nonnegative("noise", noise)
    rng = np.random.default_rng(_seed(seed))
    n0 = n // 2 + n % 2
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n - n0)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(n: int = 200, noise: float = 0.1, turns: float = 1.5, seed: int = 0):
    """Two interleaved spiral arms of ``turns`` turns each, radius up to 1, shuffled.

    Returns:
        ``(X, y)``: X of shape ``(n, 2)``, y of shape ``(n,)`` with integer labels in {0, 1}.
    """
    n = positive_int("n", n)
    noise = nonnegative("noise", noise)
    turns = positive("turns", turns)
    rng = np.random.default_rng(_seed(seed))
    n0 = n // 2 + n % 2
    arms = []
    for k, count in enumerate((n0, n - n0)):
        r = np.linspace(0.1, 1.0, count)
        phi = 2 * np.pi * turns * r + np.pi * k
        arms.append(np.stack([r * np.cos(phi), r * np.sin(phi)], 1))
    X = np.concatenate(arms) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def minibatches(n: int, batch_size: int, rng, *, runs=()):
    """Index arrays of one shuffled epoch: a permutation of 0..n−1 cut into batches of ``batch_size``.

    The last batch is smaller when ``batch_size`` does not divide ``n``. ``rng`` is a
    ``np.random.Generator`` (or an integer seed). This is the reference for lesson 02's exercise.
    With ``runs`` (a shape S), each of the S runs shuffles its own epoch and the batches have shape
    S + (b,): the runner's mini-batches for a batch of runs.

    Example:
        >>> [b.tolist() for b in minibatches(5, 2, np.random.default_rng(0))]
        [[2, 4], [3, 0], [1]]
    """
    n = positive_int("n", n)
    batch_size = valid_batch_size(batch_size, n)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(_seed(rng))
    runs = tuple(runs)
    if runs:
        order = rng.permuted(np.broadcast_to(np.arange(n), runs + (n,)), axis=-1)
    else:
        order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[..., start:start + batch_size]


class _DataLoss:
    """Shared parts of the data losses: data checks, batches, the objective-like interface."""

    name = "data_loss"

    def __init__(self, X, y):
        X = finite_array("X", X)
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"X must have shape (n, d) (got shape {X.shape})")
        y = finite_array("y", y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X (got shape {y.shape})")
        self.X, self.y = X.copy(), y.copy()  # our own read-only copies: the caller's arrays stay writable
        self.X.flags.writeable = False
        self.y.flags.writeable = False
        self.n, self.d = X.shape

    def _theta(self, theta):
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim == 0 or theta.shape[-1] != self.d:
            raise ValueError(f"theta must have shape (..., {self.d}) (got shape {theta.shape})")
        return theta

    def _batch(self, batch):
        batch = np.asarray(batch)
        if batch.dtype.kind not in "iu" or batch.ndim == 0 or batch.shape[-1] == 0:
            raise ValueError(f"batch must be a non-empty integer index array of shape (b,) or (..., b) "
                             f"(got {batch.dtype} array of shape {batch.shape})")
        if batch.min() < 0 or batch.max() >= self.n:
            raise ValueError(f"batch indices must be in [0, {self.n - 1}] (got {batch.min()}..{batch.max()})")
        return batch

    def _residual_parts(self, theta, batch):
        """Scores z = Xθ (..., b) and the data (X_B, y_B) of the batch (all examples when batch is None)."""
        if batch is None:
            return theta @ self.X.T, self.X, self.y
        Xb, yb = self.X[batch], self.y[batch]
        if batch.ndim == 1:
            return theta @ Xb.T, Xb, yb
        return np.einsum("...bd,...d->...b", Xb, theta), Xb, yb

    def unchecked_value_and_grad(self, theta, batch=None):
        """(J, ∇J) without any check (θ float64 (..., d), ``batch`` a valid index array or None); the caller holds
        ``np.errstate``. For runners; use :meth:`value_and_grad` otherwise."""
        z, Xb, yb = self._residual_parts(theta, batch)
        loss, dz = self._loss_and_dz(z, yb)
        b = z.shape[-1]
        if Xb.ndim == 2:
            g = dz @ Xb
        else:
            g = np.einsum("...b,...bd->...d", dz, Xb)
        return loss.mean(-1) + self._penalty(theta), g / b + self._penalty_grad(theta)

    def _penalty(self, theta):
        return 0.0

    def _penalty_grad(self, theta):
        return 0.0

    def value(self, theta, batch=None) -> np.ndarray:
        """J(θ) (mean over all examples) or J(θ; B) (mean over the batch B); shape ``(...)``."""
        theta = self._theta(theta)
        batch = None if batch is None else self._batch(batch)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.unchecked_value_and_grad(theta, batch)[0]

    def grad(self, theta, batch=None) -> np.ndarray:
        """∇J(θ) or the mini-batch gradient ∇J(θ; B); shape ``(..., d)``."""
        theta = self._theta(theta)
        batch = None if batch is None else self._batch(batch)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.unchecked_value_and_grad(theta, batch)[1]

    def value_and_grad(self, theta, batch=None):
        """(J, ∇J) in one pass, full-batch or on ``batch``."""
        theta = self._theta(theta)
        batch = None if batch is None else self._batch(batch)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.unchecked_value_and_grad(theta, batch)

    def per_example_loss(self, theta) -> np.ndarray:
        """The loss of each example at θ; shape ``(..., n)`` (without any l2 penalty)."""
        theta = self._theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._loss_and_dz(theta @ self.X.T, self.y)[0]

    __call__ = value

    def _finish(self, minimum):
        """Set minima, f_min, start and a window around start and minimiser."""
        self.minima = np.empty((0, self.d)) if minimum is None else minimum[None, :]
        self.f_min = float("nan") if minimum is None else float(self.value(minimum))
        self.start = np.zeros(self.d)
        for a in (self.minima, self.start) + (() if minimum is None else (minimum,)):
            a.flags.writeable = False  # read-only, like X and y: a student's in-place step cannot change them
        centre = self.start if minimum is None else minimum
        half = max(2.0, 1.5 * float(np.abs(centre - self.start).max()))
        self.window = tuple((float(c - half), float(c + half)) for c in centre[:2])


class LeastSquares(_DataLoss):
    """Least squares J(θ) = 1/(2n) Σᵢ (xᵢᵀθ − yᵢ)²; on a batch B the mean runs over B only.

    Attributes:
        solution: the exact minimiser (normal equations via ``np.linalg.lstsq``).
        minima: ``solution`` as a ``(1, d)`` array; ``f_min`` = J(solution).
        lam_min, lam_max: the smallest and largest eigenvalue of the Hessian XᵀX/n (full batch).
    """

    name = "least_squares"

    def __init__(self, X, y):
        super().__init__(X, y)
        self.solution = np.linalg.lstsq(self.X, self.y, rcond=None)[0]
        self._finish(self.solution)
        # J is quadratic with the constant Hessian XᵀX/n: gradient descent diverges for α > 2/λmax.
        self.lam_min, self.lam_max = (float(x) for x in np.linalg.eigvalsh(self.X.T @ self.X / self.n)[[0, -1]])

    def _loss_and_dz(self, z, y):
        r = z - y
        return 0.5 * r * r, r


class LogisticRegression(_DataLoss):
    """Mean cross-entropy of p = σ(xᵀθ) against labels y ∈ {0, 1}, plus (l2/2)|θ|².

    The per-example loss is log(1 + e^{z}) − y z with z = xᵀθ, computed with ``np.logaddexp`` so that
    no overflow occurs. ``minima`` is found by Newton's method at construction; it is empty (shape
    ``(0, d)``, ``f_min`` NaN) when the classes are separable and l2 = 0, since then no minimiser exists.
    """

    name = "logistic_regression"

    def __init__(self, X, y, l2: float = 0.0):
        super().__init__(X, y)
        if not np.all((self.y == 0) | (self.y == 1)):
            raise ValueError("y must contain only the labels 0 and 1")
        self.l2 = nonnegative("l2", l2)
        self._finish(self._newton())

    def _loss_and_dz(self, z, y):
        return np.logaddexp(0.0, z) - y * z, sigmoid(z) - y

    def _penalty(self, theta):
        return 0.5 * self.l2 * np.sum(theta * theta, -1) if self.l2 else 0.0

    def _penalty_grad(self, theta):
        return self.l2 * theta if self.l2 else 0.0

    def _newton(self):
        """Newton's method with backtracking on the (convex) full-batch loss; None if it does not converge."""
        theta = np.zeros(self.d)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            f, g = self.unchecked_value_and_grad(theta)
            for _ in range(100):
                if np.abs(g).max() < 1e-12:
                    return theta
                p = sigmoid(self.X @ theta)
                H = (self.X.T * (p * (1 - p))) @ self.X / self.n + self.l2 * np.eye(self.d)
                try:
                    step = np.linalg.solve(H, g)
                except np.linalg.LinAlgError:
                    return None
                for _ in range(50):
                    new = theta - step
                    f_new, g_new = self.unchecked_value_and_grad(new)
                    if f_new <= f:
                        break
                    step = step / 2
                theta, f, g = new, f_new, g_new
                if np.abs(theta).max() > 1e8:
                    return None
        return theta if np.abs(g).max() < 1e-9 else None
