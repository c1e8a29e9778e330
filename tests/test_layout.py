"""optlab's modules meet through public names: no module imports or getattr's another module's private name.

The one exception is a package's own private module (a file whose name starts with ``_``, such as
``optlab/checks/_core.py``), which may serve the other modules of that package. See docs/conventions.md.
"""
import ast
from pathlib import Path

import pytest

OPTLAB = Path(__file__).resolve().parent.parent / "optlab"
MODULES = sorted(OPTLAB.rglob("*.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _source_module(path: Path, node: ast.ImportFrom):
    """(package path, module file stem) that ``from … import …`` reads names from, within optlab; or None."""
    if node.level == 0:
        if not (node.module or "").startswith("optlab"):
            return None
        parts = node.module.split(".")[1:]
        base = OPTLAB
    else:
        base = path.parent
        for _ in range(node.level - 1):
            base = base.parent
        parts = node.module.split(".") if node.module else []
    target = base.joinpath(*parts)
    return target


def _problems(path: Path) -> list:
    """The private names ``path`` takes from outside its package's private modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _source_module(path, node)
            if target is None:
                continue
            for alias in node.names:
                if not _private(alias.name):
                    continue
                module_file = target.with_suffix(".py")
                if (target / f"{alias.name}.py").exists():
                    # ``from . import _ipython``: a private module; only its own package may import it
                    allowed = target == path.parent
                else:
                    allowed = module_file.exists() and _private(module_file.stem) and module_file.parent == path.parent
                if not allowed:
                    problems.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''} "
                                    f"import {alias.name}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and len(node.args) >= 2:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _private(arg.value):
                problems.append(f"line {node.lineno}: getattr(…, {arg.value!r})")
    return problems


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(OPTLAB)) for p in MODULES])
def test_no_private_name_crosses_a_module_boundary(path):
    problems = _problems(path)
    assert not problems, f"{path.relative_to(OPTLAB)} reaches into private names:\n" + "\n".join(problems)


def test_the_rule_reports_what_it_should(tmp_path):
    """Not vacuous: a sibling's private helper and a getattr of a private name are reported; a private module's
    helper, used by its own package, is not."""
    pkg = tmp_path / "checks"
    pkg.mkdir()
    (pkg / "adam.py").write_text("def _adam(): pass\n")
    (pkg / "_core.py").write_text("def _fail(): pass\n")
    bad = pkg / "beyond.py"
    bad.write_text("from .adam import _adam\nimport numpy\nx = getattr(numpy, '_hidden', None)\n")
    good = pkg / "momentum.py"
    good.write_text("from ._core import _fail\nfrom .adam import __doc__\n")
    assert [p.split(":")[0] for p in _problems(bad)] == ["line 1", "line 3"]
    assert _problems(good) == []
