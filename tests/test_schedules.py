"""optlab.schedules: values, vectorisation, validation, and use as an optimizer's lr_scale."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optlab import optimizers
from optlab.schedules import Schedule, constant, cosine, exponential, inverse_time, linear_warmup, step_decay

T = np.arange(1, 31)


def test_constant():
    assert constant()(1) == 1.0
    np.testing.assert_array_equal(constant()(T), np.ones(30))


def test_step_decay():
    np.testing.assert_allclose(step_decay(3, 0.5)(np.arange(1, 10)), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25])


def test_exponential():
    np.testing.assert_allclose(exponential(0.9)(T), 0.9 ** (T - 1))
    assert exponential(0.9)(1) == 1.0


def test_cosine_matches_cosine_annealing():
    total = 10
    values = cosine(total, final=0.1)(np.arange(1, 15))
    # torch.optim.lr_scheduler.CosineAnnealingLR(T_max=10, eta_min=0.1·α) stepped after each update:
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * min(k, total) / total)) / 2 for k in range(14)]
    np.testing.assert_allclose(values, expected, rtol=1e-15)
    assert values[0] == 1.0 and values[-1] == pytest.approx(0.1)
    assert np.all(np.diff(values) <= 1e-15)


def test_linear_warmup_then_another_schedule():
    plain = linear_warmup(4)
    np.testing.assert_allclose(plain(np.arange(1, 8)), [0.25, 0.5, 0.75, 1, 1, 1, 1])
    chained = linear_warmup(2, after=exponential(0.5))
    np.testing.assert_allclose(chained(np.arange(1, 6)), [0.5, 1.0, 1.0, 0.5, 0.25])


def test_inverse_time_is_robbins_monro():
    values = inverse_time(0.5)(T)
    np.testing.assert_allclose(values, 1 / (1 + 0.5 * T))
    # Σα_t diverges (≈ log t growth) while Σα_t² converges: check the second against its tail bound.
    big = inverse_time(0.5)(np.arange(1, 100_001))
    assert big.sum() > 15 and (big**2).sum() < 4 / 0.5


ALL = [constant(), step_decay(5, 0.3), exponential(0.97), cosine(20), cosine(20, final=0.2), linear_warmup(5),
       linear_warmup(3, after=cosine(10)), inverse_time(0.1)]


@pytest.mark.parametrize("schedule", ALL, ids=repr)
def test_vectorised_equals_scalar_and_stays_in_0_1(schedule):
    vec = schedule(T)
    assert isinstance(schedule, Schedule) and vec.shape == T.shape
    np.testing.assert_allclose(vec, [schedule(int(t)) for t in T], rtol=1e-15)
    assert isinstance(schedule(3), float)
    assert np.all((vec >= 0) & (vec <= 1))
    np.testing.assert_allclose(schedule(T.reshape(5, 6)), vec.reshape(5, 6), rtol=1e-15)


@given(st.integers(1, 50), st.floats(0.01, 1.0), st.integers(1, 200))
def test_decays_never_increase(every, factor, total):
    for schedule in (step_decay(every, factor), exponential(factor), cosine(total), inverse_time(factor)):
        assert np.all(np.diff(schedule(np.arange(1, 300))) <= 1e-15)


@pytest.mark.parametrize("make,arg", [
    (lambda: step_decay(0, 0.5), "every"), (lambda: step_decay(2, 0.0), "factor"),
    (lambda: step_decay(2, 1.5), "factor"),
    (lambda: exponential(0.0), "gamma"), (lambda: exponential(1.1), "gamma"), (lambda: cosine(0), "total_steps"),
    (lambda: cosine(10, final=-0.1), "final"), (lambda: cosine(10, final=2.0), "final"),
    (lambda: linear_warmup(0), "warmup_steps"), (lambda: linear_warmup(3, after=0.5), "after"),
    (lambda: inverse_time(-1.0), "decay"), (lambda: constant()(0), "t"), (lambda: cosine(5)(np.array([1, 0])), "t"),
    (lambda: exponential(0.5)(2.5), "t"),
])
def test_bad_arguments_raise_value_errors_naming_them(make, arg):
    with pytest.raises(ValueError, match=rf"^{arg} must"):
        make()


def test_a_schedule_drives_an_optimizer_through_lr_scale():
    schedule, optimizer = step_decay(2, 0.1), optimizers.GD(0.5)
    theta, state = np.array([1.0]), optimizer.init(np.array([1.0]))
    for t in range(1, 5):
        theta, state = optimizer.step(theta, np.array([1.0]), state, lr_scale=schedule(t))
    np.testing.assert_allclose(theta, 1.0 - 0.5 * (1 + 1 + 0.1 + 0.1))


def test_docstring_examples_run():
    import doctest

    from optlab import schedules

    result = doctest.testmod(schedules, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 1 and result.failed == 0
