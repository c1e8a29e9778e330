"""Build course notebooks from Python: the authoring helpers every lesson builder script uses.

A builder script (kept outside the repo, e.g. ``/work/build/01.py``) reads like the notebook::

    from nbbuild import md, code, exercise, check, answer, write_notebook

    cells = [
        md("# Take a gradient step\\n\\n## What you'll learn ..."),
        code("import numpy as np\\nimport optlab\\n%matplotlib inline"),
        exercise('''
            def gd_step(theta, grad, lr):
                \"\"\"Return θ − α g.\"\"\"
                ### BEGIN SOLUTION
                return theta - lr * grad
                ### END SOLUTION
            ''', grade_id="gd_step"),
        check("check_gd_step(gd_step)", grade_id="check_gd_step"),
        answer("Because the gradient points uphill ...", grade_id="why_minus"),
    ]
    write_notebook("solutions/01_gradient_descent.ipynb", cells)

Sources are dedented and stripped of surrounding blank lines, so triple-quoted strings may be
indented with the script. The notebook is written without outputs, with nbgrader schema-3 cell
metadata on graded cells, the python3 kernelspec, and deterministic cell ids (graded cells use
their grade_id, other cells ``cell-NNN`` by position), so running a builder twice gives identical
bytes. ``tools/make_lessons.py`` turns solutions/ into lessons/.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

__all__ = ["md", "code", "exercise", "check", "answer", "write_notebook", "notebook",
           "to_bytes", "KERNELSPEC", "LANGUAGE_INFO"]

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
RAISES = "raises-exception"  # nbval / JupyterLab: this cell may fail (an unanswered exercise's check)
_GRADE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _clean(src: str) -> str:
    return textwrap.dedent(src).strip("\n").rstrip()


def _grade_id(grade_id: str) -> str:
    if not isinstance(grade_id, str) or not _GRADE_ID.match(grade_id):
        raise ValueError(f"grade_id must be 1-64 letters, digits, '_' or '-' (got {grade_id!r})")
    return grade_id


def _nbgrader(*, grade, solution, locked, grade_id, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution}
    if points is not None:
        if not (isinstance(points, (int, float)) and points > 0):
            raise ValueError(f"points must be > 0 (got {points!r})")
        meta["points"] = points
    return meta


def md(text: str):
    """A markdown cell."""
    return new_markdown_cell(_clean(text))


def code(src: str, tags=()):
    """An ordinary code cell; ``tags`` e.g. ("raises-exception",) for a cell meant to fail."""
    cell = new_code_cell(_clean(src))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def exercise(src: str, grade_id: str):
    """A code cell the student completes: the answer sits between ### BEGIN/END SOLUTION lines.

    Keep the signature and docstring outside the region, so the lesson shows them.
    """
    src = _clean(src)
    if src.count(BEGIN_SOLUTION) < 1 or src.count(BEGIN_SOLUTION) != src.count(END_SOLUTION):
        raise ValueError(f"exercise {grade_id!r} needs matching '{BEGIN_SOLUTION}' / "
                         f"'{END_SOLUTION}' lines")
    cell = new_code_cell(src)
    cell.metadata["nbgrader"] = _nbgrader(grade=False, solution=True, locked=False,
                                          grade_id=_grade_id(grade_id))
    if any(line.startswith(BEGIN_SOLUTION) for line in src.split("\n")):  # a top-level answer: the stub raises
        cell.metadata["tags"] = [RAISES]
    return cell


def check(src: str, grade_id: str, points=1):
    """An autograded, locked check cell, e.g. ``check_gd_step(gd_step)``, tagged ``raises-exception``.

    The tag lets "Run All" (JupyterLab, nbval) go on past the check while its exercise is unanswered — in
    lessons/ and in the notebooks nbgrader releases from solutions/. May contain ### BEGIN HIDDEN TESTS /
    ### END HIDDEN TESTS (dropped from the lesson).
    """
    src = _clean(src)
    if src.count(BEGIN_HIDDEN) != src.count(END_HIDDEN):
        raise ValueError(f"check {grade_id!r} has unbalanced hidden-test markers")
    cell = new_code_cell(src)
    cell.metadata["nbgrader"] = _nbgrader(grade=True, solution=False, locked=True,
                                          grade_id=_grade_id(grade_id), points=points)
    cell.metadata["tags"] = [RAISES]
    return cell


def answer(md_text: str, grade_id: str, points=1):
    """A manually graded written answer: the whole cell is the model answer (lesson: YOUR ANSWER HERE)."""
    cell = new_markdown_cell(_clean(md_text))
    cell.metadata["nbgrader"] = _nbgrader(grade=True, solution=True, locked=False,
                                          grade_id=_grade_id(grade_id), points=points)
    return cell


def notebook(cells, title: str | None = None):
    """Assemble a NotebookNode with deterministic ids and course-standard metadata.

    ``title`` (optional) goes into ``metadata.title`` and, if the first cell is not already a
    markdown heading, a ``# title`` cell is prepended.
    """
    cells = [nbformat.from_dict(dict(c)) for c in cells]
    if title is not None:
        first = cells[0] if cells else None
        if not (first is not None and first.cell_type == "markdown"
                and first.source.lstrip().startswith("#")):
            cells.insert(0, md(f"# {title}"))
    metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    if title is not None:
        metadata["title"] = title
    nb = new_notebook(cells=cells, metadata=metadata)
    seen = set()
    for i, cell in enumerate(nb.cells):
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        cid = gid if gid else f"cell-{i:03d}"
        if cid in seen:
            raise ValueError(f"duplicate cell id / grade_id {cid!r}")
        seen.add(cid)
        cell["id"] = cid
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(nb)
    return nb


def to_bytes(nb) -> bytes:
    """Serialise exactly as the repository stores notebooks (nbformat's layout, LF, final newline)."""
    text = nbformat.writes(nb, version=4)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def write_notebook(path, cells, title: str | None = None):
    """Write ``cells`` as a notebook at ``path`` (parents created); returns the Path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(notebook(cells, title=title)))
    return path
