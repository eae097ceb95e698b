"""Small 2-D data sets for classification and regression experiments.

``moons`` and ``circles`` are exactly the WildML tutorial's (and the article's):

* ``moons``: ``sklearn.datasets.make_moons(200, noise=0.20)`` right after
  ``np.random.seed(0)``, i.e. drawn from ``RandomState(0)``;
* ``circles``: ``make_circles(noise=0.2, factor=0.5, random_state=1)`` (100 points).

The others are TensorFlow Playground's favourites: ``xor``, ``gaussian``, ``spiral``,
``multi_gaussian`` (2 to 5 classes) and ``plane`` (regression). Every generator takes
``n_samples``, ``noise`` and ``seed`` and returns ``(X, y)`` with ``X`` of shape
``(n_samples, 2)``. Look one up by name with :func:`load_toy`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn import datasets as _sk

from ..engine.checks import integer, number
from ..engine.initializers import RandomLike, check_random_state

__all__ = [
    "TOY_DATASETS",
    "circles",
    "gaussian",
    "load_toy",
    "moons",
    "multi_gaussian",
    "plane",
    "spiral",
    "xor",
]

Dataset = tuple[np.ndarray, np.ndarray]


def _check_common(n_samples: int, noise: float, min_samples: int = 2) -> None:
    integer("n_samples", n_samples, low=min_samples)
    number("noise", noise, low=0)


def moons(n_samples: int = 200, noise: float = 0.20, seed: int | RandomLike | None = 0) -> Dataset:
    """Two interleaving half circles: the tutorial's data (defaults reproduce it)."""
    _check_common(n_samples, noise)
    return _sk.make_moons(n_samples, noise=noise, random_state=check_random_state(seed))


def circles(
    n_samples: int = 100, noise: float = 0.2, seed: int | RandomLike | None = 1, factor: float = 0.5
) -> Dataset:
    """A small circle inside a large one (the article's second data set)."""
    _check_common(n_samples, noise)
    number("factor", factor, low=0, high=1, low_open=True, high_open=True)
    return _sk.make_circles(
        n_samples, noise=noise, factor=factor, random_state=check_random_state(seed)
    )


def xor(n_samples: int = 200, noise: float = 0.0, seed: int | RandomLike | None = 0) -> Dataset:
    """Four quadrants: class 1 where x1 * x2 > 0. ``noise`` jitters the points."""
    _check_common(n_samples, noise)
    rng = check_random_state(seed)
    x = rng.uniform(-5.0, 5.0, (n_samples, 2))
    x += np.where(x > 0, 0.3, -0.3)  # keep points off the axes, as TF Playground does
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    x += noise * rng.standard_normal(x.shape)
    return x, y


def multi_gaussian(
    n_samples: int = 200,
    noise: float = 0.5,
    seed: int | RandomLike | None = 0,
    n_classes: int = 3,
) -> Dataset:
    """``n_classes`` (2 to 5) Gaussian blobs with centres on a circle."""
    _check_common(n_samples, noise)
    integer("n_classes", n_classes, low=2, high=5)
    rng = check_random_state(seed)
    y = np.arange(n_samples) % n_classes
    angles = 2 * np.pi * y / n_classes
    centres = 3.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    x = centres + (0.5 + noise) * rng.standard_normal((n_samples, 2))
    return x, y.astype(np.int64)


def gaussian(
    n_samples: int = 200, noise: float = 0.5, seed: int | RandomLike | None = 0
) -> Dataset:
    """Two Gaussian blobs (TF Playground's "Gaussian")."""
    return multi_gaussian(n_samples, noise=noise, seed=seed, n_classes=2)


def spiral(n_samples: int = 200, noise: float = 0.0, seed: int | RandomLike | None = 0) -> Dataset:
    """Two interleaved spirals, the hard one."""
    _check_common(n_samples, noise)
    rng = check_random_state(seed)
    half = n_samples // 2
    parts = []
    for label, delta in ((0, 0.0), (1, np.pi)):
        count = half if label == 0 else n_samples - half
        r = np.linspace(0.0, 5.0, count, endpoint=False)
        t = 1.75 * r / 5.0 * 2 * np.pi + delta
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)])
        pts += noise * rng.standard_normal(pts.shape)
        parts.append((pts, np.full(count, label)))
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts]).astype(np.int64)
    return x, y


def plane(n_samples: int = 200, noise: float = 0.0, seed: int | RandomLike | None = 0) -> Dataset:
    """Regression: ``y = (x1 + x2) / 10`` plus noise, on [-5, 5]^2 (float targets)."""
    _check_common(n_samples, noise)
    rng = check_random_state(seed)
    x = rng.uniform(-5.0, 5.0, (n_samples, 2))
    y = (x[:, 0] + x[:, 1]) / 10.0 + noise * rng.standard_normal(n_samples) / 10.0
    return x, y


TOY_DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "gaussian": gaussian,
    "multi_gaussian": multi_gaussian,
    "spiral": spiral,
    "plane": plane,
}


def load_toy(name: str, **kwargs: Any) -> Dataset:
    """Generate a toy data set by name; unknown names raise ``ValueError`` listing all."""
    if name not in TOY_DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}; valid names: {', '.join(sorted(TOY_DATASETS))}"
        )
    return TOY_DATASETS[name](**kwargs)
