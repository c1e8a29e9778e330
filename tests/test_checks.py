"""optlab.checks: each check accepts correct formulations and names the mistake of wrong ones.

The wrong implementations below are written the way a student would write them (not taken from the
checks' own catalogue), and each test asserts the message names the specific mistake.
"""
import math
import types

import numpy as np
import pytest

from optlab import checks, rules
from optlab.data import minibatches as ref_minibatches


def as_written(fn):
    """A copy of ``fn``, as a student would have typed it: a check refuses optlab's own reference object (the
    one ``reference_or`` puts in place of a failed function), but the same code typed in a cell is right."""
    if not isinstance(fn, types.FunctionType):
        return fn
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy


def accepts(check, fn, capsys):
    check(as_written(fn))
    out = capsys.readouterr().out.strip()
    assert out.startswith("✓") and "\n" not in out, out


def rejects(check, fn, *fragments):
    """The check fails with a plain AssertionError: a verdict line of at most 90 characters that names the
    function, then details; every fragment appears in the message (a line break counts as a space)."""
    with pytest.raises(AssertionError) as info:
        check(fn)
    msg = str(info.value)
    assert type(info.value) is AssertionError
    verdict = msg.split("\n", 1)[0]
    assert len(verdict) <= 90, f"verdict longer than 90 characters: {verdict!r}"
    assert len(msg) < 600, msg
    flat = " ".join(msg.split())
    for fragment in fragments:
        assert fragment in flat, f"{fragment!r} not in {msg!r}"
    return msg


def not_written(*args, **kwargs):
    raise NotImplementedError()


# --------------------------------------------------------------------------- lesson 00
def qg_loop(theta, A):
    theta = np.asarray(theta, float)
    out = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape[:-1]):
        out[idx] = A @ theta[idx]
    return out


def qg_einsum(theta, A):
    return np.einsum("ij,...j->...i", A, theta)


@pytest.mark.parametrize("fn", [checks.quadratic_grad, qg_loop, qg_einsum, lambda theta, A: theta @ A])
def test_quadratic_grad_accepts(fn, capsys):
    accepts(checks.check_quadratic_grad, fn, capsys)


@pytest.mark.parametrize("fn, fragments", [
    (lambda theta, A: -(theta @ A), ["sign"]),
    (lambda theta, A: 0.5 * theta @ A, ["½Aθ"]),
    (lambda theta, A: 2 * theta @ A, ["2Aθ"]),
    (lambda theta, A: A @ theta, ["works for a single θ", "theta @ A.T"]),
    (lambda theta, A: 0.5 * np.sum(theta * (theta @ A), axis=-1), ["value J(θ)"]),
    (not_written, ["not written yet"]),
])
def test_quadratic_grad_rejects(fn, fragments):
    rejects(checks.check_quadratic_grad, fn, *fragments)


# --------------------------------------------------------------------------- lesson 01–02
def gd_loop(theta, grad, lr):
    new = np.array(theta, dtype=float)
    for i in np.ndindex(new.shape):
        new[i] = new[i] - lr * grad[i]
    return new


def gd_inplace_copy(theta, grad, lr):
    theta = theta.copy()
    theta -= lr * grad
    return theta


def gd_inplace(theta, grad, lr):
    theta -= lr * grad
    return theta


@pytest.mark.parametrize("check", [checks.check_gd_step, checks.check_sgd_step])
@pytest.mark.parametrize("fn", [rules.gd_step, gd_loop, gd_inplace_copy])
def test_gd_accepts(check, fn, capsys):
    accepts(check, fn, capsys)


@pytest.mark.parametrize("fn, fragments", [
    (lambda theta, grad, lr: theta + lr * grad, ["sign error"]),
    (lambda theta, grad, lr: theta - grad, ["learning rate α is missing"]),
    (lambda theta, grad, lr: lr * grad, ["returns the step"]),
    (lambda theta, grad, lr: theta - grad / lr, ["divides by α"]),
    (lambda theta, grad, lr: None, ["returns None", "return theta"]),
    (gd_inplace, ["in place", "`theta`"]),
    (lambda theta, grad, lr: np.array([t - lr * g for t, g in zip(theta.tolist(), grad.tolist())]),
     ["works for a single θ", "TypeError"]),
    (lambda theta, grad, lr: (theta - lr * grad, grad), ["one array"]),
    (not_written, ["gd_step is not written yet"]),
])
def test_gd_rejects(fn, fragments):
    rejects(checks.check_gd_step, fn, *fragments)


def test_sgd_named_in_message():
    rejects(checks.check_sgd_step, lambda theta, grad, lr: theta + lr * grad, "sgd_step", "sign")


def mb_list(n, batch_size, rng):
    idx = np.arange(n)
    rng.shuffle(idx)
    return [idx[i:i + batch_size] for i in range(0, n, batch_size)]


def mb_split(n, batch_size, rng):
    order = rng.choice(n, size=n, replace=False)
    yield from np.array_split(order, range(batch_size, n, batch_size))


@pytest.mark.parametrize("fn", [ref_minibatches, mb_list, mb_split])
def test_minibatches_accepts(fn, capsys):
    accepts(checks.check_minibatches, fn, capsys)


def mb_with_replacement(n, batch_size, rng):
    for i in range(0, n, batch_size):
        yield rng.integers(0, n, size=min(batch_size, n - i))


def mb_drop_last(n, batch_size, rng):
    order = rng.permutation(n)
    for i in range(n // batch_size):
        yield order[i * batch_size:(i + 1) * batch_size]


def mb_unshuffled(n, batch_size, rng):
    for i in range(0, n, batch_size):
        yield np.arange(i, min(i + batch_size, n))


def mb_global(n, batch_size, rng):
    order = np.random.permutation(n)
    for i in range(0, n, batch_size):
        yield order[i:i + batch_size]


def mb_fixed_seed(n, batch_size, rng):
    order = np.random.default_rng(42).permutation(n)
    for i in range(0, n, batch_size):
        yield order[i:i + batch_size]


def mb_float(n, batch_size, rng):
    order = rng.permutation(n).astype(float)
    for i in range(0, n, batch_size):
        yield order[i:i + batch_size]


def mb_no_return(n, batch_size, rng):
    rng.permutation(n)


def mb_equal_split(n, batch_size, rng):
    return np.array_split(rng.permutation(n), math.ceil(n / batch_size))


@pytest.mark.parametrize("fn, fragments", [
    (mb_with_replacement, ["more than once", "sampling with replacement"]),
    (mb_drop_last, ["drops the last"]),
    (mb_unshuffled, ["in order"]),
    (mb_global, ["same seed"]),
    (mb_fixed_seed, ["different seeds"]),
    (mb_float, ["integer indices"]),
    (mb_no_return, ["nothing to loop over"]),
    (mb_equal_split, ["sizes"]),
    (not_written, ["not written yet"]),
])
def test_minibatches_rejects(fn, fragments):
    rejects(checks.check_minibatches, fn, *fragments)


# --------------------------------------------------------------------------- lesson 03
def mom_loop(theta, grad, velocity, lr, beta):
    theta, velocity = np.array(theta, float), np.array(velocity, float)
    for i in np.ndindex(theta.shape):
        velocity[i] = beta * velocity[i] - lr * grad[i]
        theta[i] += velocity[i]
    return theta, velocity


def mom_framework_converted(theta, grad, velocity, lr, beta):
    buf = -velocity / lr  # the course's v is −α b for a constant α
    buf = beta * buf + grad
    return theta - lr * buf, -lr * buf


@pytest.mark.parametrize("check", [checks.check_momentum_step, checks.check_nesterov_step])
@pytest.mark.parametrize("fn", [rules.momentum_step, mom_loop, mom_framework_converted])
def test_momentum_accepts(check, fn, capsys):
    accepts(check, fn, capsys)


def mom_old_velocity(theta, grad, velocity, lr, beta):
    new_theta = theta + velocity
    return new_theta, beta * velocity - lr * grad


def mom_inplace(theta, grad, velocity, lr, beta):
    velocity *= beta
    velocity -= lr * grad
    return theta + velocity, velocity


@pytest.mark.parametrize("fn, fragments", [
    (mom_old_velocity, ["old velocity"]),
    (lambda th, g, v, lr, b: (th + (b * v + lr * g), b * v + lr * g), ["sign error", "uphill"]),
    (lambda th, g, v, lr, b: (th - (b * v - lr * g), b * v - lr * g), ["against the velocity"]),
    (lambda th, g, v, lr, b: (th - lr * (b * v + g), b * v + g), ["frameworks' form"]),
    (lambda th, g, v, lr, b: (th + v - lr * g, v - lr * g), ["β is missing"]),
    (lambda th, g, v, lr, b: (th + b * v - (1 - b) * lr * g, b * v - (1 - b) * lr * g), ["(1 − β)"]),
    (lambda th, g, v, lr, b: (th - lr * g, -lr * g), ["incoming velocity is ignored"]),
    (lambda th, g, v, lr, b: (b * v - lr * g, th + b * v - lr * g), ["swapped", "(theta, velocity)"]),
    (lambda th, g, v, lr, b: th + b * v - lr * g, ["single array", "return theta, velocity"]),
    (mom_inplace, ["in place", "`velocity`"]),
    (not_written, ["not written yet"]),
])
def test_momentum_rejects(fn, fragments):
    rejects(checks.check_momentum_step, fn, *fragments)


def test_nesterov_named_in_message():
    rejects(checks.check_nesterov_step, mom_old_velocity, "nesterov_step", "old velocity")


def nesterov_next_look_ahead(theta, grad, velocity, lr, beta):
    velocity = beta * velocity - lr * grad
    theta = theta + velocity
    return theta + beta * velocity, velocity  # hands back where the next gradient should be taken


@pytest.mark.parametrize("fn, fragments", [
    (nesterov_next_look_ahead, ["look-ahead point θ + v + βv", "new θ = θ + v"]),
    (lambda th, g, v, lr, b: (th + b * (b * v - lr * g), b * v - lr * g), ["look-ahead point θ + βv", "new v"]),
    (lambda th, g, v, lr, b: (th + b * v, b * v - lr * g), ["point θ + βv where grad was taken"]),
])
def test_nesterov_rejects_returning_a_look_ahead_point(fn, fragments):
    rejects(checks.check_nesterov_step, fn, "nesterov_step", *fragments)


# --------------------------------------------------------------------------- lesson 04
def adagrad_loop(theta, grad, s, lr=1e-2, eps=1e-10):
    theta, s = np.array(theta, float), np.array(s, float)
    for i in np.ndindex(theta.shape):
        s[i] += grad[i] ** 2
        theta[i] -= lr * grad[i] / (math.sqrt(s[i]) + eps)
    return theta, s


def adagrad_power(theta, grad, s, lr=1e-2, eps=1e-10):
    s = s + np.square(grad)
    return theta - lr * grad / (s ** 0.5 + eps), s


@pytest.mark.parametrize("fn", [rules.adagrad_step, adagrad_loop, adagrad_power])
def test_adagrad_accepts(fn, capsys):
    accepts(checks.check_adagrad_step, fn, capsys)


def ag(square=lambda g: g * g, eps_in=False, old=False, sign=-1, sqrt=np.sqrt, acc=True):
    def adagrad_step(theta, grad, s, lr=1e-2, eps=1e-10):
        new_s = s + square(grad) if acc else square(grad)
        used = s if old else new_s
        den = np.sqrt(used + eps) if eps_in else sqrt(used) + eps
        return theta + sign * lr * grad / den, new_s
    return adagrad_step


@pytest.mark.parametrize("fn, fragments", [
    (ag(square=lambda g: g), ["g instead of g²"]),
    (ag(square=np.abs), ["|g|"]),
    (ag(eps_in=True), ["ε is inside the square root"]),
    (ag(old=True), ["old s"]),
    (ag(sqrt=lambda x: x), ["square root is missing"]),
    (ag(sign=1), ["sign error"]),
    (ag(acc=False), ["accumulated"]),
    (lambda th, g, s, lr=1e-2, eps=1e-10: (s + g * g, th - lr * g / (np.sqrt(s + g * g) + eps)), ["order"]),
    (not_written, ["not written yet"]),
])
def test_adagrad_rejects(fn, fragments):
    rejects(checks.check_adagrad_step, fn, *fragments)


def adagrad_mean(theta, grad, s, lr=1e-2, eps=1e-10):
    s = (s + grad ** 2) / 2  # "average the squares"
    return theta - lr * grad / (np.sqrt(s) + eps), s


@pytest.mark.parametrize("fn", [adagrad_mean,
                                lambda th, g, s, lr=1e-2, eps=1e-10: rp()(th, g, s, lr, 0.9, eps),
                                lambda th, g, s, lr=1e-2, eps=1e-10: rp()(th, g, s, lr, 0.99, eps)])
def test_adagrad_rejects_a_running_average(fn):
    rejects(checks.check_adagrad_step, fn, "running average", "AdaGrad sums", "s ← s + g²")


def rmsprop_loop(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8, *, t=None):
    theta, v = np.array(theta, float), np.array(v, float)
    correction = 1.0 if t is None else 1 - beta2 ** t
    for i in np.ndindex(theta.shape):
        v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i]
        theta[i] = theta[i] - lr * grad[i] / (math.sqrt(v[i] / correction) + eps)
    return theta, v


def rmsprop_lerp(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8, *, t=None):
    v = v + (1 - beta2) * (grad ** 2 - v)  # the interpolation form of the same average
    scale = 1.0 if t is None else np.sqrt(1 - beta2 ** t)
    return theta - lr * grad * scale / (np.sqrt(v) + eps * scale), v  # v̂ folded into α and ε: the same numbers


@pytest.mark.parametrize("fn", [rules.rmsprop_step, rmsprop_loop, rmsprop_lerp])
def test_rmsprop_accepts(fn, capsys):
    accepts(checks.check_rmsprop_step, fn, capsys)


def rp(g2=lambda g: g * g, w_old=lambda b: b, w_new=lambda b: 1 - b, eps_in=False, old=False):
    def rmsprop_step(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8):
        new_v = w_old(beta2) * v + w_new(beta2) * g2(grad)
        used = v if old else new_v
        den = np.sqrt(used + eps) if eps_in else np.sqrt(used) + eps
        return theta - lr * grad / den, new_v
    return rmsprop_step


@pytest.mark.parametrize("fn, fragments", [
    (rp(g2=lambda g: g), ["g instead of g²"]),
    (rp(eps_in=True), ["ε is inside the square root"]),
    (rp(old=True), ["old v"]),
    (rp(w_old=lambda b: 1 - b, w_new=lambda b: b), ["swapped"]),
    (rp(w_new=lambda b: 1.0), ["(1 − β2)"]),
    (rp(w_old=lambda b: 1.0, w_new=lambda b: 1.0), ["running sum", "AdaGrad"]),
    (not_written, ["not written yet"]),
])
def test_rmsprop_rejects(fn, fragments):
    """These have no t: the mistake in the steps they can take is named first."""
    rejects(checks.check_rmsprop_step, fn, *fragments)


def rmsprop_without_t(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def test_rmsprop_requires_t():
    msg = rejects(checks.check_rmsprop_step, rmsprop_without_t, "rmsprop_step has no t argument",
                  "The exercise asks for an optional t", "*, t=None", "v̂ = v/(1 − β2ᵗ)")
    assert "not written" not in msg


def rmsprop_t(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8, *, t=None):
    v = beta2 * v + (1 - beta2) * grad * grad
    v_hat = v if t is None else v / (1 - beta2 ** t)
    return theta - lr * grad / (np.sqrt(v_hat) + eps), v


def rmsprop_t_loop(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8, *, t=None):
    theta, v = np.array(theta, float), np.array(v, float)
    for i in np.ndindex(theta.shape):
        v[i] = beta2 * v[i] + (1 - beta2) * grad[i] ** 2
        v_hat = v[i] if t is None else v[i] / (1 - beta2 ** t)
        theta[i] -= lr * grad[i] / (math.sqrt(v_hat) + eps)
    return theta, v


@pytest.mark.parametrize("fn", [rules.rmsprop_step, rmsprop_t, rmsprop_t_loop])
def test_rmsprop_with_t_accepts(fn, capsys):
    accepts(checks.check_rmsprop_step, fn, capsys)


def rp_t(kind):
    def rmsprop_step(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8, *, t=None):
        v = beta2 * v + (1 - beta2) * grad * grad
        if t is None or kind == "ignore":
            v_hat = v
        else:
            v_hat = v / (1 - beta2 ** (t - 1 if kind == "from0" else t))
        new_theta = theta - lr * grad / (np.sqrt(v_hat) + eps)
        return new_theta, (v_hat if kind == "return_hat" else v)
    return rmsprop_step


@pytest.mark.parametrize("kind, fragment", [("ignore", "t is ignored"), ("return_hat", "returns the corrected v̂"),
                                            ("from0", "counted from 0")])
def test_rmsprop_with_t_rejects(kind, fragment):
    rejects(checks.check_rmsprop_step, rp_t(kind), fragment)


# --------------------------------------------------------------------------- lesson 05
def adam_textbook(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    if bias_correction:
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    else:
        m_hat, v_hat = m, v
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_loop(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    theta, m, v = (np.array(a, float) for a in (theta, m, v))
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    for i in np.ndindex(theta.shape):
        m[i] = beta1 * m[i] + (1 - beta1) * grad[i]
        v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i]
        theta[i] -= lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)
    return theta, m, v


def adam_step_size(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    """The correction folded into the step size — and into ε, so ε stays where the course's rule has it."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    root_c2 = math.sqrt(1 - beta2 ** t) if bias_correction else 1.0
    lr_t = lr * root_c2 / (1 - beta1 ** t) if bias_correction else lr
    return theta - lr_t * m / (np.sqrt(v) + eps * root_c2), m, v


@pytest.mark.parametrize("fn", [rules.adam_step, adam_textbook, adam_loop, adam_step_size])
def test_adam_accepts(fn, capsys):
    accepts(checks.check_adam_step, fn, capsys)


def adam_no_flag(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_textbook(theta, grad, m, v, t, lr, beta1, beta2, eps)


def test_adam_requires_the_flag():
    rejects(checks.check_adam_step, adam_no_flag, "adam_step has no bias_correction argument",
            "bias_correction=True", "m and v themselves")


def test_adam_without_flag_names_its_other_mistake_first():
    def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        return adam(g2=lambda g: g)(theta, grad, m, v, t, lr, beta1, beta2, eps)
    rejects(checks.check_adam_step, adam_step, "g instead of g²")


def adam(mhat=lambda m, b1, t: m / (1 - b1 ** t), vhat=lambda v, b2, t: v / (1 - b2 ** t),
         den=lambda vh, eps: np.sqrt(vh) + eps, g2=lambda g: g * g, old=False, sign=-1, flag=True):
    def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        new_m = beta1 * m + (1 - beta1) * grad
        new_v = beta2 * v + (1 - beta2) * g2(grad)
        mm, vv = (m, v) if old else (new_m, new_v)
        if bias_correction or not flag:
            mm, vv = mhat(mm, beta1, t), vhat(vv, beta2, t)
        return theta + sign * lr * mm / den(vv, eps), new_m, new_v
    return adam_step


ident = lambda x, b, t: x  # noqa: E731


@pytest.mark.parametrize("fn, fragments", [
    (adam(mhat=ident, vhat=ident), ["bias correction is missing"]),
    (adam(vhat=ident), ["only m is bias-corrected"]),
    (adam(mhat=ident), ["only v is bias-corrected"]),
    (adam(mhat=lambda m, b, t: m / (1 - b ** (t - 1)), vhat=lambda v, b, t: v / (1 - b ** (t - 1))),
     ["counted from 0"]),
    (adam(mhat=lambda m, b, t: m / (1 - b ** (t + 1)), vhat=lambda v, b, t: v / (1 - b ** (t + 1))), ["t + 1"]),
    (adam(den=lambda vh, eps: np.sqrt(vh + eps)), ["ε is inside the square root"]),
    (adam(g2=lambda g: g), ["g instead of g²"]),
    (adam(old=True), ["old m and v"]),
    (adam(sign=1), ["sign error"]),
    (adam(flag=False), ["bias_correction=False is ignored"]),
    (adam(g2=np.abs), ["|g| instead of g²"]),
    (lambda th, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, bc=True:
        (lambda r: (r[1], r[2], r[0]))(adam_textbook(th, g, m, v, t, lr, b1, b2, eps, bc)), ["swapped", "(theta, m, v)"]),
    (lambda th, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, bc=True:
        adam_textbook(th, g, m, v, t, lr, b1, b2, eps, bc)[:2], ["3 values"]),
    (not_written, ["adam_step is not written yet"]),
])
def test_adam_rejects(fn, fragments):
    rejects(checks.check_adam_step, fn, *fragments)


def adam_returns_hats(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    """Overwrites m and v with their bias-corrected versions, so the next step starts from m̂, v̂."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    if bias_correction:
        m = m / (1 - beta1 ** t)
        v = v / (1 - beta2 ** t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_flagged(correct_m, correct_v):
    """bias_correction read by the student as ``correct_m(flag)`` for m and ``correct_v(flag)`` for v."""
    def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        m_hat = m / (1 - beta1 ** t) if correct_m(bias_correction) else m
        v_hat = v / (1 - beta2 ** t) if correct_v(bias_correction) else v
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    return adam_step


flag = lambda bc: bc  # noqa: E731
never = lambda bc: False  # noqa: E731
always = lambda bc: True  # noqa: E731


@pytest.mark.parametrize("fn, fragments", [
    (adam_flagged(always, always), ["bias_correction=False is ignored"]),
    (adam_flagged(lambda bc: not bc, lambda bc: not bc), ["bias_correction is inverted"]),
    (adam_flagged(flag, always), ["bias_correction=False still corrects v"]),
    (adam_flagged(always, flag), ["bias_correction=False still corrects m"]),
    (adam_flagged(flag, never), ["only m is bias-corrected"]),
    (adam_flagged(never, flag), ["only v is bias-corrected"]),
    (adam_flagged(never, never), ["bias correction is missing"]),
])
def test_adam_rejects_flag_mistakes(fn, fragments):
    rejects(checks.check_adam_step, fn, *fragments)


def adam_paper_form(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    """Kingma & Ba's 'efficient' ordering: α_t = α·√(1 − β2ᵗ)/(1 − β1ᵗ), θ ← θ − α_t m/(√v + ε)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) if bias_correction else lr
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v


def test_adam_names_the_papers_efficient_form():
    msg = rejects(checks.check_adam_step, adam_paper_form, "paper's efficient form", "√(1 − β2ᵗ)/(1 − β1ᵗ)",
                  "ε elsewhere", "θ ← θ − α m̂/(√v̂ + ε)")
    assert "before the correction" in msg


def test_adam_rejects_returning_the_corrected_moments():
    rejects(checks.check_adam_step, adam_returns_hats, "m̂ and v̂", "running averages m and v")


def adam_mutating(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    m *= beta1
    m += (1 - beta1) * grad
    v[...] = beta2 * v + (1 - beta2) * grad ** 2
    return adam_textbook(theta, grad, m * 0 + (m - (1 - beta1) * grad) / beta1, v * 0 + (v - (1 - beta2) * grad ** 2) / beta2,
                         t, lr, beta1, beta2, eps, bias_correction)


def test_adam_rejects_mutation():
    rejects(checks.check_adam_step, adam_mutating, "in place", "`m`", "`v`")


# --------------------------------------------------------------------------- lesson 06
def adamw_textbook(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2,
                   bias_correction=True):
    update, m, v = adam_textbook(np.zeros_like(theta), grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    return theta + update - lr * weight_decay * theta, m, v


def adamw_loop(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2,
               bias_correction=True):
    new, m, v = adam_loop(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    return new - lr * weight_decay * np.asarray(theta), m, v


def adamw_shrink_first(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2,
                       bias_correction=True):
    """The decay written as a shrink of the old θ: θ(1 − αλ) − α m̂/(√v̂ + ε)."""
    step, m, v = adam_textbook(np.zeros_like(theta), grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    return theta * (1 - lr * weight_decay) + step, m, v


@pytest.mark.parametrize("fn", [rules.adamw_step, adamw_textbook, adamw_loop, adamw_shrink_first])
def test_adamw_accepts(fn, capsys):
    accepts(checks.check_adamw_step, fn, capsys)


def aw(kind):
    def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2,
                   bias_correction=True):
        if kind == "l2":
            return adam_textbook(theta, grad + weight_decay * theta, m, v, t, lr, beta1, beta2, eps, bias_correction)
        new, m2, v2 = adam_textbook(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
        decay = {"none": 0, "no_lr": weight_decay * theta, "sign": -lr * weight_decay * theta,
                 "after": lr * weight_decay * new}[kind]
        return new - decay, m2, v2
    return adamw_step


@pytest.mark.parametrize("fn, fragments", [
    (aw("l2"), ["L2 regularisation"]),
    (aw("none"), ["weight decay is missing"]),
    (aw("no_lr"), ["λθ instead of α λθ"]),
    (aw("sign"), ["away from 0"]),
    (aw("after"), ["already-updated θ"]),
    (lambda th, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=1e-2, bc=True:
        adamw_textbook(th, g, m, v, t, lr, b1, b2, eps, wd, False), ["bias correction is missing"]),
    (not_written, ["not written yet"]),
])
def test_adamw_rejects(fn, fragments):
    rejects(checks.check_adamw_step, fn, *fragments)


def adamw_written_as(kind):
    """AdamW mistakes in the forms students write them (not via the shared adam_textbook)."""
    def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2,
                   bias_correction=True):
        if kind == "l2":
            grad = grad + weight_decay * theta  # weight decay as a gradient term
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        m_hat, v_hat = (m / (1 - beta1 ** t), v / (1 - beta2 ** t)) if bias_correction else (m, v)
        new = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        if kind == "l2":
            return new, m, v
        if kind == "shrink_new":
            return new * (1 - lr * weight_decay), m, v
        if kind == "no_lr":
            return new - weight_decay * theta, m, v
        if kind == "hats":
            return new - lr * weight_decay * theta, m_hat, v_hat
        if kind == "inverted":
            m_hat, v_hat = (m, v) if bias_correction else (m / (1 - beta1 ** t), v / (1 - beta2 ** t))
            return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v
        raise ValueError(kind)
    return adamw_step


@pytest.mark.parametrize("kind, fragments", [
    ("l2", ["added to the gradient", "L2 regularisation", "decouples"]),
    ("shrink_new", ["already-updated θ", "Decay the θ you were given"]),
    ("no_lr", ["λθ instead of α λθ"]),
    ("hats", ["returns the corrected m̂ and v̂", "running averages m and v"]),
    ("inverted", ["bias_correction is inverted"]),
])
def test_adamw_names_decay_and_flag_mistakes(kind, fragments):
    rejects(checks.check_adamw_step, adamw_written_as(kind), "adamw_step", *fragments)


def test_adamw_requires_the_flag():
    def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        return adamw_textbook(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)
    rejects(checks.check_adamw_step, adamw_step, "adamw_step has no bias_correction argument", "weight_decay, "
            "bias_correction=True")


def cosine_numpy(t, total_steps, lr_max, lr_min=0.0):
    progress = np.clip((np.asarray(t) - 1) / total_steps, 0, 1)
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * progress))


def cosine_where(t, total_steps, lr_max, lr_min=0.0):
    t = np.asarray(t, dtype=float)
    inside = lr_min + (lr_max - lr_min) * np.cos(np.pi * (t - 1) / (2 * total_steps)) ** 2
    return np.where(t - 1 >= total_steps, lr_min, inside)


@pytest.mark.parametrize("fn", [checks.cosine_lr, cosine_numpy, cosine_where])
def test_cosine_accepts(fn, capsys):
    accepts(checks.check_cosine_schedule, fn, capsys)


@pytest.mark.parametrize("fn, fragments", [
    (lambda t, T, hi, lo=0.0: lo + (hi - lo) * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2, ["counted from 0"]),
    (lambda t, T, hi, lo=0.0: lo + (hi - lo) * (1 + np.cos(np.pi * (np.asarray(t) - 1) / T)) / 2, ["comes back up"]),
    (lambda t, T, hi, lo=0.0: hi * (1 + np.cos(np.pi * np.minimum(np.asarray(t) - 1, T) / T)) / 2, ["lr_min is ignored"]),
    (lambda t, T, hi, lo=0.0: lo + (hi - lo) * (1 + np.cos(2 * np.pi * np.minimum(np.asarray(t) - 1, T) / T)) / 2,
     ["full period"]),
    (lambda t, T, hi, lo=0.0: lo + (hi - lo) * (1 + math.cos(math.pi * min(t - 1, T) / T)) / 2,
     ["works for a single t", "array", "np.minimum"]),
    (not_written, ["not written yet"]),
])
def test_cosine_rejects(fn, fragments):
    rejects(checks.check_cosine_schedule, fn, *fragments)


@pytest.mark.parametrize("fn", [checks.warmup_lr, lambda t, W, hi: np.where(np.asarray(t) < W, hi * np.asarray(t) / W, hi),
                                lambda t, W, hi: hi * np.clip(np.asarray(t) / W, None, 1)])
def test_warmup_accepts(fn, capsys):
    accepts(checks.check_warmup_schedule, fn, capsys)


@pytest.mark.parametrize("fn, fragments", [
    (lambda t, W, hi: hi * np.minimum((np.asarray(t) - 1) / W, 1), ["lr = 0"]),
    (lambda t, W, hi: hi * np.asarray(t) / W, ["keeps growing"]),
    (lambda t, W, hi: hi * np.minimum(np.asarray(t) // W, 1), ["integer division"]),
    (lambda t, W, hi: hi * min(t / W, 1), ["array"]),
])
def test_warmup_rejects(fn, fragments):
    rejects(checks.check_warmup_schedule, fn, *fragments)


def wc_composed(t, warmup_steps, total_steps, lr_max, lr_min=0.0):
    t = np.asarray(t)
    return np.where(t <= warmup_steps, checks.warmup_lr(t, warmup_steps, lr_max),
                    checks.cosine_lr(np.maximum(t - warmup_steps, 1), total_steps - warmup_steps, lr_max, lr_min))


@pytest.mark.parametrize("fn", [checks.warmup_cosine_lr, wc_composed])
def test_warmup_cosine_accepts(fn, capsys):
    accepts(checks.check_warmup_cosine_schedule, fn, capsys)


def test_warmup_cosine_rejects_no_restart():
    def warmup_cosine_lr(t, W, T, hi, lo=0.0):
        t = np.asarray(t)
        return np.where(t <= W, hi * t / W, checks.cosine_lr(t, T, hi, lo))
    rejects(checks.check_warmup_cosine_schedule, warmup_cosine_lr, "restart")


def test_check_schedule_dispatches_by_name(capsys):
    checks.check_schedule(as_written(checks.cosine_lr))
    checks.check_schedule(as_written(checks.warmup_lr))
    checks.check_schedule(as_written(checks.warmup_cosine_lr))
    assert capsys.readouterr().out.count("✓") == 3
    with pytest.raises(ValueError, match="check_cosine_schedule"):
        checks.check_schedule(lambda t: t)


# --------------------------------------------------------------------------- generic behaviour
def test_other_exception_is_reported_as_assertion():
    def gd_step(theta, grad, lr):
        return theta - lr * gradient  # noqa: F821 - the student's typo
    rejects(checks.check_gd_step, gd_step, "NameError", "gradient")


def test_not_a_function():
    rejects(checks.check_adam_step, 3.0, "should be a function")


@pytest.mark.parametrize("name", ["gd_step", "sgd_step", "momentum_step", "nesterov_step", "adagrad_step",
                                  "rmsprop_step", "adam_step", "adamw_step", "minibatches", "quadratic_grad",
                                  "cosine_lr", "warmup_lr", "warmup_cosine_lr", "gradient_descent", "optimal_lr",
                                  "train_sgd", "averaged_iterate", "optimal_momentum", "sign_descent_step",
                                  "uncorrected_step_ratio", "mlp_grad"])
def test_reference_or_falls_back_on_a_stub(name, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError()
    stub.__name__ = name
    got = checks.reference_or(stub)
    assert got is checks.EXERCISES[name].reference
    assert capsys.readouterr().out.strip() == (
        f"{name} is not written yet; the rest of this lesson uses optlab's {name}.")


def test_reference_or_falls_back_on_a_failed_check(capsys):
    def gd_step(theta, grad, lr):
        return theta + lr * grad
    assert checks.reference_or(gd_step) is rules.gd_step
    assert capsys.readouterr().out.strip() == (
        "your gd_step did not pass its check (θ moves uphill — a sign error); the rest of this lesson uses "
        "optlab's gd_step.")


def test_reference_or_falls_back_on_lists_and_in_place_updates(capsys):
    def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        new, m, v = adam_textbook(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
        return [list(new), m, v]
    assert checks.reference_or(adam_step) is rules.adam_step
    assert "(adam_step returns θ as a list, not a numpy array)" in capsys.readouterr().out
    assert checks.reference_or(_named("gd_step", gd_inplace)) is rules.gd_step
    assert "(gd_step changes its input `theta` in place)" in capsys.readouterr().out


def test_reference_or_looks_the_name_up_in_the_notebook(capsys):
    namespace = {"reference_or": checks.reference_or}
    exec("def gd_step(theta, grad, lr):\n    return theta - lr * grad\n"
         "kept = reference_or('gd_step')", namespace)
    assert namespace["kept"].__code__ is namespace["gd_step"].__code__
    assert capsys.readouterr().out.strip() == "your gd_step passed its check; the rest of this lesson uses it."


def test_reference_or_copes_with_a_function_that_is_not_defined(capsys):
    namespace = {"reference_or": checks.reference_or}
    exec("gd_step = reference_or('gd_step')", namespace)
    assert namespace["gd_step"] is rules.gd_step
    assert capsys.readouterr().out.strip() == (
        "gd_step is not defined — run the cell above; if it shows an error, fix that first. Until then the rest "
        "of this lesson uses optlab's gd_step.")


def test_reference_or_keeps_the_reference_quietly_said(capsys):
    assert checks.reference_or(rules.gd_step) is rules.gd_step
    assert capsys.readouterr().out.strip() == "the rest of this lesson uses optlab's gd_step."


def test_reference_or_returns_an_independent_function(capsys):
    """A nesterov_step that calls momentum_step keeps working with optlab's, whatever the notebook holds."""
    namespace = {"reference_or": checks.reference_or, "np": np}
    exec("def momentum_step(theta, grad, velocity, lr, beta):\n    return theta, velocity\n"
         "def nesterov_step(theta, grad, velocity, lr, beta):\n"
         "    return momentum_step(theta, grad, velocity, lr, beta)\n"
         "kept = reference_or('nesterov_step')", namespace)
    kept = namespace["kept"]
    assert kept is not namespace["nesterov_step"] and kept.__globals__["momentum_step"] is rules.momentum_step
    assert namespace["momentum_step"].__name__ == "momentum_step"  # the notebook's own is left alone
    theta, v = kept(np.ones(2), np.ones(2), np.zeros(2), 0.1, 0.9)
    np.testing.assert_allclose(theta, 0.9)
    assert "passed its check" in capsys.readouterr().out


def test_reference_or_with_a_lesson_reference(capsys):
    def train(steps):
        raise NotImplementedError()
    fallback = lambda steps: list(range(steps))  # noqa: E731

    def check_train(fn):
        assert checks.call_student(fn, 3) == [0, 1, 2], "train: wrong list"
    assert checks.reference_or(train, reference=fallback, check=check_train) is fallback
    assert "train is not written yet" in capsys.readouterr().out

    def train(steps):  # noqa: F811
        return [0] * steps
    assert checks.reference_or(train, reference=fallback, check=check_train) is fallback
    assert "your train did not pass its check (wrong list)" in capsys.readouterr().out


def test_a_check_run_again_after_the_fallback_does_not_pass_optlabs_function(capsys):
    """A student whose gd_step failed runs the check cell again after `gd_step = reference_or("gd_step")` (to see
    whether it is right now, without running the exercise cell): the name holds optlab's gd_step, and a "✓ correct"
    would tell them their own answer was right. The check says whose function it was given and what to do."""
    namespace = {"reference_or": checks.reference_or}
    exec("def gd_step(theta, grad, lr):\n    return theta + lr * grad\n"
         "gd_step = reference_or('gd_step')", namespace)
    assert "did not pass its check" in capsys.readouterr().out
    rejects(checks.check_gd_step, namespace["gd_step"], "gd_step is optlab's now, not yours",
            "run the cell where you wrote gd_step again")
    for name, exercise in checks.EXERCISES.items():
        if exercise.reference is not None:
            rejects(exercise.check, exercise.reference, f"{name} is optlab's now, not yours")
            accepts(exercise.check, exercise.reference, capsys)  # the same code, typed by a student


def test_reference_or_unknown_name():
    with pytest.raises(ValueError, match="no reference"):
        checks.reference_or(lambda x: x)


def test_whose_says_whose_function_a_comparison_runs():
    assert checks.whose(gd_loop, "gd_step") == "your gd_step"
    assert checks.whose(rules.adam_step) == "optlab's adam_step (in place of yours: the reference against itself)"
    # a line that only uses the function (lesson 05's Reddi run, lesson 06's schedule result) compares nothing
    assert checks.whose(rules.adam_step, compares=False) == "optlab's adam_step (in place of yours)"
    assert checks.whose(gd_loop, "gd_step", compares=False) == "your gd_step"


def test_call_student_passes_a_written_function_through():
    assert np.allclose(checks.call_student(gd_loop, np.ones(2), np.ones(2), 0.5), 0.5)
    assert checks.call_student(lambda x, *, k: x * k, 3, k=2) == 6


def test_call_student_names_an_unwritten_stub():
    def sign_descent_step(theta, grad, lr):
        raise NotImplementedError()
    with pytest.raises(AssertionError) as info:
        checks.call_student(sign_descent_step, np.ones(2), np.ones(2), 0.1)
    assert type(info.value) is AssertionError and info.value.__cause__ is None
    assert str(info.value) == ("sign_descent_step is not written yet\nReplace `raise NotImplementedError()` with "
                               "your code, run that cell, then run\nthis check again.")
    # the same sentence as the built-in checks give
    rejects(checks.check_gd_step, not_written, "is not written yet Replace `raise NotImplementedError()`")


def test_call_student_names_other_errors_and_a_missing_return():
    def optimal_momentum(lam_min, lam_max):
        return lam_max / lam_mn  # noqa: F821 - the student's typo
    with pytest.raises(AssertionError, match="^optimal_momentum raised NameError\nNameError: name 'lam_mn'"):
        checks.call_student(optimal_momentum, 1.0, 100.0)
    with pytest.raises(AssertionError, match="^optimal_momentum returns None — did you forget `return"):
        checks.call_student(_named("optimal_momentum", lambda a, b: None), 1.0, 2.0)


def _named(name, fn):
    fn.__name__ = name
    return fn


def test_call_student_grades_independently():
    """A loop that calls gd_step runs with optlab's gd_step, whatever the caller's gd_step is."""
    namespace = {"np": np}
    exec("def gd_step(theta, grad, lr):\n    return theta + lr * grad\n"
         "def helper(theta, lr):\n    return gd_step(theta, 2 * theta, lr)\n"
         "def gradient_descent(theta, lr):\n    return helper(theta, lr)", namespace)
    np.testing.assert_allclose(checks.call_student(namespace["gradient_descent"], np.ones(2), 0.25), 0.5)
    np.testing.assert_allclose(namespace["gradient_descent"](np.ones(2), 0.25), 1.5)  # untouched


def test_call_student_with_a_generator_stub():
    def batches(n):
        raise NotImplementedError()
        yield  # a generator: the error only appears when iterated
    with pytest.raises(AssertionError, match="batches is not written yet"):
        list(checks.call_student(batches, 3))
    assert list(checks.call_student(lambda n: (i for i in range(n)), 3)) == [0, 1, 2]


def test_call_student_in_a_lesson_check():
    """How a notebook's own check uses it: the stub gives the friendly sentence, the answer passes."""
    def check_ratio(fn):
        got = checks.call_student(fn, 1, 0.9, 0.999)
        assert np.isclose(got, 0.1 / math.sqrt(0.001)), f"ratio(1, 0.9, 0.999) returned {got}"

    def ratio(t, beta1, beta2):
        raise NotImplementedError()
    with pytest.raises(AssertionError, match="^ratio is not written yet"):
        check_ratio(ratio)
    check_ratio(lambda t, b1, b2: (1 - b1 ** t) / math.sqrt(1 - b2 ** t))


def test_checks_do_not_leak_warnings(recwarn):
    def noisy(theta, grad, s, lr=1e-2, eps=1e-10):  # g instead of g² gives sqrt of negatives
        s = s + grad
        return theta - lr * grad / (np.sqrt(s) + eps), s
    rejects(checks.check_adagrad_step, noisy, "g instead of g²")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_a_keyword_only_flag_is_passed_by_name(capsys):
    def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, *, bias_correction=True):
        return adam_textbook(theta, grad, m, v, t, lr, beta1, beta2, eps, bias_correction)
    accepts(checks.check_adam_step, adam_step, capsys)

    def adam_ignoring(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, *, bias_correction=True):
        return adam_textbook(theta, grad, m, v, t, lr, beta1, beta2, eps)
    rejects(checks.check_adam_step, adam_ignoring, "bias_correction=False is ignored")


# --------------------------------------------------------------------------- the catalogue of wrong answers
import catalogue  # noqa: E402  (tests/catalogue.py: one entry per named mistake, shared with the notebook tests)

LESSON_CELLS = catalogue.exercise_cells("lessons")
SOLUTION_CELLS = catalogue.exercise_cells("solutions")
CATALOGUE = [(name, i, mistake) for name, mistakes in catalogue.MISTAKES.items() for i, mistake in enumerate(mistakes)]


def student_function(name, source):
    """Run an exercise cell's source as a notebook would (numpy imported, the other exercises defined) and
    return the function it defines."""
    namespace = {"np": np}
    namespace.update({n: ex.reference for n, ex in checks.EXERCISES.items() if ex.reference is not None and n != name})
    exec(compile(source, f"<{name} cell>", "exec"), namespace)
    return namespace[name]


@pytest.fixture(scope="module")
def capstone_context():
    from optlab.data import make_spirals
    from optlab.nn import MLP, MLPLoss
    net = MLP((2, 16, 16, 1))
    return MLPLoss(net, *make_spirals(n=200, noise=0.05, seed=0)), net.init(seed=0), np.geomspace(0.01, 10.0, 7)


def run_check(name, fn, capstone_context):
    check = checks.EXERCISES[name].check
    return check(fn, *capstone_context) if name == "gd_lr" else check(fn)


def verdict_of(name, fn, capstone_context):
    with pytest.raises(AssertionError) as info:
        run_check(name, fn, capstone_context)
    assert type(info.value) is AssertionError
    return str(info.value).split("\n", 1)[0]


@pytest.mark.parametrize("name, i, mistake", CATALOGUE, ids=[f"{n}-{i}" for n, i, _ in CATALOGUE])
def test_every_catalogued_mistake_is_named(name, i, mistake, capstone_context):
    """One test case per named mistake: the check's verdict — its first line, ≤ 90 characters, starting with
    the exercise's name — says what is wrong."""
    source = mistake.code if mistake.cell else catalogue.answer(LESSON_CELLS[name][2], mistake)
    verdict = verdict_of(name, student_function(name, source), capstone_context)
    assert verdict.startswith(name) and len(verdict) <= 90, verdict
    assert mistake.says in verdict, f"{mistake.says!r} not in the verdict {verdict!r}"


@pytest.mark.parametrize("name", sorted(SOLUTION_CELLS))
def test_every_solution_passes_its_check(name, capstone_context, capsys):
    run_check(name, student_function(name, SOLUTION_CELLS[name][2]), capstone_context)
    assert capsys.readouterr().out.startswith("✓")


def test_every_exercise_has_a_catalogue():
    """A new exercise joins the catalogue test, the student simulation and the nbgrader test by an entry in
    tests/catalogue.py — and a check in optlab.checks."""
    for name in LESSON_CELLS:
        assert name in checks.EXERCISES, f"exercise {name!r} has no check in optlab.checks.EXERCISES"
        assert len(catalogue.MISTAKES.get(name, [])) >= 5, (
            f"exercise {name!r} ({LESSON_CELLS[name][0]}) needs a catalogue of at least 5 wrong answers in "
            "tests/catalogue.py")
    assert set(catalogue.MISTAKES) <= set(checks.EXERCISES)


def test_every_named_mistake_of_the_checks_has_a_catalogue_case(capstone_context):
    """Each mistake a check names (``EXERCISES[name].mistakes``) is named, for that exercise, by at least one
    wrong answer of tests/catalogue.py — so no named mistake goes untested, in the unit tests or the lessons."""
    said = {}
    for name, _, mistake in CATALOGUE:
        source = mistake.code if mistake.cell else catalogue.answer(LESSON_CELLS[name][2], mistake)
        said.setdefault(name, []).append(verdict_of(name, student_function(name, source), capstone_context))
    for name, exercise in checks.EXERCISES.items():
        assert exercise.mistakes, f"{name}: its check names no mistakes"
        missing = [m for m in exercise.mistakes if not any(m in verdict for verdict in said.get(name, []))]
        assert not missing, f"{name}: no catalogued wrong answer makes the check say {missing}"


def test_lesson_objects_are_protected_from_in_place_mistakes():
    """What a student's function receives in a lesson (start points, minimisers, Hessians, data) is read-only:
    an in-place step fails at once instead of quietly changing every later cell."""
    from optlab.data import LeastSquares, make_linear_regression
    from optlab.objectives import Quadratic, Rosenbrock

    valley = Quadratic(kappa=10.0, angle=np.pi / 6)
    start = valley.start.copy()
    with pytest.raises(ValueError, match="read-only"):
        gd_inplace(valley.start, valley.grad(valley.start), 0.1)
    np.testing.assert_array_equal(valley.start, start)
    X, y, _ = make_linear_regression(n=20, d=2, seed=0)
    J = LeastSquares(X, y)
    for a in (valley.hessian, valley.minima, Rosenbrock().start, J.X, J.y, J.start, J.solution, J.minima):
        assert not a.flags.writeable
    assert X.flags.writeable  # the caller's own arrays stay theirs
