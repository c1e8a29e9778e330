"""optlab.optimizers: the objects perform exactly their rule functions; state, batching, validation."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optlab import optimizers as O
from optlab import rules
from optlab.optimizers import make_optimizer

A = np.array([[3.0, 1.0], [1.0, 12.0]])  # J = ½ θᵀAθ, minimum at 0


def grad(theta):
    return theta @ A


def loss(theta):
    return 0.5 * np.einsum("...i,ij,...j->...", theta, A, theta)


# Each object next to the rule it must reproduce: (object, rule replay taking (θ, g, carried, t, lr)).
def _rule_replay(name, hp):
    if name == "GD":
        return lambda th, g, c, t, lr: (rules.gd_step(th, g, lr), c)
    if name in ("Momentum", "Nesterov"):
        return lambda th, g, c, t, lr: rules.momentum_step(th, g, c, lr, hp["beta"])
    if name == "AdaGrad":
        return lambda th, g, c, t, lr: rules.adagrad_step(th, g, c, lr, hp["eps"])
    if name == "RMSProp":
        return lambda th, g, c, t, lr: rules.rmsprop_step(th, g, c, lr, hp["beta2"], hp["eps"])
    if name == "Adam":
        return lambda th, g, c, t, lr: (lambda r: (r[0], r[1:]))(
            rules.adam_step(th, g, *c, t, lr, hp["beta1"], hp["beta2"], hp["eps"], hp["bias_correction"]))
    return lambda th, g, c, t, lr: (lambda r: (r[0], r[1:]))(
        rules.adamw_step(th, g, *c, t, lr, hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"],
                         hp["bias_correction"]))


OBJECTS = [O.GD(0.05), O.Momentum(0.02, beta=0.8), O.Nesterov(0.02, beta=0.8), O.AdaGrad(0.3),
           O.RMSProp(0.02, beta2=0.9), O.Adam(0.05, beta1=0.8, beta2=0.99), O.Adam(0.05, bias_correction=False),
           O.AdamW(0.05, weight_decay=0.1)]


@pytest.mark.parametrize("optimizer", OBJECTS, ids=repr)
def test_object_steps_are_exactly_the_rule_functions(optimizer):
    name, hp = optimizer.name, optimizer.hyperparams
    replay = _rule_replay(name, hp)
    scales = [1.0, 0.5, 0.25, 1.0, 2.0] * 6  # a changing lr_scale must reach the rule as α·scale
    theta = ours = np.array([1.5, -0.7])
    state = optimizer.init(ours)
    carried = (np.zeros(2), np.zeros(2)) if name.startswith("Adam") else np.zeros(2)
    for t, scale in enumerate(scales, start=1):
        g = grad(theta + hp["beta"] * carried) if name == "Nesterov" else grad(theta)
        theta, carried = replay(theta, g, carried, t, hp["lr"] * scale)
        ours, state = optimizer.step(ours, grad(optimizer.eval_point(ours, state)), state, lr_scale=scale)
        np.testing.assert_array_equal(ours, theta)


def test_init_gives_named_zero_state():
    theta = np.ones((4, 3))
    assert O.GD(0.1).init(theta) == O.GDState()
    s = O.Momentum(0.1).init(theta)
    assert isinstance(s, O.MomentumState) and s._fields == ("velocity",)
    assert O.AdaGrad().init(theta)._fields == ("s",)
    assert O.RMSProp().init(theta)._fields == ("v", "t")
    s = O.Adam().init(theta)
    assert isinstance(s, O.AdamState) and s._fields == ("m", "v", "t") and s.t == 0
    assert s.m.shape == s.v.shape == theta.shape and not s.m.any() and not s.v.any()
    assert O.AdamW().init(theta).t == 0


def test_step_counts_and_returns_new_state():
    optimizer = O.Adam(0.1)
    theta = np.array([1.0, 2.0])
    state = optimizer.init(theta)
    theta_copy, m_copy = theta.copy(), state.m.copy()
    g = grad(theta)
    new_theta, new_state = optimizer.step(theta, g, state)
    assert new_state.t == 1 and state.t == 0
    np.testing.assert_array_equal(theta, theta_copy)
    np.testing.assert_array_equal(state.m, m_copy)
    assert not np.shares_memory(new_theta, theta)
    _, state2 = optimizer.step(new_theta, grad(new_theta), new_state)
    assert state2.t == 2


def test_nesterov_evaluates_the_gradient_at_the_look_ahead_point():
    optimizer = O.Nesterov(0.1, beta=0.9)
    state = O.MomentumState(velocity=np.array([0.5, -1.0]))
    np.testing.assert_allclose(optimizer.eval_point(np.array([1.0, 1.0]), state), [1.45, 0.1])
    np.testing.assert_array_equal(O.Momentum(0.1).eval_point(np.array([1.0, 1.0]), state), [1.0, 1.0])


def test_names_and_aliases():
    assert O.SGD is O.GD
    assert [cls.name for cls in (O.GD, O.Momentum, O.Nesterov, O.AdaGrad, O.RMSProp, O.Adam, O.AdamW)] == [
        "GD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW"]


@pytest.mark.parametrize("name,cls", [("adam", O.Adam), ("AdamW", O.AdamW), ("SGD", O.GD), ("gd", O.GD),
                                      ("RMSProp", O.RMSProp), ("adagrad", O.AdaGrad), ("Momentum", O.Momentum),
                                      ("NESTEROV", O.Nesterov)])
def test_make_optimizer_by_name(name, cls):
    optimizer = make_optimizer(name, lr=0.1)
    assert type(optimizer) is cls and optimizer.hyperparams["lr"] == 0.1


def test_make_optimizer_rejects_unknown_names_and_hyperparameters():
    with pytest.raises(ValueError, match=r"^name must be one of .*adam.* \(got 'lbfgs'\)"):
        make_optimizer("lbfgs")
    with pytest.raises(ValueError, match="beta1"):
        make_optimizer("momentum", lr=0.1, beta1=0.9)
    adam = O.Adam(0.1)
    assert make_optimizer(adam) is adam
    assert make_optimizer(adam, lr=0.2).hyperparams["lr"] == 0.2


def test_defaults_are_the_frameworks():
    assert O.Adam().hyperparams == dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True)
    assert O.AdamW().hyperparams["weight_decay"] == 1e-2
    assert O.AdaGrad().hyperparams == dict(lr=1e-2, eps=1e-10)
    assert O.RMSProp().hyperparams["beta2"] == 0.99 and O.Momentum(0.1).hyperparams["beta"] == 0.9


BAD = [(O.GD, dict(lr=0.0), "lr"), (O.GD, dict(lr=-1.0), "lr"), (O.Momentum, dict(lr=0.1, beta=1.0), "beta"),
       (O.Nesterov, dict(lr=0.1, beta=-0.2), "beta"), (O.AdaGrad, dict(eps=0.0), "eps"),
       (O.RMSProp, dict(beta2=1.5), "beta2"), (O.Adam, dict(beta1=1.0), "beta1"), (O.Adam, dict(eps=-1.0), "eps"),
       (O.Adam, dict(lr=np.array([0.1, -0.1])), "lr"), (O.AdamW, dict(weight_decay=-0.1), "weight_decay"),
       (O.AdamW, dict(beta2=np.nan), "beta2"), (O.Adam, dict(bias_correction="no"), "bias_correction"),
       (O.RMSProp, dict(bias_correction=None), "bias_correction"), (O.Adam, dict(lr=1 + 2j), "lr")]


@pytest.mark.parametrize("cls,kw,arg", BAD, ids=[f"{c.name}-{a}" for c, _, a in BAD])
def test_bad_hyperparameters_are_rejected_when_built(cls, kw, arg):
    with pytest.raises(ValueError, match=rf"^{arg} must .*\(got "):
        cls(**kw)


def test_shape_errors_name_the_argument():
    optimizer = O.Adam(0.1)
    state = optimizer.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"^grad must have the same shape as theta \(2,\) \(got shape \(3,\)\)"):
        optimizer.step(np.zeros(2), np.zeros(3), state)
    with pytest.raises(ValueError, match=r"^state.m must have the same shape as theta"):
        optimizer.step(np.zeros(3), np.zeros(3), state)
    with pytest.raises(ValueError, match=r"^lr_scale must be >= 0 \(got -1\)"):
        optimizer.step(np.zeros(2), np.zeros(2), state, lr_scale=-1.0)
    with pytest.raises(ValueError, match=r"^lr_scale of shape \(3,\) must broadcast"):
        O.GD(0.1).step(np.zeros((2, 2)), np.zeros((2, 2)), O.GDState(), lr_scale=np.ones(3))
    with pytest.raises(ValueError, match=r"batch shape \(5,\)"):
        O.Adam(lr=np.full(5, 0.1)).init(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"must broadcast together"):
        O.Adam(lr=np.full(5, 0.1), beta1=np.full(4, 0.9))


@given(runs=st.integers(1, 6), seed=st.integers(0, 2**16), name=st.sampled_from(["gd", "momentum", "nesterov",
                                                                                  "adagrad", "rmsprop", "adam",
                                                                                  "adamw"]))
def test_a_batch_of_hyperparameters_equals_a_loop_of_single_optimizers(runs, seed, name):
    rng = np.random.default_rng(seed)
    lr = rng.uniform(0.01, 0.05, size=runs)
    extra = {"beta": rng.uniform(0, 0.95, size=runs)} if name in ("momentum", "nesterov") else {}
    if name in ("adam", "adamw"):
        extra = {"beta1": rng.uniform(0, 0.95, size=runs)}
    batch = make_optimizer(name, lr=lr, **extra)
    assert batch.batch_shape == (runs,)
    theta0 = rng.normal(size=(runs, 2))
    scales = rng.uniform(0.5, 1.0, size=(10, runs))  # per-run lr_scale too
    theta, state = theta0, batch.init(theta0)
    for k in range(10):
        theta, state = batch.step(theta, grad(batch.eval_point(theta, state)), state, lr_scale=scales[k])
    for i in range(runs):
        single = make_optimizer(name, lr=lr[i], **{k: v[i] for k, v in extra.items()})
        th, s = theta0[i], single.init(theta0[i])
        for k in range(10):
            th, s = single.step(th, grad(single.eval_point(th, s)), s, lr_scale=scales[k, i])
        np.testing.assert_allclose(theta[i], th, rtol=1e-13, atol=1e-15)


def test_leading_axes_broadcast_against_hyperparameter_grids():
    # A (3, 4) grid of (α, β) pairs on θ of shape (3, 4, 2): one call is 12 runs.
    lr, beta = np.geomspace(0.01, 0.1, 3)[:, None], np.linspace(0, 0.9, 4)[None, :]
    optimizer = O.Momentum(lr, beta=beta)
    assert optimizer.batch_shape == (3, 4)
    theta = np.broadcast_to(np.array([1.0, -1.0]), optimizer.batch_shape + (2,)).copy()
    state = optimizer.init(theta)
    theta, state = optimizer.step(theta, grad(theta), state)
    np.testing.assert_allclose(theta[2, 3], rules.momentum_step(np.array([1.0, -1.0]), grad(np.array([1.0, -1.0])),
                                                                np.zeros(2), 0.1, 0.9)[0])


def test_zero_lr_scale_freezes_the_parameters():
    theta = np.array([1.0, 1.0])
    optimizer = O.Adam(0.1)
    new, state = optimizer.step(theta, grad(theta), optimizer.init(theta), lr_scale=0.0)
    np.testing.assert_array_equal(new, theta)
    assert state.t == 1


@pytest.mark.parametrize("optimizer,steps", [(O.GD(0.08), 300), (O.Momentum(0.05, beta=0.7), 200),
                                             (O.Nesterov(0.05, beta=0.7), 200), (O.AdaGrad(0.5), 500),
                                             (O.RMSProp(0.01), 1000), (O.Adam(0.05), 500),
                                             (O.AdamW(0.05, weight_decay=1e-3), 500)], ids=repr)
def test_each_optimizer_converges_on_an_ill_conditioned_quadratic(optimizer, steps):
    theta = np.array([2.0, -1.5])
    state = optimizer.init(theta)
    for _ in range(steps):
        theta, state = optimizer.step(theta, grad(optimizer.eval_point(theta, state)), state)
    assert loss(theta) < 1e-3 * loss(np.array([2.0, -1.5]))


def test_divergence_is_silent_and_non_finite():
    optimizer = O.Momentum(1.0, beta=0.9)
    theta = np.array([1.0, 1.0])
    state = optimizer.init(theta)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2000):
            with np.errstate(all="ignore"):  # the objective's own overflow is the runner's business
                g = grad(theta)
            theta, state = optimizer.step(theta, g, state)
    assert not np.isfinite(theta).all()


def test_repr_and_replace():
    optimizer = O.AdamW(0.01, weight_decay=0.1)
    assert repr(optimizer).startswith("AdamW(lr=0.01, beta1=0.9")
    changed = optimizer.replace(lr=0.02)
    assert changed.hyperparams["lr"] == 0.02 and optimizer.hyperparams["lr"] == 0.01
    assert changed.hyperparams["weight_decay"] == 0.1


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(O, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0


def test_hyperparameter_arrays_are_copied():
    lr = np.array([0.1, 0.2])
    optimizer = O.GD(lr)
    lr[0] = 5.0
    assert optimizer.hyperparams["lr"][0] == 0.1


def test_a_run_does_not_revalidate_each_step(monkeypatch):
    """Hyperparameters are checked once; the per-step path of a run converts and checks nothing (issue: 40 % of a run)."""
    from optlab import optimizers as module
    from optlab import run

    calls = []
    original = module.real_array
    monkeypatch.setattr(module, "real_array", lambda name, a: calls.append(name) or original(name, a))
    for optimizer in (O.GD(1e-3), O.Momentum(1e-3), O.Adam(0.05), O.RMSProp(0.01, bias_correction=True)):
        calls.clear()
        traj = run(optimizer, "rosenbrock", [-1.2, 1.0], steps=200)
        assert calls.count("grad") <= 1, f"{optimizer.name}: grad converted {calls.count('grad')} times in 200 steps"
        assert not traj.diverged


def test_checks_still_apply_after_a_fast_step():
    """The cheap path must not let a wrong shape or a negative lr_scale through once a good step was taken."""
    optimizer = O.Adam(0.1)
    state = optimizer.init(np.zeros(2))
    theta, state = optimizer.step(np.zeros(2), np.ones(2), state)
    with pytest.raises(ValueError, match="grad must have the same shape"):
        optimizer.step(theta, np.ones(3), state)
    with pytest.raises(ValueError, match="lr_scale must be >= 0"):
        optimizer.step(theta, np.ones(2), state, lr_scale=-0.5)
    with pytest.raises(ValueError, match="state.m must have the same shape"):
        optimizer.step(np.zeros(3), np.ones(3), state)
    batch = O.GD(lr=np.full(5, 0.1))
    batch.init(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"batch shape \(5,\)"):
        batch.step(np.zeros((4, 2)), np.zeros((4, 2)), O.GDState())
    assert np.array_equal(optimizer.unchecked_step(theta, np.ones(2), state)[0],
                          optimizer.step(theta, np.ones(2), state)[0])


def test_derived_quantities_are_the_rules_own():
    """The step panel's m̂, v̂ and α/(√v̂ + ε) come from the optimizer, with the step's own denominator."""
    opt = O.Adam(lr=0.1, beta1=0.9, beta2=0.99)
    state = O.AdamState(m=np.array([0.2, -0.1]), v=np.array([0.04, 0.01]), t=3)
    d = opt.derived(state)
    np.testing.assert_allclose(d["m̂"], state.m / (1 - 0.9**3))
    np.testing.assert_allclose(d["v̂"], state.v / (1 - 0.99**3))
    np.testing.assert_allclose(d["α/(√v̂+ε)"], 0.1 / (np.sqrt(d["v̂"]) + 1e-8))
    stacked = {"m": np.stack([state.m] * 4), "v": np.stack([state.v] * 4), "t": np.arange(1, 5)}
    np.testing.assert_allclose(opt.derived(stacked)["m̂"][2], d["m̂"])
    assert set(O.AdaGrad(0.1).derived(O.AdaGradState(np.ones(2)))) == {"α/(√s+ε)"}
    assert O.GD(0.1).derived(O.GDState()) == {}
    plain = O.RMSProp(0.1).derived(O.RMSPropState(v=np.ones(2), t=5))
    np.testing.assert_array_equal(plain["v̂"], np.ones(2))


def test_positional_hyperparameters_and_missing_ones():
    assert O.Adam(0.1, 0.8).hyperparams["beta1"] == 0.8 and O.Momentum(0.1, 0.5).hyperparams["beta"] == 0.5
    with pytest.raises(TypeError, match="lr"):
        O.GD()
    with pytest.raises(TypeError, match="beta1"):
        O.Momentum(lr=0.1, beta1=0.9)
    assert O.Adam(0.1).replace(lr=0.2).hyperparams == dict(O.Adam(0.2).hyperparams)


@pytest.mark.parametrize("state", [None, (np.zeros(2), np.zeros(2), 0), "state", O.MomentumState(np.zeros(2))])
def test_step_rejects_a_state_that_is_not_its_own(state):
    """Adam().step(θ, g, None) died with AttributeError: 'NoneType' object has no attribute '_fields'; a
    momentum state was read field by field. The ValueError says which state step needs."""
    opt = O.Adam(lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^state must be the AdamState that Adam.init or the last step returned"):
            opt.step(np.ones(2), np.ones(2), state)
    theta, new = opt.step(np.ones(2), np.ones(2), opt.init(np.ones(2)))  # its own state still steps
    assert new.t == 1
