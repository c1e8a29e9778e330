"""Kernel time of a slider move on every panel of the course, and the Adam panel against re-creating the figure.

* Every panel of the course: each code cell of ``solutions/*.ipynb`` that opens a panel (a top-level call of
  one of ``optlab.widgets``' ``*_panel`` factories) is found; the notebook's code cells run in order in one
  namespace (magics dropped, printed output discarded, figures closed unshown, a failing cell noted and
  skipped), so each panel is made exactly as the lesson makes it, from the names its earlier cells define
  (a student's rule, an objective); then its α slider (κ on the sweep map; the first ``lr_…`` control of a panel with one α per
  optimizer) is dragged at the slider's own positions (as the browser's slider moves): five slider steps up, ten
  down, back to the start, twice — 40 moves after two warm-up moves, each from setting the widget's value to the
  new PNG in the Image widget (readouts, run, artists, blit, PNG). Wall time (``perf_counter``) and CPU time
  (``process_time``) of each move; the medians are the figures. The note splits a move into its parts, timed
  during the same moves (CPU, median of each): ``update()`` (the run and the artists), the draw (restore the
  cached background, draw the moving artists), the PNG encoding, and the rest (ipywidgets traits, readouts,
  captions). It also gives the CPU time of the drag's very first move (where a path panel runs the slider's whole
  range, unless the panel did so when it was shown), the slowest move, and the median of the moves to a value the
  panel had not shown before (the sweep map and the training panel redraw a value shown before from what they
  kept, so a drag back and forth is mostly such redraws: that median is what a new value costs). Outside a kernel
  no comm message is sent; the browser benchmark measures that part.
* Adam panel, 200 steps (``trajectory_panel("adam", "rosenbrock", lr=0.02, steps=200)``): α and β1 moves,
  60 of them; compared with re-creating the whole figure as ``interact`` does, and with a full canvas draw.
"""

from __future__ import annotations

import ast
import io
import math
import pathlib
import statistics
import time

import matplotlib

matplotlib.use("Agg")  # before any notebook's `import matplotlib.pyplot`

import ipywidgets  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import optlab.widgets  # noqa: E402
from optlab import plotting  # noqa: E402
from optlab.widgets import trajectory_panel  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: A drag: slider steps relative to where the panel opens (up 5, down 10, back), twice.
DRAG = [1, 2, 3, 4, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5, -4, -3, -2, -1, 0] * 2
FACTORIES = {name for name in optlab.widgets.__all__ if name.endswith("_panel")}


def _python(source: str) -> str:
    """A cell's source without IPython magics (``%matplotlib inline``), so that ``ast`` can read it."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _called(node) -> str | None:
    """The panel factory a top-level statement calls (``trajectory_panel(...)`` or ``p = sgd_panel(...)``)."""
    value = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in FACTORIES:
            return name
    return None


def course_panels(folder=ROOT / "solutions"):
    """(notebook stem, cell id, the call's source) of every panel a notebook opens, in course order."""
    for stem, cells in notebook_cells(folder):
        for cell_id, src, tree in cells:
            for node in tree.body:
                if _called(node):
                    yield stem, cell_id, ast.get_source_segment(src, node.value)


def notebook_cells(folder=ROOT / "solutions"):
    """(stem, [(cell id, source without magics, ast)]) for each notebook's code cells."""
    for path in sorted(pathlib.Path(folder).glob("*.ipynb")):
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        yield path.stem, [(c.get("id", "?"), _python(c.source), ast.parse(_python(c.source))) for c in cells]


def _run_statements(nodes, namespace, name):
    """Execute statements quietly: output discarded, figures closed unshown; the exception, or None."""
    import contextlib
    import warnings

    import matplotlib.pyplot as plt

    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(ast.Module(body=list(nodes), type_ignores=[]), name, "exec"), namespace)
        return None
    except Exception as exc:  # noqa: BLE001 — the benchmark notes it and goes on
        return exc
    finally:
        plt.close("all")


def panels_as_the_lessons_make_them(folder=ROOT / "solutions"):
    """Yield (stem, cell id, call source, panel or the exception that stopped it), running each notebook's cells.

    A cell's statements run in order; a statement that calls a panel factory is evaluated and its panel yielded
    (and assigned, if the cell assigns it) before the rest of the cell runs.
    """
    for stem, cells in notebook_cells(folder):
        namespace = {"__name__": "__bench__", "display": lambda *args, **kwargs: None}
        failed = None
        for cell_id, src, tree in cells:
            pending = []
            for node in tree.body:
                if not _called(node):
                    pending.append(node)
                    continue
                failed = _run_statements(pending, namespace, f"{stem} {cell_id}") or failed
                pending = []
                call = ast.get_source_segment(src, node.value)
                try:
                    panel = eval(compile(ast.Expression(node.value), f"{stem} {cell_id}", "eval"), namespace)
                except Exception as exc:  # noqa: BLE001
                    yield stem, cell_id, call, (exc if failed is None else RuntimeError(f"{exc} (after an "
                                                f"earlier cell failed: {type(failed).__name__}: {failed})"))
                    continue
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            namespace[target.id] = panel
                yield stem, cell_id, call, panel
            failed = _run_statements(pending, namespace, f"{stem} {cell_id}") or failed


def _moved_control(panel):
    """The control a student drags first: α (the first per-optimizer α if α is separate), κ on the sweep map."""
    names = ["lr"] + [n for n in panel.controls if n.startswith("lr_")] + ["kappa"]
    return next(panel.controls[n] for n in names if n in panel.controls)


def drag_values(widget, offsets=DRAG):
    """Widget values of a drag over ``offsets`` slider steps from the current value (mirrored at the ends), at the
    slider's positions min + k·step, as the browser's slider gives them (the first step leaves an opening value
    that lies between two positions)."""
    log = isinstance(widget, ipywidgets.FloatLogSlider)
    pos = math.log(widget.value, widget.base) if log else float(widget.value)
    last = math.floor((widget.max - widget.min) / widget.step + 1e-9)
    here = round((pos - widget.min) / widget.step)
    sign = -1 if here + max(offsets) > last else 1
    values = []
    for k in offsets:
        p = widget.min + min(max(here + sign * k, 0), last) * widget.step
        values.append(widget.base ** p if log else p)
    return values


class Parts:
    """While active, time the parts of every redraw of ``panel`` (CPU seconds): update, render, PNG encoding.

    The panel's ``update`` and its FastFigure's ``render`` and ``encode`` (which ``render`` calls) are wrapped on the
    instances; :meth:`close` puts them back.
    """

    def __init__(self, panel):
        self.panel, self.ff = panel, panel.fast_figure
        self.times = {"update": [], "render": [], "png": []}
        self.sizes = []
        panel.update = self._timed("update", panel.update)
        self.ff.render = self._timed("render", self.ff.render)
        self.ff.encode = self._timed("png", self.ff.encode, sizes=True)

    def _timed(self, key, fn, sizes=False):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            out = fn(*args, **kwargs)
            self.times[key].append(time.process_time() - start)
            if sizes:
                self.sizes.append((len(out), np.shape(args[0])))
            return out
        return wrapper

    def close(self):
        del self.panel.update, self.ff.render, self.ff.encode  # the class's own methods again


def measure_panel(panel, control=None, offsets=DRAG, moves=None):
    """Drag ``control`` (default: :func:`_moved_control`) over the panel: medians of the moves and of their parts.

    ``moves``, a list of (widget, value), replaces the drag of one control. The first two moves warm the code paths
    up and are not in the medians; the first of them is reported on its own (``first_ms``: it is where a panel runs a
    slider's whole range, if it was not ready). ``fresh_ms`` is the median CPU time of the moves to a value the
    panel had not shown before (where it kept nothing to redraw from), ``slowest_ms`` the slowest timed move.
    """
    if moves is None:
        control = control or _moved_control(panel)
        moves = [(control.widget, v) for v in drag_values(control.widget, offsets)]
    seen = {(id(w), w.value) for w, _ in moves}
    warm = []
    for widget, value in moves[:2]:  # warm-up: the first use of this slider's code paths
        c = time.process_time()
        widget.value = value
        warm.append(time.process_time() - c)
        seen.add((id(widget), value))
    full = panel.fast_figure.full_draws
    parts = Parts(panel)
    walls, cpus, fresh = [], [], []
    try:
        for widget, value in moves:
            w, c = time.perf_counter(), time.process_time()
            widget.value = value
            cpus.append(time.process_time() - c)
            walls.append(time.perf_counter() - w)
            if (id(widget), value) not in seen:
                fresh.append(cpus[-1])
                seen.add((id(widget), value))
    finally:
        parts.close()
    med = {key: 1e3 * statistics.median(v) if v else float("nan") for key, v in parts.times.items()}
    size = statistics.median(n for n, _ in parts.sizes) if parts.sizes else 0
    shape = parts.sizes[-1][1] if parts.sizes else (0, 0)
    return dict(wall_ms=1e3 * statistics.median(walls), cpu_ms=1e3 * statistics.median(cpus), moves=len(moves),
                control=control.symbol if control else "", full_draws=panel.fast_figure.full_draws - full,
                errors=panel.errors, update=med["update"], draw=med["render"] - med["png"], png=med["png"],
                kb=size / 1024, pixels=f"{shape[1]}×{shape[0]}", first_ms=1e3 * warm[0],
                fresh_ms=1e3 * statistics.median(fresh) if fresh else float("nan"), fresh=len(fresh),
                slowest_ms=1e3 * max(cpus))


def _cpu_median(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def describe(m) -> str:
    rest = max(m["cpu_ms"] - m["update"] - m["draw"] - m["png"], 0.0)
    fresh = (f"; {m['fresh']} moves to a value not shown before: median {m['fresh_ms']:.1f} ms" if m["fresh"]
             else "")
    return (f"median of {m['moves']} {m['control']} moves ({m['full_draws']} redrew the background); CPU, median "
            f"of each part: update (run + artists) {m['update']:.1f} ms, draw {m['draw']:.1f} ms, PNG {m['png']:.1f} "
            f"ms ({m['kb']:.0f} KB, {m['pixels']}), the rest (traits, readouts, caption) {rest:.1f} ms; CPU of the "
            f"drag's first move {m['first_ms']:.1f} ms, slowest move {m['slowest_ms']:.1f} ms{fresh}")


def _label(stem, cell_id, call) -> str:
    text = " ".join(call.split())
    return f"{stem[:2]} {cell_id}: {text if len(text) <= 72 else text[:71] + '…'}"


def course_rows():
    rows = []
    for stem, cell_id, call, panel in panels_as_the_lessons_make_them():
        name = _label(stem, cell_id, call)
        try:
            if isinstance(panel, Exception):
                raise panel
            m = measure_panel(panel)
        except Exception as exc:  # a row that says why, not a broken table
            rows.append(dict(name=name, value="—", unit="ms", target="<= 16", figure="panel",
                             note=f"not measured — {type(exc).__name__}: {exc}"))
            continue
        steps = getattr(panel, "steps", 0)
        figure = "rosenbrock5000" if isinstance(steps, int) and steps >= 5000 else "panel"
        note = describe(m) + (f"; {m['errors']} redraws failed" if m["errors"] else "")
        rows.append(dict(name=name, value=m["wall_ms"], cpu=m["cpu_ms"], unit="ms", target="<= 16",
                         figure=figure, note=note))
    if not rows:
        rows.append(dict(name="panels of the course", value="—", unit="ms", target="<= 16", figure="panel",
                         note="not measured — no cell of solutions/ calls a panel factory"))
    return rows


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


def adam_rows():
    panel = trajectory_panel("adam", "rosenbrock", lr=0.02, steps=200)
    lr, beta1 = panel.controls["lr"].widget, panel.controls["beta1"].widget
    # α and β1 dragged back and forth, as a hand or the arrow keys do.
    half = [1, 2, 3, 4, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5]
    moves = [(lr, v) for v in drag_values(lr, half)] + [(beta1, v) for v in drag_values(beta1, half)]
    moves = moves * 2
    m = measure_panel(panel, moves=moves)
    m["control"] = "α/β1"
    slider_ms, slider_cpu_ms = m["wall_ms"], m["cpu_ms"]

    def full_draw():
        panel.fast_figure.render_full()

    full_ms = 1e3 * _cpu_median(full_draw, 9)
    traj, objective = panel.trajectories[0], panel.objective
    recreate = []
    for _ in range(9):
        w = time.perf_counter()
        _recreate(objective, traj)
        recreate.append(time.perf_counter() - w)
    recreate_ms = 1e3 * statistics.median(recreate)
    recreate_cpu_ms = 1e3 * _cpu_median(lambda: _recreate(objective, traj), 9)
    return [
        dict(name="Adam trajectory panel, Rosenbrock, 200 steps: one α or β1 move", value=slider_ms,
             cpu=slider_cpu_ms, unit="ms", target="<= 8", figure="adam200", note=describe(m)),
        dict(name="re-created figure per move (interact-style)", value=recreate_ms, cpu=recreate_cpu_ms, unit="ms",
             target=None, note="new Figure + contour + path + loss curve + savefig PNG, median of 9"),
        dict(name="slider move vs re-created figure (CPU times)", value=recreate_cpu_ms / slider_cpu_ms, unit="×",
             target=">= 4", note="ratio of the two CPU medians, same process"),
        dict(name="the same panel, whole canvas redrawn (no blitting)", value=full_ms, unit="ms", target=None,
             note="CPU time of render_full(), median of 9; for reference"),
    ]


def entries():
    return adam_rows() + course_rows()


if __name__ == "__main__":
    for row in entries():
        print(row)
