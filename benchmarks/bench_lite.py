"""The course in the browser alone (JupyterLite, issue 13): a slider move on lesson 05's Adam panel, in Pyodide.

Measured in this run: the site of ``tools/build_lite.py`` (built, or reused while fresh) is served on 127.0.0.1,
chromium opens ``lessons/05_adam.ipynb``, runs it with Run All, and presses ArrowRight / ArrowLeft on the Adam
trajectory panel's α slider; each figure is the time from the keydown to the new picture's ``load`` event
(the round trip through the Pyodide kernel: run, draw, PNG, back), median of 12 presses. The same session
gives the time from opening the page to the first cell's result (the first usable kernel).

Where chromium, playwright or the Pyodide distribution cannot be had, the rows say "not measured — <reason>".
Set OPTLAB_BENCH_LITE=0 to skip (a session takes about a minute).
"""

from __future__ import annotations

import os
import pathlib
import sys

_BROWSER = pathlib.Path(__file__).resolve().parents[1] / "tests" / "browser"
NAME = "JupyterLite: key press to new picture (α, Adam panel)"
READY = "JupyterLite: page opened to first cell's result"


def _load() -> str:
    try:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return "load average unknown"


def _not_measured(reason: str) -> list[dict]:
    return [dict(name=NAME, value="n/a", unit="ms", target="<= 60", figure="lite", note=f"not measured — {reason}"),
            dict(name=READY, value="n/a", unit="s", target=None, note=f"not measured — {reason}")]


def entries():
    if os.environ.get("OPTLAB_BENCH_LITE") == "0":
        return _not_measured("OPTLAB_BENCH_LITE=0")
    sys.path.insert(0, str(_BROWSER))
    try:
        import lite
    finally:
        sys.path.remove(str(_BROWSER))
    reason = lite.unavailable()
    if reason:
        return _not_measured(reason)
    try:
        site = lite.site()
    except lite.build_lite.PyodideUnavailable as exc:
        return _not_measured(f"the Pyodide distribution cannot be had: {exc}")
    result = lite.run_lite_session(site, presses=12)
    load = _load()
    return [dict(name=NAME, value=result["median_ms"], unit="ms", target="<= 60", figure="lite",
                 note=f"median of {len(result['events'])} presses, measured in this run; new readout "
                      f"{result['readout_median_ms']:.0f} ms; {load}"),
            dict(name=READY, value=result["kernel_ready_s"], unit="s", target=None,
                 note=f"Pyodide, packages and optlab loaded, font cache built, imports run; the rest of the "
                      f"lesson {result['run_all_s']:.0f} s; {load}")]
