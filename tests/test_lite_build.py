"""tools/build_lite.py without a network: what it verifies, what it writes, and every other way into the course
(Binder, GitHub Pages, the README's Python floor). The real build and the site in a browser are
tests/browser/test_lite.py."""

import base64
import hashlib
import json
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_lite  # noqa: E402

LOCK = {"info": {"python": "3.12.7", "version": "0.27.7"},
        "packages": {"numpy": {"name": "numpy", "version": "2.0.2", "file_name": "numpy.whl", "depends": [],
                               "sha256": "0" * 64},
                     "matplotlib": {"name": "matplotlib", "version": "3.8.4", "file_name": "mpl.whl",
                                    "depends": ["numpy", "python_dateutil"], "sha256": "1" * 64},
                     "python-dateutil": {"name": "python-dateutil", "version": "2.9", "file_name": "du.whl",
                                         "depends": [], "sha256": "2" * 64},
                     "scipy": {"name": "scipy", "version": "1.14", "file_name": "scipy.whl", "depends": ["numpy"],
                               "sha256": "3" * 64}}}


def test_closure_follows_the_locks_dependencies_and_spellings():
    assert build_lite.closure(LOCK, ["matplotlib"]) == ["matplotlib", "numpy", "python-dateutil"]
    with pytest.raises(build_lite.BuildError, match="no package 'torch'"):
        build_lite.closure(LOCK, ["torch"])


class _Source(build_lite.PyodideSource):
    """A PyodideSource over in-memory files (no npm, no PyPI)."""

    def __init__(self, files, core_dir):
        self.core_dir, self.core, self.lock, self.description = core_dir, [], LOCK, "test files"
        self._read = files.get


def test_a_package_file_that_does_not_match_the_lock_is_refused(tmp_path):
    data = b"not numpy"
    with pytest.raises(build_lite.BuildError, match="numpy.whl has sha256 .* pyodide-lock.json says 0000"):
        _Source({"numpy.whl": data}, tmp_path).write(tmp_path / "out", ["numpy"])
    with pytest.raises(build_lite.BuildError, match="is not in test files"):
        _Source({}, tmp_path).write(tmp_path / "out", ["numpy"])


def test_a_matching_package_file_is_written(tmp_path):
    data = b"numpy bytes"
    lock = json.loads(json.dumps(LOCK))
    lock["packages"]["numpy"]["sha256"] = hashlib.sha256(data).hexdigest()
    source = _Source({"numpy.whl": data}, tmp_path)
    source.lock = lock
    source.write(tmp_path / "out", ["numpy"])
    assert (tmp_path / "out" / "numpy.whl").read_bytes() == data


def test_a_core_file_that_does_not_match_its_pin_is_refused(tmp_path):
    (tmp_path / "pyodide.js").write_text("tampered")
    with pytest.raises(build_lite.BuildError, match="refusing to build: Pyodide's pyodide.js"):
        build_lite._check(tmp_path / "pyodide.js", "f" * 64, "Pyodide's pyodide.js")


def test_the_pins_pin_every_core_file_and_the_lock():
    pins = json.loads(build_lite.PINS.read_text())
    assert set(pins["sha256"]) == {"pyodide-lock.json", "pyodide.js", "pyodide.mjs", "pyodide.asm.js",
                                   "pyodide.asm.wasm", "python_stdlib.zip"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in pins["sha256"].values())
    assert pins["npm"]["spec"] == f"pyodide@{pins['version']}" and pins["npm"]["integrity"].startswith("sha512-")
    assert re.fullmatch(r"[0-9a-f]{64}", pins["carrier"]["sha256"])


def _wheel(folder, name, version, requires=()):
    """A wheel of package ``name`` whose METADATA lists ``requires`` (RECORD not updated: not read here)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = build_lite._write_wheel(folder, name, version, {f"{name}/__init__.py": ""})
    text = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    rebuilt = folder / f"re-{path.name}"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rebuilt, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, text if item.filename.endswith("METADATA") else src.read(item))
    rebuilt.replace(path)
    return path


def test_site_lock_adds_our_wheels_with_their_dependencies_checked(tmp_path):
    wheel = _wheel(tmp_path, "optlab", "0.1.0", ["numpy>=1.22", "matplotlib>=3.6", "pytest; extra == 'test'",
                                                 "tomli; python_version < '3.11'"])
    site = build_lite.site_lock(LOCK, ["matplotlib", "numpy", "python-dateutil"], [wheel])
    entry = site["packages"]["optlab"]
    assert entry["depends"] == ["numpy", "matplotlib"] and entry["imports"] == ["optlab"]
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert "scipy" not in site["packages"]  # only what ships is listed: other imports fail by name


def test_site_lock_refuses_an_unmet_requirement(tmp_path):
    too_new = _wheel(tmp_path, "optlab", "0.1.0", ["matplotlib>=3.9"])
    with pytest.raises(build_lite.BuildError, match=r"requires matplotlib>=3.9, but the site ships matplotlib 3.8.4"):
        build_lite.site_lock(LOCK, ["matplotlib", "numpy", "python-dateutil"], [too_new])
    missing = _wheel(tmp_path / "other", "optlab", "0.1.0", ["torch"])
    with pytest.raises(build_lite.BuildError, match="requires torch, which the site does not ship"):
        build_lite.site_lock(LOCK, ["numpy"], [missing])


def test_the_startup_wheel_is_a_valid_wheel(tmp_path):
    path = build_lite._write_wheel(tmp_path, build_lite.STARTUP_NAME, "1.0",
                                   {f"{build_lite.STARTUP_MODULE}.py": build_lite.STARTUP_SOURCE})
    with zipfile.ZipFile(path) as whl:
        record = whl.read(next(n for n in whl.namelist() if n.endswith("RECORD"))).decode()
        for line in record.splitlines():
            name, digest, _ = line.split(",")
            if digest:
                expected = base64.urlsafe_b64encode(hashlib.sha256(whl.read(name)).digest()).rstrip(b"=").decode()
                assert digest == f"sha256={expected}", name
    compile(build_lite.STARTUP_SOURCE, "startup", "exec")


def test_config_preloads_optlab_and_never_falls_back_to_pypi():
    config = build_lite.lite_config(LOCK)["jupyter-config-data"]["litePluginSettings"][build_lite.KERNEL_PLUGIN]
    assert config["disablePyPIFallback"] is True
    assert "optlab" in config["loadPyodideOptions"]["packages"]
    assert config["loadPyodideOptions"]["env"]["PYTHONSTARTUP"].startswith("/lib/python3.12/site-packages/")


def test_contents_sets_the_site_kernel_and_leaves_lessons_alone(tmp_path):
    before = {p: p.read_bytes() for p in (ROOT / "lessons").glob("*.ipynb")}
    served = build_lite.contents(tmp_path, solutions=False)
    assert served == sorted(p.name for p in before)
    for name in served:
        assert json.loads((tmp_path / name).read_text())["metadata"]["kernelspec"] == build_lite.KERNELSPEC
    assert {p: p.read_bytes() for p in (ROOT / "lessons").glob("*.ipynb")} == before
    with_solutions = build_lite.contents(tmp_path / "s", solutions=True)
    assert any(name.startswith("solutions/") for name in with_solutions)


def test_freshness_follows_the_inputs(tmp_path):
    args = build_lite.parse_args(["--out", str(tmp_path / "site")])
    digest = build_lite.inputs_digest(args)
    assert not build_lite.fresh(args.out, digest)
    args.out.mkdir()
    (args.out / "index.html").write_text("")
    (args.out / build_lite.STAMP).write_text(json.dumps({"inputs": digest}))
    assert build_lite.fresh(args.out, digest)
    assert build_lite.inputs_digest(build_lite.parse_args(["--out", str(args.out), "--solutions"])) != digest


def test_pinned_versions_read_the_requirements_file():
    pins = build_lite.pinned_versions()
    assert pins["jupyterlite-core"].startswith("0.6.") and pins["jupyterlite-pyodide-kernel"].startswith("0.6.")
    assert all(build_lite.canonical(name) in pins for name in build_lite.SITE_WHEELS)
    lines = [l.split("#")[0].strip() for l in build_lite.REQUIREMENTS.read_text().splitlines()]
    assert all("==" in l for l in lines if l), "every build requirement is pinned"


# --- every other way in ------------------------------------------------------------------------------------------


def _requirements(path):
    return [l.split("#")[0].strip() for l in path.read_text().splitlines() if l.split("#")[0].strip()]


def test_binder_installs_the_dependencies_in_a_cached_layer_and_optlab_in_postbuild():
    binder = _requirements(ROOT / "binder" / "requirements.txt")
    course = _requirements(ROOT / "requirements.txt")
    local = [l for l in course if l == "-e ." or l.startswith("./")]  # optlab and its jupyter-config package
    assert binder == [l for l in course if l not in local], "binder/requirements.txt is requirements.txt minus its local lines"
    assert not any(l.startswith(("-e", "-r", "-c", ".", "/")) for l in binder), \
        "a local reference makes repo2docker install after copying the repository (no cached layer)"
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & stat.S_IXUSR
    install = re.search(r"pip install .*--no-deps.* -e \.$", post.read_text(), flags=re.M)
    assert install and all(l in install[0].split() for l in local if l != "-e ."), install


def test_binder_badge_opens_a_notebook_that_exists():
    readme = (ROOT / "README.md").read_text()
    path = re.search(r"mybinder\.org/v2/gh/[^)]*\?urlpath=lab/tree/([^)\s]+)", readme)[1]
    assert (ROOT / path).exists(), path


def test_the_readmes_python_floor_is_pyprojects():
    readme = (ROOT / "README.md").read_text()
    floor = re.search(r"Python ≥ (3\.\d+)", readme)[1]
    assert f'requires-python = ">={floor}"' in (ROOT / "pyproject.toml").read_text()


def test_pages_workflow_builds_the_site_on_every_push_to_main():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "lite.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["push"]["branches"] == ["main"]
    steps = workflow["jobs"]["build"]["steps"]
    build = next(s for s in steps if "build_lite.py" in s.get("run", ""))
    out = re.search(r"--out (\S+)", build["run"])[1]
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact") and s["with"]["path"] == out
               for s in steps)
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in workflow["jobs"]["deploy"]["steps"])


def test_nobody_is_told_to_install_optlab_from_a_package_index():
    forbidden = re.compile(r"pip install\s+(-U\s+|--upgrade\s+)?" + "optlab" + r"\b")
    for path in ROOT.rglob("*"):
        if path.suffix in {".md", ".py", ".txt", ".yml", ".ipynb", ".toml", ".json"} or path.name == "postBuild":
            if any(part in {".venv", "build", ".git", "node_modules"} for part in path.parts):
                continue
            assert not forbidden.search(path.read_text(encoding="utf-8", errors="replace")), path


# --- Run All past raises-exception cells: the patch to JupyterLite's kernel client -----------------------------

PATCH = (("mutex.cancel()", "optlab.keepGoing()"), ("B", "b"))


def _site(tmp_path, **scripts):
    for name, text in scripts.items():
        path = tmp_path / "build" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_run_all_patch_replaces_each_anchor_found_once_and_records_it(tmp_path):
    site = _site(tmp_path, **{"100.abc.js": "x;mutex.cancel();y", "200.def.js": "A B C", "other.js": "nothing"})
    record = build_lite.patch_run_all(site, PATCH)
    assert (site / "build" / "100.abc.js").read_text() == "x;optlab.keepGoing();y"
    assert (site / "build" / "200.def.js").read_text() == "A b C"
    assert (site / "build" / "other.js").read_text() == "nothing"
    assert set(record) == {"build/100.abc.js", "build/200.def.js"}
    entry = record["build/100.abc.js"]
    assert entry["anchors"] == 1
    assert entry["sha256_after"] == build_lite.sha256(site / "build" / "100.abc.js") != entry["sha256_before"]


@pytest.mark.parametrize("scripts, found", [
    ({"100.js": "x;y", "200.js": "B"}, "is not found in the site's JavaScript"),
    ({"100.js": "mutex.cancel();mutex.cancel()", "200.js": "B"}, r"is found 2 times \(in build/100.js\)"),
    ({"100.js": "mutex.cancel()", "200.js": "mutex.cancel() B"}, r"is found 2 times \(in build/100.js, build/200.js\)"),
])
def test_the_run_all_patch_refuses_to_build_unless_each_anchor_is_found_exactly_once(tmp_path, scripts, found):
    site = _site(tmp_path, **scripts)
    with pytest.raises(build_lite.BuildError, match=f"refusing to build: the Run All patch's anchor 'mutex.cancel"
                                                    rf"\(\)'... {found}.*jupyterlite-core 0.6.4.*RUN_ALL_PATCH"):
        build_lite.patch_run_all(site, PATCH)
    assert {p.name: p.read_text() for p in (site / "build").iterdir()} == scripts  # nothing written


def test_the_run_all_patch_leaves_pyodide_alone(tmp_path):
    site = _site(tmp_path, **{"100.js": "B"})
    (site / "static" / "pyodide").mkdir(parents=True)
    (site / "static" / "pyodide" / "pyodide.asm.js").write_text("mutex.cancel()")
    with pytest.raises(build_lite.BuildError, match="is not found"):
        build_lite.patch_run_all(site, PATCH)


def test_the_shipped_patch_anchors_on_jupyterlites_cancel_and_marks_the_client():
    (process_old, process_new), (reply_old, reply_new) = build_lite.RUN_ALL_PATCH
    assert "runExclusive" in process_old and "await r.handleMessage(e)" in process_old
    assert reply_old.endswith("h.cancel()") and '"error"===e.content.status' in reply_old
    assert "cancel()" not in reply_new  # nothing is thrown away any more
    assert "!1===h.optlabRequest.content.stop_on_error" in reply_new  # JupyterLab's raises-exception cells
    assert "!0===h.optlabRequest.content.silent" in reply_new  # as ipykernel: a silent request stops nothing
    assert build_lite.RUN_ALL_MARK in reply_new
    assert '"aborted"' in process_new and "await r.handleMessage(e)" in process_new


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (it checks the patch's syntax)")
def test_the_shipped_patch_is_valid_javascript(tmp_path):
    (_, process_new), (_, reply_new) = build_lite.RUN_ALL_PATCH
    script = tmp_path / "patched.js"
    script.write_text(f"function client(h, r, s, e) {{ {process_new}; return {reply_new}; }}\n")
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
