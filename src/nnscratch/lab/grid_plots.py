"""The final loss of a grid sweep as a heatmap: as readable at 8 runs as at 200.

The article's sweep draws one decision boundary per run
(:func:`nnscratch.lab.plots.sweep_figure`); that suits its eight hidden sizes, but at a
hundred runs the panels would be stamps. A grid sweep asks another question, *which
settings train best?*, and one coloured cell per run answers it at a glance:

* the first parameter that varies (the hidden size, usually) runs along x, the second
  (the learning rate, say) along y, each value equally spaced and labelled;
* a cell's colour is the run's final loss on a log scale (``viridis``: dark is low), the
  same scale in every panel, with the number written in the cell when it is large
  enough to read;
* a third parameter makes *small multiples*: one panel per value, side by side; a fourth
  makes rows of them (``reg_lambda`` down, seed across);
* the lowest final loss is framed in red; a run that diverged is a grey cell marked
  "diverged", one stopped by Ctrl-C is hatched, and a run that never started is left white.

Drawn with matplotlib's object API in the house style (:mod:`nnscratch.lab.style`), like
every figure of the lab.

>>> from nnscratch.lab import experiments, grid_plots
>>> runs = experiments.sweep("moons", [1, 3], learning_rate=[0.01, 0.005], passes=50, jobs=1)
>>> fig = grid_plots.grid_figure(runs, title="moons")
>>> [ax.get_xlabel() for ax in fig.axes[:1]]
['hidden']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import style
from .grid import best_run, parameter_label, varied
from .network_runs import NetworkRun, NetworkSpec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["LOSS_CMAP", "grid_figure", "value_text"]

#: the colour map of the final loss (dark: low loss)
LOSS_CMAP = "viridis"

#: how a cell's run ended, when it has no loss to colour it by
_DIVERGED_FACE = "0.72"


def value_text(name: str, value: Any) -> str:
    """A parameter value as a tick label: ``3``, ``0.005``, ``1e-05``."""
    return str(value) if name in ("hidden", "seed") else f"{value:g}"


def _key(spec: NetworkSpec, names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(getattr(spec, name) for name in names)


def grid_figure(
    runs: Sequence[NetworkRun],
    specs: Sequence[NetworkSpec] | None = None,
    title: str = "",
    fig: Figure | None = None,
) -> Figure:
    """The heatmap of the final loss of ``runs``, small multiples beyond two parameters.

    ``specs`` is the whole grid (default: the runs' own specs); give it when some runs
    are missing (a sweep stopped by Ctrl-C), so their cells stay in place, blank.
    """
    runs = list(runs)
    specs = list(specs) if specs is not None else [run.spec for run in runs]
    if not specs:
        raise ValueError("grid_figure needs at least one run")
    axes_values = varied(specs)
    names = list(axes_values) or ["hidden"]
    values = {n: axes_values.get(n) or [getattr(specs[0], n)] for n in names}
    x_name, y_name = names[0], (names[1] if len(names) > 1 else None)
    extras = names[2:]
    by_key = {_key(run.spec, names): run for run in runs}

    # small multiples: one panel per value of the third parameter (wrapped three to a
    # row), or rows of the third and columns of the fourth
    if len(extras) == 2:
        prows, pcols = len(values[extras[0]]), len(values[extras[1]])
        panels = [(a, b) for a in values[extras[0]] for b in values[extras[1]]]
    elif len(extras) == 1:
        count = len(values[extras[0]])
        pcols = min(count, 3)
        prows = -(-count // pcols)
        panels = [(a,) for a in values[extras[0]]]
    else:
        prows, pcols, panels = 1, 1, [()]
    nx = len(values[x_name])
    ny = len(values[y_name]) if y_name else 1

    panel_width = (style.WIDTH - 2.2) / pcols  # inches, less the labels and colour bar
    cell_w = panel_width / nx
    cell_h = min(0.75, max(0.32, cell_w * 0.6))
    height = 1.2 + prows * (ny * cell_h + 1.0)
    fig = style.new_figure(height, fig)
    grid_axes = fig.subplots(prows, pcols, squeeze=False, sharex=True, sharey=True)

    finite = [
        run.final_loss
        for run in runs
        if not run.diverged and math.isfinite(run.final_loss) and run.final_loss > 0
    ]
    norm = _loss_norm(finite)
    from matplotlib import colormaps

    cmap = colormaps[LOSS_CMAP].with_extremes(bad="white")
    font = _cell_font(cell_w, cell_h)
    best = best_run(runs)
    image = None
    for index, ax in enumerate(grid_axes.ravel()):
        if index >= len(panels):
            ax.set_visible(False)
            continue
        extra = dict(zip(extras, panels[index]))
        losses = np.full((ny, nx), np.nan)
        cells: list[tuple[int, int, NetworkRun]] = []
        for j in range(ny):
            for i in range(nx):
                setting = {x_name: values[x_name][i], **extra}
                if y_name:
                    setting[y_name] = values[y_name][j]
                run = by_key.get(tuple(setting[n] for n in names))
                if run is None:
                    continue
                cells.append((i, j, run))
                if not run.diverged and math.isfinite(run.final_loss) and run.final_loss > 0:
                    losses[j, i] = run.final_loss
        image = ax.imshow(
            np.ma.masked_invalid(losses),
            cmap=cmap,
            norm=norm,
            origin="lower",
            aspect="auto",
            interpolation="nearest",
        )
        for i, j, run in cells:
            _mark_cell(ax, i, j, run, norm, cmap, font, best is run)
        _label_axes(ax, index, pcols, len(panels), values, x_name, y_name, nx, ny)
        if extra:
            words = ", ".join(f"{parameter_label(n)} {value_text(n, v)}" for n, v in extra.items())
            ax.set_title(words, fontsize=style.FONT_SIZE)
    bar = fig.colorbar(image, ax=grid_axes.ravel().tolist(), shrink=min(1.0, 0.4 + 0.3 * ny))
    bar.set_label("final loss (log scale)", fontsize=style.FONT_SIZE - 1)
    _plain_ticks(bar)
    heading = title
    if best is not None:
        where = ", ".join(
            f"{parameter_label(n)} {value_text(n, getattr(best.spec, n))}" for n in names
        )
        line = f"framed: the lowest final loss, {best.final_loss:.3g} ({where})"
        heading = f"{title}\n{line}" if title else line
    if heading:
        fig.suptitle(heading, fontsize=style.FONT_SIZE + 1)
    return fig


def _loss_norm(finite: list[float]) -> Any:
    """A log colour scale over the finite losses (a decade if there is only one value)."""
    from matplotlib.colors import LogNorm

    if not finite:
        return LogNorm(0.01, 1.0)
    low, high = min(finite), max(finite)
    if high <= low * 1.001:
        low, high = low / math.sqrt(10), high * math.sqrt(10)
    return LogNorm(low, high)


def _cell_font(cell_w: float, cell_h: float) -> float:
    """The size of a cell's number in points: what fits ``0.0708`` in the cell, or 0."""
    size = min(style.FONT_SIZE - 2, cell_w * 72 / (0.62 * 6.5), cell_h * 72 / 2.6)
    return size if size >= 6.5 else 0.0


def _mark_cell(
    ax: Any, i: int, j: int, run: NetworkRun, norm: Any, cmap: Any, font: float, best: bool
) -> None:
    """The words and marks of one cell: its loss, diverged, interrupted, the best."""
    from matplotlib.patches import Rectangle

    corner = (i - 0.5, j - 0.5)
    if run.diverged or not math.isfinite(run.final_loss) or run.final_loss <= 0:
        ax.add_patch(Rectangle(corner, 1, 1, facecolor=_DIVERGED_FACE, edgecolor="none"))
        if font:
            ax.text(i, j, "diverged", ha="center", va="center", fontsize=font * 0.85)
        return
    if run.interrupted:
        ax.add_patch(Rectangle(corner, 1, 1, fill=False, hatch="//", edgecolor="white", lw=0))
    if font:
        r, g, b, _ = cmap(norm(run.final_loss))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(
            i,
            j,
            f"{run.final_loss:.3g}",
            ha="center",
            va="center",
            fontsize=font,
            color="white" if dark else "black",
        )
    if best:
        ax.add_patch(Rectangle(corner, 1, 1, fill=False, edgecolor="red", lw=2.5, zorder=4))


def _label_axes(
    ax: Any,
    index: int,
    pcols: int,
    count: int,
    values: dict[str, list[Any]],
    x_name: str,
    y_name: str | None,
    nx: int,
    ny: int,
) -> None:
    """Ticks with the parameter values; axis names on the outer panels only."""
    ax.set_xticks(range(nx), [value_text(x_name, v) for v in values[x_name]])
    ax.tick_params(labelsize=style.FONT_SIZE - 2, length=0)
    lowest = index + pcols >= count  # no panel below it: it carries the x axis
    if lowest:
        ax.tick_params(labelbottom=True)
        ax.set_xlabel(parameter_label(x_name), fontsize=style.FONT_SIZE)
    if y_name:
        ax.set_yticks(range(ny), [value_text(y_name, v) for v in values[y_name]])
        if index % pcols == 0:
            ax.set_ylabel(parameter_label(y_name), fontsize=style.FONT_SIZE)
    else:
        ax.set_yticks([])
    for edge in ax.spines.values():
        edge.set_visible(False)


def _plain_ticks(bar: Any) -> None:
    """Plain numbers on the colour bar (0.07, 0.1, 0.2 rather than 7e-2); evenly spaced
    ones when the losses span less than a factor of 3 (a log scale would show one tick)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

    wide = bar.norm.vmax >= 3 * bar.norm.vmin
    locator = LogLocator(subs=(1.0, 2.0, 3.0, 5.0)) if wide else MaxNLocator(4)
    bar.ax.yaxis.set_major_locator(locator)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    bar.ax.tick_params(labelsize=style.FONT_SIZE - 2)
