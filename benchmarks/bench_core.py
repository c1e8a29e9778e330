"""Core benchmark: one batched call of ``optlab.run`` (the runner) as a whole hyperparameter sweep.

The sweep is 10 000 runs (100 learning rates α log-spaced in [1e-3, 1] × 100 values of β1 in [0, 0.99])
of 500 Adam steps on Rosenbrock from its default start, recording every θ, J(θ) and |∇J(θ)|; then the same
sweep keeping θ and |∇J(θ)| every 50th step (``record_every=50``, J still every step), with the memory of
each record. It is compared, in the same process, with

* a Python loop over single runs (``run`` once per (α, β1) pair), timed on 100 evenly spaced pairs and
  extrapolated to 10 000;
* torch.optim.Adam (when torch is importable) stepping the same kind of batch as one float64 tensor of
  shape (10 000, 2): torch takes one α and β1 per tensor, so this comparison uses shared hyperparameters
  and 10 000 different start points, for torch and for optlab alike, and records the same three arrays.
"""

from __future__ import annotations

import gc
import time

import numpy as np

from optlab.objectives import Rosenbrock
from optlab.optimizers import Adam
from optlab import run

STEPS = 500
SIDE = 100  # 100 × 100 = 10 000 runs
REPEATS = 3
EVERY = 50


def _timed(fn, clock=time.perf_counter):
    gc.collect()
    start = clock()
    out = fn()
    return clock() - start, out


def _best(fn, repeats=REPEATS, clock=time.perf_counter):
    best = float("inf")
    for _ in range(repeats):
        seconds, out = _timed(fn, clock)
        del out  # free the previous trajectory before the next call, as a notebook re-running a cell does
        best = min(best, seconds)
    return best


def _sweep_optimizer():
    lr = np.geomspace(1e-3, 1.0, SIDE)[:, None]
    beta1 = np.linspace(0.0, 0.99, SIDE)[None, :]
    return Adam(lr=lr, beta1=beta1), lr, beta1


def _starts(n):
    """n distinct start points around Rosenbrock's default start (a deterministic grid)."""
    offsets = np.random.default_rng(0).uniform(-0.2, 0.2, size=(n, 2))
    return Rosenbrock().start + offsets


def _torch_sweep(torch, theta0, lr, steps):
    """torch.optim.Adam on the batch, with Rosenbrock's exact gradient written in torch ops; same records."""
    theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([theta], lr=lr, betas=(0.9, 0.999), eps=1e-8)
    n = theta0.shape[0]
    thetas = torch.empty((steps + 1, n, 2), dtype=torch.float64)
    losses = torch.empty((steps + 1, n), dtype=torch.float64)
    norms = torch.empty((steps + 1, n), dtype=torch.float64)
    for k in range(steps + 1):
        with torch.no_grad():
            x, y = theta[:, 0], theta[:, 1]
            s = 1.0 - x
            r = y - x * x
            grad = torch.stack((-2.0 * s - 400.0 * x * r, 200.0 * r), dim=1)
            thetas[k] = theta
            losses[k] = s * s + 100.0 * r * r
            norms[k] = torch.linalg.vector_norm(grad, dim=1)
        if k == steps:
            break
        theta.grad = grad
        opt.step()
    return thetas.numpy()


def entries() -> list[dict]:
    J = Rosenbrock()
    opt, lr, beta1 = _sweep_optimizer()
    runs = SIDE * SIDE
    rows = []

    def megabytes(traj):
        return (traj.thetas.nbytes + traj.losses.nbytes + traj.grad_norms.nbytes) / 2 ** 20

    first, traj = _timed(lambda: run(opt, J, None, STEPS))
    diverged, full_mb = int(np.count_nonzero(traj.diverged)), megabytes(traj)
    del traj
    sweep = _best(lambda: run(opt, J, None, STEPS))
    cpu = _best(lambda: run(opt, J, None, STEPS), clock=time.process_time)
    rows.append(dict(name="sweep: 10 000 (α, β1) runs × 500 Adam steps, Rosenbrock", value=sweep, unit="s",
                     target="<= 0.3", note=f"wall clock, best of {REPEATS}; first call in this process {first:.2f} s "
                                           f"(a record of {full_mb:.0f} MB of new memory); {diverged} runs diverged"))
    rows.append(dict(name="the same sweep, CPU time of the process", value=cpu, unit="s", target="<= 0.3",
                     note="numpy is single-threaded here, so CPU time ≈ wall time on an idle machine "
                          "and it does not grow when other processes load the machine"))
    rows.append(dict(name="sweep cost per run-step", value=sweep / (runs * STEPS) * 1e9, unit="ns", target=None,
                     note="θ, J, |∇J| recorded at every step"))
    thin_first, traj = _timed(lambda: run(opt, J, None, STEPS, record_every=EVERY))
    thin_mb = megabytes(traj)
    del traj
    thin = _best(lambda: run(opt, J, None, STEPS, record_every=EVERY))
    rows.append(dict(name=f"the same sweep with record_every={EVERY}", value=thin, unit="s", target="<= 0.3",
                     note=f"wall clock, best of {REPEATS}; first call {thin_first:.2f} s; a record of {thin_mb:.0f} MB "
                          f"(θ and |∇J| every {EVERY}th step, J every step)"))

    # Python loop over single runs, on a subset of the pairs, extrapolated.
    pairs = [(i // SIDE, i % SIDE) for i in range(0, runs, runs // 100)]
    start = time.perf_counter()
    for i, j in pairs:
        run(Adam(lr=float(lr[i, 0]), beta1=float(beta1[0, j])), J, None, STEPS)
    loop = (time.perf_counter() - start) / len(pairs) * runs
    rows.append(dict(name="loop of single runs (extrapolated from 100)", value=loop, unit="s", target=None,
                     note="run() once per (α, β1) pair"))
    rows.append(dict(name="batched sweep vs loop of single runs", value=loop / sweep, unit="×", target=">= 100",
                     note="same process, same machine"))

    try:
        import torch
    except ImportError:
        rows.append(dict(name="torch.optim.Adam on the same batch", value="—", unit="", target=None,
                         note="torch not installed (a dev-only comparison: pip install torch==2.13.0)"))
        return rows

    theta0 = _starts(runs)
    threads = torch.get_num_threads()
    # Interleave the repeats so that a change in the machine's load hits both sides alike.
    ours = theirs = ours_cpu = theirs_one_cpu = float("inf")
    for _ in range(REPEATS):
        ours = min(ours, _timed(lambda: run(Adam(lr=0.01), J, theta0, STEPS))[0])
        theirs = min(theirs, _timed(lambda: _torch_sweep(torch, theta0, 0.01, STEPS))[0])
        ours_cpu = min(ours_cpu, _timed(lambda: run(Adam(lr=0.01), J, theta0, STEPS), time.process_time)[0])
        torch.set_num_threads(1)
        try:
            theirs_one_cpu = min(theirs_one_cpu, _timed(lambda: _torch_sweep(torch, theta0, 0.01, STEPS),
                                                        time.process_time)[0])
        finally:
            torch.set_num_threads(threads)
    mine = run(Adam(lr=0.01), J, theta0, STEPS).thetas
    gap = float(np.max(np.abs(_torch_sweep(torch, theta0, 0.01, STEPS) - mine)))
    rows.append(dict(name="optlab, 10 000 starts × 500 Adam steps (shared α, β1)", value=ours, unit="s",
                     target=None, note=f"best of {REPEATS}, one thread (numpy)"))
    rows.append(dict(name=f"torch {torch.__version__} optim.Adam, same batch, one float64 tensor", value=theirs,
                     unit="s", target=None,
                     note=f"best of {REPEATS}, {threads} torch threads; max |Δθ| vs optlab = {gap:.1e}"))
    rows.append(dict(name="optlab vs torch.optim.Adam (torch time / optlab time)", value=theirs / ours, unit="×",
                     target="> 1", note=f"> 1 means optlab is faster; torch on {threads} threads"))
    rows.append(dict(name="optlab vs torch.optim.Adam, both on 1 thread, CPU time", value=theirs_one_cpu / ours_cpu,
                     unit="×", target="> 1",
                     note=f"CPU seconds, best of {REPEATS}: torch {theirs_one_cpu:.3f}, optlab {ours_cpu:.3f}"))
    return rows
