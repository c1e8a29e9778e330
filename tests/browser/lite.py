"""Drive the course's JupyterLite site in Debian's chromium: build (or reuse) it, serve it on 127.0.0.1, open
lesson 05 as a student gets it (``lessons/05_adam.ipynb``, exercises unwritten), run every cell, press arrow
keys on the Adam trajectory panel's α slider and time each key press until the new picture.

Used by ``tests/browser/test_lite.py`` (assertions) and ``benchmarks/bench_lite.py`` (the timing). The site is
``tools/build_lite.py``'s, built from the package registries' caches; nothing else is downloaded. Every request
the browser makes to anything but the site's own server goes to a recording proxy on 127.0.0.1 that refuses it,
so a request meant to leave the machine is both caught and recorded. The JupyterLab helpers (kernel status,
panel lookup, key presses) are ``lab.py``'s.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import re
import socketserver
import statistics
import sys
import threading
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


@contextlib.contextmanager
def _proxy():
    proxy = _Proxy()
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)


# Runs in the page: every code cell of the notebook, in order: its prompt and its outputs (mime type, text).
_CELLS = """
() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].filter(c => c.classList.contains('jp-CodeCell'))
  .map(c => ({prompt: ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
              outputs: [...c.querySelectorAll('.jp-OutputArea-output')].map(
                o => [o.getAttribute('data-mime-type') || '', o.innerText.slice(-600)])}))
"""


def _numbered(cell) -> bool:
    return re.fullmatch(r"\[\d+\]:", cell["prompt"]) is not None


def _menu(page, command):
    page.click('li.lm-MenuBar-item >> text="Run"')
    page.click(f"li.lm-Menu-item[data-command='{command}']")


_BUSY = """() => [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')].some(p => p.textContent.includes('*'))"""


def cells_settled(page, timeout_ms=180000):
    """Wait until no cell is queued or running (no ``[*]:`` prompt).

    Not JupyterLab's toolbar execution indicator (``lab._kernel_idle``): after a run stops at a failing cell, the
    Pyodide kernel never answers for the cells JupyterLab drops from its queue, and that indicator stays "busy"
    for good although the kernel is idle and runs the next cell at once."""
    page.wait_for_function(f"() => !({_BUSY})()", timeout=timeout_ms)


def _run(page, command, timeout_ms):
    """Run a Run-menu command and wait until the cells it queued have run."""
    _menu(page, command)
    with contextlib.suppress(Exception):  # a run that ends within the poll shows no [*] at all
        page.wait_for_function(_BUSY, timeout=10000)
    cells_settled(page, timeout_ms)


def run_every_cell(page, expected_stops: int, timeout_ms=180000):
    """Run All; where it stops after a check that fails by design, go on from the next cell (Run > Run Selected
    Cell and All Below), as a student would. Returns the cells' prompts and outputs at the end.

    Raises if a run stops anywhere else, or more often than the lesson has cells tagged raises-exception."""
    _run(page, "runmenu:run-all", timeout_ms)
    for _ in range(expected_stops + 1):
        cells = page.evaluate(_CELLS)
        waiting = [i for i, cell in enumerate(cells) if not _numbered(cell)]
        if not waiting:
            return cells
        first = waiting[0]
        stopped_at = cells[first - 1] if first else None
        if stopped_at is None or not any(mime == "application/vnd.jupyter.stderr" for mime, _ in
                                         stopped_at["outputs"]):
            raise RuntimeError(f"the run stopped before code cell {first} without an error in the cell before: "
                               f"{json.dumps(cells[max(first - 1, 0)])[:800]}")
        cell = page.locator(".jp-Notebook .jp-CodeCell").nth(first)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").click()
        _run(page, "notebook:run-all-below", timeout_ms)
    raise RuntimeError(f"Run All stopped more than the {expected_stops} times the lesson's tagged cells allow")


def tagged(path=LESSON) -> list[bool]:
    """For each code cell of the lesson, whether it is tagged raises-exception."""
    nb = nbformat.read(str(path), as_version=4)
    return [RAISES in cell.metadata.get("tags", []) for cell in nb.cells if cell.cell_type == "code"]


def run_lite_session(site_dir, presses=10, slider="lr"):
    """Open lesson 05 of the site in chromium, run every cell, press ArrowRight/ArrowLeft on the Adam trajectory
    panel's ``slider``.

    Returns a dict: ``cells`` (prompts and outputs after the run), ``tagged``, ``events`` (one per key press, as
    in lab.run_browser_session), ``median_ms`` and ``readout_median_ms``, ``kernel_ready_s`` (page opened to
    the kernel idle — the first usable kernel), ``run_all_s`` (every cell run),
    ``left`` (requests that tried to leave 127.0.0.1: the proxy's and the browser's view), ``failed`` (site
    files answered with an error status) and ``requests`` (how many the site answered).
    """
    from playwright.sync_api import sync_playwright

    expected = tagged()
    events, browser_left = [], []
    with build_lite.serving(site_dir) as server, _proxy() as proxy, sync_playwright() as pw:
        args = lab.CHROMIUM_ARGS + [f"--proxy-server=http://127.0.0.1:{proxy.server_address[1]}",
                                    "--proxy-bypass-list=127.0.0.1"]
        browser = pw.chromium.launch(executable_path=lab.CHROMIUM, args=args, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.on("request", lambda r: None if r.url.startswith((server.url, "data:", "blob:"))
                       else browser_left.append(r.url))
            page = context.new_page()
            start = time.monotonic()
            page.goto(f"{server.url}/lab/index.html?path={LESSON.name}", wait_until="domcontentloaded")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90000)
            lab._kernel_idle(page, timeout_ms=180000)  # the kernel has started and nothing ran yet
            kernel_ready_s = time.monotonic() - start
            start = time.monotonic()
            cells = run_every_cell(page, expected_stops=sum(expected))
            run_all_s = time.monotonic() - start
            panel = lab.find_adam_panel(page)
            panel.evaluate(lab._INSTALL_PROBE)
            for i in range(presses):
                key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                before, after, src0, src1, ms, readout_ms = lab.press_and_wait(page, slider, key, idle=cells_settled)
                events.append(dict(slider=slider, key=key, readout_before=before, readout_after=after,
                                   src_changed=src0 != src1, ms=ms, readout_ms=readout_ms))
        finally:
            browser.close()
        requests = list(server.requests)
        left = proxy.seen + browser_left
    failed = [(path, status) for path, status in requests
              if isinstance(status, int) and status >= 400 and not path.startswith("/api/")]
    return dict(cells=cells, tagged=expected, events=events, kernel_ready_s=kernel_ready_s, run_all_s=run_all_s,
                median_ms=statistics.median(e["ms"] for e in events),
                readout_median_ms=statistics.median(e["readout_ms"] for e in events),
                left=left, failed=failed, requests=len(requests))
