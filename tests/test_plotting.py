"""optlab.plotting and the FastFigure renderer: artists returned and updated in place, blitting equals a full draw."""

import io

import numpy as np
import pytest
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure
from PIL import Image

from optlab import plotting
from optlab.widgets.render import FastFigure, encode_png
from optlab.data import LeastSquares, make_linear_regression
from optlab.objectives import OBJECTIVES, get_objective
from optlab.optimizers import Adam, GD
from optlab.runner import run


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture
def ax():
    return Figure().add_subplot()


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_contour_of_every_objective_with_minima_marked(name, ax):
    objective = get_objective(name)
    contour, minima = plot_contour_checked(objective, ax)
    assert isinstance(contour, QuadContourSet) and len(contour.levels) == 25
    np.testing.assert_array_equal(np.c_[minima.get_xdata(), minima.get_ydata()], objective.minima)
    assert ax.get_xlim() == tuple(objective.window[0]) and ax.get_ylim() == tuple(objective.window[1])


def plot_contour_checked(objective, ax):
    artists = plotting.plot_contour(objective, ax)
    levels = artists[0].levels
    assert np.all(np.diff(levels) > 0)
    return artists


def test_data_loss_gets_a_window_around_its_minimiser(ax):
    X, y, _ = make_linear_regression(n=50, d=2, seed=1)
    loss = LeastSquares(X, y)
    (x0, x1), (y0, y1) = plotting.objective_window(loss)
    assert x0 < loss.solution[0] < x1 and y0 < loss.solution[1] < y1
    plotting.plot_contour(loss, ax)


def test_window_without_attribute_is_centred_on_the_minimiser():
    class Bowl:
        minima = np.array([[1.0, -2.0]])

        def value(self, theta):
            return np.sum((theta - self.minima[0]) ** 2, axis=-1)

    (x0, x1), (y0, y1) = plotting.objective_window(Bowl())
    assert (x0 + x1) / 2 == 1.0 and (y0 + y1) / 2 == -2.0


def test_trajectory_markers_and_in_place_update(ax):
    path = plotting.plot_trajectory([[0.0, 0.0], [1.0, 1.0], [np.nan, np.nan]], ax, label="run")
    assert path.line.get_label() == "run"
    assert path.start.get_xydata().tolist() == [[0.0, 0.0]]
    assert path.end.get_xydata().tolist() == [[1.0, 1.0]]  # last finite point of a diverged run
    again = plotting.update_trajectory(path, [[2.0, 3.0], [4.0, 5.0]])
    assert again is path and len(ax.lines) == 3
    assert path.start.get_xydata().tolist() == [[2.0, 3.0]] and path.end.get_xydata().tolist() == [[4.0, 5.0]]


def test_all_nan_path_draws_nothing_without_warning(ax):
    path = plotting.plot_trajectory(np.full((3, 2), np.nan), ax)
    assert np.all(np.isnan(path.end.get_xydata()))


def test_loss_gap_floor_and_nan():
    gap = plotting.loss_gap([3.0, 1.0, 1.0 - 1e-300, np.nan], 1.0)
    np.testing.assert_array_equal(gap[:3], [2.0, plotting.LOSS_FLOOR, plotting.LOSS_FLOOR])
    assert np.isnan(gap[3])
    np.testing.assert_array_equal(plotting.loss_gap([-1.0, 2.0], None), [-1.0, 2.0])


def test_loss_curve_on_log_axis(ax):
    line = plotting.plot_loss([4.0, 2.0, 1.0], ax, f_min=0.0, label="GD")
    assert ax.get_yscale() == "log" and line.get_label() == "GD"
    plotting.update_loss(line, [8.0, np.nan], 0.0)
    assert line.get_xdata().tolist() == [0, 1] and np.isnan(line.get_ydata()[1])
    other = Figure().add_subplot()
    plotting.plot_loss([1.0, -2.0], other, f_min=None)
    assert other.get_yscale() == "linear"


def test_convergence_map_masks_diverged_and_marks_optimum(ax):
    rates = np.array([[0.5, np.nan], [0.2, 1.0]])
    image, marker = plotting.plot_convergence_map([0.5, 1.5], [0.25, 0.75], rates, ax, optimum=(1.0, 0.5))
    assert image.get_array().mask.tolist() == [[False, True], [False, False]]
    assert image.get_extent() == [0.0, 2.0, 0.0, 1.0]
    assert marker.get_xydata().tolist() == [[1.0, 0.5]]


def test_convergence_map_dark_is_fast_with_a_labelled_bar_and_a_useful_range(ax):
    """Issue: "dark = fast" was false (magma_r made fast light) and a 0–1 scale hid rates between 0.8 and 1."""
    from matplotlib.colors import rgb_to_hsv

    rates = np.array([[0.82, 0.9], [0.97, np.nan]])
    image, _ = plotting.plot_convergence_map([0.5, 1.5], [0.25, 0.75], rates, ax)
    assert image.get_clim() == (0.82, 1.0)
    brightness = [rgb_to_hsv(np.array(image.to_rgba(r)[:3]))[2] for r in (0.82, 0.9, 0.97)]
    assert brightness[0] < brightness[1] < brightness[2], "the fastest rate must be the darkest colour"
    assert image.colorbar is not None and "dark = fast" in image.colorbar.ax.get_ylabel()
    image, _ = plotting.plot_convergence_map([0.5, 1.5], [0.25, 0.75], rates, Figure().add_subplot(), vmin=0.5,
                                             colorbar=False)
    assert image.get_clim() == (0.5, 1.0) and image.colorbar is None
    assert plotting.convergence_map_range(np.full((2, 2), np.nan)) == (0.0, 1.0)


def test_show_trajectories_passes_the_contour_resolution(monkeypatch):
    """Issue: the contour of an expensive data loss was always evaluated on 200 × 200 points."""
    import matplotlib.pyplot as plt

    objective = get_objective("quadratic")
    shapes = []
    value = objective.value
    monkeypatch.setattr(objective, "value", lambda theta: shapes.append(np.shape(theta)) or value(theta),
                        raising=False)
    fig = plotting.show_trajectories(objective, run(GD(lr=0.1), objective, objective.start, 5), resolution=30)
    plt.close(fig)
    assert (30, 30, 2) in shapes and (200, 200, 2) not in shapes


def test_show_trajectories_from_runs_and_arrays():
    import matplotlib.pyplot as plt

    objective = get_objective("rosenbrock")
    runs = {"GD": run(GD(lr=1e-3), objective, objective.start, 20),
            "Adam": run(Adam(lr=0.05), objective, objective.start, 20)}
    fig = plotting.show_trajectories(objective, runs)
    ax_path, ax_loss = fig.axes
    assert [line.get_label() for line in ax_loss.lines] == ["GD", "Adam"]
    plt.close(fig)
    fig = plotting.show_trajectories(objective, np.array([objective.start, [0.0, 0.0]]))
    assert len(fig.axes[1].lines) == 1
    plt.close(fig)


def quadratic_figure(palette):
    ff = FastFigure(figsize=(3, 2), dpi=60, palette=palette)
    ax = ff.figure.add_subplot()
    plotting.plot_contour(get_objective("quadratic"), ax, levels=8, resolution=40)
    (line,) = ax.plot([], [], color="red")
    ff.animate(line)
    return ff, line


def test_fast_figure_blits_the_same_pixels_as_a_full_draw():
    ff, line = quadratic_figure(palette=False)
    first = ff.render()
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and ff.full_draws == 1
    line.set_data([-4, 3], [2, -1])
    blitted = ff.render()
    assert ff.full_draws == 1 and blitted != first
    full = ff.render_full()
    assert ff.full_draws == 2
    np.testing.assert_array_equal(pixels(blitted), pixels(full))
    assert pixels(full).shape == (120, 180, 3)


def test_palette_pictures_stay_close_to_the_exact_colours():
    exact, exact_line = quadratic_figure(palette=False)
    fast, fast_line = quadratic_figure(palette=True)
    exact.render(), fast.render()
    for line in (exact_line, fast_line):
        line.set_data([-4, 3], [2, -1])
    a, b = pixels(exact.render()).astype(int), pixels(fast.render()).astype(int)
    assert np.abs(a - b).mean() < 2.0 and np.abs(a - b).max() < 48
    assert len(fast.render()) < len(exact.render())


def test_encode_png_exact_or_256_colours():
    rgba = np.random.default_rng(0).integers(0, 255, size=(5, 7, 4), dtype=np.uint8)
    np.testing.assert_array_equal(pixels(encode_png(rgba)), rgba[..., :3])
    few = np.zeros((4, 4, 4), dtype=np.uint8)
    few[:2] = (200, 30, 40, 255)
    np.testing.assert_array_equal(pixels(encode_png(few, palette=True)), few[..., :3])


def test_palette_encoder_reduces_only_the_pixels_that_moved():
    from optlab.widgets.render import PaletteEncoder

    ff, line = quadratic_figure(palette=False)
    ff.render()
    background = np.asarray(ff.canvas.buffer_rgba()).copy()
    encoder = PaletteEncoder(background)
    same = pixels(encoder.encode(background))
    assert np.abs(same.astype(int) - background[..., :3]).mean() < 2.0
    # A few pixels in colours the background does not have come out exactly (they get palette entries of their own).
    frame = background.copy()
    frame[10:14, 20:60] = (255, 0, 0, 255)
    frame[30, 5:25] = (0, 200, 255, 255)
    out = pixels(encoder.encode(frame))
    np.testing.assert_array_equal(out[10:14, 20:60], np.broadcast_to([255, 0, 0], (4, 40, 3)))
    np.testing.assert_array_equal(out[30, 5:25], np.broadcast_to([0, 200, 255], (20, 3)))
    np.testing.assert_array_equal(out[50:], same[50:])  # the untouched pixels keep the background's colours
    # A frame that changed almost everywhere is reduced as a whole.
    noise = np.random.default_rng(1).integers(0, 255, size=background.shape, dtype=np.uint8)
    noise[..., 3] = 255
    assert encoder.encode(noise) == encode_png(noise, palette=True)


def test_fast_figure_frames_stay_close_to_the_exact_colours_as_the_line_moves():
    exact, exact_line = quadratic_figure(palette=False)
    fast, fast_line = quadratic_figure(palette=True)
    for x in ([-4, 3], [-2, 4], [0, 1]):
        for line in (exact_line, fast_line):
            line.set_data(x, [2, -1])
        a, b = pixels(exact.render()).astype(int), pixels(fast.render()).astype(int)
        assert np.abs(a - b).mean() < 2.0 and np.abs(a - b).max() < 48
        # the line's pixels: no further from their colours than when the whole frame is reduced to 256 colours
        whole = pixels(encode_png(np.asarray(exact.canvas.buffer_rgba()), palette=True)).astype(int)
        red = (a[..., 0] > 200) & (a[..., 1] < 60) & (a[..., 2] < 60)
        assert red.any() and np.abs(a[red] - b[red]).mean() <= np.abs(a[red] - whole[red]).mean() + 1.0


def test_contour_grid_in_chunks_is_the_grid_in_one_call():
    from optlab.data import LeastSquares, make_linear_regression

    for objective in (get_objective("rosenbrock"), LeastSquares(*make_linear_regression(n=200, d=2, seed=0)[:2])):
        window = plotting.objective_window(objective)
        xx, yy, zz = plotting._grid(objective, window, 150)  # 150 × 150 points, 27 rows per call
        np.testing.assert_array_equal(zz, objective.value(np.stack([xx, yy], axis=-1)))
