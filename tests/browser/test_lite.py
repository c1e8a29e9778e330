"""The course in the browser alone: the JupyterLite site of ``tools/build_lite.py`` in Debian's chromium.

Builds the site (or reuses a fresh one in ``build/lite``), serves it on 127.0.0.1 and opens lesson 05 as a
student gets it (``lessons/05_adam.ipynb``: exercises unwritten). Every cell runs, top to bottom: the unanswered
checks fail with their "not written yet" sentence and every other cell runs cleanly (the lesson goes on with
optlab's reference). Then α moves on the Adam trajectory panel, by the arrow keys, and the picture changes.
No request of the page, its workers or its service worker goes anywhere but the site's own server; anything
else the browser tries goes to a refusing proxy on 127.0.0.1. Key-press-to-picture times go to
``TIMING_FILE`` for the benchmark table's note.

Skipped, with the reason, only where chromium or playwright is missing or the Pyodide distribution cannot be
had (no npm or registry, and no ``--pyodide PATH``); a site that fails to build for any other reason fails.
"""

import json
import os
import pathlib
import re
import sys
import tempfile

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import lite  # noqa: E402

pytestmark = pytest.mark.skipif(lite.unavailable() is not None, reason=f"JupyterLite test: {lite.unavailable()}")

TIMING_FILE = pathlib.Path(os.environ.get("OPTLAB_LITE_TIMING",
                                          pathlib.Path(tempfile.gettempdir()) / "optlab_lite_timing.json"))


@pytest.fixture(scope="module")
def session():
    try:
        site = lite.site()
    except lite.build_lite.PyodideUnavailable as exc:
        pytest.skip(f"JupyterLite test: the Pyodide distribution cannot be had here: {exc}")
    result = lite.run_lite_session(site, presses=8)
    TIMING_FILE.write_text(json.dumps({k: result[k] for k in ("median_ms", "readout_median_ms", "kernel_ready_s",
                                                               "run_all_s")}, indent=1))
    return result


def test_every_cell_runs_and_only_the_unanswered_checks_fail(session):
    cells, tagged = session["cells"], session["tagged"]
    assert len(cells) == len(tagged), "the page shows a different number of code cells than the lesson has"
    assert all(re.fullmatch(r"\[\d+\]:", cell["prompt"]) for cell in cells), [c["prompt"] for c in cells]
    for i, (cell, expected_to_fail) in enumerate(zip(cells, tagged)):
        errors = [text for mime, text in cell["outputs"] if mime == "application/vnd.jupyter.stderr"]
        if expected_to_fail:
            assert errors and lite.NOT_WRITTEN in errors[-1], (i, cell)
        else:
            assert not errors, (i, errors)


def test_no_font_cache_notice_reaches_the_notebook(session):
    text = " ".join(text for cell in session["cells"] for _, text in cell["outputs"])
    assert "font cache" not in text


def test_moving_alpha_on_the_adam_panel_changes_the_picture(session):
    events = session["events"]
    assert len(events) >= 6
    for event in events:
        assert event["src_changed"], event
        expected = "α = 0.224" if event["key"] == "ArrowRight" else "α = 0.2"
        assert event["readout_before"] != event["readout_after"] == expected, event


def test_no_request_left_127_0_0_1(session):
    assert session["left"] == [], session["left"]
    assert session["unseen"] == [], f"the server answered requests the browser did not report: {session['unseen']}"
    assert session["requests"] > 100  # the page, Pyodide, the packages, the notebook...
    print(f"browser's own background calls refused by the proxy: {len(session['proxy_log'])}")


def test_every_file_the_site_serves_is_found(session):
    assert session["failed"] == [], session["failed"]


def test_timings_are_recorded(session):
    assert TIMING_FILE.exists()
    assert all(0 < e["readout_ms"] <= e["ms"] < 10_000 for e in session["events"])
    print(f"JupyterLite: kernel usable {session['kernel_ready_s']:.1f} s after opening the page; every cell of "
          f"lesson 05 {session['run_all_s']:.1f} s; key press to new picture median {session['median_ms']:.0f} ms")
