"""Run optlab's benchmarks and print one table of figures: ``python benchmarks/run.py``.

Protocol for entry modules. Every file ``benchmarks/bench_*.py`` is imported (in name order) and must
define::

    def entries() -> list[dict]:
        return [dict(name="sweep 10 000 × 500 Adam (Rosenbrock)",   # what was measured
                     value=0.21,                                    # a number
                     unit="s",                                      # "s", "ms", "×", "ns/run-step", ...
                     target="<= 0.3",                               # "<= x", ">= x", "< x", "> x" or None
                     note="best of 3, after one warm-up call")]     # how it was measured (may be "")

``entries()`` does its own timing (``time.perf_counter``) and returns the figures; where a comparison
exists the figure is a ratio of two times measured in the same call, so the machine's speed cancels out.
An entry module whose optional dependency is missing (e.g. torch) leaves that entry out or says so in
``note``. The runner adds a ✓/✗ column from ``target``; a module that raises becomes one ✗ row with the
error, and the other modules still run. This is a benchmark, not a test: nothing here fails CI.

Usage::

    python benchmarks/run.py                 # every bench_*.py
    python benchmarks/run.py core widgets    # only bench_core.py and bench_widgets.py
"""

from __future__ import annotations

import importlib.util
import operator
import pathlib
import platform
import sys
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def _status(value, target) -> str:
    if not target:
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


def collect(names=()) -> list[dict]:
    """Run the selected entry modules; return their rows (with a ``module`` and ``status`` key added)."""
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        short = path.stem[len("bench_"):]
        if names and short not in names and path.stem not in names:
            continue
        try:
            entries = _load(path).entries()
        except Exception as exc:  # one broken module must not hide the others' figures
            traceback.print_exc()
            entries = [dict(name=f"{path.name} failed", value="—", unit="", target=None,
                            note=f"{type(exc).__name__}: {exc}")]
            rows.extend(dict(e, module=short, status="✗") for e in entries)
            continue
        for entry in entries:
            rows.append(dict(entry, module=short, status=_status(entry.get("value"), entry.get("target"))))
    return rows


def table(rows) -> str:
    """The rows as an aligned plain-text table."""
    header = ("module", "figure", "value", "unit", "target", "", "note")
    body = [(r["module"], str(r["name"]), _format(r.get("value")), str(r.get("unit", "")),
             str(r.get("target") or ""), r["status"], str(r.get("note", ""))) for r in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header) - 1)]
    lines = []
    for line in [header] + body:
        cells = [cell.rjust(w) if i == 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))]
        lines.append("  ".join(cells + [line[-1]]).rstrip())
    lines.insert(1, "-" * max(len(x) for x in lines))
    return "\n".join(lines)


def main(argv=None) -> int:
    names = tuple(argv if argv is not None else sys.argv[1:])
    start = time.perf_counter()
    rows = collect(names)
    print(f"optlab benchmarks — Python {platform.python_version()}, {platform.machine()}, "
          f"{_cpus()} CPU(s)")
    print(table(rows) if rows else "no benchmark entries found")
    print(f"({time.perf_counter() - start:.1f} s in all)")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
