"""Decision boundaries of 2-D classifiers: the article's ``plot_decision_boundary``.

The WildML tutorial draws what a classifier has learned by evaluating it on a fine grid
covering the data and colouring each grid cell by the predicted class::

    x_min, x_max = X[:, 0].min() - .5, X[:, 0].max() + .5
    ...
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Z = pred_func(np.c_[xx.ravel(), yy.ravel()])
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.scatter(X[:, 0], X[:, 1], c=y, cmap=plt.cm.Spectral)

This module holds the one implementation of that picture. :func:`decision_regions`
evaluates a predictor on the grid and keeps the answer (:class:`Regions`, small enough to
send back from a worker process); :func:`decision_grid` gives the same grid as the
article's ``(xx, yy, Z)``; :func:`plot_decision_boundary` draws either on a matplotlib
``Axes`` (it never opens a window by itself). The examples call it as the article does,
and :mod:`nnscratch.lab.plots` draws the article commands' figures with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Regions", "decision_grid", "decision_regions", "plot_decision_boundary"]


@dataclass(frozen=True)
class Regions:
    """A classifier's answer over the plane: the data of a decision-boundary picture.

    ``classes[j, i]`` is the predicted class at the point ``(xs[i], ys[j])``.
    """

    xs: np.ndarray
    ys: np.ndarray
    classes: np.ndarray


def _evaluate(
    predict: Callable[[np.ndarray], Any],
    X: np.ndarray,
    step: float,
    margin: float,
    max_points: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xx, yy, Z)``: ``predict``'s classes on the grid around ``X`` (shared by both APIs)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision boundaries need 2-D points of shape (n, 2), got {X.shape}")
    if not step > 0:
        raise ValueError(f"step must be > 0, got {step!r}")
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    cells = float(np.prod((hi - lo) / step))
    if cells > max_points:
        step *= float(np.sqrt(cells / max_points))
    xx, yy = np.meshgrid(np.arange(lo[0], hi[0], step), np.arange(lo[1], hi[1], step))
    Z = np.asarray(predict(np.c_[xx.ravel(), yy.ravel()]))
    if Z.ndim == 2:  # probabilities: take the most likely class
        Z = Z.argmax(axis=1) if Z.shape[1] > 1 else (Z[:, 0] > 0.5).astype(int)
    return xx, yy, Z.reshape(xx.shape)


def decision_regions(
    predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, h: float = 0.01, pad: float = 0.5
) -> Regions:
    """Evaluate ``predict`` on the article's grid: spacing ``h``, ``pad`` around the data.

    For the moons that is about 460 x 330 = 150,000 points, every one of them evaluated
    (no coarsening). ``predict`` maps points of shape ``(n, 2)`` to class labels.

    >>> from nnscratch.data import moons
    >>> X, y = moons()
    >>> regions = decision_regions(lambda p: (p[:, 0] > 0).astype(int), X)
    >>> regions.classes.shape == (regions.ys.size, regions.xs.size)
    True
    """
    xx, yy, Z = _evaluate(predict, X, h, pad, max_points=np.inf)
    return Regions(xx[0], yy[:, 0], Z.astype(np.int8))


def decision_grid(
    predict: Callable[[np.ndarray], Any],
    X: np.ndarray,
    step: float = 0.01,
    margin: float = 0.5,
    max_points: int = 250_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted classes on a grid around the 2-D points ``X``.

    Parameters
    ----------
    predict : callable
        Maps an ``(n, 2)`` array to ``n`` class labels (``clf.predict``, or
        ``lambda x: model.predict(x).argmax(axis=1)`` for probabilities).
    X : array (n_samples, 2)
    step : float, default 0.01
        Grid spacing (the tutorial's ``h``); made coarser if the grid would exceed
        ``max_points``.
    margin : float, default 0.5
        Padding around the data.

    Returns
    -------
    xx, yy, Z : arrays of the grid's shape
    """
    return _evaluate(predict, X, step, margin, max_points)


def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any] | Regions,
    X: np.ndarray,
    y: np.ndarray,
    ax: Any = None,
    title: str | None = None,
    step: float = 0.01,
    *,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    n_classes: int | None = None,
    point_size: float = 30,
    legend: bool = True,
) -> Any:
    """Colour the plane by ``predict``'s classes and scatter ``(X, y)`` on top.

    The look is nnscratch's one style (:mod:`nnscratch.lab.style`): each class's region
    in a light tint of its Spectral colour, the points in the full colour with a black
    edge, axes ``x1`` and ``x2``, and a legend naming the classes beside the plot.

    Parameters
    ----------
    predict : callable or Regions
        Maps an ``(n, 2)`` array to class labels or probabilities (see
        :func:`decision_grid`), or a :class:`Regions` evaluated already.
    X : array (n_samples, 2)
    y : array (n_samples,)
        The points' classes, which colour them.
    ax : matplotlib Axes, optional
        Where to draw; a new pyplot figure's when ``None``.
    title : str, optional
    step : float, default 0.01
        Grid spacing when ``predict`` is a callable.
    X_test, y_test : arrays, optional
        Held-out points, drawn as triangles (the training points are circles).
    n_classes : int, optional
        How many classes there are (default: as many as ``y`` and the regions show).
    point_size : float, default 30
    legend : bool, default True
        Draw the legend beside the plot (a figure of several planes draws one for all,
        see :func:`nnscratch.lab.style.figure_legend`).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.linear_model import LogisticRegression
    >>> from nnscratch.data import moons
    >>> X, y = moons()
    >>> ax = plot_decision_boundary(LogisticRegression().fit(X, y).predict, X, y,
    ...                             title="Logistic Regression")
    """
    from . import style

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")
    if isinstance(predict, Regions):
        xs, ys, Z = predict.xs, predict.ys, predict.classes
    else:
        xx, yy, Z = decision_grid(predict, X, step=step)
        xs, ys = xx[0], yy[:, 0]
    labels = [np.asarray(y).astype(int).ravel(), np.asarray(Z).astype(int).ravel()]
    if y_test is not None:
        labels.append(np.asarray(y_test).astype(int).ravel())
    n = n_classes or max(2, 1 + max(int(part.max()) for part in labels if part.size))
    ax.contourf(xs, ys, Z, levels=np.arange(n + 1) - 0.5, cmap=style.region_cmap(n))
    style.scatter_classes(ax, X, y, n, kind="train", size=point_size)
    if X_test is not None and y_test is not None:
        style.scatter_classes(ax, X_test, y_test, n, kind="test", size=point_size)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    style.label_plane(ax, title)
    if legend:
        style.plane_legend(ax, n, test=X_test is not None)
    return ax
