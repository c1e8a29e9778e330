"""A pytest plugin for ``benchmarks/bench_course.py``: per-notebook wall and kernel CPU time of an nbval run.

Loaded with ``-p _nbval_timing`` (``benchmarks/`` on ``PYTHONPATH``); writes JSON to ``$OPTLAB_NBVAL_TIMING``.
A notebook's time is the sum of its items' setup, call and teardown: nbval starts the notebook's kernel in
the first item's setup and stops it in the last item's teardown, so the kernel's start and shutdown are in.
Its CPU time is what the processes reaped meanwhile used: the kernel is a child of pytest, killed and reaped
when the notebook's last item tears down. That holds when pytest runs the notebooks itself (``-n 0``); under
pytest-xdist the kernels are the workers' children, so only the times are per notebook.
"""

from __future__ import annotations

import json
import os
import resource

_notebooks: dict = {}


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _notebook(nodeid):
    return _notebooks.get(nodeid.split("::")[0])


def pytest_runtest_logstart(nodeid, location):
    path = nodeid.split("::")[0]
    if path.endswith(".ipynb") and path not in _notebooks:
        _notebooks[path] = dict(seconds=0.0, cpu=0.0, cells=0, failed=[], _cpu0=_children())


def pytest_runtest_logreport(report):
    notebook = _notebook(report.nodeid)
    if notebook is None:
        return
    notebook["seconds"] += report.duration
    if report.when == "call":
        notebook["cells"] += 1
    if report.failed:
        notebook["failed"].append(f"{report.nodeid.split('::', 1)[-1]} ({report.when})")


def pytest_runtest_logfinish(nodeid, location):
    notebook = _notebook(nodeid)
    if notebook is not None:
        notebook["cpu"] = _children() - notebook["_cpu0"]


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("OPTLAB_NBVAL_TIMING")
    if not path or hasattr(session.config, "workerinput"):  # an xdist worker: the controller writes the file
        return
    me = resource.getrusage(resource.RUSAGE_SELF)
    notebooks = {name: {k: v for k, v in nb.items() if not k.startswith("_")} for name, nb in _notebooks.items()}
    with open(path, "w") as f:
        json.dump(dict(notebooks=notebooks, exitstatus=int(exitstatus), pytest_cpu=me.ru_utime + me.ru_stime), f)
