"""Run optlab's benchmarks and print one table of figures: ``python benchmarks/run.py``.

Protocol for entry modules. Every file ``benchmarks/bench_*.py`` is imported (in name order) and must
define::

    def entries() -> list[dict]:
        return [dict(name="sweep 10 000 × 500 Adam (Rosenbrock)",   # what was measured
                     value=0.21,                                    # a number, or "—" when not measured
                     unit="s",                                      # "s", "ms", "×", "ns/run-step", ...
                     target="<= 0.3",                               # "<= x", ">= x", "< x", "> x" or None
                     cpu=0.20,                                      # optional: the same figure in CPU time
                     figure="adam200",                              # optional: a key of ISSUE_14 (below)
                     note="best of 3, after one warm-up call")]     # how it was measured (may be "")

``entries()`` does its own timing (``time.perf_counter`` for wall time, ``time.process_time`` or the
children's rusage for CPU time) and returns the figures, all measured in this run: nothing is read from
files an earlier run left behind. Where a comparison exists the figure is a ratio of two times measured in
the same call, so the machine's speed cancels out. A figure that cannot be measured here (Chromium missing)
is a row whose value is "—" and whose note starts "not measured — <reason>". The runner adds a ✓/✗ column
from ``target`` and, for every module, the machine's load while it ran: the cores that *other* processes
kept busy (from /proc/stat minus this process and its children), since a wall time taken on a loaded
2-core machine says little without it. A module that raises becomes one ✗ row with the error, and the
other modules still run. This is a benchmark, not a test: nothing here fails CI.

Issue 14's table. Rows with a ``figure`` key are repeated at the end under the figure of issue 14 they
measure, next to its goal (:data:`ISSUE_14`); a figure that no module measured prints "not measured" with
the module that would measure it. That is the hook for new rows: the JupyterLite row comes from a module
``benchmarks/bench_lite.py`` returning a row with ``figure="lite"``.

Usage::

    python benchmarks/run.py                 # every bench_*.py
    python benchmarks/run.py core widgets    # only bench_core.py and bench_widgets.py
    OPTLAB_BENCH_NICE=-10 python benchmarks/run.py   # at raised priority (root only), see below

On a machine shared with other busy processes, wall times measure the queue for the cores as much as the code.
``OPTLAB_BENCH_NICE=n`` runs the benchmark (and every process it starts: kernels, JupyterLab, Chromium) at
niceness n; a negative n (root only) approximates a quiet machine for the latency figures. The header says so.

How long it takes (2 cores, quiet): core ~10 s, widgets ~20 s, browser ~60 s (two JupyterLab sessions, each:
start, Run All of lesson 05, 12 key presses), course ~100 s (the whole course under nbval twice: in parallel,
as the project runs it, and one notebook after the other for the per-notebook times; the capstone).
"""

from __future__ import annotations

import importlib.util
import operator
import os
import pathlib
import platform
import sys
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}

#: Issue 14's table: figure key -> (what is measured, goal, the module that measures it).
ISSUE_14 = {
    "adam200": ("Adam panel, 200 steps, kernel time per move", "<= 8 ms", "widgets"),
    "rosenbrock5000": ("lesson 01's GD-on-Rosenbrock panel, 5000 steps, kernel time per move", "<= 16 ms",
                       "widgets"),
    "panel": ("every other panel in lessons 00–07, kernel time per move (α, or κ on the sweep map)",
              "<= 16 ms each", "widgets"),
    "browser": ("JupyterLab + Chromium, key press → new picture, lesson 05 Adam panel, median", "<= 40 ms",
                "browser"),
    "lite": ("the same in JupyterLite", "<= 60 ms", "lite"),
    "nbval": ("whole course under nbval, lessons + solutions, one pytest call", "<= 60 s", "course"),
    "notebook": ("slowest notebook, kernel start included", "<= 5 s each", "course"),
}


class Load:
    """How busy the machine was between ``start()`` and ``stop()``: cores used by us and by everyone else.

    Linux only (/proc/stat); elsewhere only the load average is known. "Ours" is this process and the
    children it has reaped (notebook kernels, JupyterLab, Chromium), so it is exact once they have exited.
    """

    def __init__(self):
        self.cpus = os.cpu_count() or 1  # /proc/stat counts every core of the machine
        self.start()

    @staticmethod
    def _stat():
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]) - idle, sum(fields[:8])

    @staticmethod
    def _ours():
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def start(self):
        self._t0, self._stat0, self._ours0 = time.perf_counter(), self._stat(), self._ours()
        self.loadavg = _loadavg()
        return self

    def stop(self) -> dict:
        """{"seconds", "cores_total", "cores_ours", "cores_others", "loadavg"} since ``start()``."""
        seconds = time.perf_counter() - self._t0
        out = dict(seconds=seconds, loadavg=self.loadavg, cores_total=None, cores_ours=None, cores_others=None)
        stat = self._stat()
        if stat and self._stat0 and stat[1] > self._stat0[1]:
            busy = (stat[0] - self._stat0[0]) / (stat[1] - self._stat0[1]) * self.cpus
            ours = (self._ours() - self._ours0) / max(seconds, 1e-9)
            out.update(cores_total=busy, cores_ours=ours, cores_others=max(busy - ours, 0.0))
        return out


def describe_load(load: dict) -> str:
    """E.g. "others kept 1.3 of 2 cores busy (we 0.9); load average 2.4"."""
    avg = "unknown" if load["loadavg"] is None else f"{load['loadavg']:.1f}"
    if load["cores_others"] is None:
        return f"load average {avg} at the start"
    return (f"others kept {load['cores_others']:.1f} of {os.cpu_count()} cores busy (this benchmark "
            f"{load['cores_ours']:.1f}); load average {avg} at the start")


def _loadavg():
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _status(value, target) -> str:
    if not target or not isinstance(value, (int, float)):  # no goal, or not measured ("—", "n/a")
        return ""
    text = str(target).strip()
    for symbol in ("<=", ">=", "<", ">"):
        if text.startswith(symbol):
            try:
                bound = float(text[len(symbol):].split()[0])
            except (ValueError, IndexError):
                return "?"
            try:
                return "✓" if _OPS[symbol](float(value), bound) else "✗"
            except (TypeError, ValueError):
                return "?"
    return "?"


def _format(value) -> str:
    if isinstance(value, float):
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


def _load(path: pathlib.Path):
    # Imported under its own name and registered in sys.modules, so its functions can be pickled
    # (e.g. sent to a multiprocessing worker, which imports ``path.stem`` from benchmarks/ again).
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    sys.path.insert(0, str(HERE))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(HERE))
    return module


def collect(names=(), loads=None) -> list[dict]:
    """Run the selected entry modules; return their rows (with ``module`` and ``status`` keys added).

    ``loads``, if a dict, receives module -> the machine's load while that module ran (see :class:`Load`).
    """
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        short = path.stem[len("bench_"):]
        if names and short not in names and path.stem not in names:
            continue
        meter = Load()
        try:
            entries = _load(path).entries()
        except Exception as exc:  # one broken module must not hide the others' figures
            traceback.print_exc()
            entries = [dict(name=f"{path.name} failed", value="—", unit="", target=None,
                            note=f"{type(exc).__name__}: {exc}")]
            rows.extend(dict(e, module=short, status="✗") for e in entries)
            continue
        finally:
            if loads is not None:
                loads[short] = meter.stop()
        for entry in entries:
            rows.append(dict(entry, module=short, status=_status(entry.get("value"), entry.get("target"))))
    return rows


def table(rows) -> str:
    """The rows as an aligned plain-text table (a CPU column when some row has a ``cpu`` figure)."""
    with_cpu = any(r.get("cpu") is not None for r in rows)
    header = ("module", "figure", "value", "unit") + (("CPU",) if with_cpu else ()) + ("target", "", "note")
    body = [(r["module"], str(r["name"]), _format(r.get("value")), str(r.get("unit", "")))
            + ((_format(r["cpu"]) if r.get("cpu") is not None else "",) if with_cpu else ())
            + (str(r.get("target") or ""), r["status"], str(r.get("note", ""))) for r in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header) - 1)]
    numeric = {2, 4} if with_cpu else {2}
    lines = []
    for line in [header] + body:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))]
        lines.append("  ".join(cells + [line[-1]]).rstrip())
    lines.insert(1, "-" * max(len(x) for x in lines))
    return "\n".join(lines)


def issue_14(rows, names=()) -> str:
    """Issue 14's figures, each measured in this run, next to its goal (or why it was not measured)."""
    lines = ["Issue 14's table, measured in this run (value; CPU time where given; goal):"]
    for key, (what, goal, module) in ISSUE_14.items():
        mine = [r for r in rows if r.get("figure") == key]
        lines.append(f"* {what} — goal {goal}")
        if not mine:
            why = (f"module {module} not selected" if names and module not in names else
                   f"no module measures it yet (benchmarks/bench_{module}.py)" if not (HERE / f"bench_{module}.py").exists()
                   else f"bench_{module}.py returned no row for it")
            lines.append(f"    not measured — {why}")
        for r in mine:
            value = f"{_format(r.get('value'))} {r.get('unit', '')}".strip()
            cpu = f" (CPU {_format(r['cpu'])} {r.get('unit', '')})" if r.get("cpu") is not None else ""
            mark = f" {r['status']}" if r["status"] else ""
            measured = isinstance(r.get("value"), (int, float))
            lines.append(f"    {value}{cpu}{mark}  {r['name']}" + ("" if measured else f" — {r.get('note', '')}"))
    return "\n".join(lines)


def _renice() -> str:
    """Apply OPTLAB_BENCH_NICE (see the module docstring); describe the priority for the header."""
    wanted = os.environ.get("OPTLAB_BENCH_NICE")
    if not wanted:
        return ""
    try:
        now = os.nice(int(wanted) - os.nice(0))
    except (ValueError, OSError) as exc:
        return f"; OPTLAB_BENCH_NICE={wanted} not applied ({type(exc).__name__}: {exc})"
    return f"; at niceness {now} (OPTLAB_BENCH_NICE): other processes get the cores only after this benchmark"


def main(argv=None) -> int:
    names = tuple(argv if argv is not None else sys.argv[1:])
    priority = _renice()
    whole, loads = Load(), {}
    print(f"optlab benchmarks — Python {platform.python_version()}, {platform.machine()}, {_cpus()} CPU(s); "
          f"load average {whole.loadavg if whole.loadavg is None else round(whole.loadavg, 1)} at the start"
          f"{priority}", flush=True)
    rows = collect(names, loads)
    print(table(rows) if rows else "no benchmark entries found")
    print()
    print("Machine load while each module ran (a wall time on a shared machine means little without it):")
    for module, load in loads.items():
        print(f"  {module}: {load['seconds']:.0f} s; {describe_load(load)}")
    print()
    print(issue_14(rows, names))
    total = whole.stop()
    print(f"({total['seconds']:.1f} s in all; {describe_load(total)})")
    return 0


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
