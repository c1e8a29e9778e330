"""sweep_panel: a live map of momentum's convergence rate over (α, β), after Goh, "Why Momentum Really Works".

The quadratic has eigenvalues λmin = 1/κ and λmax = 1, so the map's axes never move: α ∈ (0, 4)
(momentum converges for α < 2(1 + β)/λmax) and β ∈ [0, 1). One batched :func:`optlab.run` of
``resolution²`` momentum runs gives the map (it keeps J at every step and θ only at the ends: the map needs the
losses); a κ or noise move recomputes it and blits only the image. The maps of the last (κ, σ) values are kept, so
a drag back over them redraws without running, and so are the backgrounds of the colour bar's last ranges.
"""

from __future__ import annotations

import math

import numpy as np

from .. import plotting
from .._format import fmt
from ..objectives import Quadratic
from ..optimizers import Momentum
from ..runner import run
from .render import FastFigure
from ._base import Panel, linear_control, log_control, run_caption

__all__ = ["sweep_panel", "SweepPanel", "momentum_optimum", "convergence_rates"]


def momentum_optimum(lam_min, lam_max):
    """The optimal (α*, β*) of momentum on a quadratic: ((2/(√λmax + √λmin))², ((√κ − 1)/(√κ + 1))²)."""
    root_kappa = math.sqrt(lam_max / lam_min)
    return (2.0 / (math.sqrt(lam_max) + math.sqrt(lam_min))) ** 2, ((root_kappa - 1) / (root_kappa + 1)) ** 2


def convergence_rates(traj, tail=10):
    """Per-step rate of a batch of runs: (mean J over the last ``tail`` steps / J(θ₀))^(1/(2k)), k their mean step.

    Each run's rate lies in [0, 1) when it converges (smaller is faster; J shrinks like rate²ᵏ on a quadratic),
    is clipped to 1 when it makes no progress and is NaN when it diverged.
    """
    with np.errstate(all="ignore"):
        rate = np.minimum(_loss_ratio(traj, tail) ** (1.0 / (2 * traj.steps - (tail - 1))), 1.0)
    return np.where(np.asarray(traj.diverged_at) >= 0, np.nan, rate)


def _loss_ratio(traj, tail):
    losses = np.asarray(traj.losses)
    with np.errstate(all="ignore"):
        return np.mean(losses[-tail:], axis=0) / losses[0]


class SweepPanel(Panel):
    """See :func:`sweep_panel`.

    Attributes:
        values_shown: the map on the picture (rates, or log10 of the loss ratio with noise), shape (β, α).
        optimum: (α*, β*) of the current κ.
        trajectory: the batched run behind the map shown (run again on access if the map came from the kept ones).
    """

    #: maps kept for (κ, σ) values seen before (80 KB each at the default resolution)
    KEPT_MAPS = 64

    def __init__(self, *, kappa, noise, resolution, steps, rule=None):
        self.resolution, self.steps = int(resolution), int(steps)
        if rule is not None and not callable(rule):
            raise ValueError(f"rule must be a function such as your momentum_step (got {rule!r})")
        self.rule = rule
        cells = (np.arange(self.resolution) + 0.5) / self.resolution
        self.alphas, self.betas = 4.0 * cells, cells
        self._grid = np.meshgrid(self.alphas, self.betas)
        self._maps = {}  # (κ, σ) -> (values shown, caption), oldest first
        self._run = (None, None)  # ((κ, σ), trajectory) of the latest run
        self._theta0 = np.broadcast_to(np.array([1.0, 1.0]), (self.resolution, self.resolution, 2))
        ff = FastFigure(figsize=(6.2, 4.2), dpi=86, layout="constrained")
        ax = ff.figure.add_subplot()
        self.map, self.marker = plotting.plot_convergence_map(
            self.alphas, self.betas, np.full((self.resolution, self.resolution), np.nan), ax, optimum=(1.0, 0.5),
            cmap="viridis", vmin=0.0, colorbar=False)
        self.colorbar = ff.figure.colorbar(self.map, ax=ax)
        (self.best,) = ax.plot([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="white",
                               markeredgecolor="black", zorder=5, label="best cell of this map")
        ax.legend(loc="lower right", fontsize=8)
        self._noisy = None
        self.label = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", fontsize=9,
                             bbox=dict(boxstyle="round,pad=0.2", facecolor="white", alpha=0.85, edgecolor="none"))
        ax.set_title(r"momentum on a quadratic, $\lambda_{max} = 1$, grey = diverged", fontsize=10)
        ff.animate(self.map, self.marker, self.best, self.label)
        self.fast_figure = ff
        controls = [log_control("kappa", "κ", kappa, 0.0, 3.0, 0.05), linear_control("noise", "σ", noise, 0.0, 1.0, 0.01)]
        super().__init__(ff, controls, title="(α, β) convergence map")

    @property
    def trajectory(self):
        key = (self.values()["kappa"], self.values()["noise"])
        if self._run[0] != key:
            self._run = (key, self._compute(*key))
        return self._run[1]

    def _compute(self, kappa, noise):
        alphas, betas = self._grid
        return run(Momentum(lr=alphas, beta=betas, rule=self.rule), Quadratic(kappa=kappa, lam_min=1.0 / kappa),
                   self._theta0, self.steps, noise=noise, record_every=self.steps)

    def _map(self, kappa, noise):
        """The values the map shows and the caption, for (κ, σ): kept from before, or run now."""
        key = (kappa, noise)
        kept = self._maps.pop(key, None)
        if kept is None:
            traj = self._compute(kappa, noise)
            self._run = (key, traj)
            if noise > 0:
                # Noise stops every run at a noise floor: a rate would read ≈1 everywhere, the floor itself tells more.
                with np.errstate(all="ignore"):
                    shown = np.where(np.asarray(traj.diverged_at) >= 0, np.nan,
                                     np.log10(_loss_ratio(traj, tail=max(self.steps // 5, 1))))
            else:
                shown = convergence_rates(traj)
            kept = (shown, run_caption(traj, rule=self.rule is not None))
        self._maps[key] = kept
        while len(self._maps) > self.KEPT_MAPS:
            del self._maps[next(iter(self._maps))]
        return kept

    def update(self):
        kappa, noise = self.values()["kappa"], self.values()["noise"]
        objective = Quadratic(kappa=kappa, lam_min=1.0 / kappa)
        self.values_shown, self.caption.value = self._map(kappa, noise)
        best = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
        self._set_mode(noise > 0)
        if noise == 0:
            # Colour the range that matters, from just under the best possible rate to 1.
            self._set_clim(math.floor(20 * best - 0.5) / 20 if best > 0.05 else 0.0, 1.0)
        # Coloured here, at the map's own resolution (the colour bar's range and the grey of diverged runs): Agg then
        # only enlarges an RGBA image, the same pixels as colouring the enlarged data, in a quarter of the time.
        self.map.set_data(self.map.to_rgba(np.ma.masked_invalid(self.values_shown), bytes=True))
        alpha_star, beta_star = momentum_optimum(objective.lam_min, objective.lam_max)
        self.optimum = (alpha_star, beta_star)
        self.marker.set_data([alpha_star], [beta_star])
        if np.all(np.isnan(self.values_shown)):
            self.best.set_data([], [])
        else:
            row, col = np.unravel_index(np.nanargmin(self.values_shown), self.values_shown.shape)
            self.best.set_data([self.alphas[col]], [self.betas[row]])
        self.label.set_text(f"κ = {fmt(kappa)}: α* = {alpha_star:.4g}, β* = {beta_star:.4g}, "
                            f"rate (√κ−1)/(√κ+1) = {best:.4g}")

    def _set_mode(self, noisy):
        if noisy == self._noisy:
            return
        self._noisy = noisy
        if noisy:
            self._set_clim(-8.0, 0.0)
            self.colorbar.set_label(r"$\log_{10}$ (J over the last steps / J($\theta_0$))")
        else:
            self.colorbar.set_label("rate per step (smaller is faster)")
        self.fast_figure.invalidate()

    def _set_clim(self, lo, hi):
        if self.map.get_clim() != (lo, hi):
            self.map.set_clim(lo, hi)  # the colour bar follows: a background of its own, kept for when it comes back
            self.fast_figure.use_background((self._noisy, lo, hi))


def sweep_panel(*, kappa=10.0, noise=0.0, resolution=100, steps=100, rule=None):
    """A live (α, β) map of momentum's convergence rate on a quadratic, with κ and gradient-noise sliders.

    Each pixel is one run of momentum (v ← βv − αg; θ ← θ + v) for ``steps`` steps on the quadratic with
    eigenvalues 1/κ and 1; its colour is the rate per step, grey where the run diverged. The cross marks the
    optimum α* = (2/(√λmax + √λmin))², β* = ((√κ − 1)/(√κ + 1))²; the white dot the best cell of the map.
    With noise σ > 0 every gradient gets Gaussian noise of std σ, no run converges to the minimiser, and the
    map shows instead how far the loss fell (log10 of J over the last steps / J(θ₀)): large α and β, fast
    without noise, now leave the largest noise floor.

    Args:
        kappa: initial condition number κ (slider from 1 to 1000).
        noise: initial gradient-noise std σ (slider from 0 to 1).
        resolution: pixels per axis (one run each).
        steps: steps per run.
        rule: your ``momentum_step`` to run instead of optlab's — all resolution² runs in one batched call, so it must
            work on a batch of θ's (elementwise numpy); if it cannot, optlab's takes over and the caption says why.

    Returns:
        the panel; show it as the cell's last expression. Its caption counts the runs that diverged and says why
        (α above momentum's limit 2(1 + β)/λmax in each, without noise).
    """
    return SweepPanel(kappa=kappa, noise=noise, resolution=resolution, steps=steps, rule=rule)
