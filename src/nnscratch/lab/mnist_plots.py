"""Figures of an MNIST run: learning curves, what the hidden neurons look for, mistakes.

Every function returns a :class:`matplotlib.figure.Figure` made without ``pyplot``, so
nothing opens a window and any backend works (Agg writes the PNG files). Pass ``fig=`` to
draw into a figure of your own, e.g. one from ``pyplot.figure()`` to show it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .mnist import MnistHistory
from .style import save_figure

__all__ = [
    "plot_accuracy_curves",
    "plot_confusion_matrix",
    "plot_hidden_weights",
    "plot_history",
    "plot_misclassified",
    "save_figure",
]


def plot_history(history: MnistHistory, fig: Figure | None = None) -> Figure:
    """Accuracy and cost per epoch, on the training and the test images.

    The gap between the training and test curves is chapter 3's overfitting.
    """
    fig = fig or Figure(figsize=(10, 4), layout="constrained")
    ax_acc, ax_cost = fig.subplots(1, 2)
    epochs = np.arange(history.epochs)
    style = {"marker": "o", "markersize": 3}
    ax_acc.plot(epochs, 100 * np.asarray(history.train_accuracy), label="training", **style)
    ax_acc.plot(epochs, 100 * np.asarray(history.test_accuracy), label="test", **style)
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Classification accuracy")
    ax_cost.plot(epochs, history.train_cost, label="training", **style)
    ax_cost.plot(epochs, history.test_cost, label="test", **style)
    ax_cost.set(xlabel="epoch", ylabel="cost per example", title="Cost")
    for ax in (ax_acc, ax_cost):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_accuracy_curves(
    validation: Sequence[float],
    test: dict[int, float],
    book: float | None = None,
    title: str = "",
    fig: Figure | None = None,
) -> Figure:
    """A chapter-6 run: validation accuracy per epoch, the test accuracy of each epoch
    that set a new best validation accuracy, and the book's result as a line.

    ``validation`` holds fractions, ``test`` maps an epoch to a fraction.
    """
    fig = fig or Figure(figsize=(10, 4.5), layout="constrained")
    ax = fig.subplots()
    style = {"marker": "o", "markersize": 3}
    ax.plot(np.arange(len(validation)), 100 * np.asarray(validation), label="validation", **style)
    if test:
        epochs = sorted(test)
        values = [100 * test[e] for e in epochs]
        ax.plot(epochs, values, linestyle="none", marker="^", label="test, at a new best")
    if book is not None:
        ax.axhline(100 * book, color="grey", linestyle="--", label=f"book: {100 * book:.2f}%")
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=title or "Classification accuracy")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def plot_hidden_weights(
    kernel: np.ndarray, max_units: int = 100, fig: Figure | None = None
) -> Figure:
    """Each first-layer neuron's 784 incoming weights, drawn as a 28x28 image.

    ``kernel`` is the engine's ``(784, n_hidden)`` array (the book's ``weights[0].T``).
    Red pixels excite the neuron, blue ones inhibit it: the strokes it looks for.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 2 or kernel.shape[0] != 784:
        raise ValueError(f"expected a (784, n_units) kernel, got shape {kernel.shape}")
    units = min(kernel.shape[1], max_units)
    cols = int(np.ceil(np.sqrt(units)))
    rows = int(np.ceil(units / cols))
    fig = fig or Figure(figsize=(1.3 * cols, 1.3 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i < units:
            w = kernel[:, i].reshape(28, 28)
            limit = float(np.abs(w).max()) or 1.0
            ax.imshow(w, cmap="seismic", vmin=-limit, vmax=limit)
            ax.set_title(str(i), fontsize=7)
    fig.suptitle(f"Weights into the first {units} neurons of the first layer")
    return fig


def plot_confusion_matrix(cm: np.ndarray, fig: Figure | None = None) -> Figure:
    """Rows are the true digits, columns what the network read; off-diagonal = errors."""
    cm = np.asarray(cm)
    fig = fig or Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.subplots()
    # Colour the errors: the diagonal would dwarf them.
    errors = cm.astype(float).copy()
    np.fill_diagonal(errors, np.nan)
    image = ax.imshow(errors, cmap="Reds")
    fig.colorbar(image, ax=ax, label="errors")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold" if i == j else "normal",
            )
    ax.set(
        xticks=range(cm.shape[1]),
        yticks=range(cm.shape[0]),
        xlabel="predicted digit",
        ylabel="true digit",
        title=f"Confusion matrix ({int(np.trace(cm))} / {int(cm.sum())} correct)",
    )
    return fig


def plot_misclassified(
    images: np.ndarray,
    y_true: Sequence[int],
    y_pred: Sequence[int],
    fig: Figure | None = None,
) -> Figure:
    """A gallery of misread digits, titled "true -> read"."""
    images = np.asarray(images)
    n = len(images)
    cols = min(n, 8) or 1
    rows = max(1, int(np.ceil(n / cols)))
    fig = fig or Figure(figsize=(1.4 * cols, 1.6 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i < n:
            ax.imshow(images[i].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(f"{y_true[i]} \u2192 {y_pred[i]}", fontsize=9, color="darkred")
    fig.suptitle("Misclassified test digits (true \u2192 read)" if n else "No mistakes")
    return fig
