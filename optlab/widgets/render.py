"""A fast off-screen matplotlib renderer for the live panels: draw once, then blit only what moves.

Redrawing a whole contour figure for every slider move costs about 100 ms; the panels need a few.
:class:`FastFigure` keeps one :class:`matplotlib.figure.Figure` on an Agg canvas (never pyplot, so nothing
leaks into a notebook's inline output). The static part — contour, axes, ticks, labels — is drawn once
and cached as a bitmap; a redraw restores that bitmap, draws only the registered *moving* artists (paths,
markers, loss curves, messages) and encodes the pixels as PNG at compression level 1 in 256 colours. The
colours of the background are reduced once, when it is drawn; a redraw reduces only the pixels the moving
artists changed (:class:`PaletteEncoder`), which takes a third of the time of reducing the whole picture.

Example:
    >>> ff = FastFigure(figsize=(3, 2), dpi=50)
    >>> ax = ff.figure.add_subplot()
    >>> line, = ax.plot([0, 1], [0, 1])
    >>> ff.animate(line)
    >>> png = ff.render()                 # first call draws the background
    >>> line.set_data([0, 1], [1, 0])
    >>> png2 = ff.render()                # later calls only blit the line
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n" and png != png2
    True

Call :meth:`FastFigure.invalidate` after changing anything static (axis limits, the contour, titles);
the next :meth:`FastFigure.render` redraws the background once — only the changed axes' part of it when they are
named (``invalidate(ax)``: new limits of a loss axis leave the contour as it was).
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

__all__ = ["FastFigure", "encode_png", "PaletteEncoder"]


def encode_png(rgba: np.ndarray, compress_level: int = 1, palette: bool = False) -> bytes:
    """PNG bytes of an (h, w, 4) uint8 pixel array, alpha dropped (panels are opaque).

    With ``palette=True`` the pixels are first reduced to 256 colours (fast octree): a line-art figure looks
    the same, the file is about 3× smaller and encoding takes half the time, which the browser feels twice.
    """
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    if palette:
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def _png(image, compress_level=1) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


class PaletteEncoder:
    """256-colour PNGs of frames that differ from one background only where the moving artists are.

    The background's colours are reduced once (to ``background_colours`` of the 256 palette entries, fast octree);
    each frame reuses its palette indices for the pixels it shares with the background and reduces only the pixels
    that differ, to the remaining entries. So a path or a curve gets colours of its own, the background keeps the
    colours it had, and a frame costs a comparison and a small quantization instead of a whole one. A frame in
    which most pixels changed (a moving image that covers the axes) is reduced as a whole, as :func:`encode_png` does.

    Args:
        background: the (h, w, 4) uint8 pixels of the background (the canvas without the moving artists).
        background_colours: palette entries for the background (at most; a background of few colours takes fewer),
            the rest go to the moving pixels. Half and half keeps as close to the exact colours as reducing each
            whole frame to 256 (benchmarked on every panel of the course).
    """

    #: above this fraction of changed pixels a frame is reduced as a whole
    WHOLE = 0.25

    def __init__(self, background, background_colours=128):
        self.background_colours = int(background_colours)
        rgba = np.ascontiguousarray(background)
        self._background = rgba.view(np.uint32)[..., 0].copy()  # one 32-bit word per pixel, for a fast comparison
        image = Image.fromarray(rgba[..., :3]).quantize(self.background_colours, method=Image.Quantize.FASTOCTREE)
        self._indices = np.asarray(image)  # (h, w) palette index of each background pixel
        self._palette = image.getpalette()[: 3 * (int(self._indices.max()) + 1)]

    def encode(self, rgba) -> bytes:
        """PNG bytes of the frame ``rgba`` (same shape as the background)."""
        rgba = np.ascontiguousarray(rgba)
        words = rgba.view(np.uint32)[..., 0]
        changed = words != self._background
        where = np.flatnonzero(changed)
        if where.size > self.WHOLE * changed.size:
            return encode_png(rgba, palette=True)
        indices = self._indices.copy()
        palette = list(self._palette)
        if where.size:
            first = len(palette) // 3
            moving = rgba.reshape(-1, 4)[where, :3]
            reduced = Image.fromarray(moving[None]).quantize(256 - first, method=Image.Quantize.FASTOCTREE)
            indices.reshape(-1)[where] = np.asarray(reduced)[0] + first
            used = int(np.asarray(reduced).max()) + 1
            palette += reduced.getpalette()[: 3 * used]
        image = Image.frombytes("P", indices.shape[::-1], indices.tobytes())
        image.putpalette(palette)
        return _png(image)


class FastFigure:
    """One Agg figure whose static background is cached and whose moving artists are blitted.

    Args:
        figsize: figure size in inches.
        dpi: dots per inch; with ``figsize`` it fixes the picture's pixel size (and the cost of a redraw).
        palette: encode 256-colour PNGs (see :class:`PaletteEncoder`); False keeps every colour exactly.
        **figure_kw: passed to :class:`matplotlib.figure.Figure` (e.g. ``layout="constrained"``).

    Attributes:
        figure: the :class:`~matplotlib.figure.Figure`; add axes to it as usual.
        canvas: its :class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`.
        full_draws: how many times the background was drawn; axes_draws: how many times one axes' part of it was
            (for tests and benchmarks).
    """

    #: backgrounds kept by :meth:`use_background` (each about 2 MB for a panel's picture)
    KEPT_BACKGROUNDS = 12

    def __init__(self, figsize=(8.0, 3.4), dpi=90, palette=True, **figure_kw):
        self.palette = palette
        self.figure = Figure(figsize=figsize, dpi=dpi, **figure_kw)
        self.canvas = FigureCanvasAgg(self.figure)
        self._moving: list = []
        self._background = None
        self._encoder = None
        self._key = None
        self._kept = {}  # key -> (background, encoder), oldest first
        self._stale = set()  # axes whose part of the background is to be drawn again
        self._boxes = {}  # axes -> the pixels its part of the background covers (its tight bounding box)
        self.full_draws = 0
        self.axes_draws = 0

    def animate(self, *artists):
        """Register artists that change between redraws; they are left out of the cached background."""
        for artist in artists:
            artist.set_animated(True)
            self._moving.append(artist)
        self.invalidate()

    def invalidate(self, *axes):
        """Mark the background stale: the next :meth:`render` redraws the static part once.

        With ``axes``, only those axes changed (their limits, ticks, labels): the next render redraws their part of the
        background alone, the same pixels as a whole redraw (it falls back to one where their part would reach into
        another axes' part).
        """
        if axes and self._background is not None:
            self._stale.update(axes)
            return
        self._background = None
        self._kept.clear()
        self._stale.clear()

    def use_background(self, key):
        """Say which state of the static artists the next frames show, as a hashable ``key``.

        A panel whose background takes a few states again and again (the colour bar of a map, whose range follows a
        slider) sets the artists to a state and calls this instead of :meth:`invalidate`: the background of each key
        is drawn once and then reused whenever that key comes back (the last :attr:`KEPT_BACKGROUNDS` of them).
        """
        if key == self._key:
            return
        if self._background is not None:
            self._kept[self._key] = (self._background, self._encoder)
            while len(self._kept) > self.KEPT_BACKGROUNDS:
                del self._kept[next(iter(self._kept))]
        self._key = key
        self._background, self._encoder = self._kept.pop(key, (None, None))

    def render(self) -> bytes:
        """Draw the moving artists over the cached background and return PNG bytes."""
        if self._stale and self._background is not None and not self._redraw_axes():
            self.invalidate()
        if self._background is None:
            # Freeze the layout engine after the first full draw: re-running it on every background
            # draw would move the axes and cost time for nothing.
            self.canvas.draw()
            self.figure.set_layout_engine("none")
            self._keep_background()
            renderer = self.canvas.get_renderer()
            self._boxes = {ax: ax.get_tightbbox(renderer) for ax in self.figure.axes}
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        for artist in self._moving:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return self.encode(np.asarray(self.canvas.buffer_rgba()))

    def _keep_background(self):
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._encoder = PaletteEncoder(np.asarray(self.canvas.buffer_rgba())) if self.palette else None
        self._stale.clear()

    def _redraw_axes(self) -> bool:
        """Draw the stale axes' part of the background again; False (nothing done) if a whole draw is needed."""
        renderer = self.canvas.get_renderer()
        regions = {}
        for ax in self._stale:
            if ax not in self._boxes:
                return False
            new = ax.get_tightbbox(renderer)
            box = Bbox.union([new, self._boxes[ax]])  # the old labels go, the new ones come
            others = [b for a, b in self._boxes.items() if a not in self._stale]
            if any(box.padded(2).overlaps(b) for b in others):
                return False
            regions[ax] = (box, new)
        self.canvas.restore_region(self._background)
        pixels = np.asarray(self.canvas.buffer_rgba())
        height = pixels.shape[0]
        paper = np.array(self.figure.patch.get_facecolor()) * 255
        for ax, (box, new) in regions.items():
            # The figure's own background under this axes' part (y counts from the bottom in display coordinates)
            x0, x1 = max(int(np.floor(box.x0)) - 1, 0), min(int(np.ceil(box.x1)) + 1, pixels.shape[1])
            y0, y1 = max(int(np.floor(box.y0)) - 1, 0), min(int(np.ceil(box.y1)) + 1, height)
            pixels[height - y1:height - y0, x0:x1] = np.round(paper).astype(np.uint8)
            ax.draw(renderer)
            self._boxes[ax] = new
        self._kept.clear()  # backgrounds kept for other keys show the old axes
        self._keep_background()
        self.axes_draws += len(regions)
        return True

    def encode(self, pixels) -> bytes:
        """PNG bytes of the canvas' (h, w, 4) pixels: 256 colours (:class:`PaletteEncoder`) or exact."""
        return self._encoder.encode(pixels) if self._encoder is not None else encode_png(pixels)

    def render_full(self) -> bytes:
        """A complete redraw (no cache), the way ``interact`` re-creates a picture; for comparisons."""
        self.invalidate()
        return self.render()
