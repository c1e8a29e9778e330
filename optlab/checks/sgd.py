"""Checks for lesson 02: the SGD step, one shuffled epoch of mini-batches, the SGD loop, iterate averaging."""
from __future__ import annotations

import numpy as np

from .. import data as _data
from .. import run as _run  # the runner function (optlab.run)
from .. import rules as _rules
from ..data import LeastSquares, make_linear_regression
from ..optimizers import SGD
from ._core import EXERCISES, _call, _fail, _kind, _not_written, _public, _quiet_call, _raised, _register
from ._rule import _iterates
from .gradient_descent import check_gd_step


@_public
def check_sgd_step(sgd_step):
    """Check lesson 02's ``sgd_step(theta, grad, lr)`` = θ − α ∇J(θ; B) (the same rule as gd_step)."""
    __tracebackhide__ = True
    check_gd_step.__wrapped__(sgd_step, _name="sgd_step")


# --------------------------------------------------------------------------- mini-batches
@_public
def check_minibatches(minibatches):
    """Check lesson 02's ``minibatches(n, batch_size, rng)``: one shuffled epoch of index arrays."""
    name = "minibatches"
    if not callable(minibatches):
        _fail(f"{name} should be a function, but it is a {type(minibatches).__name__}",
              f"Define it with `def {name}(n, batch_size, rng):` and run that cell.")

    def epoch(n, b, seed):
        __tracebackhide__ = True
        out = None
        try:
            out = _quiet_call(minibatches, (n, b, np.random.default_rng(seed)))
            batches = None if out is None else [np.asarray(x) for x in out]
        except NotImplementedError:
            raise _not_written(name) from None
        except TypeError as exc:
            if "not iterable" in str(exc):
                _fail(f"{name} returns a {type(out).__name__}, not batches to loop over",
                      "`yield` each batch of indices (or return a list of them).")
            raise _raised(name, exc, f"on ({n}, {b}, rng)") from None
        except Exception as exc:
            raise _raised(name, exc, f"on ({n}, {b}, rng)") from None
        if batches is None:
            _fail(f"{name} returns nothing to loop over", "`yield` each batch of indices (or return a list of them).")
        return batches

    for n, b in [(10, 3), (12, 4), (7, 7), (100, 32)]:
        batches = epoch(n, b, 0)
        call = f"{name}({n}, {b}, rng)"
        if not batches:
            _fail(f"{call} yields no batches", f"One epoch must cover all {n} examples.")
        for x in batches:
            if x.ndim != 1 or (x.size and x.dtype.kind not in "iu"):
                _fail(f"{name} yields {x.dtype} arrays of shape {x.shape}, not 1-D integer indices",
                      "Slice a permutation of the indices, e.g. order[start:start + batch_size].")
        sizes = [len(x) for x in batches]
        allidx = np.concatenate(batches)
        want = [b] * (n // b) + ([n % b] if n % b else [])
        counts = np.bincount(allidx[(allidx >= 0) & (allidx < n)], minlength=n)
        if np.any((allidx < 0) | (allidx >= n)):
            _fail(f"{call} yields indices outside 0…{n - 1}", "Index the n examples 0, …, n − 1.")
        if np.any(counts > 1):
            dup = int(np.flatnonzero(counts > 1)[0])
            _fail(f"{call} visits example {dup} more than once",
                  "In one epoch every example is used exactly once: shuffle a permutation (rng.permutation(n)) "
                  "and slice it, rather than sampling with replacement.")
        if np.any(counts == 0):
            missing = np.flatnonzero(counts == 0)
            if sizes == want[:-1] and n % b:
                _fail(f"{name} drops the last, smaller batch",
                      f"With n = {n} and batch_size = {b} the batch sizes should be {want}, so no example is "
                      "left out.")
            _fail(f"{call} never visits example {int(missing[0])}",
                  f"One epoch must use every index 0…{n - 1} exactly once.")
        if sizes != want:
            _fail(f"{call} yields batches of sizes {sizes}; expected {want}",
                  "Full batches of batch_size, then one smaller batch with the rest.")
    a, b_, c = (np.concatenate(epoch(100, 32, s)) for s in (0, 0, 1))
    if np.array_equal(a, np.arange(100)):
        _fail(f"{name} keeps the examples in order 0, 1, 2, …",
              "Shuffle them each epoch with the rng you are given, e.g. order = rng.permutation(n).")
    if not np.array_equal(a, b_):
        _fail(f"{name} gives different orders for the same seed",
              "Draw the shuffle from the rng you are given (rng.permutation(n)), not from np.random or a new "
              "generator.")
    if np.array_equal(a, c):
        _fail(f"{name} gives the same order for different seeds",
              "Use the rng argument (rng.permutation(n)) instead of a fixed seed.")
    print(f"✓ {name} is correct — every example once per epoch, batches of batch_size with a smaller "
          "last one, shuffled by the rng.")


# --------------------------------------------------------------------------- the SGD loop
def reference_train_sgd(loss, theta0, lr, batch_size, epochs, rng, schedule=None):
    """optlab's answer to lesson 02's ``train_sgd``: θ0 and the θ after every mini-batch step, stacked."""
    theta = np.asarray(theta0, dtype=float)
    thetas, t = [theta], 0
    for _ in range(epochs):
        for batch in _data.minibatches(loss.n, batch_size, rng):
            t += 1
            lr_t = lr if schedule is None else lr * schedule(t)
            theta = _rules.sgd_step(theta, loss.grad(theta, batch), lr_t)
            thetas.append(theta)
    return np.stack(thetas)


@_public
def check_train_sgd(train_sgd):
    """Check lesson 02's ``train_sgd(loss, theta0, lr, batch_size, epochs, rng, schedule=None)``.

    Runs with optlab's ``minibatches`` and ``sgd_step``: full batch equals GD; with one example per step
    each example is used once per epoch, in a fresh order each epoch; the schedule's t counts from 1.
    """
    name, returns = "train_sgd", "np.stack(thetas)"
    Xc, yc, _ = make_linear_regression(n=12, d=2, noise=0.3, seed=3)
    loss = LeastSquares(Xc, yc)
    start = np.array([1.0, -1.0])
    keep = start.copy()

    out = _call(name, train_sgd, (loss, start, 0.1, 12, 3, np.random.default_rng(0)), returns=returns)
    if not np.array_equal(start, keep):
        _fail(f"{name} changes theta0 in place",
              f"θ0 should stay {keep}, now it is {np.round(start, 6)} — work on a copy, "
              "e.g. theta = np.array(theta0, dtype=float).")
    want = reference_train_sgd(loss, keep, 0.1, 12, 3, np.random.default_rng(0))
    got = _iterates(name, out, want, "(batch_size = n = 12, 3 epochs: 3 steps)", returns)
    if not np.allclose(got, want, rtol=1e-10, atol=1e-12):
        if np.allclose(got[1], keep + 0.1 * loss.grad(keep)):
            _fail(f"{name}: θ moves uphill", "Step against the mini-batch gradient: θ ← θ − α∇J(θ; B).")
        _fail(f"{name} with one batch of all examples is not gradient descent",
              f"Full-batch SGD must equal θ ← θ − α∇J(θ), which ends at θ3 = {np.round(want[-1], 6)}, but "
              f"{name} ends at {np.round(got[-1], 6)} — take the gradient at the current θ on each batch of "
              "minibatches(loss.n, batch_size, rng).")

    out = _call(name, train_sgd, (loss, keep.copy(), 0.05, 5, 2, np.random.default_rng(0)), returns=returns)
    if np.shape(out) != (7, 2):
        _fail(f"{name} takes {len(out) - 1 if np.ndim(out) == 2 else '?'} steps, expected 6",
              "With n = 12 and batch_size = 5 an epoch has 3 steps (batches of 5, 5 and 2), so 2 epochs give "
              f"7 rows; got shape {np.shape(out)} — step once per batch, including the smaller last one.")

    got = np.asarray(_call(name, train_sgd, (loss, keep.copy(), 0.05, 1, 2, np.random.default_rng(0)),
                           returns=returns))
    if got.shape != (25, 2):
        _fail(f"{name} with batch_size = 1 returns shape {got.shape}, expected (25, 2)",
              "2 epochs of 12 examples are 24 steps: θ0 and one θ per step.")
    used = []
    for k in range(24):
        grads = loss.grad(got[k], np.arange(12)[:, None])           # every example's gradient at θ_k
        step = (got[k] - got[k + 1]) / 0.05
        i = int(np.argmin(np.linalg.norm(grads - step, axis=1)))
        if not np.allclose(grads[i], step, rtol=1e-8, atol=1e-10):
            _fail(f"{name}'s step {k + 1} is not one example's gradient step",
                  f"It moved θ by {np.round(got[k + 1] - got[k], 6)}, which is not −α∇ℓ_i(θ) (α = 0.05) for any "
                  "single example i — with batch_size = 1 each step uses one example's gradient at the current θ.")
        used.append(i)
    for e in range(2):
        if sorted(used[12 * e:12 * e + 12]) != list(range(12)):
            _fail(f"{name} does not use every example once in epoch {e + 1}",
                  "Loop over minibatches(loss.n, batch_size, rng) once per epoch.")
    if used[:12] == used[12:]:
        _fail(f"{name} visits the examples in the same order every epoch",
              "Each epoch should draw a new shuffle from rng: call minibatches(loss.n, batch_size, rng) anew "
              "every epoch, with the rng you are given (not a new generator).")

    halve = lambda t: 0.5 ** t                                      # α_t = α / 2ᵗ, t = 1, 2, 3  # noqa: E731
    out = _call(name, train_sgd, (loss, keep.copy(), 0.4, 12, 3, np.random.default_rng(0)), {"schedule": halve},
                returns=returns)
    expect = reference_train_sgd(loss, keep, 0.4, 12, 3, np.random.default_rng(0), schedule=halve)
    if np.shape(out) != (4, 2) or not np.allclose(out, expect, rtol=1e-10):
        if np.shape(out) == (4, 2):
            from_zero = reference_train_sgd(loss, keep, 0.4, 12, 3, np.random.default_rng(0),
                                            schedule=lambda t: halve(t - 1))
            if np.allclose(out, from_zero, rtol=1e-10):
                _fail(f"{name} counts the schedule's t from 0",
                      "The first step is t = 1: increase t before computing α·schedule(t).")
            if np.allclose(out, reference_train_sgd(loss, keep, 0.4, 12, 3, np.random.default_rng(0)), rtol=1e-10):
                _fail(f"{name} ignores the schedule",
                      "Step t uses the learning rate α·schedule(t) when a schedule is given.")
        _fail(f"{name} applies the schedule wrongly",
              f"With α_t = α/2ᵗ the run should end at θ3 = {np.round(expect[-1], 6)}, but it returned "
              f"{np.round(np.asarray(out)[-1], 6) if np.ndim(out) == 2 else out} — step t = 1, 2, … uses α·schedule(t), "
              "with t counted from 1 over the whole run (not per epoch).")
    print("✓ train_sgd is correct — full batch is GD, every example once per epoch, fresh shuffles, schedule t from 1.")


# --------------------------------------------------------------------------- iterate averaging
def reference_averaged_iterate(thetas, burn_in):
    """optlab's answer to lesson 02's ``averaged_iterate``: the mean of θ_k for k ≥ burn_in (axis 0)."""
    return np.mean(np.asarray(thetas, dtype=float)[burn_in:], axis=0)


def named_averaging_mistakes():
    """(verdict, detail) of the averaging mistakes check_averaged_iterate names."""
    return [("it leaves out thetas[burn_in]", "Include thetas[burn_in] and every later row: thetas[burn_in:]."),
            ("it averages the burn-in instead of the iterates after it",
             "Keep the rows from burn_in on: thetas[burn_in:], not thetas[:burn_in]."),
            ("it averages every iterate, ignoring burn_in", "Slice off the burn-in first: thetas[burn_in:]."),
            ("it returns the last iterate, not the average", "Average thetas[burn_in:] along axis 0."),
            ("it divides by one row too few",
             "Use np.mean over thetas[burn_in:], which divides by the number of rows averaged.")]


# what each of those mistakes gives on the toy trajectory θ_k = (2k, 2k + 1), k = 0 … 5, burn_in = 2
_TOY_WRONG = [(8.0, 9.0), (1.0, 2.0), (5.0, 6.0), (10.0, 11.0), (28 / 3, 32 / 3)]


@_public
def check_averaged_iterate(averaged_iterate):
    """Check lesson 02's ``averaged_iterate(thetas, burn_in)`` on a made-up trajectory and on 50 SGD runs."""
    name = "averaged_iterate"
    toy = np.arange(12, dtype=float).reshape(6, 2)                  # θ_k = (2k, 2k + 1)
    out = _call(name, averaged_iterate, (toy.copy(), 2), returns="theta_bar")
    if _kind(out) != "array":
        _fail(f"{name} returns a {_kind(out)}, not a numpy array",
              "Average with numpy along the step axis: np.mean(thetas[burn_in:], axis=0).")
    got = np.asarray(out)
    if got.shape != (2,):
        _fail(f"{name} averages over the wrong axis (shape {got.shape}, expected (2,))",
              "For thetas of shape (6, 2) the average has shape (2,): average over the step axis, axis 0.")
    if not np.allclose(got, [7.0, 8.0]):
        for (verdict, detail), value in zip(named_averaging_mistakes(), _TOY_WRONG):
            if np.allclose(got, value):
                _fail(f"{name}: {verdict}", detail)
        _fail(f"{name} computes the wrong average",
              f"The mean of θ_2 … θ_5 of θ_k = (2k, 2k + 1) is (7, 8), got {np.round(got, 6)} — include "
              "thetas[burn_in] and every later row.")
    X, y, _ = make_linear_regression(n=200, d=2, noise=0.5, seed=0)
    J = LeastSquares(X, y)
    tr = _run(SGD(lr=0.1), J, np.broadcast_to(J.solution, (50, 2)), steps=600, batch_size=1, seed=3)
    avg = np.asarray(_call(name, averaged_iterate, (tr.thetas.copy(), 100), returns="theta_bar"))
    if avg.shape != (50, 2):
        _fail(f"{name} mixes the runs (shape {avg.shape}, expected (50, 2))",
              "For thetas of shape (601, 50, 2) average over axis 0 only, so each run keeps its own mean.")
    want = tr.thetas[100:].mean(axis=0)
    r = int(np.argmax(~np.all(np.isclose(avg, want), axis=-1)))   # the first run that is wrong, if any
    if not np.allclose(avg, want):
        _fail(f"{name} is wrong for a batch of runs",
              f"The average of θ_100 … θ_600 of run {r} is {np.round(want[r], 6)}, got {np.round(avg[r], 6)} — "
              "average each run separately, over axis 0.")
    last_gap = np.mean(J.value(tr.thetas[-1]) - J.f_min)
    avg_gap = np.mean(J.value(avg) - J.f_min)
    print(f"✓ averaged_iterate is correct — on 50 SGD runs, E[J − J*]: last iterate {last_gap:.1e}, "
          f"averaged {avg_gap:.1e}.")


_register("minibatches", "02", check_minibatches, _data.minibatches,
          ["more than once", "drops the last, smaller batch", "keeps the examples in order", "not 1-D integer indices",
           "different orders for the same seed", "the same order for different seeds", "yields batches of sizes",
           "nothing to loop over"])
_register("sgd_step", "02", check_sgd_step, _rules.sgd_step, EXERCISES["gd_step"].mistakes)
_register("train_sgd", "02", check_train_sgd, reference_train_sgd,
          ["θ moves uphill", "leaves out θ0", "returns only the last θ", "counts the schedule's t from 0",
           "ignores the schedule", "applies the schedule wrongly", "in the same order every epoch",
           "is not one example's gradient step", "steps, expected 6"])
_register("averaged_iterate", "02", check_averaged_iterate, reference_averaged_iterate,
          [verdict for verdict, _ in named_averaging_mistakes()] + ["averages over the wrong axis", "mixes the runs"])
