"""optlab.rules: identities between the rules, validation, purity (no mutation) and batching."""

import inspect
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optlab import rules
from optlab.rules import (adagrad_step, adam_step, adamw_step, amsgrad_step, framework_momentum_step, gd_step,
                          momentum_step, nesterov_step, rmsprop_step, sgd_step)

# A small ill-conditioned quadratic J = ½ θᵀAθ (gradient Aθ) for trajectory identities.
A = np.array([[3.0, 1.0], [1.0, 12.0]])


def quad_grad(theta):
    return theta @ A


# --------------------------------------------------------------------------- the rules on tiny cases
def test_each_rule_on_a_hand_computed_case():
    th, g = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    np.testing.assert_allclose(gd_step(th, g, 0.1), [0.95, -2.4])
    th1, v1 = momentum_step(th, g, np.array([0.2, 0.0]), lr=0.1, beta=0.5)
    np.testing.assert_allclose(v1, [0.05, -0.4])
    np.testing.assert_allclose(th1, [1.05, -2.4])
    th1, s1 = adagrad_step(th, g, np.array([0.75, 0.0]), lr=0.1, eps=1e-10)
    np.testing.assert_allclose(s1, [1.0, 16.0])
    np.testing.assert_allclose(th1, [0.95, -2.1])
    th1, v1 = rmsprop_step(th, g, np.array([1.0, 0.0]), lr=0.1, beta2=0.5, eps=1e-8)
    np.testing.assert_allclose(v1, [0.625, 8.0])
    np.testing.assert_allclose(th1, th - 0.1 * g / (np.sqrt(v1) + 1e-8))
    # Adam at t = 2 from hand-made state, against the formula of Algorithm 1.
    m0, v0 = np.array([0.1, -0.2]), np.array([0.01, 0.3])
    th1, m1, v1 = adam_step(th, g, m0, v0, t=2, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8)
    np.testing.assert_allclose(m1, 0.9 * m0 + 0.1 * g)
    np.testing.assert_allclose(v1, 0.99 * v0 + 0.01 * g**2)
    mhat, vhat = m1 / (1 - 0.9**2), v1 / (1 - 0.99**2)
    np.testing.assert_allclose(th1, th - 0.01 * mhat / (np.sqrt(vhat) + 1e-8), rtol=1e-15)
    th1, m1, v1 = adamw_step(th, g, m0, v0, t=2, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.1)
    np.testing.assert_allclose(th1, th - 0.01 * (mhat / (np.sqrt(vhat) + 1e-8) + 0.1 * th), rtol=1e-15)


def test_sgd_step_is_gd_step():
    assert sgd_step is gd_step


def test_defaults_are_the_frameworks():
    def defaults(fn):
        return {k: p.default for k, p in inspect.signature(fn).parameters.items() if p.default is not p.empty}

    assert defaults(adam_step) == dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True)
    assert defaults(adamw_step)["weight_decay"] == 1e-2
    assert defaults(adagrad_step) == dict(lr=1e-2, eps=1e-10)
    assert defaults(rmsprop_step) == dict(lr=1e-2, beta2=0.99, eps=1e-8, t=None)


# --------------------------------------------------------------------------- identities
finite = st.floats(-1e3, 1e3, allow_nan=False)
vec2 = hnp.arrays(np.float64, 2, elements=finite)


@given(vec2, vec2, vec2, st.floats(1e-4, 1.0))
def test_momentum_with_beta_zero_is_gradient_descent(theta, grad, velocity, lr):
    th, v = momentum_step(theta, grad, velocity, lr, beta=0.0)
    np.testing.assert_array_equal(th, gd_step(theta, grad, lr))
    np.testing.assert_array_equal(v, -lr * grad)


def _course_and_framework(lrs, beta, theta0):
    th_c, v = theta0, np.zeros(2)
    th_f, b = theta0, np.zeros(2)
    for lr in lrs:
        th_c, v = momentum_step(th_c, quad_grad(th_c), v, lr, beta)
        th_f, b = framework_momentum_step(th_f, quad_grad(th_f), b, lr, beta)
    return th_c, v, th_f, b


@given(st.floats(1e-3, 0.15), st.floats(0.0, 0.95), vec2)
def test_course_momentum_equals_framework_momentum_for_constant_lr(lr, beta, theta0):
    th_c, v, th_f, b = _course_and_framework([lr] * 40, beta, theta0)
    scale = max(1.0, np.abs(theta0).max())
    np.testing.assert_allclose(th_c, th_f, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(v, -lr * b, rtol=0, atol=1e-12 * scale)  # v = −α b


def test_course_and_framework_momentum_differ_when_lr_changes():
    # The course's v remembers the α each gradient came with; the framework's b is rescaled by today's α.
    lrs = [0.1] * 10 + [0.01] * 10  # a step decay
    th_c, _, th_f, _ = _course_and_framework(lrs, 0.9, np.array([1.0, 1.0]))
    assert np.abs(th_c - th_f).max() > 1e-3


@given(vec2, vec2, hnp.arrays(np.float64, 2, elements=st.floats(0, 1e3)), st.integers(1, 500),
       st.floats(1e-4, 1.0), st.floats(0.0, 0.9999))
def test_adam_with_beta1_zero_is_bias_corrected_rmsprop(theta, grad, v, t, lr, beta2):
    th_a, m_a, v_a = adam_step(theta, grad, np.zeros(2), v, t, lr=lr, beta1=0.0, beta2=beta2)
    th_r, v_r = rmsprop_step(theta, grad, v, lr=lr, beta2=beta2, eps=1e-8, t=t)
    np.testing.assert_array_equal(th_a, th_r)
    np.testing.assert_array_equal(v_a, v_r)
    np.testing.assert_array_equal(m_a, grad)


def test_uncorrected_adam_first_step_is_3_16_times_the_corrected_one():
    theta, grad, z = np.zeros(3), np.array([0.5, -2.0, 30.0]), np.zeros(3)
    corrected = adam_step(theta, grad, z, z, t=1)[0] - theta
    uncorrected = adam_step(theta, grad, z, z, t=1, bias_correction=False)[0] - theta
    np.testing.assert_allclose(uncorrected / corrected, (1 - 0.9) / np.sqrt(1 - 0.999), rtol=1e-6)
    np.testing.assert_allclose(uncorrected / corrected, 3.16, rtol=1e-3)
    np.testing.assert_allclose(corrected, -1e-3 * np.sign(grad), rtol=1e-6)  # first corrected step ≈ α·sign(g)


@given(vec2, vec2, st.integers(1, 100))
def test_adamw_without_decay_is_adam(theta, grad, t):
    m, v = 0.1 * grad, grad**2
    a = adam_step(theta, grad, m, v, t, lr=0.01)
    w = adamw_step(theta, grad, m, v, t, lr=0.01, weight_decay=0.0)
    for x, y in zip(a, w):
        np.testing.assert_array_equal(x, y)


def test_nesterov_step_is_the_momentum_update_with_a_look_ahead_gradient():
    theta, velocity = np.array([1.0, -1.0]), np.array([0.3, 0.2])
    g = quad_grad(theta + 0.9 * velocity)
    for x, y in zip(nesterov_step(theta, g, velocity, 0.05, 0.9), momentum_step(theta, g, velocity, 0.05, 0.9)):
        np.testing.assert_array_equal(x, y)


def test_adagrad_divides_each_coordinate_by_its_own_history():
    # Badly scaled coordinates get the same first step: α·g/|g|.
    th, s = adagrad_step(np.zeros(2), np.array([1e-3, 1e3]), np.zeros(2), lr=0.1)
    np.testing.assert_allclose(th, [-0.1, -0.1], rtol=1e-6)


# --------------------------------------------------------------------------- purity and batching
ALL_RULES = {
    "gd_step": (gd_step, lambda th, g: (th, g), dict(lr=0.1)),
    "momentum_step": (momentum_step, lambda th, g: (th, g, 0.5 * g), dict(lr=0.1, beta=0.9)),
    "framework_momentum_step": (framework_momentum_step, lambda th, g: (th, g, 0.5 * g), dict(lr=0.1, beta=0.9)),
    "nesterov_step": (nesterov_step, lambda th, g: (th, g, 0.5 * g), dict(lr=0.1, beta=0.9)),
    "adagrad_step": (adagrad_step, lambda th, g: (th, g, g**2), dict(lr=0.1, eps=1e-10)),
    "rmsprop_step": (rmsprop_step, lambda th, g: (th, g, g**2), dict(lr=0.1, beta2=0.9, eps=1e-8, t=3)),
    "adam_step": (adam_step, lambda th, g: (th, g, 0.5 * g, g**2, 3), dict(lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8)),
    "adamw_step": (adamw_step, lambda th, g: (th, g, 0.5 * g, g**2, 3),
                   dict(lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.1)),
    "amsgrad_step": (amsgrad_step, lambda th, g: (th, g, 0.5 * g, g**2, 2 * g**2, 3),
                     dict(lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8)),
}


# Eight rules × hypothesis examples: fewer examples each keeps the file within a few seconds.
@settings(max_examples=20)
@pytest.mark.parametrize("name", ALL_RULES)
@given(theta=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=finite),
       seed=st.integers(0, 2**16))
def test_rules_do_not_mutate_their_inputs(name, theta, seed):
    fn, make_args, kw = ALL_RULES[name]
    grad = np.random.default_rng(seed).normal(size=theta.shape)
    args = make_args(theta, grad)
    copies = [np.copy(a) for a in args]
    out = fn(*args, **kw)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    for o in (out if isinstance(out, tuple) else (out,)):
        assert o.shape == theta.shape
        assert not any(np.shares_memory(o, a) for a in args if isinstance(a, np.ndarray))


# Eight rules × hypothesis examples: fewer examples each keeps the file within a few seconds.
@settings(max_examples=20)
@pytest.mark.parametrize("name", ALL_RULES)
@given(runs=st.integers(1, 5), d=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_batched_call_equals_a_loop_of_single_calls(name, runs, d, seed):
    fn, make_args, kw = ALL_RULES[name]
    rng = np.random.default_rng(seed)
    theta, grad = rng.normal(size=(runs, d)), rng.normal(size=(runs, d))
    # Every hyperparameter becomes one value per run, shape (runs, 1) to broadcast against θ.
    per_run = {k: (v * rng.uniform(0.5, 1.0, size=(runs, 1)) if isinstance(v, float) else v) for k, v in kw.items()}
    batched = fn(*make_args(theta, grad), **per_run)
    for i in range(runs):
        single = fn(*make_args(theta[i], grad[i]), **{k: (v[i, 0] if isinstance(v, np.ndarray) else v)
                                                       for k, v in per_run.items()})
        for b, s in zip(batched if isinstance(batched, tuple) else (batched,),
                        single if isinstance(single, tuple) else (single,)):
            np.testing.assert_allclose(b[i], s, rtol=1e-14, atol=0)


def test_array_step_counts_broadcast_per_run():
    theta, grad, z = np.zeros((3, 2)), np.ones((3, 2)), np.zeros((3, 2))
    t = np.array([[1], [2], [10]])
    batched = adam_step(theta, grad, z, z, t)[0]
    for i in range(3):
        np.testing.assert_allclose(batched[i], adam_step(theta[i], grad[i], z[i], z[i], int(t[i, 0]))[0], rtol=1e-15)


def test_overflow_gives_non_finite_theta_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        th, v = momentum_step(np.array([1e308]), np.array([-1e308]), np.array([1e308]), lr=10.0, beta=0.9)
        th2, s = adagrad_step(np.array([1.0]), np.array([1e200]), np.array([0.0]), lr=0.1)
    assert np.isinf(th).all() and np.isinf(s).all() and np.isfinite(th2).all()


# --------------------------------------------------------------------------- validation
# (argument name, bad value) pairs; every rule that takes the argument must reject it by name.
BAD = [
    ("lr", 0.0), ("lr", -0.1), ("lr", float("nan")), ("lr", float("inf")), ("lr", np.array([[0.1], [-0.1]])),
    ("beta", -0.1), ("beta", 1.0), ("beta", 1.2), ("beta", float("nan")),
    ("beta1", 1.0), ("beta1", -0.5), ("beta2", 1.0), ("beta2", 2.0),
    ("eps", 0.0), ("eps", -1e-8),
    ("weight_decay", -0.01),
    ("t", 0), ("t", -3), ("t", 1.5),
    ("lr", "fast"), ("beta", True),
    ("lr", np.full(3, 0.1)),  # does not broadcast to θ of shape (2, 2)
]


def _full_call(name):
    fn, make_args, kw = ALL_RULES[name]
    theta, grad = np.ones((2, 2)), np.full((2, 2), 0.5)
    args = list(make_args(theta, grad))
    params = list(inspect.signature(fn).parameters)
    call = dict(zip(params, args))
    call.update(kw)
    return fn, call


CASES = [(name, arg, bad) for name in ALL_RULES for arg, bad in BAD
         if arg in inspect.signature(ALL_RULES[name][0]).parameters]


@pytest.mark.parametrize("name,arg,bad", CASES, ids=[f"{n}-{a}={b!r}" for n, a, b in CASES])
def test_bad_hyperparameters_raise_a_value_error_naming_them(name, arg, bad):
    fn, call = _full_call(name)
    call[arg] = bad
    with pytest.raises(ValueError, match=rf"^{re.escape(arg)}\b") as info:
        fn(**call)
    message = str(info.value)
    assert "got" in message  # says what it received ...
    # ... and what is allowed
    assert any(s in message for s in ("must be", "must have", "must broadcast", "must contain"))


@pytest.mark.parametrize("name", ALL_RULES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradients_are_rejected(name, bad):
    fn, call = _full_call(name)
    call["grad"] = np.array([[0.5, bad], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"^grad must contain only finite numbers \(got .* at index \(0, 1\)\)"):
        fn(**call)


@pytest.mark.parametrize("name", ALL_RULES)
def test_mismatched_shapes_are_rejected(name):
    fn, call = _full_call(name)
    for arg in [a for a in call if a in ("grad", "velocity", "buf", "s", "m", "v", "v_max")]:
        bad = dict(call)
        bad[arg] = np.ones(3)
        expected = rf"^{arg} must have the same shape as theta \(2, 2\) \(got shape \(3,\)\)"
        with pytest.raises(ValueError, match=expected):
            fn(**bad)


def test_messages_read_like_the_contract():
    with pytest.raises(ValueError, match=r"^lr must be > 0 \(got -0.1\)$"):
        gd_step(np.ones(2), np.ones(2), -0.1)
    with pytest.raises(ValueError, match=r"^beta1 must be in \[0, 1\) \(got 1.2\)$"):
        adam_step(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), 1, beta1=1.2)
    with pytest.raises(ValueError, match=r"^t must be an integer >= 1 \(got 0\)$"):
        adam_step(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), 0)


def test_every_public_rule_has_the_documented_parts():
    for name in [n for n in rules.__all__ if n.endswith("_step") and not n.startswith("unchecked_")]:
        doc = getattr(rules, name).__doc__
        for part in ("Args:", "Returns:", "Example:", "lesson", "leftarrow"):
            assert part in doc, f"{name} docstring lacks {part!r}"


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(rules, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


# Eight rules × hypothesis examples: fewer examples each keeps the file within a few seconds.
@settings(max_examples=20)
@pytest.mark.parametrize("name", ALL_RULES)
@given(theta=hnp.arrays(np.float64, 3, elements=st.floats(allow_nan=False, allow_infinity=False)),
       grad=hnp.arrays(np.float64, 3, elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_extreme_finite_inputs_never_warn(name, theta, grad):
    import warnings

    fn, make_args, kw = ALL_RULES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="ignore"):  # building the state (g², 0.5 g) may overflow here, in the test
            args = make_args(theta, grad)
        fn(*args, **kw)


# --------------------------------------------------------------------------- bad state (issue 12.5)
def _no_warning_value_error(fn, *args, match, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ComplexWarning or RuntimeWarning before the error fails the test
        with pytest.raises(ValueError, match=match):
            fn(*args, **kwargs)


@pytest.mark.parametrize("name,arg", [("adagrad_step", "s"), ("rmsprop_step", "v"), ("adam_step", "v"),
                                      ("adamw_step", "v"), ("amsgrad_step", "v"), ("amsgrad_step", "v_max")])
def test_a_negative_second_moment_is_rejected_by_name(name, arg):
    fn, call = _full_call(name)
    call[arg] = np.array([[0.25, -0.3], [0.25, 0.25]])
    _no_warning_value_error(fn, **call, match=rf"^{arg} must hold no negative numbers \({arg} is an? (sum|average) of "
                                               rf"squared gradients\) \(got -0.3 at index \(0, 1\)\)$")
    call[arg] = np.array([[np.nan, np.inf], [0.0, 0.25]])  # the state of a diverging run is not an error
    fn(**call)


@pytest.mark.parametrize("name", ["adam_step", "adamw_step"])
@pytest.mark.parametrize("bad", ["no", "False", None, 2, 0.5, np.array([True, False])])
def test_bias_correction_must_be_a_bool(name, bad):
    fn, call = _full_call(name)
    call["bias_correction"] = bad
    _no_warning_value_error(fn, **call, match=r"^bias_correction must be True or False \(got ")
    call["bias_correction"] = np.bool_(False)
    fn(**call)


@pytest.mark.parametrize("name", ALL_RULES)
@pytest.mark.parametrize("arg,bad,says", [
    ("grad", None, r"grad must be a real number or an array of real numbers \(got None\)"),
    ("grad", [[1.0, None], [0.5, 0.5]], r"grad must be a real number or an array of real numbers \(got \[\[1.0, None\]"),
    # quoted: "(got 0.5)" for the text "0.5" read as if a number had been refused
    ("grad", "0.5", r"grad must be a real number or an array of real numbers \(got '0.5'\)"),
    ("lr", "0.1", r"lr must be a real number or an array of real numbers \(got '0.1'\)"),
    ("lr", 10**400, r"lr must be a real number within float's range \(got an integer of 401 digits\)"),
    ("theta", np.ones((2, 2)) * (1 + 2j), r"theta must be real, not complex \(got \[\(1\+2j\), "),
    ("grad", np.ones((2, 2), dtype=complex), r"grad must be real, not complex"),
    ("theta", [[True, False], [True, True]], r"theta must hold real numbers, not bools"),
])
def test_none_strings_bools_and_complex_numbers_are_rejected_without_warnings(name, arg, bad, says):
    fn, call = _full_call(name)
    call[arg] = bad
    _no_warning_value_error(fn, **call, match="^" + says)


def test_complex_state_and_hyperparameters_are_rejected_without_warnings():
    fn, call = _full_call("adam_step")
    for arg in ("m", "v", "lr", "beta1"):
        bad = dict(call)
        bad[arg] = call[arg] * (1 + 0j) if isinstance(call[arg], np.ndarray) else complex(call[arg])
        _no_warning_value_error(fn, **bad, match=rf"^{arg} must be real, not complex")


def test_unchecked_kernels_are_the_checked_rules_math():
    th, g, m, v = np.array([1.0, -2.0]), np.array([0.5, 4.0]), np.array([0.1, -0.2]), np.array([0.01, 0.3])
    np.testing.assert_array_equal(rules.unchecked_adam_step(th, g, m, v, 3, 0.1, 0.9, 0.99, 1e-8, True),
                                  adam_step(th, g, m, v, 3, 0.1, 0.9, 0.99, 1e-8, True))
    np.testing.assert_array_equal(rules.unchecked_rmsprop_step(th, g, v, 0.1, 0.9, 1e-8, 2),
                                  rmsprop_step(th, g, v, 0.1, 0.9, 1e-8, t=2))
    eff = rules.effective_lr(0.1, v, 0.99, 1e-8, 3)
    assert np.array_equal(adam_step(th, g, m * 0, v, 3, 0.1, 0.0, 0.99, 1e-8)[0],
                          th - 0.1 * g / (np.sqrt((0.99 * v + 0.01 * g**2)) / np.sqrt(1 - 0.99**3) + 1e-8))
    assert eff.shape == (2,) and np.all(eff > 0)
    np.testing.assert_allclose(rules.bias_corrected(m, 0.9, 2), m / 0.19)
    v_max = np.array([0.5, 0.1])
    np.testing.assert_array_equal(rules.unchecked_amsgrad_step(th, g, m, v, v_max, 3, 0.1, 0.9, 0.99, 1e-8),
                                  amsgrad_step(th, g, m, v, v_max, 3, 0.1, 0.9, 0.99, 1e-8))


def test_amsgrad_is_adam_while_v_never_shrinks_and_keeps_the_largest_v():
    th, m, v = np.array([1.0, -2.0]), np.array([0.1, -0.2]), np.array([0.01, 0.3])
    g_up, g_down = np.array([3.0, 4.0]), np.array([0.01, 0.02])
    ams = amsgrad_step(th, g_up, m, v, v, 4, 0.1, 0.9, 0.99, 1e-8)         # v grows: v_max = v, Adam's step
    np.testing.assert_array_equal(ams[:3], adam_step(th, g_up, m, v, 4, 0.1, 0.9, 0.99, 1e-8))
    np.testing.assert_array_equal(ams[3], ams[2])
    big = np.array([5.0, 5.0])
    ams = amsgrad_step(th, g_down, m, v, big, 4, 0.1, 0.9, 0.99, 1e-8)       # v shrinks: the old maximum divides
    np.testing.assert_array_equal(ams[3], big)
    new_m = 0.9 * m + 0.1 * g_down
    np.testing.assert_allclose(ams[0], th - 0.1 * (new_m / (1 - 0.9**4)) / (np.sqrt(big / (1 - 0.99**4)) + 1e-8),
                               rtol=1e-15)


@pytest.mark.parametrize("call, match", [
    (lambda: rules.bias_corrected(np.ones(2), 0.9, 0), r"^t must be an integer >= 1 \(got 0\)"),
    (lambda: rules.bias_corrected(np.ones(2), 1.0, 3), r"^beta must be in \[0, 1\) \(got 1\)"),
    (lambda: rules.bias_corrected(np.ones(2), 0.9, 2.5), r"^t must be an integer >= 1 \(got 2.5\)"),
    (lambda: rules.bias_corrected(np.ones(2), 0.9, np.array([1, 2, 3])), r"^t of shape \(3,\) must broadcast"),
    (lambda: rules.bias_corrected("m", 0.9, 1), r"^x must be a real number"),
    (lambda: rules.effective_lr(0.1, -np.ones(2), 0.9, 1e-8), r"^v must hold no negative numbers"),
    (lambda: rules.effective_lr(0.1, np.zeros(2), 0.9, 0.0), r"^eps must be > 0 \(got 0\)"),
    (lambda: rules.effective_lr(-0.1, np.ones(2), 0.9, 1e-8), r"^lr must be > 0 \(got -0.1\)"),
    (lambda: rules.effective_lr(0.1, np.ones(2), 1.0, 1e-8), r"^beta2 must be in \[0, 1\)"),
    (lambda: rules.effective_lr(0.1, np.ones(2), 0.9, 1e-8, t=0), r"^t must be an integer >= 1 \(got 0\)"),
])
def test_bias_corrected_and_effective_lr_reject_bad_input_without_warnings(call, match):
    """The two public helpers of the rules divided by 1 − βᵗ and √v̂ + ε unchecked: t = 0, β = 1, ε = 0 or a negative
    v printed a RuntimeWarning and returned inf or NaN. Now a ValueError names the argument."""
    _no_warning_value_error(call, match=match)
