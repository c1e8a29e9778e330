"""lessons/ is exactly what tools/make_lessons.py makes of solutions/, and its tagged cells really raise.

nbval's ``raises-exception`` tag only *allows* an error (a tagged cell that runs cleanly passes too),
so test_lesson_cells_raise_only_where_tagged executes each lesson and demands that every tagged cell
fails because of an unwritten exercise, and that no other cell fails.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_lessons  # noqa: E402
import nbbuild  # noqa: E402

SOLUTIONS, LESSONS = ROOT / "solutions", ROOT / "lessons"
SOLUTION_NAMES = sorted(p.name for p in SOLUTIONS.glob("*.ipynb"))


def test_lessons_match_the_generator():
    problems = make_lessons.differences(SOLUTIONS, LESSONS)
    assert not problems, ("lessons/ is out of date — run `python tools/make_lessons.py`:\n"
                          + "\n".join(problems))


def test_generator_is_deterministic():
    assert make_lessons.expected_lessons(SOLUTIONS) == make_lessons.expected_lessons(SOLUTIONS)


def _toy_solution(path):
    cells = [
        nbbuild.md("# A toy lesson"),
        nbbuild.code("import numpy as np"),
        nbbuild.exercise('''
            def double(x):
                """Return 2x."""
                ### BEGIN SOLUTION
                y = 2 * x
                return y
                ### END SOLUTION
            ''', grade_id="double"),
        nbbuild.check('''
            assert double(2) == 4
            ### BEGIN HIDDEN TESTS
            assert double(-1) == -2
            ### END HIDDEN TESTS
            print("ok")
            ''', grade_id="check_double", points=2),
        nbbuild.exercise('''
            ### BEGIN SOLUTION
            z = double(21)
            ### END SOLUTION
            print(z)
            ''', grade_id="top_level"),
        nbbuild.answer("Because 2 + 2 = 4.", grade_id="why"),
    ]
    return nbbuild.write_notebook(path, cells)


@pytest.fixture
def toy(tmp_path):
    sol, les = tmp_path / "solutions", tmp_path / "lessons"
    _toy_solution(sol / "00_toy.ipynb")
    make_lessons.write_lessons(sol, les)
    return sol, les


def test_toy_lesson_is_stubbed_and_tagged(toy):
    _, les = toy
    nb = nbformat.read(les / "00_toy.ipynb", as_version=4)
    cells = {c.id: c for c in nb.cells}
    assert cells["double"].source == ('def double(x):\n    """Return 2x."""\n'
                                      "    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert "tags" not in cells["double"].metadata  # defining a stubbed function does not raise
    assert cells["check_double"].source == 'assert double(2) == 4\nprint("ok")'
    assert cells["check_double"].metadata.tags == ["raises-exception"]
    assert cells["check_double"].metadata.nbgrader["points"] == 2
    assert cells["top_level"].source == "# YOUR CODE HERE\nraise NotImplementedError()\nprint(z)"
    assert cells["top_level"].metadata.tags == ["raises-exception"]
    assert cells["why"].source == "YOUR ANSWER HERE"
    assert cells["why"].metadata.nbgrader["solution"] is True


def test_outputs_and_stray_metadata_are_stripped(tmp_path):
    sol = tmp_path / "solutions"
    path = _toy_solution(sol / "00_toy.ipynb")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    nb.cells[1].execution_count = 3
    nb.cells[1].metadata.update(collapsed=True, execution={"iopub.status.busy": "2024"})
    nbformat.write(nb, path)
    make_lessons.write_lessons(sol, tmp_path / "lessons")
    lesson = nbformat.read(tmp_path / "lessons" / "00_toy.ipynb", as_version=4)
    assert "widgets" not in lesson.metadata
    assert lesson.cells[1].outputs == [] and lesson.cells[1].execution_count is None
    assert dict(lesson.cells[1].metadata) == {}


def test_hand_edit_is_detected(toy, tmp_path):
    sol, les = toy
    assert make_lessons.differences(sol, les) == []
    path = les / "00_toy.ipynb"
    path.write_text(path.read_text().replace("YOUR CODE HERE", "YOUR CODE HERE (edited)", 1))
    problems = make_lessons.differences(sol, les)
    assert len(problems) == 1 and "00_toy.ipynb differs" in problems[0] and "(edited)" in problems[0]
    cli = [sys.executable, str(ROOT / "tools" / "make_lessons.py"), "--solutions", str(sol), "--lessons", str(les)]
    res = subprocess.run(cli + ["--check"], capture_output=True, text=True)
    assert res.returncode == 1 and "00_toy.ipynb" in res.stdout
    assert subprocess.run(cli, capture_output=True, text=True).returncode == 0
    assert subprocess.run(cli + ["--check"], capture_output=True, text=True).returncode == 0


def test_hand_edit_of_the_real_lessons_is_detected(tmp_path):
    if not SOLUTION_NAMES:
        pytest.skip("no solution notebooks yet")
    les = tmp_path / "lessons"
    shutil.copytree(LESSONS, les)
    name = SOLUTION_NAMES[0]
    nb = nbformat.read(les / name, as_version=4)
    nb.cells[0].source += "\n\nA hand edit."
    nbformat.write(nb, les / name)
    assert any(name in p for p in make_lessons.differences(SOLUTIONS, les))


def test_missing_and_stale_lessons_are_reported(toy):
    sol, les = toy
    (les / "99_stale.ipynb").write_bytes((les / "00_toy.ipynb").read_bytes())
    (les / "00_toy.ipynb").unlink()
    problems = "\n".join(make_lessons.differences(sol, les))
    assert "00_toy.ipynb is missing" in problems and "99_stale.ipynb has no solutions" in problems
    make_lessons.write_lessons(sol, les)
    assert sorted(p.name for p in les.glob("*.ipynb")) == ["00_toy.ipynb"]


def must_fail_unanswered(cell):
    """A check cell, or an exercise whose answer is top-level code: it raises while the exercise is a stub."""
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type != "code":
        return False
    if meta.get("grade") and not meta.get("solution"):
        return True
    return bool(meta.get("solution")) and any(line.startswith(nbbuild.BEGIN_SOLUTION)
                                              for line in cell.source.split("\n"))


@pytest.mark.parametrize("name", SOLUTION_NAMES)
def test_solutions_tag_the_cells_that_fail_unanswered(name):
    """nbgrader releases solutions/ as they are: the cells that fail in an unanswered notebook must carry
    raises-exception there, so "Run All" goes on past them in the released notebook, as in lessons/."""
    sol = nbformat.read(SOLUTIONS / name, as_version=4)
    les = nbformat.read(LESSONS / name, as_version=4)
    for i, cell in enumerate(sol.cells):
        tags = cell.metadata.get("tags", [])
        if must_fail_unanswered(cell):
            assert "raises-exception" in tags, f"solutions/{name} cell {i} ({cell.id}) needs the raises-exception tag"
    assert [c.metadata.get("tags", []) for c in sol.cells] == [c.metadata.get("tags", []) for c in les.cells]


def test_an_untagged_check_is_refused():
    cell = nbbuild.check("check_double(double)", grade_id="check_double")
    assert cell.metadata.tags == ["raises-exception"]
    del cell.metadata["tags"]
    nb = nbbuild.notebook([nbbuild.exercise("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                                            "    ### END SOLUTION", "double"), cell])
    with pytest.raises(make_lessons.SourceError, match="needs the 'raises-exception' tag in solutions/"):
        make_lessons.make_lesson(nb)


def test_bad_sources_are_refused(tmp_path):
    nb = nbbuild.notebook([nbbuild.code("x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION")])
    with pytest.raises(make_lessons.SourceError, match="solution markers"):
        make_lessons.make_lesson(nb)
    nb = nbbuild.notebook([nbbuild.exercise("### BEGIN SOLUTION\ny = 2\n### END SOLUTION", "a")])
    nb.cells[0].source = "### BEGIN SOLUTION\ny = 2"
    with pytest.raises(make_lessons.SourceError, match="without"):
        make_lessons.make_lesson(nb)


def _raised_as_expected(output):
    """An unwritten exercise: NotImplementedError, or a check's 'not written yet' AssertionError."""
    return output.ename == "NotImplementedError" or (
        output.ename == "AssertionError" and "not written yet" in output.evalue)


@pytest.mark.parametrize("name", SOLUTION_NAMES)
def test_lesson_cells_raise_only_where_tagged(name, current_env_kernel):
    from nbclient import NotebookClient

    nb = nbformat.read(LESSONS / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name=current_env_kernel, allow_errors=True,
                   resources={"metadata": {"path": str(LESSONS)}}).execute()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        where = f"lessons/{name} cell {i} ({cell.id})"
        if tagged:
            assert errors, f"{where} is tagged raises-exception but ran without error"
            assert _raised_as_expected(errors[0]), (
                f"{where} should fail only because an exercise is unwritten, but raised "
                f"{errors[0].ename}: {errors[0].evalue}")
        else:
            assert not errors, f"{where} raised {errors[0].ename}: {errors[0].evalue}"


def test_builder_is_deterministic(tmp_path):
    first = _toy_solution(tmp_path / "a" / "00_toy.ipynb").read_bytes()
    second = _toy_solution(tmp_path / "b" / "00_toy.ipynb").read_bytes()
    assert first == second
    nb = nbformat.reads(first.decode(), as_version=4)
    assert [c.id for c in nb.cells] == ["cell-000", "cell-001", "double", "check_double", "top_level", "why"]
    assert nb.cells[2].metadata.nbgrader == {"grade": False, "grade_id": "double", "locked": False,
                                            "schema_version": 3, "solution": True}
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", SOLUTION_NAMES)
def test_lessons_equal_what_nbgrader_releases(name):
    """Dev-only (skipped unless nbgrader is installed): nbgrader's own preprocessors give our lesson sources."""
    pytest.importorskip("nbgrader")
    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions

    nb, resources = nbformat.read(SOLUTIONS / name, as_version=4), {}
    for preprocessor in (ClearSolutions(), ClearHiddenTests(), ClearOutput()):
        nb, resources = preprocessor.preprocess(nb, resources)
    lesson = nbformat.read(LESSONS / name, as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in lesson.cells]
