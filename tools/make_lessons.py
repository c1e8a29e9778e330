"""Write lessons/ from solutions/ — the one command that keeps the two folders in step.

    python tools/make_lessons.py            # (re)write lessons/ from solutions/
    python tools/make_lessons.py --check    # exit 1 and list differences if lessons/ is out of date

solutions/ is the single source. For every ``solutions/NN_topic.ipynb`` the generator writes
``lessons/NN_topic.ipynb`` where

* each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region of a solution cell becomes
  ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` at the region's indentation;
* a written-answer markdown cell (nbgrader ``solution: true``) becomes ``YOUR ANSWER HERE``;
* ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` regions are dropped;
* outputs, execution counts, widget state and any cell/notebook metadata other than
  ``nbgrader``/``tags`` (cells) and ``kernelspec``/``language_info``/``title`` (notebook) are removed;
* cell tags are kept. The cells that must raise in an unfinished notebook carry ``raises-exception``
  already in solutions/ — every autograded check cell (its exercise is still a stub) and every solution
  cell whose region is top-level code (its ``raise NotImplementedError()`` runs when the cell runs) —
  because nbgrader releases solutions/ itself: with the tag, "Run All" in JupyterLab (and nbval) goes on
  past those cells in the released notebook as in lessons/. A solution notebook without the tag on such
  a cell is refused (``nbbuild.check`` and ``nbbuild.exercise`` set it).

Note that nbval's ``raises-exception`` tag *allows* an error, it does not demand one: a tagged
cell that runs cleanly also passes. tests/test_sync.py therefore executes the lessons and checks
that every tagged cell really raises the expected error (and tests/test_students.py that every check
passes in solutions/).

The output is a pure function of the solution notebooks (nbformat's JSON layout, LF endings), so
running the command twice — or on another machine — gives identical bytes.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbbuild import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, RAISES,  # noqa: E402
                     to_bytes)

ROOT = Path(__file__).resolve().parent.parent
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = "YOUR ANSWER HERE"
CELL_METADATA = ("nbgrader", "tags")
NOTEBOOK_METADATA = ("kernelspec", "language_info", "title")


class SourceError(ValueError):
    """A solution notebook breaks the authoring rules (unbalanced markers, duplicate grade_ids…)."""


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _replace_regions(source: str, begin: str, end: str, stub, where: str):
    """Replace each begin…end region; returns (new_source, indents of the regions)."""
    out, indents, inside = [], [], None
    for line in source.split("\n"):
        marker = line.strip()
        if marker == begin:
            if inside is not None:
                raise SourceError(f"{where}: nested '{begin}'")
            inside = _indent(line)
            indents.append(inside)
            out.extend(inside + s for s in stub)
        elif marker == end:
            if inside is None:
                raise SourceError(f"{where}: '{end}' without '{begin}'")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise SourceError(f"{where}: '{begin}' without '{end}'")
    return "\n".join(out), indents


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def clean_cell(cell):
    """Drop outputs, execution counts, attachments of outputs and non-course metadata (in place)."""
    cell.metadata = nbformat.from_dict({k: cell.metadata[k] for k in CELL_METADATA
                                        if k in cell.metadata})
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def make_lesson(nb, name: str = "notebook"):
    """Return the lesson version of solution notebook ``nb`` (a new NotebookNode)."""
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # deep copy: never touch the source
    seen = set()
    for i, cell in enumerate(nb.cells):
        where = f"{name} cell {i}"
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if gid is not None:
            if gid in seen:
                raise SourceError(f"{where}: duplicate grade_id {gid!r}")
            seen.add(gid)
        clean_cell(cell)
        src = cell.source
        has_solution = BEGIN_SOLUTION in src or END_SOLUTION in src
        if cell.cell_type == "markdown" and meta.get("solution"):
            cell.source = ANSWER_STUB
            continue
        if has_solution and not meta.get("solution"):
            raise SourceError(f"{where}: solution markers in a cell without nbgrader "
                              "'solution: true' metadata (build it with nbbuild.exercise)")
        if cell.cell_type != "code":
            continue
        if BEGIN_HIDDEN in src or END_HIDDEN in src:
            src, _ = _replace_regions(src, BEGIN_HIDDEN, END_HIDDEN, (), where)
            src = re.sub(r"\n{3,}", "\n\n", src).strip("\n")
        must_raise = False
        if meta.get("solution"):
            src, indents = _replace_regions(src, BEGIN_SOLUTION, END_SOLUTION, CODE_STUB, where)
            if not indents:
                raise SourceError(f"{where}: solution cell {gid!r} has no "
                                  f"'{BEGIN_SOLUTION}' region")
            must_raise = "" in indents
        if meta.get("grade") and not meta.get("solution"):
            must_raise = True
        if must_raise and RAISES not in cell.metadata.get("tags", []):
            raise SourceError(f"{where}: cell {gid!r} fails in an unfinished notebook, so it needs the "
                              f"'{RAISES}' tag in solutions/ (nbgrader releases solutions/ as they are; "
                              "without it Run All stops there) — build it with nbbuild.check / nbbuild.exercise")
        cell.source = src
    nb.metadata = nbformat.from_dict({k: nb.metadata[k] for k in NOTEBOOK_METADATA
                                      if k in nb.metadata})
    nbformat.validate(nb)
    return nb


def expected_lessons(solutions: Path) -> dict:
    """{file name: lesson bytes} for every notebook in ``solutions``."""
    out = {}
    for path in sorted(Path(solutions).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out[path.name] = to_bytes(make_lesson(nb, name=path.name))
    return out


def differences(solutions: Path, lessons: Path, context: int = 2) -> list:
    """Human-readable list of how ``lessons`` differs from the generator's output ([] = in sync)."""
    expected = expected_lessons(solutions)
    lessons = Path(lessons)
    actual = {p.name: p.read_bytes() for p in sorted(lessons.glob("*.ipynb"))} \
        if lessons.is_dir() else {}
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"lessons/{name} is missing")
        elif name not in expected:
            problems.append(f"lessons/{name} has no solutions/{name} (stale or hand-made)")
        elif actual[name] != expected[name]:
            diff = difflib.unified_diff(
                expected[name].decode("utf-8", "replace").splitlines(),
                actual[name].decode("utf-8", "replace").splitlines(),
                f"generated/{name}", f"lessons/{name}", n=context, lineterm="")
            lines = list(diff)
            shown = "\n".join(lines[:40]) + ("\n    …" if len(lines) > 40 else "")
            problems.append(f"lessons/{name} differs from the generator's output:\n{shown}")
    return problems


def write_lessons(solutions: Path, lessons: Path) -> list:
    """Write every lesson; delete lesson notebooks whose solution is gone. Returns changed names."""
    lessons = Path(lessons)
    lessons.mkdir(parents=True, exist_ok=True)
    expected = expected_lessons(solutions)
    changed = []
    for name, data in expected.items():
        path = lessons / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            changed.append(name)
    for path in sorted(lessons.glob("*.ipynb")):
        if path.name not in expected:
            path.unlink()
            changed.append(path.name)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 and list differences if lessons/ is out of date")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--lessons", type=Path, default=ROOT / "lessons")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = differences(args.solutions, args.lessons)
            for p in problems:
                print(p)
            if problems:
                print(f"\n{len(problems)} lesson notebook(s) out of date — run "
                      "`python tools/make_lessons.py`.")
                return 1
            print(f"lessons/ is in sync with solutions/ "
                  f"({len(expected_lessons(args.solutions))} notebooks).")
            return 0
        changed = write_lessons(args.solutions, args.lessons)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote lessons/: {len(changed)} notebook(s) changed"
          + (f" ({', '.join(changed)})" if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
