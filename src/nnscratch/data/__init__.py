"""Data sets: the tutorials' toy 2-D data, MNIST (download, verify, cache), CSV files.

=============================  ==========================================================
:mod:`~nnscratch.data.toy`      ``moons``, ``circles`` and TensorFlow Playground's sets
:mod:`~nnscratch.data.mnist`    the book's MNIST: found, downloaded, verified, cached
:mod:`~nnscratch.data.fashion_mnist`  Zalando's Fashion-MNIST, downloaded the same way
:mod:`~nnscratch.data.cifar10`  CIFAR-10's colour pictures (the binary version, no pickle)
:mod:`~nnscratch.data.housing`  Keras' two housing-price regression sets
:mod:`~nnscratch.data.csvdata`  your own points from a CSV file
=============================  ==========================================================

The names below are imported from their module when first used, so that
``import nnscratch.data.mnist`` does not pay for scikit-learn (which the toy sets need).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cifar10 import load_cifar10
    from .csvdata import load_csv
    from .fashion_mnist import load_fashion_mnist
    from .housing import load_boston_housing, load_california_housing
    from .mnist import (
        MNIST,
        MNISTDownloadError,
        MNISTFormatError,
        UnsafePickleError,
        default_cache_dir,
        download_mnist,
        load_mnist,
    )
    from .toy import TOY_DATASETS, circles, load_toy, moons

#: Each public name and the module that defines it.
_WHERE = {
    "load_cifar10": "cifar10",
    "load_csv": "csvdata",
    "load_boston_housing": "housing",
    "load_california_housing": "housing",
    "load_fashion_mnist": "fashion_mnist",
    "MNIST": "mnist",
    "MNISTDownloadError": "mnist",
    "MNISTFormatError": "mnist",
    "UnsafePickleError": "mnist",
    "default_cache_dir": "mnist",
    "download_mnist": "mnist",
    "load_mnist": "mnist",
    "TOY_DATASETS": "toy",
    "circles": "toy",
    "load_toy": "toy",
    "moons": "toy",
}

__all__ = [
    "MNIST",
    "TOY_DATASETS",
    "MNISTDownloadError",
    "MNISTFormatError",
    "UnsafePickleError",
    "circles",
    "default_cache_dir",
    "download_mnist",
    "load_boston_housing",
    "load_california_housing",
    "load_cifar10",
    "load_csv",
    "load_fashion_mnist",
    "load_mnist",
    "load_toy",
    "moons",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
