"""trajectory_panel, comparison_panel, sgd_panel and schedule_panel: paths and loss curves under sliders."""

from __future__ import annotations

from .. import schedules
from ..data import LeastSquares, make_linear_regression
from ..objectives import get_objective
from ._base import choice_control, clip_control, int_control, linear_control
from ._paths import PathsPanel

__all__ = ["trajectory_panel", "comparison_panel", "sgd_panel", "schedule_panel"]


def _noise_control(value=0.0):
    return linear_control("noise", "σ", value, 0.0, 5.0, 0.05)


def _batch_control(n, value):
    sizes = sorted({min(2 ** i, n) for i in range(n.bit_length() + 1)} | {n})
    return int_control("batch_size", "|B|", value, sizes)


def _clip_controls(clip_norm, clip_value):
    """The clipping sliders a panel asked for (each named after its option of optlab.run, which it sets)."""
    return [clip_control(name, value) for name, value in (("clip_norm", clip_norm), ("clip_value", clip_value))
            if value is not None]


def trajectory_panel(optimizer="gd", objective="quadratic", *, steps=None, theta0=None, objectives=None,
                     kappa_slider=False, kappa=None, noise=None, clip_norm=None, clip_value=None, rule=None,
                     **hyperparams):
    """A live picture of one optimizer's path and loss curve, with a slider for each hyperparameter.

    Sliders for exactly the optimizer's hyperparameters: the learning rate α (log scale), β (momentum),
    β1, β2 (a log slider on 1 − β2, read out as β2), ε (log scale), λ (AdamW) and a bias-correction
    toggle (Adam); the start point θ0; for SGD the gradient noise σ and, on a data loss, the batch size |B|;
    optionally an objective dropdown, κ for the quadratic and gradient noise σ for any optimizer. The readouts show the exact values in use. A run that diverges is drawn until it leaves the
    picture, with "diverged at step k".

    Args:
        optimizer: "gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam" or "adamw".
        objective: a name from :data:`optlab.objectives.OBJECTIVES` or an objective object.
        steps: steps per run: an int for every objective, or a dict objective name -> steps such as
            ``{"quadratic": 100, "rosenbrock": 3000}``; objectives left out (or all, with the default None) take
            their own default — 100 on a quadratic, 2000 on Rosenbrock, 1000 on Beale, 200 otherwise
            (:data:`optlab.widgets.course_defaults.STEPS`).
        theta0: start point (default: the objective's ``start``).
        objectives: names offered in a dropdown, e.g. ``["rosenbrock", "saddle", "beale"]``.
        kappa_slider: add a slider for the condition number κ (quadratic objectives).
        kappa: the condition number κ of the quadratic (where the κ slider starts); default the objective's own.
        noise: if given, add a slider for the std σ of Gaussian noise added to each gradient, starting here.
        clip_norm: if given, add a slider for gradient clipping by norm, ‖g‖ ≤ c (lesson 05), starting at this c or
            at ``"off"``, its right end; the caption then says at how many steps the clip acted, and the last.
        clip_value: the same for clipping each coordinate, |gᵢ| ≤ c.
        rule: your rule to step with instead of optlab's, e.g. ``trajectory_panel("adam", rule=adam_step)`` —
            your function, live. The caption says whose rule runs; if yours fails (raises, returns the wrong shape,
            or blows up where optlab's does not), optlab's takes over and the caption says why in one sentence.
        **hyperparams: initial values, e.g. ``lr=0.05, beta1=0.9``.

    Returns:
        the panel (an ``ipywidgets.VBox``); show it as the cell's last expression.

    Example:
        >>> panel = trajectory_panel("adam", "rosenbrock", lr=0.05)
        >>> panel.controls["beta1"].value = 0.5   # the picture is redrawn
        >>> panel.controls["beta1"].text
        'β1 = 0.5'
    """
    extra = []
    if str(optimizer).lower() == "sgd":  # SGD's own sliders: gradient noise and, on data, the batch size
        noise = 0.0 if noise is None else noise
        data = get_objective(objective)
        if hasattr(data, "n"):
            extra.append(_batch_control(data.n, min(8, data.n)))
        objective = data
    if noise is not None:
        extra.append(_noise_control(noise))
    extra += _clip_controls(clip_norm, clip_value)
    return PathsPanel([optimizer], objective, steps=steps, theta0=theta0, objectives=objectives,
                      kappa_slider=kappa_slider, kappa=kappa, extra_controls=extra, rule=rule, **hyperparams)


def comparison_panel(optimizers=("gd", "momentum", "adam"), objective="rosenbrock", *, steps=None, theta0=None,
                     objectives=None, kappa_slider=False, kappa=None, separate=(), clip_norm=None, clip_value=None,
                     rule=None, **hyperparams):
    """Several optimizers on one objective from one start, each with its own colour, under shared sliders.

    One control per hyperparameter *meaning*, driving every optimizer that has it, and its readout says which:
    α drives all; β momentum and Nesterov; β1 Adam and AdamW; β2 and ε RMSProp, Adam and AdamW; the
    bias-correction toggle Adam and AdamW (RMSProp's own correction of v alone, off by default, is a separate
    toggle ``bias_correction_rmsprop``). Until a shared control is moved, each optimizer keeps its own default
    (RMSProp β2 = 0.99, Adam β2 = 0.999; α: a good α for each on this objective) and the readout lists them;
    the first move sets the value for all of them.

    Why one α: the point of the panel is that the same number means different things — GD's step is α·|g|,
    Adam's about α per coordinate whatever the gradient's size — which one slider shows in a single move (raise
    α and watch GD diverge while Adam only speeds up). To tune each optimizer instead (a fair race, each at its
    own best α), give each its own α: ``separate=("lr",)`` or ``lr={"gd": 1e-3, "adam": 0.05}``.

    Args:
        optimizers: names, e.g. ``("gd", "momentum", "rmsprop", "adam")``.
        objective, steps, theta0, objectives, kappa_slider, kappa: as for :func:`trajectory_panel`.
        separate: hyperparameter keywords that get one control per optimizer (named ``lr_gd``, ``lr_adam``, …).
        clip_norm, clip_value: a gradient-clipping slider for all the runs, as for :func:`trajectory_panel`.
        rule: your rule for one of the optimizers, e.g. ``rule=adam_step`` (matched by its name) or
            ``rule={"adam": adam_step, "momentum": momentum_step}``; as for :func:`trajectory_panel`.
        **hyperparams: initial values: ``beta2=0.999`` sets the shared β2 (for RMSProp and Adam);
            ``lr_adam=0.05`` or ``lr={"adam": 0.05}`` one optimizer's own control.

    Returns:
        the panel; ``panel.hyperparams_used[i]`` are the hyperparameters optimizer i ran with.

    Example:
        >>> panel = comparison_panel(("gd", "momentum", "rmsprop", "adam"), "rosenbrock", steps=100)
        >>> panel.hyperparams_used[3]["beta2"], panel.hyperparams_used[2]["beta2"]
        (0.999, 0.99)
        >>> panel.controls["beta2"].value = 0.9          # the first move sets β2 for RMSProp and Adam
        >>> panel.controls["beta2"].text
        'β2 = 0.9  (1 − β2 = 0.1) → RMSProp, Adam'
    """
    return PathsPanel(list(optimizers), objective, steps=steps, theta0=theta0, objectives=objectives,
                      kappa_slider=kappa_slider, kappa=kappa, separate=separate,
                      extra_controls=_clip_controls(clip_norm, clip_value), rule=rule, **hyperparams)


def sgd_panel(*, steps=200, n=200, noise=0.0, batch_size=8, decay=0.0, lr=0.1, seed=0, rule=None):
    """SGD on a 2-D least-squares problem (lesson 02): α, batch size |B|, gradient noise σ and decay.

    The data are ``optlab.data.make_linear_regression(n, d=2, seed=seed)``; each step uses a mini-batch of
    |B| examples drawn by the seeded generator (|B| = n is full-batch gradient descent). With decay > 0
    the learning rate follows α/(1 + decay·t) (Robbins–Monro, :func:`optlab.schedules.inverse_time`).
    ``rule=sgd_step`` runs your rule, as for :func:`trajectory_panel`.

    Returns:
        the panel; show it as the cell's last expression.
    """
    X, y, _ = make_linear_regression(n=n, d=2, seed=seed)
    controls = [_batch_control(n, batch_size), _noise_control(noise),
                linear_control("decay", "decay", decay, 0.0, 1.0, 0.01)]

    def make_schedule(values):
        return schedules.inverse_time(values["decay"]) if values["decay"] > 0 else None

    return PathsPanel(["sgd"], LeastSquares(X, y), steps=steps, extra_controls=controls,
                      make_schedule=make_schedule, lr=lr, title="SGD on least squares", rule=rule)


_SCHEDULES = ["constant", "step decay", "exponential", "cosine", "warm-up + cosine", "inverse time"]


def _schedule(name, steps):
    if name == "step decay":
        return schedules.step_decay(max(steps // 4, 1), 0.5)
    if name == "exponential":
        return schedules.exponential(0.98)
    if name == "cosine":
        return schedules.cosine(steps)
    if name == "warm-up + cosine":
        return schedules.linear_warmup(max(steps // 10, 1), after=schedules.cosine(steps))
    if name == "inverse time":
        return schedules.inverse_time(0.05)
    return None


def schedule_panel(optimizer="adamw", objective="rosenbrock", *, steps=200, schedule="constant", theta0=None,
                   rule=None, **hyperparams):
    """Lesson 06: an optimizer (AdamW by default) with α, weight decay λ and a learning-rate schedule.

    The third plot shows the schedule's multiplier αₜ/α over the run. Schedules: constant, step decay
    (halve every steps/4), exponential (γ = 0.98), cosine, warm-up (steps/10) + cosine, inverse time.
    ``rule=adamw_step`` runs your rule, as for :func:`trajectory_panel`.

    Returns:
        the panel; show it as the cell's last expression.
    """
    control = choice_control("schedule", "α_t", schedule, _SCHEDULES)
    return PathsPanel([optimizer], objective, steps=steps, theta0=theta0, extra_controls=[control],
                      make_schedule=lambda values: _schedule(values["schedule"], steps), rule=rule, **hyperparams)
