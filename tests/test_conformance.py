"""Our rules reproduce torch.optim's float64 trajectories to 1e-12 relative, without torch.

The reference data in tests/data/ is written by tools/make_reference.py (the only place torch is
used). Here the same objectives are re-implemented in numpy, written so their gradients are the
ones torch's autograd computes (same operations in the same order), and every case is replayed
with optlab.rules — and with the optimizer objects — from the same θ0. Cases with gradient clipping
(torch's clip_grad_norm_ / clip_grad_value_ between backward() and step()) are replayed with
optlab.clipping and the rules, and through optlab.run(..., clip_norm=/clip_value=); AMSGrad
(torch's Adam(amsgrad=True)) with optlab.rules.amsgrad_step.
"""

import json
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from optlab import clipping, optimizers as opt
from optlab import rules
from optlab.runner import run

DATA = pathlib.Path(__file__).parent / "data"
NPZ, META = DATA / "reference_trajectories.npz", DATA / "reference_settings.json"
TOL = 1e-12  # relative, per step: max_i |ours_i − torch_i| / max_i |torch_i|

REF = dict(np.load(NPZ))
CASES = json.loads(META.read_text())["cases"]
X, Y = REF["lstsq/X"], REF["lstsq/y"]


# --------------------------------------------------------------------------- objectives (numpy)
def grad_rosenbrock(th, a=1.0, b=100.0):
    x, y = th[..., 0], th[..., 1]
    gy = b * (2 * (y - x**2))
    return np.stack([-(2 * (a - x)) + (-gy) * (2 * x), gy], axis=-1)


_COS, _SIN = math.cos(math.pi / 6), math.sin(math.pi / 6)


def grad_quadratic(th, lam=(1.0, 20.0), c=(1.0, -0.5)):
    r1, r2 = th[..., 0] - c[0], th[..., 1] - c[1]
    w1 = lam[0] * (_COS * r1 + _SIN * r2)
    w2 = lam[1] * (-_SIN * r1 + _COS * r2)
    return np.stack([w1 * _COS + w2 * (-_SIN), w1 * _SIN + w2 * _COS], axis=-1)


def grad_lstsq(th):
    return (th @ X.T - Y) @ X / len(Y)


GRADS = {"rosenbrock": grad_rosenbrock, "quadratic": grad_quadratic, "lstsq": grad_lstsq}


# --------------------------------------------------------------------------- replay
def clip_of(case):
    """The case's gradient clip as a function g -> clipped g (the identity without one)."""
    clip = case.get("clip", {})
    if "clip_norm" in clip:
        return lambda g: clipping.clip_by_global_norm(g, clip["clip_norm"])
    if "clip_value" in clip:
        return lambda g: clipping.clip_by_value(g, clip["clip_value"])
    return lambda g: g


def replay_rules(case, grads=None):
    """θ_0 … θ_100 from optlab.rules; ``grads``: use torch's recorded gradients instead of numpy's."""
    kw, kind, grad_fn = case["torch_kwargs"], case["optimizer"].split("_clip")[0], GRADS[case["objective"]]
    clip = clip_of(case)
    theta = np.array(case["theta0"], dtype=np.float64)
    zero = np.zeros_like(theta)
    state = dict(v=zero, m=zero, s=zero, b=zero, v_max=zero)
    out = [theta]
    for t in range(1, len(REF[case["key"] + "/grad"]) + 1):
        if kind == "SGD_nesterov":
            beta = kw["momentum"]
            g = grads[t - 1] if grads is not None else grad_fn(theta + beta * state["v"])
            theta, state["v"] = rules.nesterov_step(theta, g, state["v"], kw["lr"], beta)
            out.append(theta + beta * state["v"])  # torch stores the look-ahead point φ = θ + βv
            continue
        g = clip(grads[t - 1] if grads is not None else grad_fn(theta))
        if kind == "SGD":
            theta = rules.gd_step(theta, g, kw["lr"])
        elif kind == "SGD_momentum":
            theta, state["v"] = rules.momentum_step(theta, g, state["v"], kw["lr"], kw["momentum"])
        elif kind == "Adagrad":
            theta, state["s"] = rules.adagrad_step(theta, g, state["s"], lr=kw["lr"], eps=kw["eps"])
        elif kind == "RMSprop":
            theta, state["v"] = rules.rmsprop_step(theta, g, state["v"], lr=kw["lr"], beta2=kw["alpha"], eps=kw["eps"])
        elif kind == "Adam":
            b1, b2 = kw["betas"]
            theta, state["m"], state["v"] = rules.adam_step(theta, g, state["m"], state["v"], t, lr=kw["lr"],
                                                            beta1=b1, beta2=b2, eps=kw["eps"])
        elif kind == "AdamW":
            b1, b2 = kw["betas"]
            theta, state["m"], state["v"] = rules.adamw_step(theta, g, state["m"], state["v"], t, lr=kw["lr"],
                                                             beta1=b1, beta2=b2, eps=kw["eps"],
                                                             weight_decay=kw["weight_decay"])
        elif kind == "AMSGrad":
            b1, b2 = kw["betas"]
            theta, state["m"], state["v"], state["v_max"] = rules.amsgrad_step(
                theta, g, state["m"], state["v"], state["v_max"], t, lr=kw["lr"], beta1=b1, beta2=b2, eps=kw["eps"])
        out.append(theta)
    return np.array(out)


def make_object(case):
    kw = case["torch_kwargs"]
    kind = case["optimizer"].split("_clip")[0]
    if kind == "SGD":
        return opt.GD(kw["lr"])
    if kind in ("SGD_momentum", "SGD_nesterov"):
        return (opt.Nesterov if kw.get("nesterov") else opt.Momentum)(kw["lr"], beta=kw["momentum"])
    if kind == "Adagrad":
        return opt.AdaGrad(kw["lr"], eps=kw["eps"])
    if kind == "RMSprop":
        return opt.RMSProp(kw["lr"], beta2=kw["alpha"], eps=kw["eps"])
    b1, b2 = kw["betas"]
    if kind == "Adam":
        return opt.Adam(kw["lr"], beta1=b1, beta2=b2, eps=kw["eps"])
    return opt.AdamW(kw["lr"], beta1=b1, beta2=b2, eps=kw["eps"], weight_decay=kw["weight_decay"])


def replay_object(case):
    optimizer, grad_fn, clip = make_object(case), GRADS[case["objective"]], clip_of(case)
    theta = np.array(case["theta0"], dtype=np.float64)
    state = optimizer.init(theta)
    out = [optimizer.eval_point(theta, state)]
    for _ in range(len(REF[case["key"] + "/grad"])):
        theta, state = optimizer.step(theta, clip(grad_fn(optimizer.eval_point(theta, state))), state)
        out.append(optimizer.eval_point(theta, state))  # θ, or φ = θ + βv for Nesterov (torch's parameter)
    return np.array(out)


def rel_error(ours, ref):
    return float(np.max(np.abs(ours - ref).max(axis=-1) / np.abs(ref).max(axis=-1)))


def max_conformance_error():
    """The largest relative error over all cases (used by the no-torch subprocess test)."""
    return max(rel_error(replay_rules(c), REF[c["key"] + "/theta"]) for c in CASES)


# --------------------------------------------------------------------------- tests
IDS = [c["key"] for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rules_reproduce_torch(case):
    ref = REF[case["key"] + "/theta"]
    assert rel_error(replay_rules(case), ref) <= TOL
    # The same with torch's own gradients: isolates the update arithmetic from the objective's.
    assert rel_error(replay_rules(case, grads=REF[case["key"] + "/grad"]), ref) <= TOL


OBJECT_CASES = [c for c in CASES if c["optimizer"] != "AMSGrad"]  # AMSGrad is a rule (lesson 05), not an object


@pytest.mark.parametrize("case", OBJECT_CASES, ids=[c["key"] for c in OBJECT_CASES])
def test_optimizer_objects_reproduce_torch(case):
    assert rel_error(replay_object(case), REF[case["key"] + "/theta"]) <= TOL


@pytest.mark.parametrize("case", [c for c in CASES if c["optimizer"] != "SGD_nesterov"],
                         ids=[c["key"] for c in CASES if c["optimizer"] != "SGD_nesterov"])
def test_numpy_gradients_are_torchs(case):
    thetas, grads = REF[case["key"] + "/theta"], REF[case["key"] + "/grad"]
    ours = GRADS[case["objective"]](thetas[:-1])
    if case["objective"] != "lstsq":
        np.testing.assert_array_equal(ours, grads)  # same operations in the same order: bit for bit
    else:
        # X θ − y and its product with X go through BLAS, whose summation order differs between
        # libraries: a few ulp of the terms' size (the residual itself cancels near the solution).
        scale = np.abs(X).max() * (np.abs(X).max() * np.abs(thetas).max() * X.shape[1] + np.abs(Y).max())
        assert np.abs(ours - grads).max() <= 1e-15 * scale


@pytest.mark.parametrize("case", [c for c in CASES if c["optimizer"] == "SGD_momentum"],
                         ids=[c["key"] for c in CASES if c["optimizer"] == "SGD_momentum"])
def test_framework_momentum_form_reproduces_torch_and_the_course_form(case):
    kw, grad_fn = case["torch_kwargs"], GRADS[case["objective"]]
    theta = np.array(case["theta0"])
    buf = np.zeros_like(theta)
    out = [theta]
    for _ in range(100):
        theta, buf = rules.framework_momentum_step(theta, grad_fn(theta), buf, kw["lr"], kw["momentum"])
        out.append(theta)
    out = np.array(out)
    assert rel_error(out, REF[case["key"] + "/theta"]) <= TOL
    assert rel_error(replay_rules(case), out) <= TOL  # constant α: course form ≡ framework form


@pytest.mark.parametrize("case", [c for c in CASES if c["optimizer"] == "SGD_nesterov"],
                         ids=[c["key"] for c in CASES if c["optimizer"] == "SGD_nesterov"])
def test_torch_nesterov_parameter_is_our_look_ahead_point(case):
    """torch keeps φ = θ + βv, not θ. With v = −αb (b = torch's buffer):

    φ' = θ' + βv' = θ + (1 + β)v' = φ − βv + (1 + β)(βv − α∇J(φ)) = φ − α∇J(φ) − αβ(βb + ∇J(φ)),

    which is torch's update φ ← φ − α(g + βb') with b' = βb + g. So the φ's must match, and θ must not.
    """
    kw, ref = case["torch_kwargs"], REF[case["key"] + "/theta"]
    beta, lr = kw["momentum"], kw["lr"]
    theta, v = np.array(case["theta0"]), np.zeros(len(case["theta0"]))
    thetas, phis, buf = [theta], [theta], np.zeros_like(theta)
    for _ in range(100):
        phi = theta + beta * v
        g = GRADS[case["objective"]](phi)
        theta, v = rules.nesterov_step(theta, g, v, lr, beta)
        buf = beta * buf + g
        np.testing.assert_allclose(v, -lr * buf, rtol=1e-12, atol=1e-15)  # v = −αb
        thetas.append(theta)
        phis.append(theta + beta * v)
    assert rel_error(np.array(phis), ref) <= TOL
    assert rel_error(np.array(thetas), ref) > 1e-6  # θ itself is a different sequence


class _NumpyObjective:
    """A conformance objective for optlab.run: its numpy gradient (the value is not compared)."""

    def __init__(self, name):
        self.grad_fn = GRADS[name]

    def value(self, theta):
        return np.zeros(np.shape(theta)[:-1])

    def grad(self, theta):
        return self.grad_fn(theta)


CLIPPED = [c for c in CASES if "clip" in c]


@pytest.mark.parametrize("case", CLIPPED, ids=[c["key"] for c in CLIPPED])
def test_the_runners_clip_options_reproduce_torchs_clip_between_backward_and_step(case):
    ref = REF[case["key"] + "/theta"]
    traj = run(make_object(case), _NumpyObjective(case["objective"]), case["theta0"], 100, **case["clip"])
    assert rel_error(traj.thetas, ref) <= TOL
    raw = np.linalg.norm(REF[case["key"] + "/grad"], axis=-1) if "clip_norm" in case["clip"] else \
        np.abs(REF[case["key"] + "/grad"]).max(axis=-1)
    limit = case["clip"].get("clip_norm", case["clip"].get("clip_value"))
    assert int(traj.clipped) == int(np.sum(raw > limit))  # the count of steps it acted, as torch's gradients say


def test_the_clip_cases_clip_some_steps_and_not_others():
    """Not vacuous: across the clip cases the clip acts at some steps and leaves others alone."""
    acted = []
    for case in CLIPPED:
        grads = REF[case["key"] + "/grad"]
        limit = case["clip"].get("clip_norm", case["clip"].get("clip_value"))
        size = np.linalg.norm(grads, axis=-1) if "clip_norm" in case["clip"] else np.abs(grads).max(axis=-1)
        acted.append(size > limit)
    acted = np.concatenate(acted)
    assert 0.05 < acted.mean() < 0.95
    assert {tuple(c["clip"]) for c in CLIPPED} == {("clip_norm",), ("clip_value",)}


def test_reference_data_covers_the_required_cases():
    meta = json.loads(META.read_text())
    assert meta["dtype"] == "float64" and meta["steps"] == 100
    kinds = {c["optimizer"] for c in CASES}
    assert kinds == {"SGD", "SGD_momentum", "SGD_nesterov", "Adagrad", "RMSprop", "Adam", "AdamW", "AMSGrad",
                     "SGD_clip_norm", "SGD_momentum_clip_value", "Adam_clip_norm"}
    for kind in kinds:
        assert len({c["key"].split("/")[1] for c in CASES if c["optimizer"] == kind}) >= 2  # settings
    assert {c["objective"] for c in CASES} == {"rosenbrock", "quadratic", "lstsq"}
    assert all(REF[c["key"] + "/theta"].shape[0] == 101 for c in CASES)
    assert all(REF[c["key"] + "/theta"].dtype == np.float64 for c in CASES)
    assert NPZ.stat().st_size + META.stat().st_size < 1_000_000


def test_conformance_needs_no_torch():
    """Replay every case in a fresh interpreter where importing torch fails."""
    code = (
        "import sys; sys.modules['torch'] = None\n"
        f"sys.path[:0] = [{str(pathlib.Path(__file__).parent)!r}, {str(pathlib.Path(__file__).parents[1])!r}]\n"
        "import test_conformance as tc\n"
        "print(tc.max_conformance_error())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip().splitlines()[-1]) <= TOL

