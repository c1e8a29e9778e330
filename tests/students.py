"""Simulate students on one lesson: run it with each catalogued wrong answer in turn and report every cell.

    python tests/students.py 01_gradient_descent.ipynb report.json   # writes the report (test_students.py reads it)

The lesson runs in an IPython shell in this process, cell by cell, as in a kernel (``%matplotlib inline``,
figures and panels displayed, stdout and stderr captured per cell). Each exercise's cell gets the correct
answer from ``solutions/`` — except in the *variants*: for every exercise, the unanswered stub, a cell
with a SyntaxError, and every wrong answer of ``tests/catalogue.py``.

To stay fast and still exact, the lesson runs once and forks (``os.fork``) at the start of each exercise:
a child types one variant into the exercise cell and runs the cells from there to the end of the
exercise's *zone* — its check and the ``reference_or("name")`` cell that falls back to optlab's function
(or just the check, if nothing later uses the function). After the zone the state no longer depends on
which wrong answer was typed (the name is bound to optlab's reference, which the report records; or, where
there is no fallback, nothing later calls it), so only the stub's child runs on to the end of the lesson,
on behalf of every variant — any later use of a function without a fallback would meet the stub and fail.
The parent then runs the zone with the correct answer and moves on to the next exercise. Children run
one at a time.
"""
from __future__ import annotations

import json
import os
import pickle
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # fork-safe and fair on a shared 2-core machine
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import catalogue  # noqa: E402

ROOT = catalogue.ROOT


def cells_of(name):
    """The lesson's code cells: (index, id, role, exercise name or None, lesson source, solution source)."""
    import nbformat

    lesson = nbformat.read(ROOT / "lessons" / name, as_version=4)
    solution = nbformat.read(ROOT / "solutions" / name, as_version=4)
    assert [c.id for c in lesson.cells] == [c.id for c in solution.cells], f"{name}: lessons/ and solutions/ differ"
    out = []
    for i, (les, sol) in enumerate(zip(lesson.cells, solution.cells)):
        if les.cell_type != "code":
            continue
        meta = les.metadata.get("nbgrader", {})
        role = "exercise" if meta.get("solution") else "check" if meta.get("grade") else "other"
        out.append(dict(index=i, id=les.id, role=role, name=meta.get("grade_id") if role == "exercise" else None,
                        lesson=les.source, solution=sol.source))
    return out


def zones(cells):
    """For each exercise: (its position in ``cells``, its check's position, the end of its zone)."""
    found = []
    for k, cell in enumerate(cells):
        if cell["role"] != "exercise":
            continue
        check = next(j for j in range(k + 1, len(cells)) if cells[j]["role"] == "check")
        pattern = re.compile(r"""reference_or\(\s*["']%s["']""" % re.escape(cell["name"]))
        fallback = next((j for j in range(check + 1, len(cells)) if pattern.search(cells[j]["lesson"])), None)
        found.append(dict(start=k, check=check, fallback=fallback, end=fallback if fallback is not None else check,
                          name=cell["name"]))
    return found


class Runner:
    """An IPython shell that runs cells as a kernel would and records what each cell did."""

    def __init__(self):
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        class Shell(InteractiveShell):
            def enable_gui(self, gui=None):  # the inline backend needs no event loop
                pass

        os.chdir(ROOT / "lessons")
        config = Config()
        config.HistoryManager.enabled = False  # no history database shared by forked children
        self.shell = Shell.instance(config=config)

    def run(self, cell, source):
        from IPython.utils.capture import capture_output

        with capture_output() as captured:
            result = self.shell.run_cell(source, store_history=True)
        error = result.error_before_exec or result.error_in_exec
        return dict(index=cell["index"], id=cell["id"], role=cell["role"],
                    error=type(error).__name__ if error is not None else None,
                    message=str(error) if error is not None else None,
                    stdout=captured.stdout[-2000:], stderr=captured.stderr[-2000:])


def variants(name, stub_source):
    """(label, says, source, is_stub) for every answer the simulation types into exercise ``name``."""
    yield "unanswered", f"{name} is not written yet", stub_source, True
    yield "syntax error", f"{name} {catalogue.NOT_DEFINED}", catalogue.syntax_error(stub_source), False
    for i, mistake in enumerate(catalogue.MISTAKES.get(name, [])):
        yield f"mistake {i}", mistake.says, catalogue.answer(stub_source, mistake), False


def _in_child(work):
    """Run ``work()`` in a forked child; return what it returns (pickled through a pipe)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            payload = pickle.dumps(("ok", work()))
        except BaseException as exc:  # report, never hang the parent
            payload = pickle.dumps(("crash", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    status, value = pickle.loads(data)
    if status != "ok":
        raise RuntimeError(f"simulated student crashed: {value}")
    return value


def simulate(name):
    start_time = time.monotonic()
    cells = cells_of(name)
    runner = Runner()  # before optlab.checks is imported: importing it in a shell installs its NameError message
    from optlab.checks import EXERCISES

    report = dict(notebook=name, baseline=[], variants=[])
    correct = [c["solution"] if c["role"] == "exercise" else c["lesson"] for c in cells]
    position = 0
    for zone in zones(cells):
        for k in range(position, zone["start"]):           # the lesson up to this exercise, answered
            report["baseline"].append(runner.run(cells[k], correct[k]))
        position = zone["start"]
        exercise = cells[zone["start"]]
        for label, says, source, is_stub in variants(zone["name"], exercise["lesson"]):
            def work(source=source, is_stub=is_stub):
                t0 = time.monotonic()
                records = [runner.run(exercise, source)]
                last = len(cells) - 1 if is_stub else zone["end"]
                for k in range(zone["start"] + 1, zone["end"] + 1):
                    records.append(runner.run(cells[k], correct[k]))
                bound = runner.shell.user_ns.get(zone["name"])
                reference = EXERCISES[zone["name"]].reference if zone["name"] in EXERCISES else None
                falls_back = bound is reference if zone["fallback"] is not None else None
                for k in range(zone["end"] + 1, last + 1):
                    records.append(runner.run(cells[k], correct[k]))
                return dict(records=records, falls_back=falls_back, seconds=time.monotonic() - t0)

            result = _in_child(work)
            report["variants"].append(dict(exercise=zone["name"], label=label, says=says, stub=is_stub,
                                           zone=[cells[k]["id"] for k in range(zone["start"], zone["end"] + 1)],
                                           check=cells[zone["check"]]["id"],
                                           fallback=None if zone["fallback"] is None else cells[zone["fallback"]]["id"],
                                           **result))
    for k in range(position, len(cells)):
        report["baseline"].append(runner.run(cells[k], correct[k]))
    times = os.times()
    report["seconds"] = time.monotonic() - start_time
    report["cpu_seconds"] = times.user + times.system + times.children_user + times.children_system
    return report


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(simulate(sys.argv[1])), encoding="utf-8")
