"""How every figure of nnscratch looks and is saved: one style, in one place.

The command line, the examples and the ``demo``'s index page draw the article's
pictures with these settings, so a learner sees the same colours and marks everywhere:

* the article's ``Spectral`` colours. Each class gets one colour of it (two classes: the
  dark red and the dark blue ends, as the article's ``scatter(..., cmap=Spectral)``); its
  decision region is a light tint of the same colour, so the points stand out from their
  own region instead of vanishing into it;
* training points as circles, test points as triangles, all with a thin black edge;
* axes labelled ``x1`` and ``x2`` (the two input features) and a legend that names the
  classes (and the two kinds of points, when there are test points);
* figures 10 inches wide at 100 dots per inch: 1000 pixels, the width of the index page's
  column, so the page shows every figure at its own size and its text stays readable.
  The words that explain a figure go in the page around it, not into the image.

:func:`save_figure` writes any figure atomically (see :func:`nnscratch.files.atomic_write`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..files import atomic_write

__all__ = [
    "CMAP",
    "DPI",
    "FONT_SIZE",
    "MARKERS",
    "WIDTH",
    "class_colors",
    "figure_legend",
    "label_plane",
    "legend_handles",
    "new_figure",
    "plane_legend",
    "region_cmap",
    "save_figure",
    "scatter_classes",
]

#: the article's colour map (``plt.cm.Spectral``)
CMAP = "Spectral"

#: pixels per inch of saved figures
DPI = 100

#: the width of every figure, in inches (1000 pixels at :data:`DPI`)
WIDTH = 10.0

#: the font size of figure text, in points (titles one step larger)
FONT_SIZE = 12

#: how training and test points are marked
MARKERS = {"train": "o", "test": "^"}

#: how much of a class colour is mixed with white for its region
TINT = 0.6


def class_colors(n_classes: int) -> np.ndarray:
    """``n_classes`` RGBA colours spread over Spectral, both ends included.

    >>> class_colors(2).shape
    (2, 4)
    """
    from matplotlib import colormaps

    cmap = colormaps[CMAP]
    if n_classes <= 1:
        return np.array([cmap(0.0)])
    return np.array([cmap(i / (n_classes - 1)) for i in range(n_classes)])


def region_cmap(n_classes: int) -> Any:
    """A colour map with one light tint of each class colour, for ``contourf`` of classes.

    Use it with ``levels = np.arange(n_classes + 1) - 0.5`` so that class ``c`` gets
    exactly tint ``c``.
    """
    from matplotlib.colors import ListedColormap

    colors = class_colors(n_classes).copy()
    colors[:, :3] = colors[:, :3] + (1.0 - colors[:, :3]) * TINT
    return ListedColormap(colors)


def new_figure(
    height: float, fig: Any = None, width: float = WIDTH, layout: str = "constrained"
) -> Any:
    """A fresh off-screen Figure of the house width, or ``fig`` (e.g. a pyplot window)
    resized to it."""
    from matplotlib.figure import Figure

    if fig is None:
        fig = Figure(figsize=(width, height), layout=None if layout == "none" else layout)
    else:
        fig.set_size_inches(width, height)
        fig.set_layout_engine(None if layout == "none" else layout)
    return fig


def scatter_classes(
    ax: Any,
    X: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    *,
    kind: str = "train",
    size: float = 30,
) -> None:
    """Scatter ``X`` coloured by class ``y``: circles (``kind="train"``) or triangles
    (``"test"``), with a thin black edge."""
    y = np.asarray(y).astype(int)
    colors = class_colors(n_classes)
    ax.scatter(
        X[:, 0],
        X[:, 1],
        s=size * (1.3 if kind == "test" else 1.0),
        c=colors[np.clip(y, 0, n_classes - 1)],
        marker=MARKERS[kind],
        edgecolors="black",
        linewidths=0.6,
        zorder=3,
    )


def label_plane(ax: Any, title: str | None = None, *, x: bool = True, y: bool = True) -> None:
    """Name the two input features on the axes (and set the title, if any)."""
    if x:
        ax.set_xlabel("x1", fontsize=FONT_SIZE)
    if y:
        ax.set_ylabel("x2", fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    if title:
        ax.set_title(title, fontsize=FONT_SIZE + 1)


def legend_handles(n_classes: int, test: bool = False) -> list[Any]:
    """Legend entries: one per class (its colour), then the two markers if ``test``."""
    from matplotlib.lines import Line2D

    colors = class_colors(n_classes)

    def mark(marker: str, face: Any, label: str) -> Any:
        return Line2D(
            [],
            [],
            linestyle="",
            marker=marker,
            markersize=9,
            markerfacecolor=face,
            markeredgecolor="black",
            label=label,
        )

    handles = [mark("o", colors[c], f"class {c}") for c in range(n_classes)]
    if test:
        handles += [mark(MARKERS["train"], "white", "training point")]
        handles += [mark(MARKERS["test"], "white", "test point")]
    return handles


def plane_legend(ax: Any, n_classes: int, test: bool = False) -> Any:
    """The legend of one plane picture, outside the plot on its right."""
    return ax.legend(
        handles=legend_handles(n_classes, test),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize=FONT_SIZE - 1,
        title="background: the class\npredicted there",
        title_fontsize=FONT_SIZE - 2,
        alignment="left",
    )


def figure_legend(fig: Any, n_classes: int, test: bool = False) -> Any:
    """One legend for a figure of several planes, in a row along its bottom.

    With a layout engine the legend gets its own strip; a figure laid out by hand (fixed
    margins, see :func:`nnscratch.lab.plots.sweep_figure`) keeps its bottom margin free.
    """
    handles = legend_handles(n_classes, test)
    placed = (
        {"loc": "outside lower center"}
        if fig.get_layout_engine() is not None
        else {"loc": "lower center", "bbox_to_anchor": (0.5, 0.005)}
    )
    return fig.legend(
        handles=handles,
        ncols=len(handles) + 1,
        fontsize=FONT_SIZE - 1,
        frameon=False,
        **placed,
    )


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int = DPI) -> str:
    """Write the matplotlib figure ``fig`` at ``path`` atomically; return the path.

    The format follows the extension (``.png``, ``.svg``, ``.pdf``; PNG when there is
    none). Missing folders are made. The image goes to a temporary file that is renamed
    over ``path``, so a crash or Ctrl-C while saving never leaves half an image behind.
    """
    fmt = os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "png"
    target = atomic_write(
        path, lambda handle: fig.savefig(handle, format=fmt, dpi=dpi), make_folders=True
    )
    return str(target)
