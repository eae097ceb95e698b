"""The grid sweep's heatmap: cells where the settings say, small multiples, readable at 120.

The runs are made by hand (no training): what is tested is where each run lands in the
figure, how its end is marked, and that a large grid stays drawable and uncluttered.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnscratch.lab import grid_plots
from nnscratch.lab.grid import grid_specs
from nnscratch.lab.network_runs import NetworkRun
from nnscratch.lab.style import save_figure


def fake_run(spec, loss, stopped=None, diverged=False):
    return NetworkRun(
        spec=spec,
        iterations=[0],
        losses=[loss],
        loss_curve=np.full(3, loss),
        n_samples=200,
        final_loss=loss,
        train_accuracy=0.9,
        weights=[],
        stopped=stopped,
        diverged=diverged,
    )


def loss_of(spec):
    """A made-up loss that differs for every setting."""
    return 0.05 + 0.01 * spec.hidden + spec.learning_rate + spec.reg + 0.001 * spec.seed


def heatmaps(fig):
    """The panels (axes with an image, not the colour bar), and their arrays."""
    panels = [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
    return panels, [np.ma.filled(ax.images[0].get_array(), np.nan) for ax in panels]


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_two_settings_make_one_heatmap_with_the_losses_in_place():
    specs = grid_specs("moons", [1, 2, 3, 4], learning_rate=[0.01, 0.005], passes=10)
    runs = [fake_run(spec, loss_of(spec)) for spec in specs]
    fig = grid_plots.grid_figure(runs, title="moons")
    (ax,), (image,) = heatmaps(fig)
    assert image.shape == (2, 4)  # rows: learning rates, columns: hidden sizes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.005", "0.01"]
    assert ax.get_xlabel() == "hidden" and ax.get_ylabel() == "learning rate"
    assert image[1, 2] == pytest.approx(0.05 + 0.03 + 0.01 + 0.01)  # hidden 3, lr 0.01
    assert "0.075" in texts(ax)  # the lowest loss (hidden 1, 0.005) written in its cell
    assert len(texts(ax)) == 8
    framed = [p for p in ax.patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0)]
    assert len(framed) == 1 and framed[0].get_xy() == (-0.5, -0.5)
    assert "framed: the lowest final loss, 0.075 (hidden 1, learning rate 0.005)" in (
        fig.get_suptitle()
    )


def test_four_settings_make_rows_and_columns_of_panels():
    specs = grid_specs("moons", [1, 3], learning_rate=[0.01, 0.005], reg=[0.01, 0], seed=[0, 1, 2])
    fig = grid_plots.grid_figure([fake_run(s, loss_of(s)) for s in specs])
    panels, images = heatmaps(fig)
    assert len(panels) == 6 and all(image.shape == (2, 2) for image in images)
    titles = [ax.get_title() for ax in panels]
    assert titles == [
        f"reg_lambda {r:g}, seed {s}" for r, s in itertools.product((0, 0.01), (0, 1, 2))
    ]
    # one colour scale for all: the same norm object in every panel
    assert len({id(ax.images[0].norm) for ax in panels}) == 1


def test_unfinished_runs_are_marked_and_missing_ones_left_blank():
    specs = grid_specs("moons", [1, 2, 3], learning_rate=[0.01, 0.005], passes=10)
    runs = [fake_run(spec, loss_of(spec)) for spec in specs]
    runs[0] = fake_run(specs[0], float("nan"), "diverged after 3 of 10 passes", diverged=True)
    runs[1] = fake_run(specs[1], 0.2, "interrupted after 5 of 10 passes")
    del runs[5]  # hidden 3, lr 0.005: never started
    fig = grid_plots.grid_figure(runs, specs)
    (ax,), (image,) = heatmaps(fig)
    assert np.isnan(image[1, 0])  # hidden 1, lr 0.01: diverged, grey and labelled
    assert "diverged" in texts(ax)
    assert np.isnan(image[0, 2])  # hidden 3, lr 0.005: never ran, blank
    assert len(texts(ax)) == 5
    assert any(p.get_hatch() == "//" for p in ax.patches)  # the interrupted cell


def test_120_runs_stay_readable(tmp_path):
    specs = grid_specs(
        "moons",
        [1, 2, 3, 4, 10, 20, 50, 200],
        learning_rate=[0.02, 0.01, 0.005, 0.002, 0.001],
        seed=[0, 1, 2],
    )
    fig = grid_plots.grid_figure([fake_run(s, loss_of(s)) for s in specs], title="120 runs")
    panels, images = heatmaps(fig)
    assert len(panels) == 3 and all(image.shape == (5, 8) for image in images)
    assert all(not ax.texts for ax in panels)  # cells too small for numbers: colours only
    assert [ax.get_title() for ax in panels] == ["seed 0", "seed 1", "seed 2"]
    width, height = fig.get_size_inches()
    assert width == 10 and height < 6
    save_figure(fig, tmp_path / "grid.png")
    assert (tmp_path / "grid.png").stat().st_size > 10_000


def test_an_empty_grid_is_refused():
    with pytest.raises(ValueError, match="at least one run"):
        grid_plots.grid_figure([])
