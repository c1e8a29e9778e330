"""The course as a whole: the whole nbval run, every notebook in it, and the capstone.

* Whole course under nbval: exactly one ``python -m pytest lessons solutions`` call with the project's pytest
  options (``--nbval-lax --nbval-current-env -n auto --dist loadfile``: the notebooks run in parallel, one per
  CPU), as a subprocess, wall clock from its start to its exit; CPU time is that of pytest, its workers and
  every kernel they started (all reaped before it exits).
* Every notebook, kernel start included: a second, sequential call (``-n 0``: pytest runs one notebook after
  the other, each in a fresh kernel, as a student's "Restart & Run All" does one), so that a notebook's time
  is not inflated by a neighbour sharing the cores. The plugin ``benchmarks/_nbval_timing.py`` records each
  notebook's time — its cells' setup, call and teardown, so its kernel's start and shutdown are in — and its
  kernel's CPU time. The sum is the sequential whole-course time, given for comparison.
* In both, lessons still hold their exercise stubs; their check cells are tagged ``raises-exception``, which
  nbval lets fail; any other failure is named in the note.
* Lesson 07's claim "every optimizer reaches 100 % training accuracy in seconds": each optimizer at the
  capstone's best α for the capstone's budget (1000 full-batch steps for GD, 250 for the others), wall time
  of the slowest.

Run through the runner: ``python benchmarks/run.py course``.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    from run import Load, describe_load  # the runner's load meter (benchmarks/run.py)
finally:
    sys.path.remove(str(HERE))


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def nbval_run(paths=("lessons", "solutions"), extra=()):
    """One pytest call over ``paths``; returns (wall s, CPU s of pytest and its kernels, timing dict, load dict)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "timing.json"
        env = dict(os.environ, OPTLAB_NBVAL_TIMING=str(out),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
        command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "_nbval_timing", *extra]
        meter, cpu, start = Load(), _children_cpu(), time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall, cpu, load = time.perf_counter() - start, _children_cpu() - cpu, meter.stop()
        if not out.exists():
            raise RuntimeError(f"pytest wrote no timing (exit {proc.returncode}): {proc.stdout[-500:]}{proc.stderr[-500:]}")
        timing = json.loads(out.read_text())
    timing["summary"] = (proc.stdout.strip().splitlines() or [""])[-1]
    return wall, cpu, timing, load


def _failures(timing):
    return [f"{name}: {', '.join(nb['failed'])}" for name, nb in timing["notebooks"].items() if nb["failed"]]


def _course_entries():
    wall, cpu, timing, load = nbval_run()
    notebooks = timing["notebooks"]
    note = (f"{len(notebooks)} notebooks, {sum(nb['cells'] for nb in notebooks.values())} cells, the project's options "
            f"(parallel, one notebook per CPU); pytest says: {timing['summary']}; {describe_load(load)}")
    if _failures(timing):
        note += "; FAILED: " + "; ".join(_failures(timing))
    rows = [dict(name="whole course under nbval: python -m pytest lessons solutions", value=wall, cpu=cpu, unit="s",
                 target="<= 60", figure="nbval", note=note)]

    wall, cpu, timing, load = nbval_run(extra=("-n", "0"))
    notebooks = timing["notebooks"]
    kernels = sum(nb["cpu"] for nb in notebooks.values())
    note = (f"the same notebooks one after another (-n 0); CPU: kernels {kernels:.1f} s, pytest "
            f"{timing['pytest_cpu']:.1f} s; pytest says: {timing['summary']}; {describe_load(load)}")
    if _failures(timing):
        note += "; FAILED: " + "; ".join(_failures(timing))
    rows.append(dict(name="the same, sequential (python -m pytest lessons solutions -n 0)", value=wall, cpu=cpu,
                     unit="s", target=None, note=note))
    for name, nb in sorted(notebooks.items(), key=lambda kv: -kv[1]["seconds"]):
        rows.append(dict(name=f"{name}, kernel start included", value=nb["seconds"], cpu=nb["cpu"], unit="s",
                         target="<= 5", figure="notebook",
                         note=f"{nb['cells']} code cells; the sequential run; CPU = its kernel's"
                              + (f"; FAILED: {', '.join(nb['failed'])}" if nb["failed"] else "")))
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


def entries() -> list[dict]:
    return [_capstone_entry(), *_course_entries()]


if __name__ == "__main__":
    for row in entries():
        print(row)
