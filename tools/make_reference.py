"""Write reference trajectories of torch.optim (float64) for tests/test_conformance.py.

Development tool only: torch is never a requirement of the course. Run it from the repository root::

    python tools/make_reference.py          # needs torch (this machine: pip install torch==2.13.0)
    python tools/make_reference.py --check  # regenerate in memory and compare with the committed data

It writes tests/data/reference_trajectories.npz (θ and ∇J at every step of every case) and
tests/data/reference_settings.json (the optimizer, its torch arguments and the objective of each
case, plus the torch version). Cases with gradient clipping apply ``torch.nn.utils.clip_grad_norm_`` or
``clip_grad_value_`` between ``backward()`` and ``step()``, record the gradient *before* the clip, and name
the clip in the case's ``clip`` (e.g. ``{"clip_norm": 10.0}``); ``AMSGrad`` is ``torch.optim.Adam(amsgrad=True)``. The objectives are defined here with torch autograd, independently of
optlab.objectives; tests/test_conformance.py re-implements them in numpy.

Objectives (all float64):
    rosenbrock   J = (a − x)² + b (y − x²)², a = 1, b = 100, from (−1.2, 1)
    quadratic    J = ½ (λ1 z1² + λ2 z2²), z = R(φ)ᵀ(θ − c), λ = (1, 20), φ = π/6, c = (1, −0.5)
    lstsq        J = 1/(2n) Σ (xᵢᵀθ − yᵢ)² on n = 8 seeded examples in d = 3
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np

STEPS = 100
OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data"


# ----------------------------------------------------------------------------- objectives
def lstsq_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=8)
    return X, y


def objectives(torch):
    """name -> (J(θ) as a torch function, θ0, base learning rate ~ 1/L for the gradient-descent family)."""
    a, b = 1.0, 100.0
    lam1, lam2, phi, c = 1.0, 20.0, math.pi / 6, (1.0, -0.5)
    cs, sn = math.cos(phi), math.sin(phi)
    X, y = lstsq_data()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    L = float(np.linalg.eigvalsh(X.T @ X / len(y)).max())

    def rosenbrock(th):
        x, y_ = th[0], th[1]
        return (a - x) ** 2 + b * (y_ - x**2) ** 2

    def quadratic(th):
        r1, r2 = th[0] - c[0], th[1] - c[1]
        z1 = cs * r1 + sn * r2
        z2 = -sn * r1 + cs * r2
        return 0.5 * (lam1 * z1**2 + lam2 * z2**2)

    def lstsq(th):
        res = Xt @ th - yt
        return 0.5 * torch.mean(res**2)

    return {
        "rosenbrock": (rosenbrock, [-1.2, 1.0], 5e-4),
        "quadratic": (quadratic, [-2.0, 1.5], 1.0 / lam2),
        "lstsq": (lstsq, [0.5, -0.5, 0.25], 1.0 / L),
    }


# ----------------------------------------------------------------------------- optimizer settings
# "lr_mult" (gradient-descent family) multiplies the objective's base learning rate; adaptive methods
# take an absolute lr, since their steps are measured in parameter units.
SETTINGS = {
    "SGD": [dict(lr_mult=1.0), dict(lr_mult=0.3)],
    "SGD_momentum": [dict(lr_mult=0.5, momentum=0.9), dict(lr_mult=0.2, momentum=0.5)],
    "SGD_nesterov": [dict(lr_mult=0.5, momentum=0.9, nesterov=True), dict(lr_mult=0.2, momentum=0.7, nesterov=True)],
    "Adagrad": [dict(lr=0.1, eps=1e-10), dict(lr=0.5, eps=1e-6)],
    "RMSprop": [dict(lr=1e-2, alpha=0.99, eps=1e-8), dict(lr=3e-3, alpha=0.9, eps=1e-6)],
    "Adam": [dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8), dict(lr=5e-2, betas=(0.8, 0.99), eps=1e-6),
             dict(lr=1e-3, betas=(0.0, 0.999), eps=1e-8)],
    "AdamW": [dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2),
              dict(lr=5e-2, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)],
    "AMSGrad": [dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8), dict(lr=5e-2, betas=(0.8, 0.9), eps=1e-6)],
    # Gradient clipping (the thresholds act in the first steps on Rosenbrock and the quadratic, later not). torch's
    # norm accumulates with fused multiply-adds, so it may differ from numpy's in the last bit: the settings are
    # ones whose runs do not amplify such a difference (Adam at lr=5e-2 on Rosenbrock grew it to 5e-12).
    "SGD_clip_norm": [dict(lr_mult=1.0, clip_norm=10.0), dict(lr_mult=0.5, clip_norm=1.0)],
    "SGD_momentum_clip_value": [dict(lr_mult=0.5, momentum=0.9, clip_value=5.0),
                                dict(lr_mult=0.2, momentum=0.5, clip_value=0.5)],
    "Adam_clip_norm": [dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, clip_norm=1.0),
                       dict(lr=2e-2, betas=(0.8, 0.99), eps=1e-6, clip_norm=20.0)],
}
CLIPS = ("clip_norm", "clip_value")


def torch_optimizer(torch, kind, param, setting, base_lr):
    """The torch optimizer of a case, its keyword arguments and its gradient clip ({} or e.g. {"clip_norm": 10.0})."""
    kw = dict(setting)
    clip = {k: kw.pop(k) for k in CLIPS if k in kw}
    if "lr_mult" in kw:
        kw["lr"] = kw.pop("lr_mult") * base_lr
    base = kind.split("_clip")[0]
    cls = {"SGD": torch.optim.SGD, "SGD_momentum": torch.optim.SGD, "SGD_nesterov": torch.optim.SGD,
           "Adagrad": torch.optim.Adagrad, "RMSprop": torch.optim.RMSprop, "Adam": torch.optim.Adam,
           "AdamW": torch.optim.AdamW, "AMSGrad": torch.optim.Adam}[base]
    # The single-tensor code path (the CPU default); amsgrad only for AMSGrad: the algorithms of docs/conventions.md.
    extra = {"foreach": False}
    if base in ("Adam", "AdamW", "AMSGrad"):
        extra["amsgrad"] = base == "AMSGrad"
    return cls([param], **kw, **extra), kw, clip


def trajectory(torch, fn, theta0, opt_factory):
    """θ_0 … θ_STEPS (torch's parameter) and the gradient backward() gave at each step (before any clip)."""
    param = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt, kw, clip = opt_factory(param)
    thetas, grads = [param.detach().clone().numpy()], []
    for _ in range(STEPS):
        opt.zero_grad()
        fn(param).backward()
        grads.append(param.grad.detach().clone().numpy())
        if "clip_norm" in clip:  # between backward() and step(), as a training loop does
            torch.nn.utils.clip_grad_norm_([param], clip["clip_norm"], foreach=False)
        if "clip_value" in clip:
            torch.nn.utils.clip_grad_value_([param], clip["clip_value"], foreach=False)
        opt.step()
        thetas.append(param.detach().clone().numpy())
    return np.array(thetas), np.array(grads), kw, clip


def reference_case(torch, kind, index, objective):
    """θ's, gradients and torch arguments of one case, e.g. ``("Adam", 0, "rosenbrock")``."""
    fn, theta0, base_lr = objectives(torch)[objective]
    setting = SETTINGS[kind][index]
    return trajectory(torch, fn, theta0, lambda p: torch_optimizer(torch, kind, p, setting, base_lr))


def main(argv=None) -> int:
    import torch

    check = "--check" in (sys.argv[1:] if argv is None else argv)
    torch.set_default_dtype(torch.float64)
    arrays, cases = {}, []
    X, y = lstsq_data()
    arrays["lstsq/X"], arrays["lstsq/y"] = X, y
    for obj_name, (fn, theta0, base_lr) in objectives(torch).items():
        for kind, settings in SETTINGS.items():
            for i in range(len(settings)):
                key = f"{kind}/{i}/{obj_name}"
                thetas, grads, kw, clip = reference_case(torch, kind, i, obj_name)
                if not (np.isfinite(thetas).all() and np.abs(thetas).max() < 1e3):
                    raise SystemExit(f"{key} diverged; pick gentler settings")
                arrays[key + "/theta"], arrays[key + "/grad"] = thetas, grads
                cases.append(dict(key=key, optimizer=kind, objective=obj_name, torch_kwargs=kw, theta0=theta0,
                                  **(dict(clip=clip) if clip else {})))
    meta = dict(torch_version=torch.__version__, steps=STEPS, dtype="float64",
                generated_by="tools/make_reference.py", cases=cases)
    if check:
        return compare(arrays, meta)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "reference_trajectories.npz", **arrays)
    (OUT / "reference_settings.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")
    return 0


def compare(arrays, meta) -> int:
    """Compare freshly generated data with the committed files; 0 if they agree to 1e-12 relative."""
    stored = np.load(OUT / "reference_trajectories.npz")
    stored_meta = json.loads((OUT / "reference_settings.json").read_text())
    problems = []
    if sorted(stored.files) != sorted(arrays):
        problems.append("the set of arrays differs")
    if json.loads(json.dumps(meta["cases"])) != stored_meta["cases"]:
        problems.append("the case settings differ")
    worst = 0.0
    for key in set(stored.files) & set(arrays):
        a, b = arrays[key], stored[key]
        worst = max(worst, float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)))
    if worst > 1e-12:
        problems.append(f"values differ by up to {worst:.2g} (relative)")
    print("; ".join(problems) if problems else
          f"committed data agrees with torch {meta['torch_version']} (max relative difference {worst:.2g})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
