"""Notebook hygiene: what git holds in solutions/ and lessons/ is clean, paired and nbgrader-ready.

Notebooks are stored without outputs, execution counts or widget state (outputs are made by
running them; nbval runs with --nbval-lax, so there is nothing to compare). nbgrader metadata
follows schema 3 so an instructor can use solutions/ as an nbgrader source folder unchanged.
"""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("solutions", "lessons")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
IDS = [f"{p.parent.name}/{p.name}" for p in NOTEBOOKS]

CELL_METADATA = {"nbgrader", "tags"}
NOTEBOOK_METADATA = {"kernelspec", "language_info", "title"}
TAGS = {"raises-exception"}
NBGRADER_KEYS = {"grade", "solution", "locked", "grade_id", "points", "schema_version", "task", "cell_type"}
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def read(path):
    return nbformat.read(path, as_version=4)


def test_every_solution_has_a_lesson_and_back():
    sol = {p.name for p in (ROOT / "solutions").glob("*.ipynb")}
    les = {p.name for p in (ROOT / "lessons").glob("*.ipynb")}
    assert sol == les, f"only in solutions/: {sorted(sol - les)}; only in lessons/: {sorted(les - sol)}"
    for name in sol:
        # NN_topic; an optional appendix to lesson NN is NNb_topic, so that it sorts right after it
        assert re.fullmatch(r"\d\d[a-z]?_[a-z0-9_]+\.ipynb", name), f"{name} is not named NN_topic.ipynb (or NNb_topic)"


def test_nothing_else_in_lessons():
    stray = [p.name for p in (ROOT / "lessons").iterdir() if p.suffix != ".ipynb" and p.name != ".gitkeep"] \
        if (ROOT / "lessons").is_dir() else []
    assert not stray, f"lessons/ is generated and holds only notebooks; found {stray}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_without_outputs_or_stray_metadata(path):
    nb = read(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    extra = set(nb.metadata) - NOTEBOOK_METADATA
    assert not extra, f"{path.name}: notebook metadata {sorted(extra)} (widget state / editor settings) — rebuild it"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    ids = [c.get("id") for c in nb.cells]
    assert len(set(ids)) == len(ids) and None not in ids, f"{path.name}: missing or duplicate cell ids"
    for i, cell in enumerate(nb.cells):
        where = f"{path.parent.name}/{path.name} cell {i}"
        extra = set(cell.metadata) - CELL_METADATA
        assert not extra, f"{where}: stray cell metadata {sorted(extra)}"
        assert set(cell.metadata.get("tags", [])) <= TAGS, f"{where}: unexpected tags {cell.metadata.tags}"
        assert "attachments" not in cell, f"{where}: attachments"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{where}: has stored outputs"
            assert cell.execution_count is None, f"{where}: has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_machine_specific_paths(path):
    text = path.read_text(encoding="utf-8")
    for needle in ("/work/", "/home/", "/tmp/", "C:\\\\"):
        assert needle not in text, f"{path.name} mentions {needle!r}; use tempfile and relative paths"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_starts_with_the_standard_imports(path):
    first = next(c for c in read(path).cells if c.cell_type == "code")
    assert "import numpy as np" in first.source and "%matplotlib inline" in first.source, (
        f"{path.name}: the first code cell should import numpy as np, optlab and set %matplotlib inline")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_nbgrader_metadata_is_well_formed(path):
    nb = read(path)
    lesson = path.parent.name == "lessons"
    seen = set()
    for i, cell in enumerate(nb.cells):
        where = f"{path.parent.name}/{path.name} cell {i}"
        meta = cell.metadata.get("nbgrader")
        src = cell.source
        if meta is None:
            assert not any(m in src for m in MARKERS), f"{where}: solution/hidden markers outside an nbgrader cell"
            continue
        assert set(meta) <= NBGRADER_KEYS, f"{where}: unknown nbgrader keys {sorted(set(meta) - NBGRADER_KEYS)}"
        assert meta.get("schema_version") == 3, f"{where}: schema_version must be 3"
        for key in ("grade", "solution", "locked"):
            assert isinstance(meta.get(key), bool), f"{where}: nbgrader.{key} must be true/false"
        gid = meta.get("grade_id")
        assert isinstance(gid, str) and re.fullmatch(r"[A-Za-z0-9_-]+", gid), f"{where}: bad grade_id {gid!r}"
        assert gid not in seen, f"{where}: duplicate grade_id {gid!r}"
        seen.add(gid)
        if meta["grade"]:
            pts = meta.get("points")
            assert isinstance(pts, (int, float)) and not isinstance(pts, bool) and pts > 0, (
                f"{where}: graded cell {gid!r} needs points > 0")
        else:
            assert "points" not in meta, f"{where}: points on an ungraded cell {gid!r}"
        if meta["solution"]:
            assert not meta["locked"], f"{where}: solution cell {gid!r} must not be locked"
        if meta["grade"] and not meta["solution"]:
            assert cell.cell_type == "code" and meta["locked"], f"{where}: check {gid!r} must be a locked code cell"
        if cell.cell_type == "markdown" and meta["solution"]:
            assert meta["grade"], f"{where}: written answer {gid!r} must be graded (manual grading)"
            if lesson:
                assert src == "YOUR ANSWER HERE", f"{where}: lesson answer cell not stubbed"
        if cell.cell_type == "code" and meta["solution"]:
            if lesson:
                assert "raise NotImplementedError()" in src and "### BEGIN SOLUTION" not in src, (
                    f"{where}: lesson exercise {gid!r} is not stubbed")
            else:
                assert src.count(MARKERS[0]) >= 1 and src.count(MARKERS[0]) == src.count(MARKERS[1]), (
                    f"{where}: exercise {gid!r} needs balanced ### BEGIN/END SOLUTION lines")
        if MARKERS[2] in src or MARKERS[3] in src:
            assert not lesson, f"{where}: hidden tests leaked into a lesson"
            assert meta["grade"] and not meta["solution"], f"{where}: hidden tests outside a check cell"
            assert src.count(MARKERS[2]) == src.count(MARKERS[3]), f"{where}: unbalanced hidden-test markers"
        if not meta["solution"]:
            assert not (MARKERS[0] in src or MARKERS[1] in src), f"{where}: solution markers in a non-solution cell"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_every_exercise_is_followed_by_a_check(path):
    """docs/conventions.md (Lessons): a check follows each exercise (before the next exercise begins)."""
    pending = None
    for cell in read(path).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            assert pending is None, f"{path.name}: exercise {pending!r} has no check cell before the next exercise"
            pending = meta["grade_id"]
        elif meta.get("grade") and not meta.get("solution"):
            pending = None
    assert pending is None, f"{path.name}: exercise {pending!r} has no check cell after it"
