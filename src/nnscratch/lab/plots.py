"""Figures of the tutorial's experiments, drawn with matplotlib's object API.

Every function builds a fresh :class:`matplotlib.figure.Figure` (or draws into one it is
given) and never touches ``pyplot``'s global state, so figures cannot leak into each
other and nothing needs a display: saving uses the Agg renderer. To look at a figure in
a window, make it with ``pyplot.figure()`` and pass it as ``fig=``.

The pictures are the article's: ``contourf`` of the predicted class over a grid with
spacing ``h = 0.01`` and a margin of 0.5 around the data
(:func:`~nnscratch.lab.boundary.decision_regions`), with the training points on top, in
nnscratch's one style (:mod:`nnscratch.lab.style`: Spectral colours, labelled axes, a
class legend). Titles are short; what a figure shows in words is for the page around it
(:func:`behaviour` gives the loss curve's).

>>> from nnscratch.lab import experiments, plots
>>> X, y = experiments.load_dataset("moons")
>>> fig = plots.data_figure(X, y, "moons")
>>> plots.save_figure(fig, "moons.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import style
from .boundary import Regions, decision_regions, plot_decision_boundary
from .experiments import describe_loss
from .style import save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .experiments import NetworkRun

__all__ = [
    "behaviour",
    "boundary_figure",
    "data_figure",
    "loss_curve_figure",
    "run_caption",
    "run_title",
    "save_figure",
    "sweep_figure",
]

Predict = Callable[[np.ndarray], np.ndarray]

#: the height of a one-plane figure (its width is style.WIDTH)
PLANE_HEIGHT = 6.5


def data_figure(X: np.ndarray, y: np.ndarray, title: str = "", fig: Figure | None = None) -> Figure:
    """Scatter plot of a 2-D data set, coloured by class (the article's first picture)."""
    fig = style.new_figure(PLANE_HEIGHT, fig)
    ax = fig.add_subplot()
    n = max(2, int(np.max(y)) + 1)
    style.scatter_classes(ax, X, y, n, size=40)
    style.label_plane(ax, title or f"{len(X)} points, {n} classes")
    ax.legend(
        handles=style.legend_handles(n),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize=style.FONT_SIZE - 1,
    )
    ax.set_aspect("equal", adjustable="datalim")
    return fig


def boundary_figure(
    model: Predict | Regions, X: np.ndarray, y: np.ndarray, title: str, fig: Figure | None = None
) -> Figure:
    """One decision boundary, titled (``"Logistic Regression"``, ``"Hidden Layer size 3"``).

    ``model`` is a function from points ``(n, 2)`` to class labels, or its
    :class:`~nnscratch.lab.boundary.Regions` computed already.
    """
    fig = style.new_figure(PLANE_HEIGHT, fig)
    regions = model if isinstance(model, Regions) else decision_regions(model, X)
    plot_decision_boundary(regions, X, y, ax=fig.add_subplot(), title=title, point_size=30)
    return fig


def run_caption(run: NetworkRun) -> str:
    """A sweep panel's second title line: the result, or what stopped the run."""
    if run.diverged:
        return run.label
    loss = f"{run.final_loss:.4f}" if math.isfinite(run.final_loss) else "not finite"
    text = f"loss {loss}, accuracy {run.train_accuracy:.1%}"
    return f"{run.label}: {text}" if run.interrupted else text


def run_title(run: NetworkRun) -> str:
    """The title of one network's boundary: ``"Hidden Layer size 3 (moons, accuracy 97.5%)"``,
    saying so when the run was interrupted or diverged."""
    head = f"Hidden Layer size {run.hidden} ({run.dataset}"
    if run.diverged:
        return f"{head}): {run.label}"
    text = f"{head}, accuracy {run.train_accuracy:.1%})"
    return f"{text}\n{run.label}" if run.interrupted else text


def sweep_figure(
    runs: Sequence[NetworkRun],
    X: np.ndarray,
    y: np.ndarray,
    title: str = "",
    fig: Figure | None = None,
) -> Figure:
    """The article's grid of boundaries, one per hidden size: ``"Hidden Layer size N"``.

    Each panel's title carries the run's final loss and training accuracy (or says that
    the run was interrupted or diverged); one legend above the grid names the classes.
    """
    cols = 2 if len(runs) > 1 else 1
    rows = -(-len(runs) // cols)
    width = style.WIDTH if cols > 1 else 6.0
    top, bottom, gap = (1.05 if title else 0.7), 1.0, 0.75  # inches: titles, axis, legend
    height = top + bottom + rows * 3.6 + (rows - 1) * gap
    # Fixed margins instead of a layout engine: a grid of identical panels needs no
    # solver, and it saves drawing all the text twice (a second or more per grid).
    fig = style.new_figure(height, fig, width=width, layout="none")
    fig.subplots_adjust(
        left=0.75 / width,
        right=1 - 0.15 / width,
        top=1 - top / height,
        bottom=bottom / height,
        hspace=gap / 3.6,
        wspace=0.1,
    )
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    for i, ax in enumerate(axes.ravel()):
        if i >= len(runs):
            ax.set_visible(False)
            continue
        run = runs[i]
        plot_decision_boundary(
            run.regions or run.predict, X, y, ax=ax, point_size=16, legend=False, n_classes=2
        )
        lowest = i + cols >= len(runs)  # no panel below it: it carries the x axis
        ax.set_xlabel("x1" if lowest else "")
        if lowest:
            ax.tick_params(labelbottom=True)
        ax.set_ylabel("x2" if i % cols == 0 else "")
        ax.set_title(
            f"Hidden Layer size {run.hidden}\n{run_caption(run)}", fontsize=style.FONT_SIZE
        )
    style.figure_legend(fig, 2)
    if title:
        fig.suptitle(title, fontsize=style.FONT_SIZE + 1)
    return fig


def loss_curve_figure(
    run: NetworkRun,
    comparison: NetworkRun | None = None,
    zoom: int = 40,
    fig: Figure | None = None,
) -> Figure:
    """The loss of every pass, and why it zigzags.

    Left: the whole run on a log scale, with ``comparison`` (the same run at a smaller
    learning rate) overlaid. Right: the last ``zoom`` passes, where the article's run
    alternates between two values every pass (a 2-cycle) while the smaller step settles.
    The legend gives each run's step on the mean loss, ``learning_rate * n``; what the
    curves do, in words, is :func:`behaviour` (the index page's caption).
    """
    fig = style.new_figure(4.8, fig)
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    n = run.n_samples
    runs = [run] if comparison is None else [run, comparison]
    colors = ["tab:red", "tab:blue"]
    _log_axis(left, [r.loss_curve for r in runs])
    tails = [r.loss_curve[-zoom:] for r in runs]
    spread = np.concatenate([t[np.isfinite(t) & (t > 0)] for t in tails] + [np.ones(0)])
    if spread.size and spread.max() > 10 * spread.min():  # diverging: the tail spans decades
        _log_axis(right, tails)
    else:
        right.ticklabel_format(axis="y", useOffset=False, style="plain")
    for r, color in zip(runs, colors):
        curve = r.loss_curve
        if curve.size == 0:
            continue
        label = f"learning rate {r.spec.learning_rate:g} (step {r.spec.learning_rate * n:g})"
        if r.label:
            label += f", {r.label}"
        left.plot(np.arange(curve.size), curve, color=color, lw=0.9, label=label)
        start = max(0, curve.size - zoom)
        right.plot(np.arange(start, curve.size), curve[start:], "o-", color=color, ms=3, lw=0.8)
    for ax in (left, right):
        ax.set_xlabel("pass", fontsize=style.FONT_SIZE)
        ax.set_ylabel("training loss per example", fontsize=style.FONT_SIZE)
        ax.tick_params(labelsize=style.FONT_SIZE - 2)
        ax.grid(alpha=0.3)
    left.set_title(
        f"Loss of every pass ({run.dataset}, hidden size {run.hidden})",
        fontsize=style.FONT_SIZE + 1,
    )
    left.legend(loc="upper right", fontsize=style.FONT_SIZE - 1)
    right.set_title(f"The last {zoom} passes", fontsize=style.FONT_SIZE + 1)
    return fig


def _log_axis(ax: Axes, curves: Sequence[np.ndarray]) -> None:
    """Log-scale y with fixed limits (autoscaling a diverging run's 1e300 overflows) and
    plain numbers on the ticks (0.07, 0.1, 0.2 rather than 7e-2)."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    ax.set_yscale("log")
    values = np.concatenate([c[np.isfinite(c) & (c > 0)] for c in curves] + [np.ones(0)])
    if values.size:
        ax.set_ylim(values.min() / 1.3, min(values.max() * 1.3, 1e200))
        ax.set_autoscaley_on(False)
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def behaviour(run: NetworkRun) -> str:
    """How a run's loss goes, in words: its spikes, and whether it ends in a 2-cycle,
    settles smoothly, or is still jumping (:func:`~nnscratch.lab.experiments.describe_loss`).
    """
    return describe_loss(run.loss_curve)
