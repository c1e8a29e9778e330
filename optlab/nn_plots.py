"""Pictures of lesson 07's network (matplotlib only): decision boundaries, training curves, sensitivity maps.

The numbers come from :mod:`optlab.nn` (the model, its training) and :func:`optlab.run` (batched sweeps);
this module only draws them. As in :mod:`optlab.plotting`, functions that draw on one Axes take ``ax=None``
(the current pyplot Axes) and return the artists they made; the two that lay out a whole figure return it.

Example:
    >>> from matplotlib.figure import Figure
    >>> from optlab.data import make_moons
    >>> from optlab.nn import MLP
    >>> X, y = make_moons(n=50, seed=0)
    >>> net = MLP((2, 4, 1))
    >>> image, points = plot_decision_boundary(net, net.init(seed=0), X, y, Figure().add_subplot(), resolution=30)
    >>> image.get_array().shape
    (30, 30)
"""

from __future__ import annotations

import numpy as np

from .nn import MLP
from .plotting import plot_hyperparameter_map

__all__ = ["decision_grid", "plot_decision_boundary", "show_training", "show_decision_boundaries",
           "plot_sensitivity"]


def decision_grid(model: MLP, theta, X, resolution: int = 150, margin: float = 0.25):
    """p = σ(z) on a square grid around the data: ``(extent, proba)`` with proba of shape ``(..., res, res)``.

    ``extent`` is ``(x0, x1, y0, y1)`` as ``imshow`` wants it; row i of proba is the i-th y value.
    """
    X = np.asarray(X, dtype=np.float64)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    with np.errstate(invalid="ignore", over="ignore"):
        proba = model.predict_proba(theta, grid)
    return (lo[0], hi[0], lo[1], hi[1]), proba.reshape(proba.shape[:-1] + (resolution, resolution))


def plot_decision_boundary(model: MLP, theta, X, y, ax=None, *, resolution: int = 150, title=None):
    """The predicted probability p(x) shaded blue (class 0) to red (class 1) with the data on top.

    Returns:
        ``(image, scatter)``: the AxesImage (update it with ``image.set_data(decision_grid(...)[1])``) and
        the PathCollection of the data points.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    extent, proba = decision_grid(model, theta, X, resolution)
    image = ax.imshow(proba, origin="lower", extent=extent, cmap="RdBu_r", vmin=0.0, vmax=1.0, alpha=0.55,
                      interpolation="bilinear", aspect="auto")
    scatter = ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y), cmap="RdBu_r", vmin=0, vmax=1, s=9,
                         edgecolors="k", linewidths=0.3)
    ax.set_xticks([]), ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return image, scatter


def show_training(results: dict, *, figsize=(11, 3.6)):
    """Loss curves J(θ_k) (log axis) and training-accuracy curves of several runs, side by side.

    Args:
        results: label -> :class:`Training` of a single run.

    Returns:
        the pyplot Figure.
    """
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    for label, result in results.items():
        (line,) = ax_loss.plot(result.losses, label=label, linewidth=1.3)
        ax_acc.plot(result.record_steps, result.accuracies, color=line.get_color(), linewidth=1.3)
    ax_loss.set(yscale="log", xlabel="step k", ylabel=r"training loss $J(\theta_k)$")
    ax_acc.set(xlabel="step k", ylabel="training accuracy", ylim=(0.45, 1.01))
    ax_loss.legend(fontsize=8, ncol=2)
    return fig


def show_decision_boundaries(model: MLP, thetas: dict, X, y, *, columns: int = 4, size: float = 2.6):
    """One small decision-boundary picture per labelled θ (label -> θ of shape ``(P,)``); returns the Figure."""
    import matplotlib.pyplot as plt

    rows = -(-len(thetas) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows), layout="constrained",
                             squeeze=False)
    for ax, (label, theta) in zip(axes.flat, thetas.items()):
        plot_decision_boundary(model, theta, X, y, ax, resolution=120, title=label)
    for ax in axes.flat[len(thetas):]:
        ax.set_axis_off()
    return fig


def plot_sensitivity(alphas, betas, final_losses, ax=None, *, ylabel=r"$\beta_1$", vmin=None, vmax=None):
    """A map of the final loss over a grid of learning rates α (log x axis) and β's; grey = diverged.

    Args:
        alphas: the (n_α,) learning rates (geometrically spaced).
        betas: the (n_β,) values of β or β1 (evenly or unevenly spaced: drawn as equal rows).
        final_losses: (n_β, n_α) final losses J(θ_N); NaN for runs that diverged.
        vmin, vmax: the range of log10 J the colours span (give the same to maps you compare).

    Returns:
        the AxesImage (with a colorbar of log10 J).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        log_loss = np.log10(np.asarray(final_losses, dtype=np.float64))
    return plot_hyperparameter_map(alphas, betas, log_loss, ax, cmap="viridis", vmin=vmin, vmax=vmax, bad="0.8",
                                   cells="labelled", ylabel=ylabel, colorbar_label="log₁₀ of the final loss")
