"""Benchmark entries for the course as a whole: every notebook executed, the capstone, the training panel.

* Whole-course time: every notebook in lessons/ and solutions/ run top to bottom with nbclient, one fresh
  kernel each, one after the other (as ``pytest --nbval-lax`` without xdist does), kernel start included.
  Lessons still hold their exercise stubs; their check cells are tagged ``raises-exception`` and nbclient
  lets exactly those cells fail. An error anywhere else is reported in the note. The kernels' CPU time is
  given too (it does not grow when other processes compete for the cores), and a second figure runs the
  same notebooks two at a time, as ``pytest -n 2`` would on two cores.
* Lesson 07's claim "every optimizer reaches 100 % training accuracy in seconds": each optimizer at the
  capstone's best α for the capstone's budget (1000 full-batch steps for GD, 250 for the others), wall time
  of the slowest.
* The live training panel: the time of one retrain (``TrainingPanel.last_retrain_seconds``) and of a whole
  slider move (retrain + redraw + PNG), median over moves through all seven optimizers and a few α's.

Run through the runner: ``python benchmarks/run.py course``.
"""

from __future__ import annotations

import os
import pathlib
import resource
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat
import numpy as np
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _execute(path: pathlib.Path):
    """Run one notebook in a fresh kernel; return (seconds, kernel CPU seconds, cells that failed unexpectedly).

    The kernel is a child process, reaped at shutdown, so its CPU time shows in RUSAGE_CHILDREN: a figure
    that, unlike wall time, does not grow when other processes compete for the cores.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    cpu, start = _children_cpu(), time.perf_counter()
    client.execute()
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    failed = [cell.get("id", "?") for cell in nb.cells if cell.cell_type == "code"
              and "raises-exception" not in cell.metadata.get("tags", [])
              and any(out.get("output_type") == "error" for out in cell.get("outputs", []))]
    return seconds, cpu, failed


def _notebooks():
    return [path for folder in ("lessons", "solutions") for path in sorted((ROOT / folder).glob("*.ipynb"))]


def _course_entries():
    times, cpus, failures = {}, {}, []
    load = os.getloadavg()[0]
    for path in _notebooks():
        name = f"{path.parent.name}/{path.stem}"
        times[name], cpus[name], failed = _execute(path)
        failures += [f"{name}#{cell}" for cell in failed]
    total = sum(times.values())
    slowest = sorted(times.items(), key=lambda kv: -kv[1])[:3]
    note = (f"{len(times)} notebooks, nbclient, fresh kernel each, sequential, {os.cpu_count()} CPUs, load average "
            f"{load:.1f} at the start; kernels' CPU time {sum(cpus.values()):.0f} s; slowest: "
            + ", ".join(f"{name} {s:.1f} s (CPU {cpus[name]:.1f} s)" for name, s in slowest))
    if failures:
        note += "; UNEXPECTED ERRORS in " + ", ".join(failures)
    rows = [dict(name="whole course: every notebook in lessons/ and solutions/", value=total, unit="s",
                 target="<= 90", note=note)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:  # as `pytest -n 2` would run them on two cores
        list(pool.map(_execute, _notebooks()))
    rows.append(dict(name="whole course, two notebooks at a time", value=time.perf_counter() - start, unit="s",
                     target="<= 90", note="the same notebooks, two at a time (two threads, each with its own kernels)"))
    for stem, target in (("06_beyond_adam", "<= 6"), ("07_capstone", "<= 6")):
        key = f"solutions/{stem}"
        if key in times:
            rows.append(dict(name=f"{key}.ipynb executed (kernel start included)", value=times[key], unit="s",
                             target=target, note="same run as the whole-course figure"))
    return rows


def _capstone_entry():
    from optlab.data import make_spirals
    from optlab.nn import MLP, MLPLoss, train
    from optlab.optimizers import AdaGrad, Adam, AdamW, GD, Momentum, Nesterov, RMSProp

    lrs = np.geomspace(0.01, 10.0, 7)  # the capstone's sweep; the indices are its best α's
    best = [(GD, 5), (Momentum, 4), (Nesterov, 4), (AdaGrad, 3), (RMSProp, 1), (Adam, 2), (AdamW, 2)]
    net = MLP((2, 16, 16, 1))
    loss = MLPLoss(net, *make_spirals(n=200, noise=0.05, seed=0))
    theta0 = net.init(seed=0)
    parts = []
    for make, i in best:
        start = time.perf_counter()
        result = train(make(lr=lrs[i]), loss, theta0, steps=1000 if make is GD else 250)
        parts.append((make.__name__, time.perf_counter() - start, float(result.final_accuracy)))
    worst = max(seconds for _, seconds, _ in parts)
    reached = min(acc for _, _, acc in parts)
    note = (f"training accuracy reached by every optimizer: {reached:.0%}; "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds, _ in parts))
    return dict(name="capstone: slowest optimizer to 100 % training accuracy (GD 1000 steps, others 250)",
                value=worst, unit="s", target="<= 2", note=note)


def _panel_entries():
    from optlab.widgets.training import training_panel

    panel = training_panel("adam", steps=300)
    retrain, move = [], []
    changes = [("optimizer", name) for name in ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adamw",
                                                "adam")] + [("lr", lr) for lr in (0.01, 0.1, 0.003, 0.03)]
    for key, value in changes:
        start = time.perf_counter()
        panel.controls[key].value = value
        move.append(time.perf_counter() - start)
        retrain.append(panel.last_retrain_seconds)
    note = f"median of {len(changes)} moves (all 7 optimizers, 4 α's), 300 full-batch steps per retrain"
    return [dict(name="training_panel: one retrain", value=1e3 * statistics.median(retrain), unit="ms",
                 target="<= 150", note=note),
            dict(name="training_panel: slider move to new picture", value=1e3 * statistics.median(move),
                 unit="ms", target="<= 250", note=note + "; retrain + redraw + PNG")]


def entries() -> list[dict]:
    return [_capstone_entry(), *_panel_entries(), *_course_entries()]


if __name__ == "__main__":
    for row in entries():
        print(row)
