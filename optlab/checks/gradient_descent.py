"""Checks for lessons 00–02: the warm-up gradient, gradient descent, SGD and its mini-batches."""
from __future__ import annotations

import numpy as np

from .. import rules as _rules
from .. import specs
from ._core import _Case, _check_rule, _fail, _not_written, _public, _quiet_call, _rng


def quadratic_grad(theta, A):
    """∇J(θ) = Aθ for J(θ) = ½ θᵀAθ with a symmetric A; θ of shape (..., d) (lesson 00)."""
    return np.asarray(theta, dtype=float) @ np.asarray(A, dtype=float).T


# --------------------------------------------------------------------------- lesson 00: warm-up
_A2 = np.array([[3.0, 1.0], [1.0, 2.0]])
_A3 = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 4.0]])


def _quadratic_cases():
    r = _rng()
    return [_Case("θ = (1, −2) with A = [[3, 1], [1, 2]]", (np.array([1.0, -2.0]), _A2)),
            _Case("a 3-D θ with a 3×3 A", (r.normal(size=3), _A3)),
            _Case("a batch of θ's of shape (5, 2), one point per row", (r.normal(size=(5, 2)), _A2), True),
            _Case("a batch of θ's of shape (2, 3, 2)", (r.normal(size=(2, 3, 2)), _A2), True)]


_QUADRATIC_VARIANTS = [
    ("the sign is flipped — the gradient Aθ points uphill; the minus sign belongs in the update "
     "step, not in ∇J.", lambda th, A: -(th @ A.T)),
    ("returns ½Aθ — differentiating ½ θᵀAθ cancels the ½ (the derivative of θᵀAθ is 2Aθ), so "
     "∇J(θ) = Aθ.", lambda th, A: 0.5 * (th @ A.T)),
    ("returns 2Aθ — the ½ in J(θ) = ½ θᵀAθ cancels the 2, so ∇J(θ) = Aθ.", lambda th, A: 2 * (th @ A.T)),
    ("returns θ itself — multiply by the matrix: ∇J(θ) = Aθ.", lambda th, A: th),
    ("uses only the diagonal of A (an elementwise product) — use the matrix product Aθ "
     "(theta @ A.T).", lambda th, A: th * np.diag(A)),
]


@_public
def check_quadratic_grad(quadratic_grad):
    """Check lesson 00's warm-up ``quadratic_grad(theta, A)`` = Aθ (∇ of ½ θᵀAθ), batched over rows."""
    _check_rule("quadratic_grad", quadratic_grad, globals()["quadratic_grad"], _quadratic_cases(),
                ("gradient",), _QUADRATIC_VARIANTS, ("theta", "A"),
                hint_batched="θ holds one point per row, so compute theta @ A.T, which works for any "
                             "leading axes (A @ theta only works for a single θ).",
                value_shape_msg="returns one number per point — that looks like the value J(θ); return the "
                                "gradient vector Aθ, which has the same shape as θ.",
                success="✓ quadratic_grad is correct — ∇J(θ) = Aθ for single points and for batches.")


# --------------------------------------------------------------------------- lessons 01–02: GD, SGD
def _gd_cases():
    r = _rng()
    return [_Case("θ = (1, 2, 3) with α = 0.1", (np.array([1.0, 2.0, 3.0]), np.array([2.0, -1.0, 0.5]), 0.1)),
            _Case("a 2-D θ with α = 0.5", (r.normal(size=2), r.normal(size=2), 0.5)),
            _Case("a batch of θ's of shape (4, 3)", (r.normal(size=(4, 3)), r.normal(size=(4, 3)), 0.05), True),
            _Case("a batch of θ's of shape (2, 3, 2)", (r.normal(size=(2, 3, 2)), r.normal(size=(2, 3, 2)), 0.2),
                  True)]


_GD_VARIANTS = [
    ("θ moves uphill — a sign error: step against the gradient, θ ← θ − α g.", lambda th, g, lr: th + lr * g),
    ("the learning rate α is missing — the step is α g, so θ ← θ − α g.", lambda th, g, lr: th - g),
    ("it returns the step instead of the new θ — return θ − α g.", lambda th, g, lr: -lr * g),
    ("it returns the step instead of the new θ — return θ − α g.", lambda th, g, lr: lr * g),
    ("it divides by α instead of multiplying — θ ← θ − α g.", lambda th, g, lr: th - g / lr),
    ("θ comes back unchanged — subtract α g from it: θ ← θ − α g.", lambda th, g, lr: th),
]


@_public
def check_gd_step(gd_step, _name="gd_step"):
    """Check lesson 01's ``gd_step(theta, grad, lr)`` = θ − α g."""
    _check_rule(_name, gd_step, _rules.gd_step, _gd_cases(), ("θ",), _GD_VARIANTS, specs.GD.rule_arguments)


@_public
def check_sgd_step(sgd_step):
    """Check lesson 02's ``sgd_step(theta, grad, lr)`` = θ − α ∇J(θ; B) (the same rule as gd_step)."""
    check_gd_step(sgd_step, _name="sgd_step")


@_public
def check_minibatches(minibatches):
    """Check lesson 02's ``minibatches(n, batch_size, rng)``: one shuffled epoch of index arrays."""
    name = "minibatches"
    if not callable(minibatches):
        _fail(f"{name} should be a function — define it with `def {name}(n, batch_size, rng):`.")

    def epoch(n, b, seed):
        try:
            batches = [np.asarray(x) for x in _quiet_call(minibatches, (n, b, np.random.default_rng(seed)))]
        except NotImplementedError:
            _fail(_not_written(name))
        except TypeError as exc:
            if "not iterable" in str(exc) or "NoneType" in str(exc):
                _fail(f"{name} returned nothing to loop over — `yield` each batch of indices "
                      "(or return a list of them).")
            _fail(f"{name}({n}, {b}, rng) raised TypeError: {exc} — fix it and run the cell again.")
        except Exception as exc:
            _fail(f"{name}({n}, {b}, rng) raised {type(exc).__name__}: {exc} — fix it and run the cell again.")
        return batches

    for n, b in [(10, 3), (12, 4), (7, 7), (100, 32)]:
        batches = epoch(n, b, 0)
        if not batches:
            _fail(f"{name}({n}, {b}, rng) yields no batches — one epoch must cover all {n} examples.")
        for x in batches:
            if x.ndim != 1 or (x.size and x.dtype.kind not in "iu"):
                _fail(f"{name} should yield 1-D arrays of integer indices, but one batch is "
                      f"{x.dtype} with shape {x.shape} — slice a permutation, e.g. order[start:start + batch_size].")
        sizes = [len(x) for x in batches]
        allidx = np.concatenate(batches)
        want = [b] * (n // b) + ([n % b] if n % b else [])
        counts = np.bincount(allidx[(allidx >= 0) & (allidx < n)], minlength=n)
        if np.any((allidx < 0) | (allidx >= n)):
            _fail(f"{name}({n}, {b}, rng) yields indices outside 0…{n - 1} — index the n examples 0, …, n − 1.")
        if np.any(counts > 1):
            dup = int(np.flatnonzero(counts > 1)[0])
            _fail(f"{name}({n}, {b}, rng) visits example {dup} more than once — in one epoch every example "
                  "is used exactly once: shuffle a permutation (rng.permutation(n)) and slice it, rather than "
                  "sampling with replacement.")
        if np.any(counts == 0):
            missing = np.flatnonzero(counts == 0)
            if sizes == want[:-1] and n % b:
                _fail(f"{name}({n}, {b}, rng) drops the last, smaller batch — with n = {n} and batch_size = "
                      f"{b} the batch sizes should be {want}, so no example is left out.")
            _fail(f"{name}({n}, {b}, rng) never visits example {int(missing[0])} — one epoch must use every "
                  f"index 0…{n - 1} exactly once.")
        if sizes != want:
            _fail(f"{name}({n}, {b}, rng) yields batches of sizes {sizes}; expected {want} (full batches of "
                  "batch_size, then one smaller batch with the rest).")
    a, b_, c = (np.concatenate(epoch(100, 32, s)) for s in (0, 0, 1))
    if np.array_equal(a, np.arange(100)):
        _fail(f"{name} keeps the examples in order 0, 1, 2, … — shuffle them each epoch with the rng, "
              "e.g. order = rng.permutation(n).")
    if not np.array_equal(a, b_):
        _fail(f"{name} gives different orders for the same seed — draw the shuffle from the rng you are "
              "given (rng.permutation(n)), not from np.random or a new generator.")
    if np.array_equal(a, c):
        _fail(f"{name} gives the same order for different seeds — use the rng argument "
              "(rng.permutation(n)) instead of a fixed seed.")
    print(f"✓ {name} is correct — every example once per epoch, batches of batch_size with a smaller "
          "last one, shuffled by the rng.")


