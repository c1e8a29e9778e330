"""The Adam panel in a real browser: JupyterLab on 127.0.0.1 with a token, Debian's chromium via playwright.

Opens lesson 05 as the course ships it (``solutions/05_adam.ipynb``, copied into a temporary root, so that the
panels run the model answers; the copy in ``lessons/`` runs to its end too, its unanswered checks failing — see
``lab.LESSON``), runs all cells, finds the Adam trajectory panel (the output of the cell calling ``trajectory_panel("adam", ...)``),
scrolls it into view, presses ArrowRight / ArrowLeft on its α and β1 sliders, waits for the kernel to be idle,
and checks that the picture changed and the readouts show the new values, and that the websocket log splits
every key press into its stages. The timing itself is ``benchmarks/bench_browser.py``'s, measured in its own
run. Skipped, with the reason, only where chromium or the playwright package is missing.
"""

import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import lab  # noqa: E402

pytestmark = pytest.mark.skipif(lab.unavailable() is not None, reason=f"real-browser test: {lab.unavailable()}")

# What one arrow key does to each readout from where lesson 05's panel opens (α = 0.2, β1 = 0.9): α moves by
# 10^±0.05 (snapped to 3 digits), β1 by ±0.01.
EXPECTED = {
    ("lr", "ArrowRight"): "α = 0.224", ("lr", "ArrowLeft"): "α = 0.2",
    ("beta1", "ArrowLeft"): "β1 = 0.89", ("beta1", "ArrowRight"): "β1 = 0.9",
}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return lab.run_browser_session(tmp_path_factory.mktemp("lab"), presses=12)


def test_arrow_keys_on_alpha_and_beta1_redraw_the_picture(session):
    events = session["events"]
    assert {e["slider"] for e in events} == {"lr", "beta1"} and len(events) >= 10
    for event in events:
        assert event["src_changed"], event
        assert event["readout_after"] == EXPECTED[event["slider"], event["key"]], event


def test_panel_opens_as_the_lesson_sets_it(session):
    first = {e["slider"]: e["readout_before"] for e in reversed(session["events"])}
    assert first == {"lr": "α = 0.2", "beta1": "β1 = 0.9"}, first


def test_kernel_idle_and_server_stopped(session):
    assert session["kernel_idle"]
    assert session["server_stopped"]


def test_server_sends_kernel_messages_without_delayed_ack_wait(session):
    # optlab.server, enabled by the jupyter-config package that requirements.txt installs
    assert session["nodelay"], "optlab.server was not loaded: pip install -r requirements.txt installs its config"


def test_readouts_show_exact_values(session):
    for event in session["events"]:
        assert re.fullmatch(r"(α|β1) = [0-9.]+", event["readout_after"]), event


def test_key_press_to_picture_time_is_recorded_and_split(session):
    assert all(0 < e["readout_ms"] <= e["ms"] < 10_000 for e in session["events"])
    for event in session["events"]:
        stages = event["stages"]
        assert stages is not None, event  # the kernel's busy, readout, picture and idle messages were all seen
        # Browser and kernel stamp with the same clock: every stage is a duration (a few ms of clock rounding).
        assert all(v > -5 for v in stages.values()), stages
        assert stages["messages from the browser"] >= 1 and stages["picture message bytes"] > 1000, stages
    print(f"key press to new picture: median {session['median_ms']:.0f} ms over {len(session['events'])} presses "
          f"(to the new readout {session['readout_median_ms']:.0f} ms); Run All {session['run_all_s']:.1f} s")
