"""Exercise checks: run a student's function against optlab's reference and name the mistake.

Each ``check_*`` runs the function on a handful of cases built to tell the usual mistakes apart
(sign errors, a missing bias correction, ε inside the square root, g instead of g², t counted from
0, θ moved with the old velocity, mutated inputs, batched shapes, lists instead of arrays, a missing
``return``, outputs in the wrong order, an unwritten stub). A right answer prints one line starting
with ✓; a wrong one raises ``AssertionError`` (so nbgrader scores the check 0) whose first line is the
verdict — at most 90 characters, starting with the function's name, e.g. ``gd_step: θ moves uphill —
a sign error`` — followed by the details (the rule, the expected value, the fix). In JupyterLab the
traceback shows only the check call and that message. The diagnosis compares the student's outputs
with those of a catalogue of known-wrong variants.

**One mistake costs one check.** A check runs the student's function with every *other* exercise it
calls by name taken from optlab (``gradient_descent`` is checked with optlab's ``gd_step``, whatever
the notebook's is), and after each exercise the lesson goes on with a function known to be right::

    gd_step = reference_or("gd_step")

keeps the student's ``gd_step`` if it passes ``check_gd_step`` and otherwise returns optlab's, printing
one line that says which and why ("your gd_step did not pass its check (θ moves uphill — a sign error);
the rest of this lesson uses optlab's gd_step"). It also copes with a function that is not defined
because its cell failed. ``whose(fn)`` names the function a comparison line compares ("your gd_step",
or "optlab's gd_step (in place of yours: the reference against itself)"). A check handed optlab's own
function — a student running the check cell again after the fallback, without running their exercise cell —
fails with "gd_step is optlab's now, not yours — run your own cell again" rather than passing optlab's code.

Exercise signatures the checks expect (lesson authors: keep these; hyperparameters are passed
positionally in this order, so the names may differ but the order may not):

=====  ==========================================================================  ============================
lesson exercise                                                                      check
=====  ==========================================================================  ============================
00     ``quadratic_grad(theta, A) -> grad``  ∇J for J(θ) = ½ θᵀAθ (A symmetric) is   check_quadratic_grad
       Aθ; θ has shape (..., d), one point per row (``theta @ A.T``)
01     ``gd_step(theta, grad, lr) -> theta``                                         check_gd_step
01     ``gradient_descent(objective, theta0, lr, steps)`` -> θ0 … θ_steps stacked    check_gradient_descent
01     ``optimal_lr(A) -> (alpha_star, rate)``                                       check_optimal_lr
02     ``sgd_step(theta, grad, lr) -> theta`` (same rule, mini-batch gradient)       check_sgd_step
02     ``minibatches(n, batch_size, rng)`` yields index arrays for one shuffled      check_minibatches
       epoch: every index once, batches of ``batch_size``, the last one smaller,
       the order drawn from ``rng`` (e.g. ``rng.permutation(n)``)
02     ``train_sgd(loss, theta0, lr, batch_size, epochs, rng, schedule=None)``       check_train_sgd
02     ``averaged_iterate(thetas, burn_in)`` -> mean of θ_k, k ≥ burn_in (axis 0)    check_averaged_iterate
03     ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``       check_momentum_step
03     ``nesterov_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``,      check_nesterov_step
       ``grad`` taken at the look-ahead point θ + βv
03     ``optimal_momentum(lam_min, lam_max) -> (lr, beta)``                          check_optimal_momentum
04     ``adagrad_step(theta, grad, s, lr, eps) -> (theta, s)``                       check_adagrad_step
04     ``rmsprop_step(theta, grad, v, lr, beta2, eps, *, t=None) -> (theta, v)``;   check_rmsprop_step
       the keyword ``t`` is required: when given, v̂ = v/(1 − β2ᵗ) is used in the step
04     ``sign_descent_step(theta, grad, lr) -> theta``: θ − α·sign(g)                check_sign_descent_step
05     ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps,                      check_adam_step
       bias_correction=True) -> (theta, m, v)`` (both settings of the flag checked)
05     ``uncorrected_step_ratio(t, beta1, beta2)`` = (1 − β1ᵗ)/√(1 − β2ᵗ)           check_uncorrected_step_ratio
05     ``amsgrad_step(theta, grad, m, v, v_max, t, lr, beta1, beta2, eps)            check_amsgrad_step
       -> (theta, m, v, v_max)``: torch's AMSGrad, v_max ← max(v_max, v) of the
       uncorrected v, divided by 1 − β2ᵗ in the step
06     ``adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay,       check_adamw_step
       bias_correction=True) -> (theta, m, v)``
06     ``cosine_lr(t, total_steps, lr_max, lr_min=0.0) -> lr``:                      check_cosine_schedule
       lr_min + (lr_max − lr_min)(1 + cos(π·min(t − 1, T)/T))/2, T = total_steps
06     ``warmup_lr(t, warmup_steps, lr_max) -> lr``: lr_max·min(t/W, 1)               check_warmup_schedule
06     ``warmup_cosine_lr(t, warmup_steps, total_steps, lr_max, lr_min=0.0)``:       check_warmup_cosine_schedule
       warm-up for t ≤ W, then ``cosine_lr(t − W, total_steps − W, …)``
07     ``mlp_grad(W1, b1, W2, b2, X, y) -> (J, (dW1, db1, dW2, db2))``: mean         check_mlp_grad
       cross-entropy of a one-hidden-layer tanh network and its gradients
07     ``gd_lr() -> alpha``: GD reaches 100 % training accuracy in 1000 steps        check_gd_lr(gd_lr, loss,
                                                                                     theta0, lrs)
=====  ==========================================================================  ============================

``t`` counts steps from 1 everywhere; the schedule functions must accept an int or an integer
array of t's (use ``np.minimum``/``np.cos``). ``check_schedule(fn)`` picks the schedule check from
the function's name. ``EXERCISES`` maps each exercise's name to its lesson, check and reference.

A lesson may still write a check of its own in a notebook cell; it should call the student's function
through ``call_student(fn, *args, **kwargs)``, which fails like the built-in checks do (an unwritten stub:
"… is not written yet"; an exception or a missing ``return``: a sentence naming it) and runs ``fn`` with
optlab's version of every other exercise. Register its fallback with ``reference_or("name",
reference=…, check=…)``.

The package: ``_core`` holds the registry of exercises, the verdict and its display, and the call of the
student's function; ``_rule`` the update-rule checks' comparison with a catalogue of wrong variants; ``gradient_descent``
(lessons 00–01), ``sgd`` (02), ``momentum`` (03), ``adaptive`` (04), ``adam`` (05), ``beyond`` (06) and
``capstone`` (07) hold each lesson's cases and catalogue of mistakes; ``_fallback`` holds ``reference_or``
and ``whose``; ``_ipython`` the NameError message for a function whose cell failed (installed on import,
in IPython only).
"""
from . import _ipython
from ._core import EXERCISES, call_student
from ._fallback import reference_or, whose
from .adam import check_adam_step, check_amsgrad_step, check_uncorrected_step_ratio
from .adaptive import check_adagrad_step, check_rmsprop_step, check_sign_descent_step
from .beyond import (check_adamw_step, check_cosine_schedule, check_schedule, check_warmup_cosine_schedule,
                     check_warmup_schedule, cosine_lr, warmup_cosine_lr, warmup_lr)
from .capstone import check_gd_lr, check_mlp_grad
from .gradient_descent import (check_gd_step, check_gradient_descent, check_optimal_lr, check_quadratic_grad,
                               quadratic_grad)
from .momentum import check_momentum_step, check_nesterov_step, check_optimal_momentum
from .sgd import check_averaged_iterate, check_minibatches, check_sgd_step, check_train_sgd

_ipython.install()

__all__ = [
    "check_quadratic_grad", "check_gd_step", "check_gradient_descent", "check_optimal_lr",
    "check_sgd_step", "check_minibatches", "check_train_sgd", "check_averaged_iterate",
    "check_momentum_step", "check_nesterov_step", "check_optimal_momentum",
    "check_adagrad_step", "check_rmsprop_step", "check_sign_descent_step",
    "check_adam_step", "check_uncorrected_step_ratio", "check_amsgrad_step",
    "check_adamw_step", "check_cosine_schedule", "check_warmup_schedule", "check_warmup_cosine_schedule",
    "check_schedule", "check_mlp_grad", "check_gd_lr",
    "reference_or", "whose", "call_student", "EXERCISES",
    "quadratic_grad", "cosine_lr", "warmup_lr", "warmup_cosine_lr",
]
