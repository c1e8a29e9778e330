"""The student simulation: every lesson, with each catalogued wrong answer in one exercise in turn.

For every exercise of lessons 00–07 and every answer a student might type — the unanswered stub, a cell
with a SyntaxError, each wrong answer of ``tests/catalogue.py`` — the lesson runs (``tests/students.py``,
an IPython shell per lesson, forked per answer) and:

* that exercise's check fails, and its verdict names the mistake;
* every other check passes;
* every other cell runs without an error *or a warning* (nothing on stderr) — the exercise cell itself
  may only fail with the SyntaxError typed into it;
* the ``reference_or`` cell after the exercise says why it falls back and binds optlab's function, so the
  rest of the lesson runs as it does for a correct answer.

With every answer right, every check prints its ✓ and no cell errors or warns. The lessons run two at a
time (the course's machines have 2 cores); ``test_simulation_time`` prints what it cost.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import catalogue

ROOT = catalogue.ROOT
NOTEBOOKS = sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb"))
EXERCISES = catalogue.exercise_cells("lessons")
SCRIPT = Path(__file__).resolve().parent / "students.py"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the student simulation forks a lesson per "
                                                                  "answer (os.fork), which this platform lacks")


@pytest.fixture(scope="session")
def reports(tmp_path_factory):
    """{notebook: report of tests/students.py}, the lessons simulated two at a time."""
    out = tmp_path_factory.mktemp("students")
    # the costliest lessons first, so that the two workers finish together
    queue = sorted(NOTEBOOKS, key=lambda n: (not n.startswith(("02", "07", "03", "06")), n))
    running, done, started = [], {}, time.monotonic()
    while queue or running:
        while queue and len(running) < 2:
            name = queue.pop(0)
            path = out / f"{name}.json"
            log = open(out / f"{name}.log", "wb")
            running.append((name, path, log, subprocess.Popen([sys.executable, str(SCRIPT), name, str(path)],
                                                              stdout=log, stderr=subprocess.STDOUT)))
        time.sleep(0.2)
        for item in list(running):
            name, path, log, proc = item
            if proc.poll() is not None:
                log.close()
                running.remove(item)
                if proc.returncode != 0:
                    pytest.fail(f"simulating {name} failed:\n{(out / f'{name}.log').read_text()[-3000:]}")
                done[name] = json.loads(path.read_text(encoding="utf-8"))
    done["_wall_seconds"] = time.monotonic() - started
    return done


def _problems_in(records, skip=()):
    return [f"cell {r['index']} ({r['id']}) " + (f"raised {r['error']}: {r['message']}" if r["error"]
                                                 else f"wrote to stderr: {r['stderr'].strip()[:300]}")
            for r in records if r["id"] not in skip and (r["error"] or r["stderr"].strip())]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_lesson_runs_clean_when_answered(name, reports):
    report = reports[name]
    assert not _problems_in(report["baseline"]), _problems_in(report["baseline"])
    for record in report["baseline"]:
        if record["role"] == "check":
            assert record["stdout"].lstrip().startswith("✓"), (name, record["id"], record["stdout"])


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_wrong_answers_cost_one_check(exercise, reports):
    notebook = EXERCISES[exercise][0]
    runs = [v for v in reports[notebook]["variants"] if v["exercise"] == exercise]
    expected = 2 + len(catalogue.MISTAKES.get(exercise, []))
    assert len(runs) == expected, f"{exercise}: {len(runs)} answers simulated, expected {expected}"
    problems = []
    for run in runs:
        where = f"{notebook}, {exercise}, {run['label']}"
        records = {r["id"]: r for r in run["records"]}
        check = records[run["check"]]
        verdict = (check["message"] or "").split("\n", 1)[0]
        if check["error"] is None:
            problems.append(f"{where}: the check passed")
        elif run["says"] not in verdict:
            problems.append(f"{where}: the check's verdict {verdict!r} does not say {run['says']!r}")
        elif len(verdict) > 90:
            problems.append(f"{where}: verdict longer than 90 characters: {verdict!r}")
        exercise_cell = run["zone"][0]
        for record in run["records"]:
            if record["id"] == run["check"]:
                continue
            if record["id"] == exercise_cell and run["label"] == "syntax error":
                if record["error"] != "SyntaxError":
                    problems.append(f"{where}: the exercise cell raised {record['error']}, not SyntaxError")
                continue
            problems += [f"{where}: {p}" for p in _problems_in([record])]
            if record["role"] == "check" and not record["stdout"].lstrip().startswith("✓"):
                problems.append(f"{where}: the later check {record['id']} did not pass")
        if run["fallback"] is not None:
            said = records[run["fallback"]]["stdout"]
            if f"the rest of this lesson uses optlab's {exercise}" not in said:
                problems.append(f"{where}: the fallback cell says {said!r}")
            if run["falls_back"] is not True:
                problems.append(f"{where}: after the fallback cell {exercise} is not optlab's reference")
        if run["stub"]:
            assert run["records"][-1]["index"] == max(r["index"] for r in reports[notebook]["baseline"]), (
                f"{where}: the unanswered run did not reach the end of the lesson")
    assert not problems, "\n".join(problems)


def test_simulation_time(reports):
    """Not a timing assertion (benchmarks/ do that): the cost, printed for the record."""
    cpu = sum(r["cpu_seconds"] for n, r in reports.items() if not n.startswith("_"))
    runs = sum(len(r["variants"]) for n, r in reports.items() if not n.startswith("_"))
    print(f"student simulation: {runs} answers in {len(NOTEBOOKS)} lessons, {cpu:.0f} s CPU, "
          f"{reports['_wall_seconds']:.0f} s wall on 2 workers")
    assert runs >= len(EXERCISES) * 2
