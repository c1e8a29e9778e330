"""nbgrader end to end (development only): quickstart → generate_assignment → autograde → generate_feedback.

Every solution notebook goes into a fresh nbgrader course as its own assignment. The released notebook
must be lessons/'s notebook plus exactly what nbgrader adds (the README's instructor section says so):
quickstart's header (three cells: instructions, ``NAME``/``COLLABORATORS``, a rule), a checksum and
``cell_type`` in every nbgrader cell's metadata, ``deletable: false`` on those cells and ``editable: false``
on the locked (check) cells. Then synthetic students submit, per notebook:

* ``correct`` — every exercise answered as in solutions/: every check scores its points;
* ``unanswered`` — the released notebook as it is: every check scores 0;
* ``wrong-<exercise>`` — one exercise answered with its first wrong answer of tests/catalogue.py, the rest
  right: exactly that exercise's check loses its points (independent grading: one mistake, one check);
* for lesson 01 also ``syntax-gd_step`` — a SyntaxError in the gd_step cell costs check_gd_step only.

nbgrader autogrades them in real kernels; the scores come from its gradebook. ``generate_feedback`` and
``nbgrader validate`` must show the check's verdict line in full. Skipped, with the reason, where nbgrader
cannot be imported (it is in requirements-dev.txt).
"""
import json
import os
import queue
import re
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import nbformat
import pytest

import catalogue

nbgrader = pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -r requirements-dev.txt)")

ROOT = catalogue.ROOT
NOTEBOOKS = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HEADER = 3  # cells quickstart's source/header.ipynb puts in front of every released notebook


def nbgrader_cli(course, *args, env):
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def solved(solution_source):
    """A solution cell as a student who answered right would leave it: the answer, without nbgrader's markers."""
    return "\n".join(line for line in solution_source.split("\n") if line.strip() not in MARKERS)


def check_of(released):
    """{exercise: the grade_id of the check cell that follows it}."""
    found, pending = {}, None
    for cell in released.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            pending = meta["grade_id"]
        elif pending and meta.get("grade") and not meta.get("solution"):
            found[pending], pending = meta["grade_id"], None
    return found


def submissions(released, solution):
    """{student: notebook} — correct, unanswered and one wrong answer per exercise (released cells + answers)."""
    exercises = {}
    for i, (rel, sol) in enumerate(zip(released.cells[HEADER:], solution.cells), start=HEADER):
        meta = rel.metadata.get("nbgrader", {})
        if meta.get("solution"):
            exercises[meta["grade_id"]] = (i, rel.source, sol.source, rel.cell_type)

    def filled(**answers):
        nb = nbformat.from_dict(json.loads(json.dumps(released)))
        for name, (i, stub, sol, kind) in exercises.items():
            if name in answers:
                nb.cells[i].source = answers[name]
            else:  # the right code; a written answer as the model answer (graded by hand)
                nb.cells[i].source = solved(sol) if kind == "code" else sol
        return nb

    out = {"unanswered": nbformat.from_dict(json.loads(json.dumps(released))), "correct": filled()}
    for name, (i, stub, sol, kind) in exercises.items():
        if kind == "code":
            out[f"wrong-{name}"] = filled(**{name: catalogue.answer(stub, catalogue.MISTAKES[name][0])})
            if name == "gd_step":
                out[f"syntax-{name}"] = filled(**{name: catalogue.syntax_error(stub)})
    return out


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Run the whole nbgrader workflow on every solution notebook; return releases, scores, feedback, validate."""
    base = tmp_path_factory.mktemp("nbgrader")
    kernels = base / "jupyter" / "kernels" / "python3"  # the grading kernel runs this Python (and its optlab)
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    env = dict(os.environ, JUPYTER_PATH=str(base / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", ""),
               OPENBLAS_NUM_THREADS="1")
    work, results, errors = queue.Queue(), {}, []
    for name in sorted(NOTEBOOKS, key=lambda n: (not n.startswith(("02", "07", "03", "06")), n)):
        work.put(name)

    def worker(k):
        course = base / f"course{k}"
        try:
            nbgrader_cli(base, "quickstart", course.name, env=env)
            for example in (course / "source").iterdir():
                if example.is_dir():
                    for f in example.iterdir():
                        f.unlink()
                    example.rmdir()
            while True:
                try:
                    name = work.get_nowait()
                except queue.Empty:
                    return
                results[name] = grade_one(course, name, env)
        except BaseException as exc:  # surfaced by the fixture
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def grade_one(course, name, env):
    assignment = Path(name).stem
    source = course / "source" / assignment
    source.mkdir(parents=True)
    (source / name).write_bytes((ROOT / "solutions" / name).read_bytes())
    nbgrader_cli(course, "generate_assignment", assignment, env=env)
    released = nbformat.read(course / "release" / assignment / name, as_version=4)
    solution = nbformat.read(ROOT / "solutions" / name, as_version=4)
    students = submissions(released, solution)
    for student, nb in students.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / name)
    nbgrader_cli(course, "autograde", assignment, "--Execute.timeout=600", env=env)
    from nbgrader.api import Gradebook
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for student in students:
                sub = gb.find_submission_notebook(assignment, assignment, student)
                scores[student] = {g.name: (g.auto_score, g.max_score) for g in sub.grades if g.cell_type == "code"}
    out = dict(released=released, scores=scores, checks=check_of(released))
    if assignment == "01_gradient_descent":
        nbgrader_cli(course, "generate_feedback", assignment, "--student", "wrong-gd_step", env=env)
        out["feedback"] = (course / "feedback" / "wrong-gd_step" / assignment / f"{assignment}.html").read_text(
            encoding="utf-8")
        validated = subprocess.run([sys.executable, "-m", "nbgrader", "validate",
                                    str(course / "submitted" / "wrong-gd_step" / assignment / name)],
                                   cwd=course, env=env, capture_output=True, text=True, timeout=600)
        out["validate"] = validated.stdout
    return out


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_released_notebook_is_the_lesson_plus_what_nbgrader_adds(name, graded):
    released = graded[name]["released"]
    lesson = nbformat.read(ROOT / "lessons" / name, as_version=4)
    header = released.cells[:HEADER]
    assert [c.cell_type for c in header] == ["markdown", "code", "markdown"]
    assert header[1].source == 'NAME = ""\nCOLLABORATORS = ""' and header[2].source == "---"
    cells = released.cells[HEADER:]
    assert [c.source for c in cells] == [c.source for c in lesson.cells]
    for rel, les in zip(cells, lesson.cells):
        assert rel.metadata.get("tags", []) == les.metadata.get("tags", []), (rel.id, "tags differ")
        meta, ours = dict(rel.metadata), les.metadata.get("nbgrader")
        if ours is None:
            assert set(meta) <= {"tags"}, (rel.id, meta)
            continue
        added = {"deletable": False, **({"editable": False} if ours["locked"] else {})}
        assert {k: v for k, v in meta.items() if k not in ("nbgrader", "tags")} == added, (rel.id, meta)
        assert set(meta["nbgrader"]) - set(ours) == {"checksum", "cell_type"}, (rel.id, meta["nbgrader"])
        assert {k: meta["nbgrader"][k] for k in ours} == dict(ours)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_one_mistake_costs_one_check(name, graded):
    scores = graded[name]["scores"]
    checks = scores["correct"]
    if not graded[name]["checks"]:  # a notebook without exercises (an optional appendix) has nothing to grade
        assert all(not got for got in scores.values()), scores
        return
    assert checks and all(got == top for got, top in checks.values()), f"correct answers: {checks}"
    assert all(got == 0 for got, _ in scores["unanswered"].values()), f"unanswered: {scores['unanswered']}"
    wrong = {s: v for s, v in scores.items() if s.startswith(("wrong-", "syntax-"))}
    assert wrong
    for student, got in wrong.items():
        check = graded[name]["checks"][student.split("-", 1)[1]]
        lost = {c for c, (score, top) in got.items() if score != top}
        assert lost == {check}, f"{name}, {student}: points lost on {sorted(lost)}, expected {check} only"
        assert got[check][0] == 0


def test_scores_table(graded):
    """The scores nbgrader gave, printed for the record (pytest -s): points of the checks per student."""
    for name in NOTEBOOKS:
        scores = graded[name]["scores"]
        row = ", ".join(f"{student} {sum(g for g, _ in got.values()):g}/{sum(t for _, t in got.values()):g}"
                        for student, got in scores.items())
        print(f"{name}: {row}")
    assert all(graded[name]["scores"]["correct"] for name in NOTEBOOKS if graded[name]["checks"])


def test_feedback_and_validate_show_the_verdict(graded):
    verdict = "gd_step: " + catalogue.MISTAKES["gd_step"][0].says
    out = graded["01_gradient_descent.ipynb"]
    text = re.sub(r"<[^>]+>", "", out["feedback"]).replace("&#39;", "'")
    assert verdict in text
    assert f"AssertionError: {verdict}" in out["validate"], out["validate"]
    assert "VALIDATION FAILED ON 1 CELL(S)" in out["validate"], out["validate"]
    line = next(line for line in out["validate"].splitlines() if verdict in line)
    assert not line.endswith("..."), line  # validate cuts lines at 87 characters: the verdict fits
