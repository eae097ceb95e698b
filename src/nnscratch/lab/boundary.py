"""Decision boundaries of 2-D classifiers: the article's ``plot_decision_boundary``.

The WildML tutorial draws what a classifier has learned by evaluating it on a fine grid
covering the data and colouring each grid cell by the predicted class::

    x_min, x_max = X[:, 0].min() - .5, X[:, 0].max() + .5
    ...
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Z = pred_func(np.c_[xx.ravel(), yy.ravel()])
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.scatter(X[:, 0], X[:, 1], c=y, cmap=plt.cm.Spectral)

:func:`decision_grid` computes ``(xx, yy, Z)``; :func:`plot_decision_boundary` draws it
on a matplotlib ``Axes`` (it never opens a window by itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["decision_grid", "plot_decision_boundary"]


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


def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any],
    X: np.ndarray,
    y: np.ndarray,
    ax: Any = None,
    title: str | None = None,
    step: float = 0.01,
) -> Any:
    """Colour the plane by ``predict``'s classes and scatter ``(X, y)`` on top.

    Returns the ``Axes`` (a new figure's when ``ax`` is ``None``).

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
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    xx, yy, Z = decision_grid(predict, X, step=step)
    ax.contourf(xx, yy, Z, cmap="Spectral")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=40, edgecolors="k", linewidths=0.5)
    if title:
        ax.set_title(title)
    return ax
