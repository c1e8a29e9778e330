"""Latency of the live panels (issue 4): one slider move vs re-creating the figure, the sweep map, the browser.

* slider move: kernel time (wall and process CPU time) of one α or β1 step on ``trajectory_panel("adam", "rosenbrock")`` — a 200-step run,
  contour, path and loss curve — from setting the slider's value to the new PNG in the Image widget
  (run + artists updated in place + blit + PNG at compression level 1). Median over 60 moves.
* re-created figure: the usual ``interact`` way — a new Figure with contour, path and loss curve, drawn and
  saved as PNG, for the same run. Median over 15. The ratio of the two is machine-independent.
* full draw: the panel's artists updated in place but the whole canvas redrawn (no blitting), for reference.
* sweep: one κ move on ``sweep_panel()`` (100 × 100 momentum runs of 100 steps, one batched run).
* browser: key press on the α/β1 slider of lesson 05's Adam trajectory panel (solutions/05_adam.ipynb, all
  cells run) in JupyterLab/chromium until the new picture has loaded (median of ~10 presses), from the JSON the
  browser test writes (``tests/browser/lab.py``); measured here if that
  file is missing and chromium is installed (set OPTLAB_BENCH_BROWSER=0 to skip).
"""

from __future__ import annotations

import io
import os
import pathlib
import statistics
import sys
import tempfile
import time

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optlab import plotting
from optlab.widgets import sweep_panel, trajectory_panel

_BROWSER = pathlib.Path(__file__).resolve().parents[1] / "tests" / "browser"


def _median_ms(fn, calls, clock=time.perf_counter):
    times = []
    for args in calls:
        start = clock()
        fn(*args)
        times.append(clock() - start)
    return 1e3 * statistics.median(times)


def _load() -> str:
    try:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return "load average unknown"


def _recreate(objective, traj):
    """What ``interact`` does on every move: build the whole picture again and encode it."""
    fig = Figure(figsize=(8.4, 3.5), dpi=86, layout="constrained")
    FigureCanvasAgg(fig)
    ax_path, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1.0])
    plotting.plot_contour(objective, ax_path, levels=20, resolution=160)
    plotting.plot_trajectory(traj.thetas, ax_path)
    plotting.plot_loss(traj.losses, ax_loss, f_min=objective.f_min)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _browser_entry():
    sys.path.insert(0, str(_BROWSER))
    try:
        import lab
    finally:
        sys.path.remove(str(_BROWSER))
    note = "JupyterLab + chromium, keydown to the new picture's load event, median of the presses"
    if not lab.TIMING_FILE.exists():
        reason = lab.unavailable() or ("OPTLAB_BENCH_BROWSER=0" if os.environ.get("OPTLAB_BENCH_BROWSER") == "0"
                                       else None)
        if reason:
            return dict(name="browser: key press to new picture", value="n/a", unit="ms", target="<= 60",
                        note=f"not measured: {reason}")
        with tempfile.TemporaryDirectory() as tmp:
            lab.save_timing(lab.run_browser_session(tmp, presses=12))
        note += " (measured by this benchmark)"
    else:
        note += f" (from {lab.TIMING_FILE}, written by tests/browser)"
    import json

    result = json.loads(lab.TIMING_FILE.read_text())
    note = note.replace("JupyterLab", f"{result.get('notebook') or 'a notebook'}'s Adam panel in JupyterLab", 1)
    return dict(name="browser: key press to new picture", value=float(result["median_ms"]), unit="ms",
                target="<= 60", note=f"{note}; all: {', '.join(f'{t:.0f}' for t in result['times_ms'])}; "
                                     f"key press to the new readout (the round trip alone): "
                                     f"{result.get('readout_median_ms', float('nan')):.0f} ms")


def entries():
    panel = trajectory_panel("adam", "rosenbrock", lr=0.02, steps=200)
    lr, beta1 = panel.controls["lr"].widget, panel.controls["beta1"].widget
    # A drag: consecutive slider steps back and forth, as a hand or the arrow keys produce them.
    lr_moves = [(lr, 10 ** e) for e in np.r_[np.arange(-1.7, -1.2, 0.05), np.arange(-1.25, -1.75, -0.05)]]
    beta_moves = [(beta1, b) for b in np.r_[np.arange(0.89, 0.79, -0.01), np.arange(0.8, 0.9, 0.01)]]
    moves = (lr_moves + beta_moves) * 2

    def move(widget, value):
        widget.value = value

    _median_ms(move, moves[:5])  # warm-up
    full_before = panel.fast_figure.full_draws
    slider_ms = _median_ms(move, moves)
    slider_cpu_ms = _median_ms(move, moves, clock=time.process_time)
    full_draws = panel.fast_figure.full_draws - full_before
    load = _load()

    def full_draw(widget, value):
        widget.value = value
        panel.fast_figure.render_full()

    full_ms = _median_ms(full_draw, moves[:15])
    traj, objective = panel.trajectories[0], panel.objective
    recreate_ms = _median_ms(lambda: _recreate(objective, traj), [()] * 15)
    recreate_cpu_ms = _median_ms(lambda: _recreate(objective, traj), [()] * 15, clock=time.process_time)

    sweep = sweep_panel(kappa=10.0, resolution=100, steps=100)
    kappa = sweep.controls["kappa"].widget
    sweep_s = _median_ms(move, [(kappa, k) for k in (20.0, 50.0, 100.0, 30.0, 10.0)]) / 1e3
    sweep_cpu_s = _median_ms(move, [(kappa, k) for k in (15.0, 40.0, 80.0, 25.0, 10.0)], clock=time.process_time) / 1e3

    long = trajectory_panel("gd", "rosenbrock", lr=0.001, steps=5000)  # lesson 01's Rosenbrock panel
    long_lr = long.controls["lr"].widget
    long_moves = [(long_lr, 10 ** e) for e in np.r_[np.arange(-3.0, -2.7, 0.05), np.arange(-2.75, -3.0, -0.05)]]
    _median_ms(move, long_moves[:2])
    long_ms = _median_ms(move, long_moves)
    long_cpu_ms = _median_ms(move, long_moves, clock=time.process_time)
    long.update()
    start = time.perf_counter()
    long.fast_figure.render()
    long_render_ms = 1e3 * (time.perf_counter() - start)

    rows = [
        dict(name="slider move: Adam trajectory panel (200 steps, contour + loss curve)", value=slider_ms, unit="ms",
             target="<= 25", note=f"kernel wall time, median of {len(moves)} α/β1 moves "
                                  f"({full_draws} of them redrew the background); {load}"),
        dict(name="slider move, kernel CPU time (same moves)", value=slider_cpu_ms, unit="ms", target="<= 25",
             note="process CPU time: what a move costs without waiting for a busy machine's cores"),
        dict(name="re-created figure per move (interact-style)", value=recreate_ms, unit="ms", target=None,
             note=f"new Figure + contour + path + loss curve + savefig PNG, median of 15 "
                  f"(CPU time {recreate_cpu_ms:.0f} ms)"),
        dict(name="slider move vs re-created figure", value=recreate_ms / slider_ms, unit="×", target=">= 4",
             note=f"ratio of the two wall-time medians (of CPU times: {recreate_cpu_ms / slider_cpu_ms:.1f}×)"),
        dict(name="set_data + full canvas draw + PNG (no blitting)", value=full_ms, unit="ms", target=None,
             note="same moves, whole canvas redrawn each time; for reference"),
        dict(name="slider move: GD on Rosenbrock, 5000 steps (lesson 01)", value=long_ms, unit="ms", target=None,
             note=f"kernel wall time, median of {len(long_moves)} α moves (CPU time {long_cpu_ms:.0f} ms); the path and loss curve are drawn through "
                  f"<= 1000 points (render alone {long_render_ms:.0f} ms), the rest is the 5000-step run"),
        dict(name="sweep panel: 100 × 100 (α, β) map redraw", value=sweep_s, unit="s", target="<= 1",
             note=f"κ slider move, 10 000 momentum runs × 100 steps in one batched run, median of 5 "
                  f"(CPU time {sweep_cpu_s:.3f} s)"),
    ]
    try:
        rows.append(_browser_entry())
    except Exception as exc:  # a benchmark row, not a failure: say what went wrong
        rows.append(dict(name="browser: key press to new picture", value="n/a", unit="ms", target="<= 60",
                         note=f"failed: {type(exc).__name__}: {exc}"))
    return rows
