"""Key press to new picture in a real browser: lesson 05's Adam panel in JupyterLab, driven in Chromium.

Measured in this run (never read from a file an earlier run left): ``tests/browser/lab.py`` starts a private
JupyterLab, opens ``solutions/05_adam.ipynb`` (outputs cleared) in Debian's Chromium through playwright, runs all
cells, and presses the arrow keys on the Adam trajectory panel's α and β1 sliders (12 presses). A press is timed
from the keydown to the ``load`` event of the panel's new picture; the readout's change is the round trip
without the picture. The page logs every message on the kernel's websocket, and the kernel stamps its own
messages, so each press is split into stages (``lab.breakdown``): the browser until the comm message leaves,
the way to the kernel, the kernel's work up to the readout and the picture, the way back, and the browser
until the new PNG has loaded. The same presses are measured twice, in two sessions: with JupyterLab's server as
installed (with optlab's server extension, ``optlab/server.py``: kernel messages sent with TCP_NODELAY) and with the
stock server (the extension switched off), so the note gives what the extension saves, measured in this run.
Where Chromium or playwright is missing the rows say "not measured — <why>".
"""

from __future__ import annotations

import pathlib
import statistics
import sys
import tempfile

BROWSER = pathlib.Path(__file__).resolve().parents[1] / "tests" / "browser"
PRESSES = 12


def _lab():
    sys.path.insert(0, str(BROWSER))
    try:
        import lab
    finally:
        sys.path.remove(str(BROWSER))
    return lab


def _not_measured(reason):
    return [dict(name="JupyterLab + Chromium: key press → new picture (lesson 05 Adam panel)", value="—", unit="ms",
                 target="<= 40", figure="browser", note=f"not measured — {reason}")]


def _stages(events):
    split = [e["stages"] for e in events if e["stages"]]
    if not split:
        return {}
    return {stage: statistics.median(s[stage] for s in split) for stage in split[0]}


def entries():
    lab = _lab()
    reason = lab.unavailable()
    if reason:
        return _not_measured(reason)
    with tempfile.TemporaryDirectory() as tmp:
        ours = lab.run_browser_session(tmp, presses=PRESSES)
    with tempfile.TemporaryDirectory() as tmp:
        stock = lab.run_browser_session(tmp, presses=PRESSES, server_args=lab.STOCK_SERVER)
    events = ours["events"]
    times = ", ".join(f"{e['ms']:.0f}" for e in events)
    server = "with optlab's server extension (TCP_NODELAY)" if ours["nodelay"] else \
        "the server as installed (optlab's server extension NOT active: pip install -r requirements.txt)"
    back = "back: picture message → browser"
    mine, theirs = _stages(events), _stages(stock["events"])
    rows = [dict(name="JupyterLab + Chromium: key press → new picture (lesson 05 Adam panel)", value=ours["median_ms"],
                 unit="ms", target="<= 40", figure="browser",
                 note=f"median of {len(events)} arrow-key presses on α and β1 of {ours['notebook']}'s Adam "
                      f"trajectory panel, keydown to the new picture's load event, {server}; all: {times}"),
            dict(name="the same, key press → new readout (the round trip without the picture)",
                 value=ours["readout_median_ms"], unit="ms", target=None,
                 note="keydown to the readout's DOM change (MutationObserver)"),
            dict(name="the same on the stock server (Nagle's algorithm on), key press → new picture",
                 value=stock["median_ms"], unit="ms", target=None,
                 note=f"a second session, optlab.server switched off; readout {stock['readout_median_ms']:.0f} ms; "
                      f"the picture's message waited {theirs.get(back, float('nan')):.1f} ms on its way back "
                      f"(with the extension {mine.get(back, float('nan')):.1f} ms); all: "
                      + ", ".join(f"{e['ms']:.0f}" for e in stock["events"]))]
    if not mine:
        rows.append(dict(name="key press → picture, by stage", value="—", unit="ms", target=None,
                         note="not measured — the websocket log did not show the kernel's messages"))
        return rows
    for stage, value in mine.items():
        unit = "" if stage.startswith("messages") else "KB" if "bytes" in stage else "ms"
        rows.append(dict(name=f"  stage: {stage}", value=value / 1024 if unit == "KB" else value, unit=unit,
                         target=None, note=f"median over the presses; stock server: "
                                           f"{theirs[stage] / (1024 if unit == 'KB' else 1):.3g}" if stage in theirs else ""))
    return rows


if __name__ == "__main__":
    for row in entries():
        print(row)
