"""Two-dimensional test functions J(θ) with exact, vectorised values and gradients.

Every objective takes θ of shape ``(..., 2)`` — the leading axes are independent points or runs — and
returns J(θ) of shape ``(...)`` and ∇J(θ) of shape ``(..., 2)``. Each one knows its minimiser(s), the
lowest value ``f_min``, a good plotting ``window`` and a good default start point ``start``.

Example:
    >>> from optlab.objectives import get_objective
    >>> J = get_objective("rosenbrock")
    >>> float(J.value(J.minima[0])), J.grad(J.minima[0]).tolist()
    (0.0, [0.0, 0.0])

Lesson 00 introduces the objectives; lesson 01 analyses gradient descent on the quadratic.
"""

from __future__ import annotations

import numpy as np

from ._validate import finite_array, positive

__all__ = [
    "Objective",
    "Quadratic",
    "RotatedQuadratic",
    "Rosenbrock",
    "Saddle",
    "Himmelblau",
    "Beale",
    "OBJECTIVES",
    "get_objective",
]


def _as_theta(theta, d: int = 2) -> np.ndarray:
    """Return θ as a float64 array, checking that its last axis has length ``d``."""
    theta = np.asarray(theta, dtype=np.float64)
    if theta.ndim == 0 or theta.shape[-1] != d:
        raise ValueError(f"theta must have shape (..., {d}) (got shape {theta.shape})")
    return theta


class Objective:
    """Base class: a cost J(θ) on θ ∈ ℝ² with an exact gradient, evaluated on batches of points.

    Subclasses implement :meth:`unchecked_value_and_grad` (no checks, no ``np.errstate``); the runner calls it
    directly inside one ``np.errstate`` block, which keeps its inner loop short. ``value``, ``grad`` and
    ``value_and_grad`` are the checked doors for everyone else.

    Attributes:
        name: short name, as used by :func:`get_objective`.
        d: dimension of θ (2).
        minima: ``(k, 2)`` array of the minimisers.
        f_min: the minimum value J(θ*).
        window: ``((xmin, xmax), (ymin, ymax))`` for contour plots.
        start: ``(2,)`` default start point θ0.
    """

    name = "objective"
    d = 2
    minima: np.ndarray
    f_min: float
    window: tuple
    start: np.ndarray

    def __setattr__(self, name, value):
        # Start points, minimisers and Hessians are handed to students' functions in the lessons: they are kept
        # read-only, so an in-place mistake (theta -= …) fails at once instead of quietly changing later cells.
        if isinstance(value, np.ndarray) and not name.startswith("_"):
            value = np.array(value)
            value.flags.writeable = False
        super().__setattr__(name, value)

    def unchecked_value_and_grad(self, theta: np.ndarray):
        """(J(θ), ∇J(θ)) without any check: θ must be a float64 array of shape (..., 2); the caller holds
        ``np.errstate`` (a diverging run overflows quietly). For runners; use :meth:`value_and_grad` otherwise."""
        raise NotImplementedError

    def _value(self, theta: np.ndarray) -> np.ndarray:
        return self.unchecked_value_and_grad(theta)[0]

    def value(self, theta) -> np.ndarray:
        """J(θ) for θ of shape ``(..., 2)``; returns shape ``(...)``."""
        theta = _as_theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._value(theta)

    def grad(self, theta) -> np.ndarray:
        """∇J(θ) for θ of shape ``(..., 2)``; returns shape ``(..., 2)``."""
        theta = _as_theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.unchecked_value_and_grad(theta)[1]

    def value_and_grad(self, theta):
        """(J(θ), ∇J(θ)) in one pass."""
        theta = _as_theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.unchecked_value_and_grad(theta)

    __call__ = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _stack(gx, gy) -> np.ndarray:
    out = np.empty(np.shape(gx) + (2,))
    out[..., 0] = gx
    out[..., 1] = gy
    return out


class Quadratic(Objective):
    """The quadratic bowl J(θ) = ½ θᵀAθ with condition number κ = λmax/λmin.

    A has eigenvalues ``lam_min`` (along the first axis) and ``kappa·lam_min`` (along the second axis),
    both axes turned by ``angle`` radians. Gradient descent converges for α < 2/λmax, fastest at
    α = 2/(λmin + λmax), where the error shrinks by (κ − 1)/(κ + 1) per step (lesson 01).

    Args:
        kappa: condition number κ ≥ 1 (a single number: one objective has one κ).
        angle: rotation of the eigenvectors in radians (0 = axis-aligned).
        lam_min: the smaller eigenvalue λmin > 0.

    Example:
        >>> Q = Quadratic(kappa=10.0)
        >>> Q.value([1.0, 1.0]).item(), Q.grad([1.0, 1.0]).tolist()
        (5.5, [1.0, 10.0])
    """

    name = "quadratic"

    def __init__(self, kappa: float = 10.0, angle: float = 0.0, lam_min: float = 1.0):
        if np.ndim(kappa) != 0:
            raise ValueError(f"kappa must be a single number >= 1, not an array (got shape {np.shape(kappa)})")
        kappa = float(finite_array("kappa", kappa))
        if not kappa >= 1.0:
            raise ValueError(f"kappa must be >= 1 (got {kappa!r})")
        if np.ndim(angle) != 0:
            raise ValueError(f"angle must be a single number (got shape {np.shape(angle)})")
        self.kappa = kappa
        self.angle = float(finite_array("angle", angle))
        self.lam_min = float(positive("lam_min", lam_min))
        self.lam_max = self.kappa * self.lam_min
        c, s = np.cos(self.angle), np.sin(self.angle)
        self.rotation = np.array([[c, -s], [s, c]])
        self.hessian = self.rotation @ np.diag([self.lam_min, self.lam_max]) @ self.rotation.T
        self.hessian = 0.5 * (self.hessian + self.hessian.T)  # exactly symmetric
        (self._a, self._b), (_, self._c) = self.hessian
        self.minima = np.zeros((1, 2))
        self.f_min = 0.0
        self.window = ((-5.0, 5.0), (-5.0, 5.0))
        self.start = self.rotation @ np.array([-4.0, 2.0])

    def unchecked_value_and_grad(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        gx = self._a * x + self._b * y
        gy = self._b * x + self._c * y
        return 0.5 * (x * gx + y * gy), _stack(gx, gy)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kappa={self.kappa!r}, angle={self.angle!r}, lam_min={self.lam_min!r})"


class RotatedQuadratic(Quadratic):
    """The quadratic bowl turned by π/6, so its valley is not aligned with the coordinate axes."""

    name = "rotated_quadratic"

    def __init__(self, kappa: float = 10.0, angle: float = np.pi / 6, lam_min: float = 1.0):
        super().__init__(kappa=kappa, angle=angle, lam_min=lam_min)


class Rosenbrock(Objective):
    """Rosenbrock's banana valley J(θ) = (a − x)² + b (y − x²)², minimum J = 0 at (a, a²).

    Example:
        >>> Rosenbrock().value([-1.2, 1.0]).item()
        24.199999999999996
    """

    name = "rosenbrock"

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = float(finite_array("a", a))
        self.b = float(positive("b", b))
        a = self.a
        self.minima = np.array([[a, a * a]])
        self.f_min = 0.0
        self.window = ((min(-2.0, a - 1.0), max(2.0, a + 1.0)), (min(-1.0, a * a - 1.0), max(3.0, a * a + 1.0)))
        self.start = np.array([-1.2, 1.0])

    def unchecked_value_and_grad(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        u = x - self.a
        r = y - x * x
        br = self.b * r
        out = np.empty(theta.shape)
        gy = np.multiply(br, 2.0, out=out[..., 1])  # ∂J/∂y = 2 b r
        gx = np.multiply(gy, x, out=out[..., 0])
        np.subtract(u, gx, out=gx)
        gx *= 2.0  # ∂J/∂x = 2 ((x − a) − 2 b r x), which is +0.0 (not −0.0) at the minimum
        return u * u + br * r, out

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a!r}, b={self.b!r})"


class Saddle(Objective):
    """A saddle between two valleys: J(θ) = ½x² + ¼y⁴ − ½y².

    The origin is a saddle point (curvature +1 along x, −1 along y), ``saddle_point``; the minima are
    (0, ±1) with J = −¼. Started on the line y ≈ 0, gradient descent first rushes to the saddle and
    lingers there before it escapes along y — the picture of why saddles slow training.
    """

    name = "saddle"

    def __init__(self):
        self.minima = np.array([[0.0, -1.0], [0.0, 1.0]])
        self.saddle_point = np.zeros(2)
        self.f_min = -0.25
        self.window = ((-2.0, 2.0), (-1.5, 1.5))
        self.start = np.array([-1.5, 0.01])

    def unchecked_value_and_grad(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        y2 = y * y
        return 0.5 * x * x + (0.25 * y2 - 0.5) * y2, _stack(x, y * (y2 - 1.0))


def _himmelblau_parts(x, y):
    u = x * x + y - 11.0
    w = x + y * y - 7.0
    return u, w


class Himmelblau(Objective):
    """Himmelblau's function J(θ) = (x² + y − 11)² + (x + y² − 7)², four minima with J = 0.

    Which minimum an optimizer reaches depends on where it starts and on its hyperparameters.
    """

    name = "himmelblau"

    def __init__(self):
        self.minima = _HIMMELBLAU_MINIMA.copy()
        self.f_min = 0.0
        self.window = ((-5.0, 5.0), (-5.0, 5.0))
        self.start = np.array([0.0, 0.0])

    def unchecked_value_and_grad(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        u, w = _himmelblau_parts(x, y)
        return u * u + w * w, _stack(4.0 * x * u + 2.0 * w, 2.0 * u + 4.0 * y * w)


def _polish_himmelblau(points: np.ndarray) -> np.ndarray:
    """Refine the literature values of Himmelblau's minima by Newton's method to machine precision."""
    out = []
    for p in points:
        x, y = p
        for _ in range(6):
            u, w = _himmelblau_parts(x, y)
            g = np.array([4 * x * u + 2 * w, 2 * u + 4 * y * w])
            h = np.array([[4 * u + 8 * x * x + 2, 4 * (x + y)], [4 * (x + y), 2 + 4 * w + 8 * y * y]])
            x, y = np.array([x, y]) - np.linalg.solve(h, g)
        out.append((x, y))
    return np.array(out)


_HIMMELBLAU_MINIMA = _polish_himmelblau(
    np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]])
)


class Beale(Objective):
    """Beale's function J(θ) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)², minimum 0 at (3, ½).

    Flat plateaus next to very steep walls: a hard test for a fixed learning rate.
    """

    name = "beale"

    def __init__(self):
        self.minima = np.array([[3.0, 0.5]])
        self.f_min = 0.0
        self.window = ((-4.5, 4.5), (-4.5, 4.5))
        self.start = np.array([1.0, 1.5])

    def unchecked_value_and_grad(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        y2 = y * y
        y3 = y2 * y
        r1 = 1.5 - x + x * y
        r2 = 2.25 - x + x * y2
        r3 = 2.625 - x + x * y3
        gx = 2.0 * (r1 * (y - 1.0) + r2 * (y2 - 1.0) + r3 * (y3 - 1.0))
        gy = 2.0 * x * (r1 + 2.0 * y * r2 + 3.0 * y2 * r3)
        return r1 * r1 + r2 * r2 + r3 * r3, _stack(gx, gy)


OBJECTIVES = {
    "quadratic": Quadratic,
    "rotated_quadratic": RotatedQuadratic,
    "rosenbrock": Rosenbrock,
    "saddle": Saddle,
    "himmelblau": Himmelblau,
    "beale": Beale,
}


def get_objective(name, **kwargs) -> Objective:
    """Build a test objective by name (case-insensitive), e.g. ``get_objective("quadratic", kappa=50)``.

    An :class:`Objective` (or any object with ``value``/``grad``) is returned unchanged.
    """
    if not isinstance(name, str):
        if hasattr(name, "grad") and hasattr(name, "value"):
            return name
        raise ValueError(f"objective must be a name or an Objective (got {name!r})")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in OBJECTIVES:
        raise ValueError(f"objective must be one of {sorted(OBJECTIVES)} (got {name!r})")
    return OBJECTIVES[key](**kwargs)
