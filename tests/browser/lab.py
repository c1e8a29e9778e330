"""Drive a real JupyterLab in Debian's chromium: start a private server, open lesson 05 (Adam) as the course
ships it, run all cells, press arrow keys on the Adam trajectory panel's α and β1 sliders and time each key press
until the new picture.

Used by ``tests/browser/test_browser.py`` (assertions) and ``benchmarks/bench_browser.py`` (the timing,
measured in the benchmark's own run).
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
import time
import urllib.error
import urllib.request

import nbformat

CHROMIUM = os.environ.get("OPTLAB_CHROMIUM") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]  # containers often have a tiny /dev/shm
_SETTINGS = {
    # windowingMode "none": every cell stays attached to the page, so the panel's cell can be found by its source
    # wherever it is in the lesson (the default "contentVisibility" skips rendering cells out of view).
    "@jupyterlab/notebook-extension/tracker": {"autoStartDefaultKernel": True, "windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
REPO = pathlib.Path(__file__).resolve().parents[2]
#: The lesson the browser opens: the solutions copy, so that every cell runs as for a student who has answered every
#: exercise (the "your rule, live" panels run the model answers). lessons/05_adam.ipynb would run to its end under Run
#: All too — its check cells carry the raises-exception tag, so Run All goes on past the unanswered ones
#: (tests/browser/test_released.py runs a released lesson that way) — but with its checks failing and optlab's rules
#: standing in for the exercises.
LESSON = REPO / "solutions" / "05_adam.ipynb"
#: How the Adam trajectory panel's cell is recognised: its source starts a trajectory panel for Adam.
PANEL_CALL = 'trajectory_panel("adam"'
#: The attribute the session puts on that panel's DOM node, so every later lookup is scoped to it (the lesson
#: also has a step panel and a comparison panel with α, β1 and bias-correction controls of their own).
PANEL = '[data-optlab-browser-test="adam-trajectory"]'


def unavailable() -> str | None:
    """Why the browser test cannot run here, or None if it can."""
    if not os.path.exists(CHROMIUM):
        return f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    if not LESSON.exists():
        return f"{LESSON} not found"
    return None


def copy_lesson(root) -> str:
    """Copy lesson 05 (solutions) into ``root``; check it holds the Adam trajectory panel; return its name.

    The copy has no outputs, execution counts or widget state (the course keeps none; this makes sure), so
    "every code cell numbered" means "run by this session" and the only panels are the ones it creates.
    """
    nb = nbformat.read(str(LESSON), as_version=4)
    if not any(c.cell_type == "code" and PANEL_CALL in c.source for c in nb.cells):
        raise RuntimeError(f"{LESSON} has no code cell calling {PANEL_CALL}...)")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, str(pathlib.Path(root) / LESSON.name))
    return LESSON.name


def _answers(url) -> bool:
    """Whether a server still answers at ``url``."""
    try:
        with urllib.request.urlopen(f"{url}/api/status", timeout=2):
            return True
    except urllib.error.HTTPError:  # it answered, if only with 403
        return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Server option that switches optlab's server extension off (kernel messages sent with Nagle's algorithm on).
STOCK_SERVER = ("--ServerApp.jpserver_extensions=optlab.server=False",)
#: What the extension logs when it is active (see optlab/server.py).
NODELAY_LOG = "optlab: kernel messages are sent with TCP_NODELAY"


@contextlib.contextmanager
def lab_server(root, extra_args=()):
    """Start JupyterLab on 127.0.0.1 with a random token in ``root``; yield its base URL and token; stop it.

    ``extra_args`` go to ``jupyter lab`` (e.g. :data:`STOCK_SERVER`). Its log is ``root/jupyterlab.log``.
    """
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
               "--ServerApp.terminals_enabled=False", *extra_args]
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


# Runs in the page: time from each keydown to the 'load' of the panel's next picture. Times are epoch
# milliseconds (performance.timeOrigin + now), the clock the kernel's message headers use too.
_INSTALL_PROBE = """
(panel) => {
  const img = panel.querySelector('img');
  const now = () => performance.timeOrigin + performance.now();
  window.__optlab = {downs: [], loads: [], readouts: []};
  document.addEventListener('keydown', () => window.__optlab.downs.push(now()), true);
  img.addEventListener('load', () => window.__optlab.loads.push(now()));
  const seen = new MutationObserver(() => window.__optlab.readouts.push(now()));
  for (const el of panel.querySelectorAll('.optlab-readout'))
    seen.observe(el, {subtree: true, characterData: true, childList: true});
}
"""

# Added to the page before JupyterLab loads: log every message on the kernel's websocket — direction, arrival
# or send time (epoch ms), channel, type, ids, the kernel's header date, comm method and state keys, buffers
# and bytes — so that a key press can be split into its stages (see ``breakdown``). Both wire formats are read:
# JSON text and the binary "v1.kernel.websocket.jupyter.org" framing (offset table, channel, header, parent
# header, metadata, content, buffers). Only headers (and comm/status contents) are parsed: a few µs a message.
WS_PROBE = """
(() => {
  const log = window.__optlabWs = [];
  const decoder = new TextDecoder('utf8');
  const now = () => performance.timeOrigin + performance.now();
  const summary = (channel, h, p, c, nbuf, bytes) => ({
    channel, type: h.msg_type, id: h.msg_id, date: h.date, parent: p ? p.msg_id : undefined,
    comm: c.comm_id, method: c.data ? c.data.method : undefined,
    keys: c.data && c.data.state ? Object.keys(c.data.state) : undefined,
    state: c.execution_state, nbuf, bytes});
  const parse = (data) => {
    try {
      if (typeof data === 'string') {
        const m = JSON.parse(data);
        return summary(m.channel, m.header, m.parent_header, m.content || {}, (m.buffers || []).length, data.length);
      }
      const buf = data instanceof ArrayBuffer ? data : data.buffer;
      const view = new DataView(buf);
      const n = Number(view.getBigUint64(0, true));
      const off = [];
      for (let i = 0; i < n; i++) off.push(Number(view.getBigUint64(8 * (i + 1), true)));
      const part = i => decoder.decode(new Uint8Array(buf, off[i], off[i + 1] - off[i]));
      const header = JSON.parse(part(1));
      const content = /^(comm_msg|status)$/.test(header.msg_type) ? JSON.parse(part(4)) : {};
      return summary(part(0), header, JSON.parse(part(2)), content, Math.max(n - 6, 0), buf.byteLength);
    } catch (e) { return {error: String(e)}; }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      if (String(args[0]).includes('/channels'))
        this.addEventListener('message', ev => log.push(Object.assign(parse(ev.data), {dir: 'in', t: now()})));
    }
    send(data) {
      if (String(this.url).includes('/channels')) log.push(Object.assign(parse(data), {dir: 'out', t: now()}));
      return super.send(data);
    }
  };
})();
"""

# Runs in the page: find the output of the code cell whose source calls PANEL_CALL and mark the panel in it.
_MARK_PANEL = """
([call, attr]) => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].filter(cell => {
    const editor = cell.querySelector('.jp-InputArea-editor .cm-content');
    return editor && editor.textContent.replace(/'/g, '"').includes(call);
  });
  if (cells.length !== 1) return `found ${cells.length} cells calling ${call}`;
  const panels = cells[0].querySelectorAll('.jp-OutputArea .optlab-panel');
  if (panels.length !== 1) return `the cell calling ${call} shows ${panels.length} panels`;
  panels[0].setAttribute(attr, 'adam-trajectory');
  return null;
}
"""

# Runs in the page: true once every code cell has an execution count ([n]:, not [*]: or [ ]:).
_ALL_RUN = """
() => { const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
        return cells.length > 0 && cells.every(
          c => /\\[\\d+\\]/.test((c.querySelector('.jp-InputPrompt') || {}).textContent || '')); }
"""

# Runs in the page: what stopped Run All, for the failure message.
_NOT_RUN = """
() => { const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
        const i = cells.findIndex(c => !/\\[\\d+\\]/.test((c.querySelector('.jp-InputPrompt') || {}).textContent || ''));
        const errors = [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
          .map(e => e.innerText.slice(-400));
        return `code cell ${i} of ${cells.length} not run; stderr outputs: ${JSON.stringify(errors)}`; }
"""


def _readout(page, name):
    return page.inner_text(f"{PANEL} .optlab-readout-{name}").strip()


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


def _run_all(page, timeout_ms=120000):
    """Run All Cells; wait until every code cell has run and the kernel is idle (raise naming what stopped it)."""
    page.click('li.lm-MenuBar-item >> text="Run"')
    page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
    try:
        page.wait_for_function(_ALL_RUN, timeout=timeout_ms)
    except Exception as exc:
        raise RuntimeError(f"Run All did not finish: {page.evaluate(_NOT_RUN)}") from exc
    _kernel_idle(page)


def find_adam_panel(page):
    """Mark the Adam trajectory panel (the output of the cell calling PANEL_CALL), scroll it into view."""
    problem = page.evaluate(_MARK_PANEL, [PANEL_CALL, "data-optlab-browser-test"])
    if problem:
        raise RuntimeError(f"Adam trajectory panel not found in {LESSON.name}: {problem}")
    for name in ("lr", "beta1", "bias_correction"):  # the controls that make it the Adam panel
        page.wait_for_selector(f"{PANEL} .optlab-control-{name}", state="attached", timeout=10000)
    page.wait_for_function(f"() => document.querySelector('{PANEL} img').complete", timeout=30000)
    page.locator(PANEL).scroll_into_view_if_needed()
    return page.locator(PANEL)


def _epoch_ms(date: str) -> float:
    """A kernel message header's ISO date (UTC, microseconds) as epoch milliseconds."""
    from datetime import datetime, timezone

    stamp = datetime.fromisoformat(date.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp() * 1e3


def breakdown(messages, key_ms, load_ms, readout_ms):
    """Split one key press into stages (ms) from the websocket log of its messages.

    ``messages``: the ``WS_PROBE`` entries from the keydown on; ``key_ms``, ``load_ms``, ``readout_ms``: epoch ms
    of the keydown, of the new picture's ``load`` and of the readout's change. Stages: the browser until the
    comm message leaves; the way to the kernel (server relay, ZMQ, the kernel picking it up: its "busy"); the
    kernel until the readout's update, until the picture's update (run, draw, PNG), until "idle"; the way back
    of the picture's message (kernel, ZMQ, server, websocket); the browser from its arrival to the picture's
    ``load`` (deserialise, blob, PNG decode). The kernel's stamps are its message headers' dates (same clock).
    """
    outs = [m for m in messages if m.get("dir") == "out" and m.get("type") == "comm_msg"]
    if not outs:
        return None
    first = outs[0]
    ins = [m for m in messages if m.get("dir") == "in" and m.get("parent") == first.get("id")]

    def find(pred):
        return next((m for m in ins if pred(m)), None)

    busy = find(lambda m: m.get("type") == "status" and m.get("state") == "busy")
    idle = find(lambda m: m.get("type") == "status" and m.get("state") == "idle")
    updates = [m for m in ins if m.get("type") == "comm_msg" and m.get("method") == "update"]
    picture = next((m for m in updates if m.get("nbuf")), None)
    readout = next((m for m in updates if not m.get("nbuf")), None)
    if not (busy and idle and picture and readout):
        return None
    k = {name: _epoch_ms(m["date"]) for name, m in (("busy", busy), ("readout", readout), ("picture", picture),
                                                       ("idle", idle))}
    return {
        "browser: key → comm message sent": first["t"] - key_ms,
        "to the kernel (server, ZMQ, until busy)": k["busy"] - first["t"],
        "kernel: busy → readout update": k["readout"] - k["busy"],
        "kernel: readout → picture update (run, draw, PNG)": k["picture"] - k["readout"],
        "back: picture message → browser": picture["t"] - k["picture"],
        "browser: picture message → img load": load_ms - picture["t"],
        "kernel: picture update → idle": k["idle"] - k["picture"],
        "readout: kernel → DOM": readout_ms - k["readout"],
        "messages from the browser": float(len(outs)),
        "messages to the browser": float(len(ins)),
        "bytes to the browser": float(sum(m.get("bytes") or 0 for m in ins)),
        "picture message bytes": float(picture.get("bytes") or 0),
    }


def press_and_wait(page, name, key, idle=None, stages=False):
    """Press ``key`` on slider ``name``; wait for a new picture and the kernel to go idle (``idle(page)`` waits
    for that; JupyterLab's execution indicator by default).

    Returns (readout before, readout after, picture src before, src after, key-to-picture ms,
    key-to-readout ms — the round trip to the kernel and back without the picture); with ``stages=True`` also
    the stages of :func:`breakdown` (None where the page's websocket was not logged, e.g. in JupyterLite).
    """
    before_src = page.get_attribute(f"{PANEL} img", "src")
    before = _readout(page, name)
    loads = page.evaluate("() => window.__optlab.loads.length")
    logged = page.evaluate("() => (window.__optlabWs || []).length")
    page.focus(f"{PANEL} .optlab-control-{name} .noUi-handle")
    page.keyboard.press(key)
    page.wait_for_function(f"() => window.__optlab.loads.length > {loads}", timeout=30000)
    (idle or _kernel_idle)(page)
    page.wait_for_function(
        f"""() => document.querySelector('{PANEL} .optlab-readout-{name}').innerText.trim() !== {json.dumps(before)}""",
        timeout=10000)
    key_ms, load_ms, readout_at = page.evaluate(f"""() => {{ const o = window.__optlab, t0 = o.downs.at(-1);
        return [t0, o.loads[{loads}], o.readouts.find(t => t > t0)]; }}""")
    result = (before, _readout(page, name), before_src, page.get_attribute(f"{PANEL} img", "src"), load_ms - key_ms,
              readout_at - key_ms)
    if not stages:
        return result
    messages = page.evaluate(f"() => (window.__optlabWs || []).slice({logged})")
    return result + (breakdown([m for m in messages if m.get("t", 0) >= key_ms], key_ms, load_ms, readout_at),)


def run_browser_session(workdir, presses=10, server_args=()):
    """Open lesson 05 in JupyterLab/chromium, run all cells and press keys on the Adam panel's α and β1.

    ``server_args`` go to ``jupyter lab`` (:data:`STOCK_SERVER` measures the server without optlab's extension).

    Returns a dict with ``events`` (one per key press: slider, key, readouts, srcs, ms, readout_ms and the
    ``stages`` of :func:`breakdown`), ``median_ms``, ``readout_median_ms``, ``run_all_s`` (Run All until idle),
    ``kernel_idle`` (idle after the last press), ``server_stopped`` and ``nodelay`` (whether optlab's server
    extension sent the kernel's messages with TCP_NODELAY, read from the server's log).
    """
    from playwright.sync_api import sync_playwright

    workdir = pathlib.Path(workdir)
    (workdir / ".jupyter-private").mkdir(parents=True, exist_ok=True)
    notebook = copy_lesson(workdir)
    events = []
    with lab_server(workdir, server_args) as (url, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(WS_PROBE)
            page.goto(f"{url}/lab/tree/{notebook}?token={token}", wait_until="domcontentloaded")
            page.wait_for_selector(".jp-Notebook", timeout=90000)
            _kernel_idle(page, timeout_ms=90000)
            _accept_kernel_dialog(page)
            start = time.monotonic()
            _run_all(page)
            run_all_s = time.monotonic() - start
            panel = find_adam_panel(page)
            panel.evaluate(_INSTALL_PROBE)
            plan = [("lr", "ArrowRight"), ("lr", "ArrowLeft"), ("beta1", "ArrowLeft"), ("beta1", "ArrowRight")]
            for i in range(max(presses, len(plan))):
                name, key = plan[i % len(plan)]
                before, after, src0, src1, ms, readout_ms, stages = press_and_wait(page, name, key, stages=True)
                events.append(dict(slider=name, key=key, readout_before=before, readout_after=after,
                                   src_changed=src0 != src1, ms=ms, readout_ms=readout_ms, stages=stages))
            kernel_idle = page.get_attribute(".jp-Notebook-ExecutionIndicator", "data-status") == "idle"
        finally:
            browser.close()
    server_stopped = not _answers(url)
    log = workdir / "jupyterlab.log"
    nodelay = log.exists() and NODELAY_LOG in log.read_text(errors="replace")
    return dict(events=events, median_ms=statistics.median(e["ms"] for e in events),
                readout_median_ms=statistics.median(e["readout_ms"] for e in events), run_all_s=run_all_s,
                kernel_idle=kernel_idle, server_stopped=server_stopped, notebook=notebook, nodelay=nodelay)


# --------------------------------------------------------------------------- Run All on any notebook
# Runs in the page: the code cells' execution prompts, error outputs and the text of every cell's output.
_CELL_STATES = """
() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(c => ({
    prompt: ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
    errors: [...c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
              .map(e => e.innerText.trim()),
    text: [...c.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText).join('\\n')}))
"""


# Runs in the page: true once some code cell is queued or run ([*]: or [n]:).
_STARTED = """
() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].some(
        p => /\\[(\\*|\\d+)\\]/.test(p.textContent || ''))
"""


def open_notebook(browser, url, token, name):
    """A new page with notebook ``name`` (in the server's root) open and its kernel started and idle."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/{name}?token={token}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook", timeout=90000)
    _kernel_idle(page, timeout_ms=90000)
    _accept_kernel_dialog(page)
    return page


def run_all(workdir, notebook, timeout_ms=240000) -> dict:
    """Open ``notebook`` (a path; copied into ``workdir``) in JupyterLab in chromium and Run All.

    Returns ``cells`` — per code cell its prompt (``[n]:`` once run), error outputs and output text —,
    ``all_run`` (every code cell got an execution count), ``run_all_s`` and ``server_stopped``. Run All waits
    until every code cell is numbered and the kernel idle; if that never happens the cells say how far it got.
    """
    from playwright.sync_api import sync_playwright

    workdir = pathlib.Path(workdir)
    (workdir / ".jupyter-private").mkdir(parents=True, exist_ok=True)
    name = pathlib.Path(notebook).name
    shutil.copyfile(notebook, workdir / name)
    all_run = True
    with lab_server(workdir) as (url, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = open_notebook(browser, url, token, name)
            start = time.monotonic()
            for attempt in range(2):  # on a loaded machine the menu click is occasionally lost: then click again
                page.click('li.lm-MenuBar-item >> text="Run"')
                page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
                try:
                    page.wait_for_function(_STARTED, timeout=30000)
                    break
                except Exception:
                    continue
            try:
                page.wait_for_function(_ALL_RUN, timeout=timeout_ms)
                _kernel_idle(page)
            except Exception:
                all_run = False
            run_all_s = time.monotonic() - start
            cells = page.evaluate(_CELL_STATES)
        finally:
            browser.close()
    return dict(cells=cells, all_run=all_run, run_all_s=run_all_s, server_stopped=not _answers(url))
