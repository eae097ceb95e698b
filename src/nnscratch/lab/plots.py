"""Figures of the tutorial's experiments, drawn with matplotlib's object API.

Every function builds a fresh :class:`matplotlib.figure.Figure` (or draws into one it is
given) and never touches ``pyplot``'s global state, so figures cannot leak into each
other and nothing needs a display: saving uses the Agg renderer. To look at a figure in
a window, make it with ``pyplot.figure()`` and pass it as ``fig=``.

The look is the article's: ``contourf`` of the predicted class over a grid with spacing
``h = 0.01`` and a margin of 0.5 around the data
(:func:`~nnscratch.lab.boundary.decision_regions`), in the ``Spectral`` colour map, with the
training points on top.

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
from matplotlib.figure import Figure

from .boundary import Regions, decision_regions, plot_decision_boundary
from .experiments import describe_loss, two_cycle
from .style import save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .experiments import NetworkRun

__all__ = [
    "CMAP",
    "behaviour",
    "boundary_figure",
    "data_figure",
    "loss_curve_figure",
    "run_caption",
    "run_title",
    "save_figure",
    "sweep_figure",
]

CMAP = "Spectral"

Predict = Callable[[np.ndarray], np.ndarray]


def _scatter(ax: Axes, X: np.ndarray, y: np.ndarray, size: float) -> None:
    ax.scatter(X[:, 0], X[:, 1], s=size, c=y, cmap=CMAP, edgecolors="k", linewidths=0.3)


def _draw_boundary(
    ax: Axes, model: Predict | Regions, X: np.ndarray, y: np.ndarray, title: str = ""
) -> None:
    """The article's boundary panel: every cell of the grid evaluated, small points.

    ``model`` is a function from points ``(n, 2)`` to class labels, or its
    :class:`~nnscratch.lab.boundary.Regions` computed already.
    """
    regions = model if isinstance(model, Regions) else decision_regions(model, X)
    # Two classes give two filled bands; fixed levels keep one-class pictures valid.
    plot_decision_boundary(
        regions, X, y, ax=ax, title=title, levels=[-0.5, 0.5, 1.5], point_size=20, edge_width=0.3
    )


def _new_figure(
    fig: Figure | None, size: tuple[float, float], layout: str = "constrained"
) -> Figure:
    """A fresh off-screen Figure, or ``fig`` (e.g. a pyplot window) resized."""
    if fig is None:
        return Figure(figsize=size, layout=None if layout == "none" else layout)
    fig.set_size_inches(*size)
    fig.set_layout_engine(layout)
    return fig


def data_figure(X: np.ndarray, y: np.ndarray, title: str = "", fig: Figure | None = None) -> Figure:
    """Scatter plot of a 2-D, two-class data set (the article's first picture)."""
    fig = _new_figure(fig, (8, 6))
    ax = fig.add_subplot()
    _scatter(ax, X, y, size=40)
    ax.set_title(title or f"{len(X)} points, {len(np.unique(y))} classes")
    return fig


def boundary_figure(
    model: Predict | Regions, X: np.ndarray, y: np.ndarray, title: str, fig: Figure | None = None
) -> Figure:
    """One decision boundary, titled (``"Logistic Regression"``, ``"Hidden Layer size 3"``)."""
    fig = _new_figure(fig, (8, 6))
    _draw_boundary(fig.add_subplot(), model, X, y, title)
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

    Each panel's title carries the run's final loss and training accuracy.
    """
    cols = 2 if len(runs) > 1 else 1
    rows = -(-len(runs) // cols)
    width, height = 5.0 * cols, 4.0 * rows
    # Fixed margins (in inches) instead of a layout engine: a grid of identical panels
    # needs no solver, and it saves drawing all the text twice.
    fig = _new_figure(fig, (width, height), layout="none")
    fig.subplots_adjust(
        left=0.5 / width,
        right=1 - 0.2 / width,
        bottom=0.4 / height,
        top=1 - (0.9 if title else 0.55) / height,
        hspace=0.35,
        wspace=0.15,
    )
    for i, run in enumerate(runs):
        ax = fig.add_subplot(rows, cols, i + 1)
        _draw_boundary(ax, run.regions or run.predict, X, y)
        ax.set_title(f"Hidden Layer size {run.hidden}\n{run_caption(run)}", fontsize=10)
    if title:
        fig.suptitle(title)
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
    The caption gives the step on the mean loss, ``learning_rate * n``, and says whether
    each run ends in a 2-cycle (:func:`~nnscratch.lab.experiments.two_cycle`).
    """
    fig = _new_figure(fig, (13, 5))
    left, right = fig.subplots(1, 2)
    n = run.n_samples
    runs = [run] if comparison is None else [run, comparison]
    colors = ["tab:red", "tab:blue"]
    _log_axis(left, [r.loss_curve for r in runs])
    tails = [r.loss_curve[-zoom:] for r in runs]
    spread = np.concatenate([t[np.isfinite(t)] for t in tails] + [np.ones(1)])
    if spread.max() > 10 * spread.min():  # a diverging run: the tail spans decades
        _log_axis(right, tails)
    else:
        right.ticklabel_format(axis="y", useOffset=False, style="plain")
    for r, color in zip(runs, colors):
        curve = r.loss_curve
        if curve.size == 0:
            continue
        label = f"learning rate {r.spec.learning_rate:g} (step {r.spec.learning_rate * n:g})"
        left.plot(np.arange(curve.size), curve, color=color, lw=0.8, label=label)
        start = max(0, curve.size - zoom)
        right.plot(np.arange(start, curve.size), curve[start:], "o-", color=color, ms=3, lw=0.8)
    left.set_xlabel("pass")
    left.set_ylabel("training loss (per example, with L2 penalty)")
    left.set_title(f"Loss per pass, {run.dataset}, hidden size {run.hidden}")
    left.legend(loc="upper right")
    right.set_xlabel("pass")
    right.set_title(f"The last {zoom} passes")
    fig.supxlabel(_cycle_note(run, comparison), fontsize=9)
    return fig


def _log_axis(ax: Axes, curves: Sequence[np.ndarray]) -> None:
    """Log-scale y with fixed limits: autoscaling a diverging run's 1e300 overflows."""
    ax.set_yscale("log")
    values = np.concatenate([c[np.isfinite(c) & (c > 0)] for c in curves] + [np.ones(0)])
    if values.size:
        ax.set_ylim(values.min() / 1.3, min(values.max() * 1.3, 1e200))
        ax.set_autoscaley_on(False)


def behaviour(run: NetworkRun) -> str:
    """How a run's loss goes, in words: its spikes, and whether it ends in a 2-cycle,
    settles smoothly, or is still jumping (:func:`~nnscratch.lab.experiments.describe_loss`).
    """
    return describe_loss(run.loss_curve)


def _cycle_note(run: NetworkRun, comparison: NetworkRun | None) -> str:
    """What the curves show, in words, with the numbers of these runs."""
    lr, n = run.spec.learning_rate, run.n_samples
    lines = [
        f"Learning rate {lr:g} on a gradient summed over n = {n} points is a step of "
        f"{lr:g} x {n} = {lr * n:g} on the mean loss."
    ]
    if run.loss_curve.size:
        lines.append(f"At the end of this run the loss {behaviour(run)}.")
        if two_cycle(run.loss_curve) is not None:
            lines.append(
                "That is gradient descent at the edge of stability; which of the two values "
                "a printed line shows depends on the last bit of rounding."
            )
    if comparison is not None and comparison.loss_curve.size:
        c_lr = comparison.spec.learning_rate
        lines.append(
            f"At learning rate {c_lr:g} (a step of {c_lr * n:g}) the loss {behaviour(comparison)}."
        )
    return "\n".join(lines)
