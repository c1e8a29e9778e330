"""Pictures of optimisation runs (matplotlib only): contours, paths, loss curves and convergence maps.

Every ``plot_*`` function takes ``ax=None`` (meaning the current pyplot axes) and returns the artists it
made, so a caller can update them in place — the live panels in :mod:`optlab.widgets` do exactly that
with ``update_trajectory`` / ``update_loss``. ``show_trajectories`` is the one-call picture a lesson cell
uses: contour with paths on the left, loss curves on a log axis on the right.

Objectives are duck-typed: anything with ``value(theta)`` on θ of shape (..., 2), and optionally
``window``, ``minima``, ``f_min`` (as in :mod:`optlab.objectives`; data losses from :mod:`optlab.data`
work too, their window is placed around their minimiser).

Example:
    >>> from matplotlib.figure import Figure
    >>> from optlab.objectives import Rosenbrock
    >>> ax = Figure().add_subplot()
    >>> contour, minima = plot_contour(Rosenbrock(), ax)
    >>> path = plot_trajectory([[-1.5, 2.0], [-1.0, 1.0], [0.5, 0.3]], ax)
    >>> path.line.get_xdata().tolist()
    [-1.5, -1.0, 0.5]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "LOSS_FLOOR",
    "TrajectoryArtists",
    "objective_window",
    "objective_f_min",
    "loss_gap",
    "plot_contour",
    "plot_trajectory",
    "update_trajectory",
    "clip_to_view",
    "decimate",
    "DRAW_POINTS",
    "plot_loss",
    "update_loss",
    "plot_hyperparameter_map",
    "plot_convergence_map",
    "convergence_map_range",
    "show_trajectories",
]

#: How many points a live panel draws of a path or a loss curve at most (see :func:`decimate`).
DRAW_POINTS = 1000

#: Smallest J − J* a loss curve shows: below it (e.g. exactly at the minimiser) the curve rests on this floor.
LOSS_FLOOR = 1e-16


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt  # only when the caller asked for the current pyplot axes

        ax = plt.gca()
    return ax


def objective_f_min(objective):
    """J* if the objective has a finite minimum value, else None (e.g. the saddle)."""
    f_min = getattr(objective, "f_min", None)
    if f_min is None and hasattr(objective, "minima"):
        with np.errstate(all="ignore"):
            f_min = float(np.min(objective.value(np.asarray(objective.minima, dtype=float))))
    return float(f_min) if f_min is not None and np.isfinite(f_min) else None


def objective_window(objective):
    """The ((xmin, xmax), (ymin, ymax)) to draw: ``objective.window``, else a box around the minimiser."""
    window = getattr(objective, "window", None)
    if window is not None:
        (x0, x1), (y0, y1) = window
        return (float(x0), float(x1)), (float(y0), float(y1))
    centre = np.asarray(getattr(objective, "minima", np.zeros((1, 2))), dtype=float).reshape(-1, 2)[0]
    half = 2.0 + np.abs(centre).max()
    return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)


def loss_gap(losses, f_min):
    """J − J* ready for a log axis: NaN stays NaN (a diverged run stops), values under LOSS_FLOOR rest on it."""
    losses = np.asarray(losses, dtype=float)
    if f_min is None:
        return losses
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(losses), np.nan, np.maximum(losses - f_min, LOSS_FLOOR))


#: points per call when a contour's grid is evaluated: a data loss evaluates every point on every example, so a
#: 200 × 200 grid in one call would make temporaries of 40 000 × n numbers (64 MB for 200 examples)
GRID_POINTS = 4096


def _grid(objective, window, resolution):
    (x0, x1), (y0, y1) = window
    x, y = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    xx, yy = np.meshgrid(x, y)
    points = np.stack([xx, yy], axis=-1)
    zz = np.empty(xx.shape)
    rows = max(1, GRID_POINTS // resolution)  # each point's value is computed alone: the same numbers in any chunks
    with np.errstate(all="ignore"):
        for i in range(0, resolution, rows):
            zz[i:i + rows] = objective.value(points[i:i + rows])
    return xx, yy, zz


def _levels(zz, f_min, n):
    finite = zz[np.isfinite(zz)]
    if f_min is not None:
        gap = np.maximum(finite - f_min, 0.0)
        lo = max(np.quantile(gap, 0.005), 1e-3 * np.quantile(gap, 0.5), 1e-12)
        hi = max(np.quantile(gap, 0.98), lo * 10)
        return f_min + np.geomspace(lo, hi, n)
    lo, hi = np.quantile(finite, [0.02, 0.98])
    return np.linspace(lo, hi if hi > lo else lo + 1.0, n)


def plot_contour(objective, ax=None, *, window=None, levels=25, resolution=200, cmap="viridis"):
    """Contour lines of J over its window, log-spaced in J − J*, with the minimisers marked by white stars.

    Args:
        objective: the objective (see the module docstring).
        ax: matplotlib axes; None draws on the current pyplot axes.
        window: ((xmin, xmax), (ymin, ymax)); default :func:`objective_window`.
        levels: number of contour levels.
        resolution: grid points per axis.
        cmap: colormap of the lines.

    Returns:
        (contour_set, minima_line): the :class:`~matplotlib.contour.QuadContourSet` and the Line2D of the
        minimiser markers.
    """
    ax = _axes(ax)
    window = objective_window(objective) if window is None else window
    xx, yy, zz = _grid(objective, window, resolution)
    contour = ax.contour(xx, yy, zz, levels=_levels(zz, objective_f_min(objective), levels), cmap=cmap,
                         linewidths=0.8, alpha=0.8)
    minima = np.asarray(getattr(objective, "minima", np.empty((0, 2))), dtype=float).reshape(-1, 2)
    (minima_line,) = ax.plot(minima[:, 0], minima[:, 1], linestyle="none", marker="*", markersize=14, color="black",
                             markerfacecolor="white", markeredgecolor="black", zorder=4, label="minimiser")
    ax.set_xlim(window[0])
    ax.set_ylim(window[1])
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return contour, minima_line


class TrajectoryArtists(NamedTuple):
    """The artists of one drawn path: the polyline, its start marker and its current end marker."""

    line: object
    start: object
    end: object


def _last_finite(thetas):
    ok = np.flatnonzero(np.all(np.isfinite(thetas), axis=-1))
    return thetas[ok[-1]] if ok.size else np.full(2, np.nan)


def plot_trajectory(thetas, ax=None, *, color=None, label=None, linewidth=1.6):
    """The path θ₀, θ₁, … as a line with markers at the start (circle) and the last finite point (square).

    Args:
        thetas: array (steps + 1, 2); NaN rows (a diverged run) end the drawn path.
        ax: matplotlib axes; None draws on the current pyplot axes.
        color, label, linewidth: line style.

    Returns:
        :class:`TrajectoryArtists` (line, start, end).
    """
    ax = _axes(ax)
    thetas = np.asarray(thetas, dtype=float).reshape(-1, 2)
    (line,) = ax.plot(thetas[:, 0], thetas[:, 1], color=color, linewidth=linewidth, label=label, zorder=3)
    color = line.get_color()
    (start,) = ax.plot(*thetas[0], marker="o", markersize=7, color=color, markeredgecolor="black", zorder=5)
    (end,) = ax.plot(*_last_finite(thetas), marker="s", markersize=6, color=color, markeredgecolor="black",
                     zorder=5)
    return TrajectoryArtists(line, start, end)


def _finite_prefix(rows):
    """How many leading rows are finite (a diverged run is NaN from its divergence on)."""
    ok = np.isfinite(rows).reshape(len(rows), -1).all(axis=1)
    return len(rows) if ok.all() else int(np.argmin(ok))


def decimate(points, max_points=DRAW_POINTS):
    """Indices of at most ``max_points`` rows of ``points`` that draw like all of them (M4 decimation).

    The rows are cut into equal buckets of consecutive steps; each bucket keeps its first and last row and the
    rows with the smallest and largest value of each column. So the extremes of a zig-zag or of a burst in a loss
    curve survive (plain striding would alias a step-by-step oscillation away), the first and the last row are
    exact, and the kept indices are in order.

    Args:
        points: array (n,) or (n, k) of finite values (a path: k = 2; a loss curve: k = 1).
        max_points: the most indices returned; n <= max_points returns every index.

    Returns:
        int array of increasing indices into ``points``.

    Example:
        >>> zigzag = np.array([[k, (-1) ** k] for k in range(5000)], dtype=float)
        >>> keep = decimate(zigzag, 1000)
        >>> len(keep) <= 1000, int(keep[0]), int(keep[-1]), set(zigzag[keep, 1]) == {-1.0, 1.0}
        (True, 0, 4999, True)
    """
    points = np.asarray(points, dtype=float)
    points = points.reshape(len(points), -1)
    n, k = points.shape
    if n <= max_points:
        return np.arange(n)
    buckets = max(max_points // (2 + 2 * k), 1)
    size = -(-n // buckets)
    padded = np.concatenate([points, np.repeat(points[-1:], buckets * size - n, axis=0)])
    blocks = padded.reshape(buckets, size, k)
    base = np.arange(buckets)[:, None] * size
    keep = [base, base + size - 1, base + blocks.argmin(axis=1), base + blocks.argmax(axis=1)]
    return np.unique(np.minimum(np.concatenate([np.ravel(i) for i in keep]), n - 1))


def clip_to_view(thetas, window):
    """The path ``thetas`` (steps + 1, 2) up to its first point far outside ``window`` (three window sizes away).

    A diverging run is drawn until it leaves the picture, rather than as a line to a point at 10⁶ that would
    squash the view or make Agg draw a huge polyline.
    """
    (x0, x1), (y0, y1) = window
    w, h = x1 - x0, y1 - y0
    with np.errstate(invalid="ignore"):
        out = ~((thetas[:, 0] > x0 - 3 * w) & (thetas[:, 0] < x1 + 3 * w)
                & (thetas[:, 1] > y0 - 3 * h) & (thetas[:, 1] < y1 + 3 * h))
    first = np.flatnonzero(out)
    return thetas if first.size == 0 else thetas[: first[0] + 1]


def update_trajectory(artists, thetas, max_points=None):
    """Move an existing :class:`TrajectoryArtists` to a new path in place (no new artists).

    With ``max_points`` a long path is drawn through at most that many of its points (:func:`decimate`): the
    start, the last finite point (where a diverged run left) and the extremes of every stretch stay exact.
    """
    thetas = np.asarray(thetas, dtype=float).reshape(-1, 2)
    if max_points is not None and len(thetas) > max_points:
        thetas = thetas[: _finite_prefix(thetas)]
        thetas = thetas[decimate(thetas, max_points)] if len(thetas) else np.full((1, 2), np.nan)
    artists.line.set_data(thetas[:, 0], thetas[:, 1])
    artists.start.set_data(thetas[:1, 0], thetas[:1, 1])
    end = _last_finite(thetas)
    artists.end.set_data(end[:1], end[1:])
    return artists


def plot_loss(losses, ax=None, *, f_min=0.0, color=None, label=None):
    """The loss curve J(θₖ) − J* against the step k on a log axis (linear if f_min is None).

    Args:
        losses: array (steps + 1,); NaN entries (after divergence) are not drawn.
        ax: matplotlib axes; None draws on the current pyplot axes.
        f_min: J*, subtracted so that convergence shows as a straight line; None plots J itself.
        color, label: line style.

    Returns:
        the Line2D of the curve.
    """
    ax = _axes(ax)
    gap = loss_gap(losses, f_min)
    (line,) = ax.plot(np.arange(gap.size), gap, color=color, label=label)
    ax.set_xlabel("step k")
    if f_min is not None:
        ax.set_yscale("log")
        ax.set_ylabel(r"$J(\theta_k) - J^*$")
    else:
        ax.set_ylabel(r"$J(\theta_k)$")
    return line


def update_loss(line, losses, f_min=0.0, max_points=None):
    """Put new losses into an existing loss-curve Line2D in place.

    With ``max_points`` a long curve keeps at most that many points (:func:`decimate`: the highest and lowest
    loss of every stretch, the first step and the last finite one stay exact).
    """
    gap = loss_gap(losses, f_min)
    steps = np.arange(gap.size)
    if max_points is not None and gap.size > max_points:
        n = _finite_prefix(gap)
        keep = decimate(np.log(gap[:n]) if f_min is not None else gap[:n], max_points)
        steps, gap = steps[keep], gap[keep]
    line.set_data(steps, gap)
    return line


def convergence_map_range(rates):
    """The default colour range of :func:`plot_convergence_map`: from the best rate in the map (rounded down
    to 0.01) to 1, so that a map whose rates all lie in 0.8–1 is not one flat colour."""
    rates = np.asarray(rates, dtype=float)
    finite = rates[np.isfinite(rates)]
    best = float(finite.min()) if finite.size else 0.0
    lo = np.floor(100.0 * best) / 100.0 if best < 1.0 else 0.0
    return max(lo, 0.0), 1.0


def plot_hyperparameter_map(alphas, betas, values, ax=None, *, cmap="viridis", vmin=None, vmax=None, bad="0.82",
                            cells="even", xlabel=r"learning rate $\alpha$", ylabel=r"momentum $\beta$",
                            colorbar_label=None):
    """A map of one number per run over a grid of (α, β): one cell per run, NaN (a diverged run) drawn in ``bad``.

    Args:
        alphas: the (n_α,) values along x.
        betas: the (n_β,) values along y.
        values: (n_β, n_α) numbers to colour; NaN for runs that diverged.
        ax: matplotlib axes; None draws on the current pyplot axes.
        cmap, vmin, vmax: the colormap and the range it spans (None: the data's).
        bad: the colour of NaN cells.
        cells: ``"even"`` — evenly spaced α and β, axes in their units; ``"labelled"`` — one column per α and one
            row per β whatever their spacing (log-spaced α, uneven β), ticks labelled with the values.
        xlabel, ylabel: axis labels.
        colorbar_label: add a colour bar with this label next to ``ax`` (None: no colour bar).

    Returns:
        the AxesImage.
    """
    import matplotlib

    ax = _axes(ax)
    alphas, betas = np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float)
    colormap = matplotlib.colormaps[cmap].with_extremes(bad=bad)
    extent = None
    if cells == "even":
        da = (alphas[-1] - alphas[0]) / max(alphas.size - 1, 1)
        db = (betas[-1] - betas[0]) / max(betas.size - 1, 1)
        extent = (alphas[0] - da / 2, alphas[-1] + da / 2, betas[0] - db / 2, betas[-1] + db / 2)
    elif cells != "labelled":
        raise ValueError(f"cells must be 'even' or 'labelled' (got {cells!r})")
    image = ax.imshow(np.ma.masked_invalid(np.asarray(values, dtype=float)), origin="lower", aspect="auto",
                      cmap=colormap, vmin=None if vmin is None else float(vmin),
                      vmax=None if vmax is None else float(vmax), interpolation="nearest", extent=extent)
    if cells == "labelled":
        ax.set_xticks(range(len(alphas)), [f"{a:.2g}" for a in alphas], rotation=45, fontsize=8)
        ax.set_yticks(range(len(betas)), [f"{b:g}" for b in betas], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if colorbar_label is not None:
        ax.figure.colorbar(image, ax=ax, label=colorbar_label)
    return image


def plot_convergence_map(alphas, betas, rates, ax=None, *, optimum=None, cmap="magma", vmin=None, vmax=1.0,
                         colorbar=True, label="rate per step (dark = fast)"):
    """A map of the convergence rate over (α, β), in the style of Goh, "Why Momentum Really Works" (2017).

    Dark is fast: a small rate per step (the error shrinks by that factor each step) is drawn dark, a rate
    near 1 (slow) light, a diverged run grey. The colours span ``vmin``–``vmax``; by default from the best
    rate in the map (see :func:`convergence_map_range`) to 1, the region where the map's structure lies —
    on an ill-conditioned quadratic every rate is above 0.8, and a 0–1 scale would show one flat colour.

    Args:
        alphas: the (n_α,) learning rates α (x axis, evenly spaced).
        betas: the (n_β,) momentum coefficients β (y axis, evenly spaced).
        rates: (n_β, n_α) rate per step in [0, 1]; NaN marks a run that diverged (drawn grey).
        ax: matplotlib axes; None draws on the current pyplot axes.
        optimum: (α*, β*) to mark with a cross, or None.
        cmap: colormap of the rate, dark at ``vmin`` (fast) and light at ``vmax`` (slow).
        vmin, vmax: the colour range; ``vmin=None`` is the best rate of the map, rounded down to 0.01.
            Pass e.g. the best achievable rate (√κ − 1)/(√κ + 1) to compare several maps on one scale.
        colorbar: add a colour bar labelled ``label`` next to ``ax`` (its Colorbar is then ``image.colorbar``).
        label: the colour bar's label.

    Returns:
        (image, optimum_marker): the AxesImage and the Line2D of the marker (empty if optimum is None).

    Example:
        >>> from matplotlib.figure import Figure
        >>> image, _ = plot_convergence_map([0.1, 0.2], [0.0, 0.5], [[0.9, 0.85], [0.95, float("nan")]],
        ...                                 Figure().add_subplot())
        >>> image.get_clim(), image.colorbar.ax.get_ylabel()
        ((0.85, 1.0), 'rate per step (dark = fast)')
    """
    ax = _axes(ax)
    if vmin is None:
        vmin = convergence_map_range(rates)[0]
    image = plot_hyperparameter_map(alphas, betas, rates, ax, cmap=cmap, vmin=vmin, vmax=vmax,
                                    colorbar_label=label if colorbar else None)
    point = [] if optimum is None else [optimum]
    (marker,) = ax.plot([p[0] for p in point], [p[1] for p in point], linestyle="none", marker="X",
                        markersize=11, markerfacecolor="cyan", markeredgecolor="black", zorder=5,
                        label=r"optimum $(\alpha^*, \beta^*)$")
    return image, marker


def show_trajectories(objective, trajectories, *, labels=None, figsize=(10, 4), resolution=200, levels=25):
    """One picture of runs on an objective: contour and paths (left), loss curves on a log axis (right).

    Args:
        objective: the objective the runs minimised.
        trajectories: a :class:`optlab.runner.Trajectory` (or an array of θ of shape (steps + 1, 2)), a list of
            them, or a dict label -> trajectory.
        labels: names for a list of trajectories (legend).
        figsize: figure size in inches.
        resolution: grid points per axis of the contour (passed to :func:`plot_contour`); the objective is
            evaluated resolution² times, so an expensive data loss draws faster at e.g. 60.
        levels: number of contour levels.

    Returns:
        the pyplot Figure (shown inline when it is the cell's last expression or by ``plt.show()``).
    """
    import matplotlib.pyplot as plt

    if isinstance(trajectories, dict):
        labels, trajectories = list(trajectories), list(trajectories.values())
    elif not isinstance(trajectories, (list, tuple)):
        trajectories = [trajectories]
    labels = labels or [None] * len(trajectories)
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    plot_contour(objective, ax_path, resolution=resolution, levels=levels)
    f_min = objective_f_min(objective)
    for traj, label in zip(trajectories, labels):
        thetas = np.asarray(getattr(traj, "thetas", traj), dtype=float)
        artists = plot_trajectory(thetas, ax_path, label=label)
        losses = getattr(traj, "losses", None)
        if losses is None:
            with np.errstate(all="ignore"):
                losses = objective.value(thetas)
        plot_loss(losses, ax_loss, f_min=f_min, color=artists.line.get_color(), label=label)
    if any(labels):
        ax_loss.legend(loc="upper right")
    return fig
