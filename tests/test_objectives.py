"""Tests of optlab.objectives: exact gradients, minimisers, vectorisation, validation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optlab.objectives import OBJECTIVES, Beale, Himmelblau, Quadratic, RotatedQuadratic, Rosenbrock, Saddle, get_objective

ALL = [get_objective(name) for name in OBJECTIVES] + [
    Quadratic(kappa=100.0, angle=0.3, lam_min=0.5),
    Rosenbrock(a=-0.5, b=10.0),
]
IDS = [repr(J) for J in ALL]


def central_difference(f, theta, h=1e-6):
    """∇f by central differences, one coordinate at a time (step scaled to |θ|)."""
    theta = np.asarray(theta, dtype=np.float64)
    out = np.empty_like(theta)
    for i in range(theta.shape[-1]):
        step = np.zeros_like(theta)
        step[..., i] = h * (1.0 + np.abs(theta[..., i]))
        out[..., i] = (f(theta + step) - f(theta - step)) / (2 * step[..., i])
    return out


def point_in(window):
    (x0, x1), (y0, y1) = window
    return st.tuples(st.floats(x0, x1), st.floats(y0, y1)).map(np.array)


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_gradient_matches_central_differences(J):
    @given(point_in(J.window))
    def check(theta):
        exact = J.grad(theta)
        numeric = central_difference(J.value, theta)
        scale = 1.0 + abs(float(J.value(theta))) + np.abs(exact).max()
        np.testing.assert_allclose(numeric, exact, rtol=1e-6, atol=1e-6 * scale)

    check()


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_minima_have_zero_gradient_and_value_f_min(J):
    assert J.minima.ndim == 2 and J.minima.shape[1] == 2 and len(J.minima) >= 1
    np.testing.assert_allclose(J.grad(J.minima), 0.0, atol=1e-12)
    np.testing.assert_allclose(J.value(J.minima), J.f_min, atol=1e-12)


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_minima_are_local_minima_inside_the_window(J):
    rng = np.random.default_rng(0)
    for theta_star in J.minima:
        nearby = theta_star + 1e-3 * rng.standard_normal((200, 2))
        assert np.all(J.value(nearby) >= J.f_min)
        (x0, x1), (y0, y1) = J.window
        assert x0 < theta_star[0] < x1 and y0 < theta_star[1] < y1


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_start_is_inside_the_window_and_not_a_minimum(J):
    (x0, x1), (y0, y1) = J.window
    assert J.start.shape == (2,)
    assert x0 < J.start[0] < x1 and y0 < J.start[1] < y1
    assert J.value(J.start) > J.f_min + 1e-3


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_vectorised_over_leading_axes(J):
    theta = np.random.default_rng(1).uniform(-2, 2, size=(3, 4, 2))
    value, grad = J.value(theta), J.grad(theta)
    assert value.shape == (3, 4) and grad.shape == (3, 4, 2)
    for idx in np.ndindex(3, 4):
        assert value[idx] == J.value(theta[idx])
        np.testing.assert_array_equal(grad[idx], J.grad(theta[idx]))
    both = J.value_and_grad(theta)
    np.testing.assert_array_equal(both[0], value)
    np.testing.assert_array_equal(both[1], grad)


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_inputs_are_not_mutated_and_lists_work(J):
    theta = np.array([[0.5, -0.25], [1.0, 2.0]])
    before = theta.copy()
    J.value(theta), J.grad(theta)
    np.testing.assert_array_equal(theta, before)
    np.testing.assert_array_equal(J.grad([0.5, -0.25]), J.grad(theta[0]))


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_huge_points_give_no_warnings(J):
    theta = np.array([[1e200, -1e200], [1e300, 1e300], [-1e308, 5.0]])
    J.value(theta), J.grad(theta)  # RuntimeWarnings are errors in this suite


@pytest.mark.parametrize("J", ALL, ids=IDS)
def test_wrong_last_axis_is_rejected(J):
    for bad in (np.zeros(3), np.zeros((4, 1)), 1.0):
        with pytest.raises(ValueError, match="theta"):
            J.value(bad)
        with pytest.raises(ValueError, match="theta"):
            J.grad(bad)


def test_quadratic_spectrum_and_gradient():
    Q = Quadratic(kappa=25.0, angle=0.4, lam_min=2.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(Q.hessian), [2.0, 50.0])
    assert (Q.lam_min, Q.lam_max, Q.kappa) == (2.0, 50.0, 25.0)
    theta = np.random.default_rng(2).normal(size=(5, 2))
    np.testing.assert_allclose(Q.grad(theta), theta @ Q.hessian, rtol=1e-14)
    np.testing.assert_allclose(Q.value(theta), 0.5 * np.einsum("ni,ij,nj->n", theta, Q.hessian, theta), rtol=1e-14)


def test_axis_aligned_quadratic_is_diagonal_and_rotated_one_is_not():
    np.testing.assert_array_equal(Quadratic(kappa=10.0).hessian, np.diag([1.0, 10.0]))
    R = get_objective("rotated_quadratic")
    assert isinstance(R, RotatedQuadratic) and R.angle == pytest.approx(np.pi / 6)
    assert abs(R.hessian[0, 1]) > 1.0


@pytest.mark.parametrize("kwargs, name", [
    (dict(kappa=0.5), "kappa"),
    (dict(kappa=np.array([1.0, 10.0])), "kappa"),
    (dict(kappa=np.nan), "kappa"),
    (dict(lam_min=0.0), "lam_min"),
    (dict(angle=np.inf), "angle"),
])
def test_quadratic_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Quadratic(**kwargs)


def test_saddle_point_is_a_saddle():
    S = Saddle()
    np.testing.assert_array_equal(S.grad(S.saddle_point), 0.0)
    assert S.value([0.1, 0.0]) > 0 > S.value([0.0, 0.1])


def test_himmelblau_has_four_distinct_minima_and_beale_its_known_one():
    H = Himmelblau()
    assert len(H.minima) == 4
    assert np.min(np.linalg.norm(H.minima[:, None] - H.minima[None], axis=-1) + 10 * np.eye(4)) > 1.0
    np.testing.assert_array_equal(Beale().minima, [[3.0, 0.5]])


def test_get_objective_by_name():
    assert isinstance(get_objective("Rosenbrock"), Rosenbrock)
    assert get_objective("quadratic", kappa=50.0).kappa == 50.0
    J = Saddle()
    assert get_objective(J) is J
    with pytest.raises(ValueError, match="objective"):
        get_objective("banana")


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("optlab.objectives")  # optlab.objectives may be re-exported as a name in optlab
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
