"""Drive a real JupyterLab in Debian's chromium: start a private server, open a notebook with the Adam panel,
run all cells, press arrow keys on the α and β1 sliders and time each key press until the new picture.

Used by ``tests/browser/test_browser.py`` (assertions) and ``benchmarks/bench_widgets.py`` (the timing).
Nothing here downloads anything: the browser is ``/usr/bin/chromium`` (apt package ``chromium``), driven by
the ``playwright`` Python package through ``executable_path``; the server listens on 127.0.0.1 with a token,
keeps its config, runtime and settings in a temporary directory and makes no network calls
(no news, no update check, read-only extension manager). Every server started here is stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import nbformat

CHROMIUM = os.environ.get("OPTLAB_CHROMIUM") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]  # containers often have a tiny /dev/shm
#: Where the browser test leaves its timing for the benchmark table (override with OPTLAB_BROWSER_TIMING).
TIMING_FILE = pathlib.Path(os.environ.get("OPTLAB_BROWSER_TIMING",
                                          pathlib.Path(tempfile.gettempdir()) / "optlab_browser_timing.json"))
_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
PANEL_SOURCE = "from optlab.widgets import trajectory_panel\ntrajectory_panel('adam', 'rosenbrock', lr=0.02)"


def unavailable() -> str | None:
    """Why the browser test cannot run here, or None if it can."""
    if not os.path.exists(CHROMIUM):
        return f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    return None


def write_notebook(path):
    """The notebook the browser opens: the Adam trajectory panel, as lesson 05 shows it."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Adam panel (browser test)"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np"),
        nbformat.v4.new_code_cell(PANEL_SOURCE),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(root):
    """Start JupyterLab on 127.0.0.1 with a random token in ``root``; yield its base URL and token; stop it."""
    root = pathlib.Path(root)
    home = root / ".jupyter-private"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1")
    # User settings of this private lab: start the notebook's kernel without asking, never fetch news.
    for plugin, settings in _SETTINGS.items():
        path = home / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.open_browser=False",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
               "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
               "--ServerApp.terminals_enabled=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    log = open(home.parent / "jupyterlab.log", "wb") if home.parent.exists() else subprocess.DEVNULL
    proc = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {proc.returncode}; log in {root}/jupyterlab.log")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("jupyter lab did not start within 90 s")
            time.sleep(0.3)
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if log is not subprocess.DEVNULL:
            log.close()


# Runs in the page: time from each keydown to the 'load' of the panel's next picture.
_INSTALL_PROBE = """
() => {
  const img = document.querySelector('.optlab-panel img');
  window.__optlab = {downs: [], loads: [], readouts: []};
  document.addEventListener('keydown', () => window.__optlab.downs.push(performance.now()), true);
  img.addEventListener('load', () => window.__optlab.loads.push(performance.now()));
  const seen = new MutationObserver(() => window.__optlab.readouts.push(performance.now()));
  for (const el of document.querySelectorAll('.optlab-panel .optlab-readout'))
    seen.observe(el, {subtree: true, characterData: true, childList: true});
}
"""


def _readout(page, name):
    return page.inner_text(f".optlab-panel .optlab-readout-{name}").strip()


def _kernel_idle(page, timeout_ms=60000):
    """Wait until JupyterLab reports the notebook's kernel idle."""
    page.wait_for_function(
        """() => { const el = document.querySelector('.jp-Notebook-ExecutionIndicator');
                   return el && el.getAttribute('data-status') === 'idle'; }""", timeout=timeout_ms)


def _accept_kernel_dialog(page):
    """Older settings may still ask which kernel to start: accept the preferred one."""
    try:
        page.click(".jp-Dialog .jp-mod-accept", timeout=3000)
    except Exception:  # no dialog: the kernel started by itself
        pass


def press_and_wait(page, name, key):
    """Press ``key`` on slider ``name``; wait for a new picture and the kernel to go idle.

    Returns (readout before, readout after, picture src before, src after, key-to-picture ms,
    key-to-readout ms — the round trip to the kernel and back without the picture).
    """
    before_src = page.get_attribute(".optlab-panel img", "src")
    before = _readout(page, name)
    loads = page.evaluate("() => window.__optlab.loads.length")
    page.focus(f".optlab-control-{name} .noUi-handle")
    page.keyboard.press(key)
    page.wait_for_function(f"() => window.__optlab.loads.length > {loads}", timeout=30000)
    _kernel_idle(page)
    page.wait_for_function(
        f"() => document.querySelector('.optlab-panel .optlab-readout-{name}').innerText.trim() !== {json.dumps(before)}",
        timeout=10000)
    elapsed, readout_ms = page.evaluate(f"""() => {{ const o = window.__optlab, t0 = o.downs.at(-1);
        return [o.loads[{loads}] - t0, o.readouts.find(t => t > t0) - t0]; }}""")
    return (before, _readout(page, name), before_src, page.get_attribute(".optlab-panel img", "src"), elapsed,
            readout_ms)


def run_browser_session(workdir, presses=10):
    """Open the Adam panel in JupyterLab/chromium, run all cells and press keys on α and β1.

    Returns a dict with ``events`` (one per key press: slider, key, readouts, srcs, ms) and ``median_ms``.
    """
    from playwright.sync_api import sync_playwright

    workdir = pathlib.Path(workdir)
    (workdir / ".jupyter-private").mkdir(parents=True, exist_ok=True)
    write_notebook(workdir / "adam_panel.ipynb")
    events = []
    with lab_server(workdir) as (url, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/lab/tree/adam_panel.ipynb?token={token}", wait_until="domcontentloaded")
            page.wait_for_selector(".jp-Notebook", timeout=90000)
            _kernel_idle(page, timeout_ms=90000)
            _accept_kernel_dialog(page)
            page.click('li.lm-MenuBar-item >> text="Run"')
            page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
            page.wait_for_selector(".optlab-panel img", timeout=90000)
            page.wait_for_function("() => document.querySelector('.optlab-panel img').complete", timeout=30000)
            _kernel_idle(page)
            page.evaluate(_INSTALL_PROBE)
            plan = [("lr", "ArrowRight"), ("lr", "ArrowLeft"), ("beta1", "ArrowLeft"), ("beta1", "ArrowRight")]
            for i in range(max(presses, len(plan))):
                name, key = plan[i % len(plan)]
                before, after, src0, src1, ms, readout_ms = press_and_wait(page, name, key)
                events.append(dict(slider=name, key=key, readout_before=before, readout_after=after,
                                   src_changed=src0 != src1, ms=ms, readout_ms=readout_ms))
        finally:
            browser.close()
    return dict(events=events, median_ms=statistics.median(e["ms"] for e in events),
                readout_median_ms=statistics.median(e["readout_ms"] for e in events))


def save_timing(result, path=TIMING_FILE):
    """Write the key-to-picture figures for benchmarks/bench_widgets.py."""
    pathlib.Path(path).write_text(json.dumps({"median_ms": result["median_ms"],
                                              "readout_median_ms": result["readout_median_ms"],
                                              "times_ms": [e["ms"] for e in result["events"]],
                                              "when": time.time()}, indent=1))
