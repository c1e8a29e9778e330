"""The README's two commands install requirements.txt and requirements-dev.txt on every Python it names.

pip resolves each file (a dry run: nothing is downloaded beyond the index's metadata, nothing installed) as for
the README's oldest Python, so a requirement whose releases dropped that Python fails here, not on a
newcomer's machine: ``nbgrader>=0.9.6`` needs Python 3.11, and on 3.10 the README's test command stopped
after 9 s with "No matching distribution found for nbgrader>=0.9.6". The lines that install this repository
(``-e .``, ``./jupyter-config``) are left out: they are not on an index. Skips, saying why, where pip cannot
reach a package index.
"""
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
UNREACHABLE = re.compile(r"\(from versions: none\)|NewConnectionError|Temporary failure in name resolution|"
                         r"Network is unreachable|ProxyError|Could not fetch URL")


def index_requirements(path: pathlib.Path) -> list:
    """The requirements of ``path`` that come from a package index, following ``-r`` includes."""
    out = []
    for line in path.read_text().splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r"):
            out += index_requirements(path.parent / line[2:].strip())
        elif not line.startswith(("-e", ".", "/")):
            out.append(line)
    return out


def readme_floor() -> str:
    return re.search(r"Python ≥ (3\.\d+)", (ROOT / "README.md").read_text())[1]


def test_index_requirements_leave_out_this_repository():
    dev = index_requirements(ROOT / "requirements-dev.txt")
    assert "numpy>=1.22" in dev and any(r.startswith("nbgrader") for r in dev)
    assert not any(r.startswith(("-e", ".")) for r in dev)


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_resolve_on_the_readmes_oldest_python(name, tmp_path):
    floor = readme_floor()
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(index_requirements(ROOT / name)) + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--no-input",
         "--disable-pip-version-check", "--python-version", floor, "--only-binary=:all:",
         "--target", str(tmp_path / "target"), "-r", str(requirements)],
        capture_output=True, text=True, timeout=900)
    if proc.returncode and UNREACHABLE.search(proc.stderr):
        pytest.skip(f"pip cannot reach a package index to resolve {name}: {proc.stderr.strip().splitlines()[-1]}")
    errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
    assert proc.returncode == 0, f"{name} cannot be installed on Python {floor} (the README's floor): {errors}"
