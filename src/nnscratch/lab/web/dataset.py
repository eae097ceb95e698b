"""The points a session trains on, split and framed, and the inputs computed from them.

:func:`make_data` generates a toy set (or takes the uploaded points), splits it into train
and test with the configuration's seed and fixes the square that is drawn (the
``extent``). :func:`make_inputs` computes the network's input columns (the configured
features) for the points and for every grid the frames draw, once per change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from ...data.toy import load_toy
from .build import make_features, train_size
from .schema import LIMITS, REGRESSION_DATASETS, PlaygroundError
from .uploads import points_to_dataset

__all__ = ["Data", "Inputs", "grid_points", "make_data", "make_inputs"]


@dataclass(frozen=True)
class Data:
    """A split data set: points, labels, the task and the square drawn around them."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    task: str  # "classification" or "regression"
    n_classes: int  # 1 for regression
    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax
    target_range: tuple[float, float]  # the colour scale of a regression
    label_values: list[float] | None  # an upload's own label for each class

    def message(self) -> dict[str, Any]:
        """The ``data`` message: the train and test points and the drawn extent."""
        cast = int if self.task == "classification" else float
        return {
            "type": "data",
            "task": self.task,
            "n_classes": self.n_classes,
            "label_values": self.label_values,
            "extent": [float(v) for v in self.extent],
            "target_range": [float(v) for v in self.target_range],
            "train": {"x": self.X_train.tolist(), "y": [cast(v) for v in self.y_train]},
            "test": {"x": self.X_test.tolist(), "y": [cast(v) for v in self.y_test]},
        }


@dataclass(frozen=True)
class Inputs:
    """The feature columns of the points and of the three grids that are drawn."""

    train: np.ndarray
    test: np.ndarray
    grid: np.ndarray  # the decision map, LIMITS["grid"] squared
    thumb: np.ndarray  # each neuron's picture, LIMITS["thumb"] squared
    sweep: np.ndarray  # the sweep's maps, LIMITS["sweep_grid"] squared


def make_data(config: dict[str, Any], csv: np.ndarray | None) -> Data:
    """Generate (or take the uploaded ``csv`` points of) the configured data set, split."""
    name = config["dataset"]
    label_values = None
    if name == "csv":
        if csv is None:
            raise PlaygroundError(
                "dataset 'csv' needs an uploaded CSV first (send upload_csv)", "dataset"
            )
        X, y, task, label_values = points_to_dataset(csv)
    else:
        kwargs: dict[str, Any] = {
            "n_samples": config["n_samples"],
            "noise": config["noise"],
            "seed": config["seed"],
        }
        if name == "multi_gaussian":
            kwargs["n_classes"] = config["n_classes"]
        X, y = load_toy(name, **kwargs)
        task = "regression" if name in REGRESSION_DATASETS else "classification"
    n = X.shape[0]
    n_train = train_size(n, config["train_ratio"])
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=n_train, test_size=n - n_train, random_state=config["seed"]
    )
    if task == "classification":
        n_classes = int(np.max(y)) + 1
        kind: Any = np.int64
        target_range = (0.0, 1.0)
    else:
        n_classes = 1
        kind = np.float64
        lo, hi = float(np.min(y)), float(np.max(y))
        target_range = (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)
    lo, hi = float(X.min()), float(X.max())
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    return Data(
        X_train=np.ascontiguousarray(X_train, dtype=np.float64),
        X_test=np.ascontiguousarray(X_test, dtype=np.float64),
        y_train=np.asarray(y_train, dtype=kind),
        y_test=np.asarray(y_test, dtype=kind),
        task=task,
        n_classes=n_classes,
        extent=(lo - pad, hi + pad, lo - pad, hi + pad),
        target_range=target_range,
        label_values=label_values,
    )


def grid_points(extent: Sequence[float], size: int) -> np.ndarray:
    """Cell centres of a size x size grid; row 0 is the top (largest x2).

    >>> grid_points((0, 2, 0, 2), 2).tolist()
    [[0.5, 1.5], [1.5, 1.5], [0.5, 0.5], [1.5, 0.5]]
    """
    xmin, xmax, ymin, ymax = extent
    dx, dy = (xmax - xmin) / size, (ymax - ymin) / size
    xs = xmin + dx * (np.arange(size) + 0.5)
    ys = ymax - dy * (np.arange(size) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def make_inputs(features: list[str], data: Data) -> Inputs:
    """The feature columns of the data and of every grid drawn, computed once per change.

    Raises ``PlaygroundError`` when a feature overflows (huge uploaded coordinates).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        columns = {
            "train": make_features(data.X_train, features),
            "test": make_features(data.X_test, features),
            "grid": make_features(grid_points(data.extent, LIMITS["grid"]), features),
            "thumb": make_features(grid_points(data.extent, LIMITS["thumb"]), features),
            "sweep": make_features(grid_points(data.extent, LIMITS["sweep_grid"]), features),
        }
    for values in columns.values():
        bad = ~np.all(np.isfinite(values), axis=0)
        if bad.any():
            name = features[int(np.argmax(bad))]
            raise PlaygroundError(
                f"feature {name} is too large to compute for these points; use smaller "
                "coordinates or other features",
                "features",
            )
    return Inputs(**columns)
