"""Drive the course's JupyterLite site in Debian's chromium: build (or reuse) it, serve it on 127.0.0.1, open
lesson 05 as a student gets it (``lessons/05_adam.ipynb``, exercises unwritten), press Run All, press arrow keys
on the Adam trajectory panel's α slider and time each key press until the new picture; then add three cells
whose first fails untagged, run them as one batch and move α while they wait (that failure must stop the batch
and the slider must still be answered).

Used by ``tests/browser/test_lite.py`` (assertions) and ``benchmarks/bench_lite.py`` (the timing). The site is
``tools/build_lite.py``'s, built from the package registries' caches; nothing else is downloaded. Every request
the browser makes to anything but the site's own server goes to a recording proxy on 127.0.0.1 that refuses it,
so a request meant to leave the machine is both caught and recorded. The JupyterLab helpers (kernel status,
panel lookup, key presses) are ``lab.py``'s.
"""

from __future__ import annotations

import pathlib
import re
import socketserver
import statistics
import sys
import time

import nbformat

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "tools"))
import build_lite  # noqa: E402
import lab  # noqa: E402

#: The lesson the browser opens: the student's copy, with its exercises unwritten.
LESSON = build_lite.ROOT / "lessons" / "05_adam.ipynb"
#: What an unanswered check says (optlab.checks' call_student).
NOT_WRITTEN = "is not written yet"
RAISES = "raises-exception"


def unavailable() -> str | None:
    """Why the site cannot be driven here (no browser or playwright), or None. A missing Pyodide is found
    only by trying to build: see :func:`site`."""
    if not LESSON.exists():
        return f"{LESSON} not found"
    return lab.unavailable()


def site() -> pathlib.Path:
    """Build the site, or reuse a fresh one (``build/lite``). Raises build_lite.PyodideUnavailable when the
    Pyodide distribution cannot be had here, BuildError for anything else."""
    return build_lite.build([])


class _Proxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on 127.0.0.1 that forwards nothing: it records each request line and answers 502."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.seen = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline(2048).decode("latin-1").strip()
        if line:
            self.server.seen.append(line)
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def _proxy():
    return build_lite.running(_Proxy())


# Runs in the page: every code cell of the notebook, in order: its prompt and its outputs (mime type, text).
_CELLS = """
() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].filter(c => c.classList.contains('jp-CodeCell'))
  .map(c => ({prompt: ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
              outputs: [...c.querySelectorAll('.jp-OutputArea-output')].map(
                o => [o.getAttribute('data-mime-type') || '', o.innerText.slice(-600)])}))
"""


def panel_cell(path=LESSON) -> int:
    """Index, among the lesson's code cells, of the one that starts the Adam trajectory panel."""
    nb = nbformat.read(str(path), as_version=4)
    found = [i for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code")
             if lab.PANEL_CALL in cell.source.replace("'", '"')]
    if len(found) != 1:
        raise RuntimeError(f"{path.name} has {len(found)} code cells calling {lab.PANEL_CALL}...)")
    return found[0]


def find_adam_panel(page, index: int):
    """The Adam trajectory panel: the output of code cell ``index``, scrolled into view and marked for lab.py's
    helpers (found by the cell's position in the lesson, not its editor text, which a deferred cell may not
    have drawn yet)."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    cell.scroll_into_view_if_needed()
    panel = cell.locator(".jp-OutputArea .optlab-panel")
    try:
        panel.wait_for(state="attached", timeout=60000)
    except Exception as exc:
        raise RuntimeError(f"no panel in code cell {index}: it shows {page.evaluate(_CELLS)[index]}") from exc
    panel.evaluate("(node) => node.setAttribute('data-optlab-browser-test', 'adam-trajectory')")
    for name in ("lr", "beta1", "bias_correction"):  # the controls that make it the Adam panel
        page.wait_for_selector(f"{lab.PANEL} .optlab-control-{name}", state="attached", timeout=10000)
    page.wait_for_function(f"() => document.querySelector('{lab.PANEL} img').complete", timeout=30000)
    page.locator(lab.PANEL).scroll_into_view_if_needed()
    return page.locator(lab.PANEL)


def _numbered(cell) -> bool:
    return re.fullmatch(r"\[\d+\]:", cell["prompt"]) is not None


# Runs in the page: whether code cell ``i`` (among the notebook's code cells) shows an execution count.
_CELL_RAN = """(i) => { const cell = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i];
                        const prompt = cell && cell.querySelector('.jp-InputPrompt');
                        return !!prompt && /^\\[\\d+\\]:$/.test(prompt.textContent.trim()); }"""


def _menu(page, command, started=None):
    """Click Run → the item of JupyterLab command ``command``; on a loaded machine a menu click is now and then
    lost, so click again until ``started(page)`` (a function returning once the click took) has returned."""
    for attempt in range(3):
        page.click('li.lm-MenuBar-item >> text="Run"')
        page.click(f"li.lm-Menu-item[data-command='{command}']")
        if started is None:
            return
        try:
            started(page)
            return
        except Exception:
            if attempt == 2:
                raise


def run_all(page, timeout_ms=240000, first_done=None, path=None):
    """Run All (Run → Run All Cells, JupyterLab's ``runmenu:run-all``) as soon as the lesson shows, as a student
    does; wait until every code cell has an execution count and the kernel is idle; returns the code cells'
    prompts and outputs.

    The checks a student has not answered yet fail, tagged ``raises-exception``: JupyterLab sends their execute
    requests with ``stop_on_error: false``, and the site's kernel client (patched by tools/build_lite.py, see
    ``RUN_ALL_PATCH``) goes on with the cells queued behind them, as ipykernel does in JupyterLab.

    ``first_done`` (a list) receives the time.monotonic() at which the first code cell had run; ``path`` is the
    notebook open in the page (lesson 05 if None)."""
    total = len(nbformat.read(str(path or LESSON), as_version=4).cells)
    # windowingMode "defer" attaches the cells below the fold while the page is idle: wait for all of them
    page.wait_for_function("(n) => document.querySelectorAll('.jp-Notebook .jp-Cell').length === n", arg=total,
                           timeout=60000)
    _menu(page, "runmenu:run-all", started=lambda p: p.wait_for_function(lab._STARTED, timeout=30000))
    page.wait_for_function(_CELL_RAN, arg=0, timeout=timeout_ms)
    if first_done is not None:
        first_done.append(time.monotonic())
    try:
        page.wait_for_function(lab._ALL_RUN, timeout=timeout_ms)
    except Exception as exc:
        raise RuntimeError(f"Run All stopped: {page.evaluate(lab._NOT_RUN)}") from exc
    lab._kernel_idle(page, timeout_ms=timeout_ms)
    code = page.evaluate(_CELLS)
    if not all(_numbered(cell) for cell in code):
        raise RuntimeError(f"not every code cell ran: {[cell['prompt'] for cell in code]}")
    return code


#: Cells added after the lesson for the stop test (never saved: the page's copy only). The first fails, untagged,
#: after keeping the kernel busy long enough for a slider move to queue behind it; the batch must stop there.
STOP_CELLS = ('t0 = __import__("time").time()\nwhile __import__("time").time() < t0 + 4:\n    pass\n'
              'raise RuntimeError("an untagged cell fails")',
              'probe = "ran after the stop"',
              'probe')
STOP_MESSAGE = "an untagged cell fails"


def _append_cells(page, sources):
    """Add code cells with ``sources`` after the last cell, by the keyboard (b, Enter, text, Escape)."""
    page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    for source in sources:
        page.keyboard.press("b")
        page.keyboard.press("Enter")
        page.keyboard.insert_text(source)
        page.keyboard.press("Escape")


def stop_on_untagged_error(page, slider="lr", key="ArrowRight"):
    """After Run All: add :data:`STOP_CELLS` and run them as one batch from the first (Run → Run Selected Cell
    and All Below: the same path as Run All); while the first keeps the kernel busy, press ``key`` on the Adam
    panel's ``slider`` (a comm message queued behind the three requests).

    Returns ``cells`` (the added cells' prompts and outputs after the stop), ``kernel_idle`` (JupyterLab's
    indicator went back to idle: every request was answered), ``queued`` (the key was pressed while the failing
    cell still ran, so its message waited behind the batch), ``picture_changed`` and ``readout`` (before,
    after) of the slider move, and ``rerun`` (the second and third cells, run again after the stop)."""
    first = len(page.evaluate(_CELLS))
    _append_cells(page, STOP_CELLS)
    page.wait_for_function("(n) => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === n",
                           arg=first + len(STOP_CELLS), timeout=10000)
    page.locator(".jp-Notebook .jp-CodeCell").nth(first).locator(".jp-InputPrompt").click()
    busy = f"""() => /\\*/.test(document.querySelectorAll('.jp-Notebook .jp-CodeCell')[{first}]
                                  .querySelector('.jp-InputPrompt').textContent)"""
    _menu(page, "notebook:run-all-below", started=lambda p: p.wait_for_function(busy, timeout=10000))
    # the first added cell is running (4 s): queue a slider move behind the batch
    src, before = page.get_attribute(f"{lab.PANEL} img", "src"), lab._readout(page, slider)
    page.focus(f"{lab.PANEL} .optlab-control-{slider} .noUi-handle")
    page.keyboard.press(key)
    queued = not page.evaluate(_CELL_RAN, first)  # pressed while the failing cell still ran
    page.wait_for_function(_CELL_RAN, arg=first, timeout=60000)
    picture_changed = True
    try:
        page.wait_for_function(f"(src) => document.querySelector('{lab.PANEL} img').src !== src", arg=src,
                               timeout=30000)
    except Exception:
        picture_changed = False
    kernel_idle = True
    try:
        lab._kernel_idle(page, timeout_ms=30000)
    except Exception:
        kernel_idle = False
    cells = page.evaluate(_CELLS)[first:]
    readout = (before, lab._readout(page, slider))
    # the kernel takes new work after the stop: run the second and third cells again
    page.locator(".jp-Notebook .jp-CodeCell").nth(first + 1).locator(".jp-InputPrompt").click()
    _menu(page, "notebook:run-all-below", started=lambda p: p.wait_for_function(_CELL_RAN, arg=first + 2,
                                                                                  timeout=60000))
    lab._kernel_idle(page)
    rerun = page.evaluate(_CELLS)[first + 1:]
    return dict(cells=cells, kernel_idle=kernel_idle, queued=queued, picture_changed=picture_changed,
                readout=readout, rerun=rerun)


def tagged(path=LESSON) -> list[bool]:
    """For each code cell of the lesson, whether it is tagged raises-exception."""
    nb = nbformat.read(str(path), as_version=4)
    return [RAISES in cell.metadata.get("tags", []) for cell in nb.cells if cell.cell_type == "code"]


def run_lite_session(site_dir, presses=10, slider="lr", stop=False):
    """Open lesson 05 of the site in chromium, Run All, press ArrowRight/ArrowLeft on the Adam trajectory panel's
    ``slider``; with ``stop=True`` then :func:`stop_on_untagged_error`.

    Returns a dict: ``cells`` (prompts and outputs after the run), ``tagged``, ``events`` (one per key press, as
    in lab.run_browser_session), ``median_ms`` and ``readout_median_ms``, ``kernel_ready_s`` (page opened to
    the first code cell's result, Run All pressed as soon as the notebook shows: the first usable kernel),
    ``run_all_s`` (the other cells), ``stop`` (what :func:`stop_on_untagged_error` returned, or None),
    ``left`` (requests of the page, its workers or its service worker to anything but the site's server — the
    browser reports every one, as the server's own log confirms: ``unseen``, what the server answered that the
    browser did not report, is empty), ``proxy_log`` (what reached the refusing proxy: Chromium's own
    background calls — update and account checks — never the site's), ``failed`` (site files answered with an
    error status; the browser's automatic /favicon.ico probe aside) and ``requests`` (how many the server
    answered).
    """
    from playwright.sync_api import sync_playwright

    expected = tagged()
    events, browser_seen = [], []
    with build_lite.serving(site_dir) as server, _proxy() as proxy, sync_playwright() as pw:
        args = lab.CHROMIUM_ARGS + [f"--proxy-server=http://127.0.0.1:{proxy.server_address[1]}",
                                    "--proxy-bypass-list=127.0.0.1"]
        browser = pw.chromium.launch(executable_path=lab.CHROMIUM, args=args, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.on("request", lambda r: browser_seen.append(r.url))
            page = context.new_page()
            start = time.monotonic()
            page.goto(f"{server.url}/lab/index.html?path={LESSON.name}", wait_until="domcontentloaded")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90000)
            first_done = []
            cells = run_all(page, first_done=first_done)
            run_all_s = time.monotonic() - first_done[0]
            kernel_ready_s = first_done[0] - start
            panel = find_adam_panel(page, panel_cell())
            panel.evaluate(lab._INSTALL_PROBE)
            for i in range(presses):
                key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                before, after, src0, src1, ms, readout_ms = lab.press_and_wait(page, slider, key)
                events.append(dict(slider=slider, key=key, readout_before=before, readout_after=after,
                                   src_changed=src0 != src1, ms=ms, readout_ms=readout_ms))
            stopped = stop_on_untagged_error(page, slider) if stop else None
        finally:
            browser.close()
        requests, proxy_log = list(server.requests), list(proxy.seen)
        site_url = server.url
    left = [url for url in browser_seen if not url.startswith((site_url + "/", "data:", "blob:"))]
    reported = {url[len(site_url):] for url in browser_seen if url.startswith(site_url + "/")}
    unseen = sorted({path for path, _ in requests} - reported - {"/favicon.ico"})  # the browser's own probe
    # /api/ 404s are JupyterLite's drive looking for files a traceback names (/lib/python3.12/...): expected.
    failed = [(path, status) for path, status in requests if isinstance(status, int) and status >= 400
              and not path.startswith("/api/") and path != "/favicon.ico"]
    return dict(cells=cells, tagged=expected, events=events, stop=stopped, kernel_ready_s=kernel_ready_s,
                run_all_s=run_all_s,
                median_ms=statistics.median(e["ms"] for e in events),
                readout_median_ms=statistics.median(e["readout_ms"] for e in events),
                left=left, unseen=unseen, proxy_log=proxy_log, failed=failed, requests=len(requests))


def run_lessons(site_dir, paths):
    """Open each notebook of ``paths`` (in lessons/) in a fresh page of one chromium, Run All as a student does,
    and return, per notebook name, a dict: ``cells`` (prompts and outputs after the run, as :func:`run_all`),
    ``tagged`` (which code cells are tagged raises-exception) and ``seconds`` (page opened to the run's end)."""
    from playwright.sync_api import sync_playwright

    results = {}
    with build_lite.serving(site_dir) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=lab.CHROMIUM, args=lab.CHROMIUM_ARGS, headless=True)
        try:
            for path in paths:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                start = time.monotonic()
                page.goto(f"{server.url}/lab/index.html?path={path.name}", wait_until="domcontentloaded")
                page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90000)
                cells = run_all(page, path=path)
                results[path.name] = dict(cells=cells, tagged=tagged(path), seconds=time.monotonic() - start)
                context.close()
        finally:
            browser.close()
    return results
