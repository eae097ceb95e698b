"""How every figure of nnscratch looks and is saved: one style, in one place.

The command line, the examples and the ``demo``'s index page draw the article's
pictures with these settings, so a learner sees the same colours and marks everywhere:

* the article's ``Spectral`` colours. Each class gets one colour of it (two classes: the
  dark red and the dark blue ends); its decision region is a light tint of the same
  colour, so the points stand out from their own region instead of vanishing into it;
* training points as circles, test points as triangles, both with a thin black edge;
* axes labelled ``x1`` and ``x2`` (the two input features), a legend naming the classes
  and the markers;
* no long captions inside the image: the words go in the page around it.

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
    "apply_text_style",
    "class_colors",
    "label_plane",
    "legend_for",
    "region_colors",
    "save_figure",
    "scatter_classes",
]

#: the article's colour map (``plt.cm.Spectral``)
CMAP = "Spectral"

#: pixels per inch of saved figures: a 8-inch-wide figure is 800 pixels wide
DPI = 100

#: the base font size of figure text (titles one step larger)
FONT_SIZE = 11

#: how training and test points are marked
MARKERS = {"train": "o", "test": "^"}


def class_colors(n_classes: int) -> np.ndarray:
    """``n_classes`` RGBA colours spread over Spectral, the ends included.

    Two classes get Spectral's two ends (dark red, dark blue), as the article's
    ``scatter(..., c=y, cmap=plt.cm.Spectral)`` colours its points.
    """
    from matplotlib import colormaps

    cmap = colormaps[CMAP]
    if n_classes <= 1:
        return np.array([cmap(0.0)])
    return np.array([cmap(i / (n_classes - 1)) for i in range(n_classes)])


def region_colors(n_classes: int, tint: float = 0.55) -> np.ndarray:
    """The class colours mixed with white: the background of each class's region."""
    colors = class_colors(n_classes).copy()
    colors[:, :3] = colors[:, :3] + (1.0 - colors[:, :3]) * tint
    return colors


def scatter_classes(
    ax: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    kind: str = "train",
    n_classes: int | None = None,
    size: float = 24,
    label: bool = True,
) -> None:
    """Scatter ``X`` coloured by class ``y``, one legend entry per class.

    ``kind`` is ``"train"`` (circles) or ``"test"`` (triangles). Entries are named
    ``"class 0"``, ``"class 1"``, ... (with ``"(test)"`` for test points).
    """
    y = np.asarray(y).astype(int)
    n = int(n_classes if n_classes is not None else (y.max() + 1 if y.size else 1))
    colors = class_colors(n)
    for c in range(n):
        mask = y == c
        if not mask.any():
            continue
        name = f"class {c}" + (" (test)" if kind == "test" else "")
        ax.scatter(
            X[mask, 0],
            X[mask, 1],
            s=size,
            color=colors[c],
            marker=MARKERS[kind],
            edgecolors="black",
            linewidths=0.5,
            label=name if label else None,
            zorder=3,
        )


def label_plane(ax: Any, title: str | None = None) -> None:
    """Name the two input features on the axes (and set the title, if any)."""
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)


def legend_for(ax: Any, loc: str = "best", **kwargs: Any) -> Any:
    """The legend of a plane picture: small, framed, above the regions."""
    legend = ax.legend(loc=loc, fontsize=FONT_SIZE - 2, framealpha=0.85, **kwargs)
    legend.set_zorder(5)
    return legend


def apply_text_style(fig: Any) -> None:
    """Set the one font size on every text of ``fig`` that has not been sized by hand."""
    for ax in fig.axes:
        ax.tick_params(labelsize=FONT_SIZE - 1)
        ax.xaxis.label.set_size(FONT_SIZE)
        ax.yaxis.label.set_size(FONT_SIZE)


def save_figure(
    fig: Any, path: str | os.PathLike[str], dpi: int = DPI, *, tight: bool = False
) -> str:
    """Write the matplotlib figure ``fig`` at ``path`` atomically; return the path.

    The format follows the extension (``.png``, ``.svg``, ``.pdf``; PNG when there is
    none). Missing folders are made. The image goes to a temporary file that is renamed
    over ``path``, so a crash or Ctrl-C while saving never leaves half an image behind.
    """
    fmt = os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "png"
    extra = {"bbox_inches": "tight"} if tight else {}
    target = atomic_write(
        path,
        lambda handle: fig.savefig(handle, format=fmt, dpi=dpi, **extra),
        make_folders=True,
    )
    return str(target)
