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
