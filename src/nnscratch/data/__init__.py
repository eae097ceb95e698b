"""Data sets: the tutorials' toy 2-D data, MNIST (download, verify, cache), CSV files."""

from .toy import TOY_DATASETS, circles, load_toy, moons

__all__ = ["TOY_DATASETS", "circles", "load_toy", "moons"]
