"""The article's decision-boundary plot."""

import matplotlib
import numpy as np
import pytest

from nnscratch.lab.boundary import decision_grid, plot_decision_boundary

matplotlib.use("Agg")


def test_grid_covers_the_data_with_a_margin_and_labels_each_cell():
    X = np.array([[0.0, 0.0], [1.0, 2.0]])
    xx, yy, Z = decision_grid(lambda p: (p[:, 0] > 0.5).astype(int), X, step=0.1)
    assert xx.shape == yy.shape == Z.shape
    assert xx.min() == pytest.approx(-0.5) and yy.min() == pytest.approx(-0.5)
    assert xx.max() > 1.35 and yy.max() > 2.35
    np.testing.assert_array_equal(Z, (xx > 0.5).astype(int))


def test_probabilities_become_classes_and_huge_grids_are_coarsened():
    X = np.array([[0.0, 0.0], [100.0, 100.0]])
    xx, _, Z = decision_grid(lambda p: np.column_stack([p[:, 0] < 50, p[:, 0] >= 50]), X)
    assert xx.size <= 250_000 * 1.05
    assert set(np.unique(Z)) == {0, 1}
    _, _, Z1 = decision_grid(lambda p: (p[:, :1] > 50).astype(float), X)
    assert set(np.unique(Z1)) == {0, 1}


def test_plot_and_bad_input():
    import matplotlib.pyplot as plt

    X = np.random.RandomState(0).standard_normal((20, 2))
    y = (X[:, 0] > 0).astype(int)
    ax = plot_decision_boundary(lambda p: (p[:, 0] > 0).astype(int), X, y, title="t", step=0.1)
    assert ax.get_title() == "t" and len(ax.collections) >= 2
    plt.close("all")
    with pytest.raises(ValueError, match=r"shape \(n, 2\), got \(20, 3\)"):
        decision_grid(lambda p: p, np.zeros((20, 3)))


# -- one style for every figure ------------------------------------------------------------
def test_the_style_names_axes_classes_and_keeps_points_visible():
    from matplotlib.figure import Figure

    from nnscratch.lab import style

    X = np.random.RandomState(0).standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(int)
    ax = Figure().add_subplot()
    plot_decision_boundary(lambda p: (p[:, 0] > 0).astype(int), X, y, ax=ax, step=0.1)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    # a point's colour is far from the colour of its own region (it does not vanish)
    regions = ax.collections[0].get_cmap()
    points = ax.collections[-1].get_facecolors()
    for c in (0, 1):
        tint = np.array(regions(c / 1.0))[:3]
        point = points[np.flatnonzero(y == c)[0]][:3]
        assert np.abs(tint - point).sum() > 0.5
    # the article's Spectral ends for the two classes
    np.testing.assert_allclose(style.class_colors(2)[0], matplotlib.colormaps["Spectral"](0.0))


def test_test_points_are_triangles_in_the_legend():
    from matplotlib.figure import Figure

    X = np.random.RandomState(1).standard_normal((30, 2))
    y = (X[:, 1] > 0).astype(int)
    ax = Figure().add_subplot()
    plot_decision_boundary(
        lambda p: (p[:, 1] > 0).astype(int), X[:20], y[:20], ax=ax, X_test=X[20:],
        y_test=y[20:], step=0.1,
    )  # fmt: skip
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == ["class 0", "class 1", "training point", "test point"]
    train, test = ax.collections[-2], ax.collections[-1]
    assert len(test.get_paths()[0].vertices) < len(train.get_paths()[0].vertices)  # ^ vs o


def test_article_figures_are_the_page_width_with_no_caption_baked_in():
    from nnscratch.lab import experiments, plots, style

    X, y = experiments.load_dataset("moons")
    run = experiments.train_network("moons", 3, passes=60)
    calm = experiments.train_network("moons", 3, passes=60, learning_rate=0.005)
    figures = [
        plots.data_figure(X, y, "moons"),
        plots.boundary_figure(run.predict, X, y, plots.run_title(run)),
        plots.loss_curve_figure(run, calm),
    ]
    for fig in figures:
        assert fig.get_figwidth() == style.WIDTH
        assert fig.texts == []  # no caption in the image: the words go in the page
    data_axes = figures[0].axes[0]
    assert [t.get_text() for t in data_axes.get_legend().get_texts()] == ["class 0", "class 1"]
