"""The README's two set-up commands are the ones CI runs and the files they name exist."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)


def test_readme_starts_with_two_commands():
    commands = readme_commands()
    assert len(commands) == 2, commands
    open_course, run_tests = commands
    assert "requirements.txt" in open_course and "jupyter lab" in open_course
    assert "requirements-dev.txt" in run_tests and "pytest" in run_tests


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    last = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last == readme_commands()[1]


def test_files_named_by_the_commands_exist():
    opened = readme_commands()[0].split("jupyter lab", 1)[1].split()
    for name in opened + ["requirements.txt", "requirements-dev.txt"]:
        assert (ROOT / name).exists(), name


def test_requirements_list_runtime_packages_with_lower_bounds_and_optlab():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    packages = {re.split(r"[<>=]", l)[0]: l for l in lines if not l.startswith(("-", "./"))}
    assert set(packages) == {"numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbval"}
    assert all(">=" in spec for spec in packages.values())
    assert "-e ." in lines
    # The only other line: this repository's configuration package for optlab's Jupyter server extension.
    assert [l for l in lines if l.startswith("./")] == ["./jupyter-config"]
    assert (ROOT / "jupyter-config" / "pyproject.toml").exists()


def test_binder_pins_python():
    assert re.fullmatch(r"python-3\.\d+\s*", (ROOT / "binder" / "runtime.txt").read_text())


def test_the_instructor_section_counts_the_notebooks_nbgrader_is_tested_on():
    """It said 'all eight notebooks' while tests/test_nbgrader.py grades every notebook of solutions/ (nine)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"runs exactly this on\s+all (\w+) notebooks", text).group(1)
    words = "zero one two three four five six seven eight nine ten eleven twelve".split()
    assert words.index(said) == len(list((ROOT / "solutions").glob("*.ipynb")))
