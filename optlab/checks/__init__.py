"""Exercise checks: run a student's function against optlab's reference and name the mistake.

Each ``check_*`` runs the function on a handful of cases built to tell the usual mistakes apart
(sign errors, a missing bias correction, ε inside the square root, g instead of g², t counted from
0, θ moved with the old velocity, mutated inputs, batched shapes, outputs in the wrong order, an
unwritten stub). A right answer prints one short line; a wrong one raises ``AssertionError`` with
one friendly sentence saying what is wrong and what was expected (so nbgrader scores the check 0).
The diagnosis compares the student's outputs with those of a catalogue of known-wrong variants.

Exercise signatures the checks expect (lesson authors: keep these; hyperparameters are passed
positionally in this order, so the names may differ but the order may not):

=====  ==========================================================================  =====================
lesson exercise                                                                      check
=====  ==========================================================================  =====================
00     ``quadratic_grad(theta, A) -> grad``  ∇J for J(θ) = ½ θᵀAθ (A symmetric) is   check_quadratic_grad
       Aθ; θ has shape (..., d), one point per row (``theta @ A.T``)
01     ``gd_step(theta, grad, lr) -> theta``                                         check_gd_step
02     ``sgd_step(theta, grad, lr) -> theta`` (same rule, mini-batch gradient)       check_sgd_step
02     ``minibatches(n, batch_size, rng)`` yields index arrays for one shuffled      check_minibatches
       epoch: every index once, batches of ``batch_size``, the last one smaller,
       the order drawn from ``rng`` (e.g. ``rng.permutation(n)``)
03     ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``       check_momentum_step
03     ``nesterov_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``,      check_nesterov_step
       ``grad`` taken at the look-ahead point θ + βv
04     ``adagrad_step(theta, grad, s, lr, eps) -> (theta, s)``                       check_adagrad_step
04     ``rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None) -> (theta, v)``;   check_rmsprop_step
       the keyword ``t`` is required: when given, v̂ = v/(1 − β2ᵗ) is used in the step
05     ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps,                      check_adam_step
       bias_correction=True) -> (theta, m, v)`` (both settings of the flag checked)
06     ``adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay,       check_adamw_step
       bias_correction=True) -> (theta, m, v)``
06     ``cosine_lr(t, total_steps, lr_max, lr_min=0.0) -> lr``:                      check_cosine_schedule
       lr_min + (lr_max − lr_min)(1 + cos(π·min(t − 1, T)/T))/2, T = total_steps
06     ``warmup_lr(t, warmup_steps, lr_max) -> lr``: lr_max·min(t/W, 1)               check_warmup_schedule
06     ``warmup_cosine_lr(t, warmup_steps, total_steps, lr_max, lr_min=0.0)``:       check_warmup_cosine_schedule
       warm-up for t ≤ W, then ``cosine_lr(t − W, total_steps − W, …)``
07     ``mlp_grad(W1, b1, W2, b2, X, y) -> (J, (dW1, db1, dW2, db2))``: mean         check_mlp_grad
       cross-entropy of a one-hidden-layer tanh network and its gradients
=====  ==========================================================================  =====================

``t`` counts steps from 1 everywhere; the schedule functions must accept an int or an integer
array of t's (use ``np.minimum``/``np.cos``). ``check_schedule(fn)`` picks the schedule check from
the function's name.

After an exercise, later cells use ``gd_step = reference_or(gd_step)``: the student's function if
it is written, otherwise optlab's reference (with a note saying so), so a lesson runs top to bottom.

A lesson's own check (written in the notebook) calls the student's function through
``call_student(fn, *args, **kwargs)``: it returns ``fn(*args, **kwargs)``, but while ``fn`` is an
unwritten stub it raises the same friendly ``AssertionError`` as the built-in checks ("sign_descent_step
is not written yet — replace `raise NotImplementedError()` …") instead of a bare NotImplementedError::

    got = call_student(sign_descent_step, theta, grad, 0.1)

The package: ``_core`` runs the student's function and names the mistake; ``gradient_descent``
(lessons 00–02), ``momentum`` (03), ``adaptive`` (04–05), ``beyond`` (06) and ``capstone`` (07) hold
each lesson's cases and catalogue of mistakes; ``_fallback`` holds ``reference_or``.
A check that leaves out cases because the function lacks an argument the exercise asks for (rmsprop_step's
``t``, adam_step's and adamw_step's ``bias_correction``) first checks the rest, then names the missing argument.
"""
from .adaptive import check_adagrad_step, check_adam_step, check_rmsprop_step
from .beyond import (check_adamw_step, check_cosine_schedule, check_schedule, check_warmup_cosine_schedule,
                     check_warmup_schedule, cosine_lr, warmup_cosine_lr, warmup_lr)
from .capstone import check_mlp_grad
from ._core import call_student
from ._fallback import reference_or
from .gradient_descent import (check_gd_step, check_minibatches, check_quadratic_grad, check_sgd_step,
                               quadratic_grad)
from .momentum import check_momentum_step, check_nesterov_step

__all__ = [
    "check_quadratic_grad", "check_gd_step", "check_sgd_step", "check_minibatches",
    "check_momentum_step", "check_nesterov_step", "check_adagrad_step", "check_rmsprop_step",
    "check_adam_step", "check_adamw_step", "check_cosine_schedule", "check_warmup_schedule",
    "check_warmup_cosine_schedule", "check_schedule", "check_mlp_grad", "reference_or", "call_student",
    "quadratic_grad", "cosine_lr", "warmup_lr", "warmup_cosine_lr",
]
