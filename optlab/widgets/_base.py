"""Building blocks of the live panels: controls with exact readouts, and a Panel that redraws safely and fast.

Every panel in :mod:`optlab.widgets` is made of the same pieces:

* :class:`~optlab.widgets.render.FastFigure` — one Agg figure; register moving artists with ``animate``, call
  ``invalidate`` after changing anything static, ``render()`` gives PNG bytes (blitted, ≈10 ms).
* :class:`Control` — one slider/dropdown/checkbox plus an HTML readout that shows the exact value used.
  Build them with the factories :func:`log_control` (α, ε: log scale), :func:`one_minus_log_control`
  (β2: a log slider on 1 − β2, read out as β2), :func:`linear_control` (β, β1, λ, noise),
  :func:`int_control`, :func:`choice_control`, :func:`toggle_control` and :func:`clip_control` (a threshold of
  gradient clipping, log scale, with an "off" position), or for an optimizer's hyperparameter
  with :func:`hyperparameter_control` (``"lr"``, ``"beta"``, ``"beta1"``, ``"beta2"``, ``"eps"``, ``"weight_decay"``,
  ``"bias_correction"``), which takes the symbol, range and scale from :mod:`optlab.specs`. ``control.value`` is
  the real value (e.g. β2, not log10(1 − β2)); setting it moves the slider.
* :class:`Panel` — an ``ipywidgets.VBox`` holding the picture (an ``Image`` widget), the controls and a
  status line. Subclass it and implement ``update()``: read ``self.values()``, compute, update artists in
  place. :meth:`Panel.redraw` runs ``update`` with numpy warnings silenced and any warning or exception
  caught and *shown in the status line* (the picture keeps its last state), then renders. Every control
  change calls ``redraw``; group programmatic changes in ``with panel.hold():`` to redraw once.
* :class:`GrowingAxis` — value-axis limits that only grow (whole decades on a log axis), so that slider
  moves keep blitting and the axes do not jump: call ``axis.fit(*arrays)`` in ``update()``.

A minimal panel::

    class MyPanel(Panel):
        def __init__(self):
            ff = FastFigure(figsize=(4, 3))
            ax = ff.figure.add_subplot()
            (self.line,) = ax.plot([], [])
            ff.animate(self.line)
            super().__init__(ff, [log_control("lr", "α", 0.1, -3, 0)], title="My panel")

        def update(self):
            lr = self.values()["lr"]
            self.line.set_data([0, 1], [0, lr])

The picture is set at construction, so a panel executed headless (nbval, nbclient) already holds it.
"""

from __future__ import annotations

import contextlib
import html
import io
import math
import numbers
import traceback
import warnings

import ipywidgets as widgets
import numpy as np

from .. import specs
from .._format import fmt

__all__ = [
    "Control",
    "Panel",
    "log_control",
    "one_minus_log_control",
    "linear_control",
    "int_control",
    "choice_control",
    "toggle_control",
    "clip_control",
    "hyperparameter_control",
    "GrowingAxis",
    "run_caption",
]


def _snap(x: float, digits: int = 3) -> float:
    """Round to ``digits`` significant digits, so a log slider's value reads exactly (0.00112, not 0.0011220…)."""
    return float(f"{x:.{digits}g}")


class Control:
    """A widget for one setting and a readout of its exact value.

    Args:
        name: the keyword the value is passed as (``"lr"``, ``"beta1"``, …).
        symbol: how the readout names it (``"α"``, ``"β1"``, …).
        widget: the ipywidgets control (slider, dropdown, checkbox).
        to_value: widget value -> real value (default: identity).
        from_value: real value -> widget value (default: identity).
        describe: real value -> readout text (default ``"symbol = value"``).

    Attributes:
        readout: an ``ipywidgets.HTML`` with CSS class ``optlab-readout`` showing the value in use.
        box: widget and readout side by side, ready to lay out.
        describe: the function real value -> readout text; a panel may replace it (a shared control names the
            optimizers it drives) and then call :meth:`refresh_readout`.
    """

    def __init__(self, name, symbol, widget, *, to_value=None, from_value=None, describe=None):
        self.name, self.symbol, self.widget = name, symbol, widget
        self._to = to_value or (lambda w: w)
        self._from = from_value or (lambda v: v)
        self.describe = describe or (lambda v: f"{symbol} = {fmt(v)}")
        self.readout = widgets.HTML(layout=widgets.Layout(min_width="15em"))
        self.readout.add_class("optlab-readout")
        self.readout.add_class(f"optlab-readout-{name}")
        widget.add_class(f"optlab-control-{name}")
        self.box = widgets.HBox([widget, self.readout], layout=widgets.Layout(align_items="center"))
        self.refresh_readout()
        widget.observe(lambda change: self.refresh_readout(), names="value")

    @property
    def value(self):
        """The real value in use (β2 itself for a 1 − β2 slider, the snapped α for a log slider)."""
        return self._to(self.widget.value)

    @value.setter
    def value(self, value):
        self.widget.value = self._from(value)

    def slider_values(self):
        """The real value at every position of the slider, in order (a log or linear float slider), or None.

        These are the values a drag or an arrow key can give (the widget's min + k·step, through the same rounding as
        :attr:`value`), so a panel can compute all of them at once when the slider starts moving.
        """
        w = self.widget
        if not isinstance(w, (widgets.FloatSlider, widgets.FloatLogSlider)) or not w.step > 0:
            return None
        positions = w.min + w.step * np.arange(math.floor((w.max - w.min) / w.step + 1e-9) + 1)
        raw = w.base ** positions if isinstance(w, widgets.FloatLogSlider) else positions
        return list(dict.fromkeys(self._to(float(x)) for x in raw))  # in order, without repeats

    def refresh_readout(self):
        self.readout.value = f"<span style='white-space:nowrap'>{html.escape(self.describe(self.value))}</span>"

    @property
    def text(self) -> str:
        """The readout as plain text, e.g. ``"β2 = 0.999  (1 − β2 = 0.001)"``."""
        return self.describe(self.value)

    def __repr__(self):
        return f"Control({self.name}={fmt(self.value)})"


def _slider_style():
    """Keywords every slider shares (a fresh Layout each time: a Layout model is not to be shared)."""
    return dict(continuous_update=True, readout=False, layout=widgets.Layout(width="260px"),
                style={"description_width": "3.5em"})


def log_control(name, symbol, value, min_exp, max_exp, step=0.05):
    """A log-scale slider for a positive value in [10^min_exp, 10^max_exp] (α, ε), snapped to 3 digits."""
    value = min(max(float(value), 10.0 ** min_exp), 10.0 ** max_exp)
    slider = widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                                    description=symbol, **_slider_style())
    return Control(name, symbol, slider, to_value=_snap)


def one_minus_log_control(name, symbol, value, min_exp, max_exp, step=0.1):
    """A slider on log10(1 − value), for decay rates close to 1 (β2); the readout shows the value itself."""
    gap = min(max(1.0 - float(value), 10.0 ** min_exp), 10.0 ** max_exp)

    def to_value(exponent):
        return 1.0 - _snap(10.0 ** exponent)

    def from_value(v):
        return math.log10(max(1.0 - float(v), 10.0 ** min_exp))

    def describe(v):
        return f"{symbol} = {fmt(v)}  (1 − {symbol} = {fmt(_snap(1.0 - v))})"

    slider = widgets.FloatSlider(value=math.log10(gap), min=min_exp, max=max_exp, step=step,
                                 description=f"1−{symbol}", **_slider_style())
    return Control(name, symbol, slider, to_value=to_value, from_value=from_value, describe=describe)


def linear_control(name, symbol, value, lo, hi, step):
    """A linear slider on [lo, hi] (β, β1, λ, noise); values are rounded to the step's decimals."""
    decimals = max(0, -math.floor(math.log10(step)) + 2)
    slider = widgets.FloatSlider(value=float(value), min=lo, max=hi, step=step, description=symbol,
                                 **_slider_style())
    return Control(name, symbol, slider, to_value=lambda w: round(float(w), decimals))


def int_control(name, symbol, value, options):
    """A slider over the given integers (e.g. batch sizes 1, 2, 4, …)."""
    options = [int(o) for o in options]
    value = min(options, key=lambda o: abs(o - int(value)))
    slider = widgets.SelectionSlider(options=options, value=value, description=symbol,
                                     **_slider_style())
    return Control(name, symbol, slider)


def choice_control(name, symbol, value, options):
    """A dropdown; ``options`` is a list of values or of (label, value) pairs."""
    dropdown = widgets.Dropdown(options=options, value=value, description=symbol,
                                layout=widgets.Layout(width="260px"), style={"description_width": "3.5em"})
    labels = {v: l for l, v in dropdown.options} if options and isinstance(options[0], tuple) else {}
    return Control(name, symbol, dropdown, describe=lambda v: f"{symbol}: {labels.get(v, v)}")


def toggle_control(name, symbol, value, description=None):
    """A checkbox for a flag (bias correction)."""
    box = widgets.Checkbox(value=bool(value), description=description or symbol, indent=False,
                           layout=widgets.Layout(width="260px"))
    return Control(name, symbol, box, to_value=bool, describe=lambda v: f"{symbol} = {'on' if v else 'off'}")


#: clip_control's names: the run option it sets -> (readout symbol, slider label).
_CLIPS = {"clip_norm": ("clip ‖g‖", "‖g‖ ≤"), "clip_value": ("clip |gᵢ|", "|gᵢ| ≤")}


def clip_control(name="clip_norm", value="off", min_exp=-2.0, max_exp=3.0, step=0.05):
    """A log slider for a gradient-clipping threshold c in [10^min_exp, 10^max_exp], whose right end is "off".

    Named after the option of :func:`optlab.run` it sets (``"clip_norm"`` or ``"clip_value"``), so a panel passes it
    on to ``run``; its value is c (snapped to 3 digits) or None at the "off" position, one step right of
    10^max_exp, where nothing is clipped. ``value``: where it starts, a number or ``"off"`` (or ``inf``).
    """
    if name not in _CLIPS:
        raise ValueError(f"name must be one of {', '.join(_CLIPS)}, the run options of clipping (got {name!r})")
    symbol, label = _CLIPS[name]
    off = max_exp + step
    if value is None or (isinstance(value, str) and value == "off"):
        start = off
    elif isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and value > 0:
        # (numpy's numbers too: a threshold picked out of an array, limits[2]; NaN fails ``value > 0``)
        start = off if math.isinf(value) else min(max(math.log10(value), min_exp), max_exp)
    else:  # named as the caller wrote it: trajectory_panel(..., clip_norm=0) passes clip_norm on as ``value``
        raise ValueError(f"{name} must be a number > 0 or 'off' (got {value!r})")

    def to_value(exponent):
        return None if exponent > max_exp + step / 2 else _snap(10.0 ** exponent)

    def from_value(v):
        return off if v is None or math.isinf(v) else min(max(math.log10(v), min_exp), max_exp)

    def describe(v):
        return f"{symbol}: off" if v is None else f"{symbol} ≤ c = {fmt(v)}"

    slider = widgets.FloatSlider(value=start, min=min_exp, max=off, step=step, description=label, **_slider_style())
    return Control(name, symbol, slider, to_value=to_value, from_value=from_value, describe=describe)


_FACTORIES = {"log": log_control, "one_minus_log": one_minus_log_control, "linear": linear_control}


def hyperparameter_control(hyperparameter, value, *, name=None):
    """The control for an optimizer hyperparameter: its symbol, range and scale come from :mod:`optlab.specs`.

    Args:
        hyperparameter: a keyword of :data:`optlab.specs.HYPERPARAMETERS` (``"lr"``, ``"beta2"``, …) or a
            :class:`optlab.specs.Hyperparameter`.
        value: where the control starts.
        name: the control's name if it is not the keyword (one optimizer's own α in a comparison: ``"lr_gd"``).
    """
    h = specs.HYPERPARAMETERS[hyperparameter] if isinstance(hyperparameter, str) else hyperparameter
    slider = h.slider
    if slider.scale == "toggle":
        return toggle_control(name or h.name, h.symbol, value)
    return _FACTORIES[slider.scale](name or h.name, h.symbol, value, slider.lo, slider.hi, slider.step)


def run_caption(traj, *, label="", color=None, rule=False) -> str:
    """HTML for a panel's caption line about one run: its outcome, bold when it diverged or J grew.

    The text is :attr:`optlab.runner.Trajectory.outcome` ("diverged at step 3: α = 0.25 > 2/L = 0.2", "converged: J
    = …"), after ``label`` (an optimizer's name in a comparison) and, with ``rule=True``, whose rule ran ("your
    adam_step"); if optlab's rule had to take over from the one given, the reason follows on a line of its own.
    """
    outcome = traj.outcome
    head = label
    if rule and traj.rule:
        head = f"{label} ({traj.rule})" if label else traj.rule
    text = f"{head}: {outcome}" if head else outcome
    loud = "diverged" in outcome or "grew" in outcome
    style = (f"color:{color};" if color else "") + ("font-weight:bold;" if loud else "")
    out = f"<span style='{style}'>{html.escape(text)}</span>" if style else html.escape(text)
    if traj.note:
        out += f"<br><span style='color:#8a6d00'>{html.escape(traj.note)}.</span>"
    return out


class GrowingAxis:
    """Limits of a value axis that only grow, in whole decades (log) or by half ranges (linear).

    A slider move must not redraw the background, and axes that jump with every move are hard to read:
    the limits grow to take in new data (which redraws the background once) and otherwise stay put.

    Args:
        ax: the axes; ``ax.get_yscale()`` decides log or linear.
        fast_figure: its :class:`~optlab.widgets.render.FastFigure` (invalidated when the limits change).
        top: a fixed upper limit (e.g. the largest loss on the picture; diverging curves leave through it).
        floor: smallest lower limit on a log axis.
    """

    def __init__(self, ax, fast_figure, *, top=None, floor=1e-16):
        self.ax, self.fast_figure, self.floor = ax, fast_figure, floor
        self.reset(top)

    def reset(self, top=None):
        """Forget the limits (new objective, new start): the next :meth:`fit` sets them afresh."""
        self.top, self.limits = top, None

    def fit(self, *arrays):
        """Grow the limits to take in the finite values of ``arrays``; return True if they changed."""
        data = np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.empty(0)
        log = self.ax.get_yscale() == "log"
        data = data[np.isfinite(data) & (data > 0)] if log else data[np.isfinite(data)]
        if data.size == 0:
            return False
        lo, hi = float(data.min()), float(data.max())
        if log:
            lo = 10.0 ** math.floor(math.log10(max(lo, self.floor)))
            hi = 10.0 ** math.ceil(math.log10(max(hi, self.floor)) + 1e-9)
        else:
            pad = 0.5 * (hi - lo) + 1e-12
            lo, hi = lo - pad, hi + pad
        if self.top is not None:
            hi = self.top
            lo = min(lo, hi / 10.0) if log else min(lo, hi - 1e-12)
        new = (lo, hi) if self.limits is None else (min(lo, self.limits[0]), max(hi, self.limits[1]))
        if new == self.limits:
            return False
        self.limits = new
        self.ax.set_ylim(*new)
        self.fast_figure.invalidate(self.ax)  # this axes' part of the background only
        return True


class Panel(widgets.VBox):
    """A live panel: picture, controls and a status line; subclasses implement :meth:`update`.

    Args:
        fast_figure: the :class:`~optlab.widgets.render.FastFigure` to show.
        controls: list of :class:`Control`; each change redraws the panel.
        title: optional heading shown above the picture.
        columns: how many controls per row.
        extra: more widgets to show under the controls (e.g. a Play button or an HTML table).

    Attributes:
        controls: dict name -> Control.
        image: the ``ipywidgets.Image`` holding the PNG.
        caption: ``ipywidgets.HTML`` right under the picture, for text that changes with every move (e.g.
            "diverged at step 37"): matplotlib draws text glyph by glyph, which would cost a few ms per frame.
        status: ``ipywidgets.HTML`` where errors and warnings raised during a redraw are shown.
        redraws: number of completed redraws; errors: number of failed ones.
    """

    def __init__(self, fast_figure, controls, *, title=None, columns=2, extra=()):
        self.fast_figure = fast_figure
        self.controls = {c.name: c for c in controls}
        self.image = widgets.Image(format="png")
        self.image.add_class("optlab-picture")
        self.status = widgets.HTML()
        self.status.add_class("optlab-status")
        self.caption = widgets.HTML()
        self.caption.add_class("optlab-caption")
        self.redraws = 0
        self.errors = 0
        self._held = 0
        self._printed = False  # has a redraw printed? (see redraw)
        grid = widgets.GridBox([c.box for c in controls], layout=widgets.Layout(
            grid_template_columns=" ".join(["auto"] * columns), grid_gap="2px 16px"))
        children = ([widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []) + [self.image, self.caption,
                                                                                        grid]
        super().__init__(children + list(extra) + [self.status])
        self.add_class("optlab-panel")
        for control in controls:
            control.widget.observe(self._on_change, names="value")
        self.redraw()

    def values(self) -> dict:
        """name -> real value of every control."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self):
        """Compute and update the artists for the current control values (subclasses override)."""
        raise NotImplementedError

    def _on_change(self, change):
        if not self._held:
            self.redraw()

    @contextlib.contextmanager
    def hold(self):
        """Change several controls and redraw once at the end."""
        self._held += 1
        try:
            yield self
        finally:
            self._held -= 1
        if not self._held:
            self.redraw()

    #: the status line's note once a redraw has printed (a print in a student's rule runs at every step of every run)
    PRINTED = ("your code printed while this panel ran it; the panel does not show printed output (a print in a rule "
               "runs at every step of every run) — call your function in a cell of its own to see what it prints")

    def redraw(self):
        """Update and render; an exception or warning is shown in ``status``, never raised into the kernel.

        What the code the panel runs prints (a ``print`` in a student's rule: once per step, hundreds of lines on
        the first picture, and lines no one sees after a slider move, which JupyterLab sends to its log) is not
        passed on: the status line says, from then on, that it was hidden."""
        printed = io.StringIO()
        try:
            with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"), \
                    contextlib.redirect_stdout(printed):
                warnings.simplefilter("always")
                self.update()
                png = self.fast_figure.render()
            self.image.value = png
        except Exception as exc:  # a panel must never break the notebook; show what happened instead
            self.errors += 1
            detail = html.escape("".join(traceback.format_exception_only(type(exc), exc)).strip())
            self.status.value = f"<span style='color:#b00020'>could not redraw: {detail}</span>"
            return
        finally:
            # Sticky: a move answered from a batch runs nothing, so it prints nothing; the note stays the same
            # whichever way a slider value is reached.
            self._printed = self._printed or bool(printed.getvalue())
        self.redraws += 1
        notes = []
        if caught:
            text = "; ".join(html.escape(f"{w.category.__name__}: {w.message}") for w in caught[:3])
            notes.append(f"<span style='color:#8a6d00'>warning during redraw: {text}</span>")
        if self._printed:
            notes.append(f"<span style='color:#8a6d00'>{html.escape(self.PRINTED)}</span>")
        self.status.value = "<br>".join(notes)
