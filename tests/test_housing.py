"""Keras' regression sets ``boston_housing`` and ``california_housing``: downloaded into the
cache with their SHA-256 checked, or read from a path; shuffled and split exactly as Keras'
own loaders do (Keras 3 runs on the same file); bad files refused.

The files here are made by the test and served from 127.0.0.1 with their own checksum;
the real download is not run (the tests must pass offline)."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest

from keras_reference import run_keras
from local_server import running
from nnscratch import keras
from nnscratch.data import housing
from nnscratch.data.housing import load_boston_housing, load_california_housing
from nnscratch.data.mnist import MNISTDownloadError, MNISTFormatError

rng = np.random.default_rng(9)
X, Y = rng.normal(size=(50, 8)), rng.uniform(1e4, 5e5, 50)


def npz(**arrays) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


FILE = npz(x=X, y=Y)
SHA = hashlib.sha256(FILE).hexdigest()


def test_downloads_verifies_splits_and_then_reads_the_cache(tmp_path):
    with running() as srv:
        srv.routes["/california_housing.npz"] = FILE
        url = srv.url("/california_housing.npz")
        first = load_california_housing(cache_dir=tmp_path, urls=[url], sha256=SHA, progress=False)
        srv.requests.clear()
        again = load_california_housing(cache_dir=tmp_path, urls=[url], sha256=SHA)
        assert srv.requests == []  # intact in the cache
    (x_train, y_train), (x_test, y_test) = first
    assert x_train.shape == (40, 8) and x_test.shape == (10, 8) and y_test.shape == (10,)
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)  # Keras' split: these rows, in this order
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), X[order])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), Y[order])
    for a, b in zip([*first[0], *first[1]], [*again[0], *again[1]]):
        np.testing.assert_array_equal(a, b)


def test_nothing_intact_is_an_error_naming_each_url(tmp_path):
    with running() as srv:
        srv.routes["/bad.npz"] = b"not the file"
        with pytest.raises(MNISTDownloadError, match=r"tried .*bad.npz \(SHA-256 mismatch"):
            load_california_housing(cache_dir=tmp_path, urls=[srv.url("/bad.npz")], sha256=SHA)
    assert list(tmp_path.iterdir()) == []


def test_a_path_the_small_version_and_keras_own_split(tmp_path):
    path = tmp_path / "california_housing.npz"
    path.write_bytes(FILE)
    (x_train, _), (x_test, _) = load_california_housing("small", path, test_split=0.5, seed=1)
    assert len(x_train) + len(x_test) == 50  # fewer than 600 rows: all of them
    theirs = run_keras(KERAS, str(path))
    ours = keras.datasets.california_housing.load_data(path=str(path))
    for got, want in zip([*ours[0], *ours[1]], theirs):
        np.testing.assert_array_equal(got, np.array(want))


KERAS = """
import json, sys
import keras
from keras.src.datasets import california_housing
path = json.load(sys.stdin)
california_housing.get_file = lambda *args, **kwargs: path  # Keras' own split, on this file
(a, b), (c, d) = keras.datasets.california_housing.load_data()
print(json.dumps([a.tolist(), b.tolist(), c.tolist(), d.tolist()]))
"""


def test_boston_housing_has_13_features(tmp_path):
    path = tmp_path / "boston.npz"
    x = rng.normal(size=(30, 13))
    path.write_bytes(npz(x=x, y=np.arange(30.0)))
    (x_train, y_train), (x_test, _) = keras.datasets.boston_housing.load_data(str(path))
    assert x_train.shape == (24, 13) and x_test.shape == (6, 13)
    assert sorted(np.concatenate([y_train, load_boston_housing(path)[1][1]])) == list(range(30))
    path.write_bytes(FILE)  # California's 8 features
    with pytest.raises(MNISTFormatError, match=r"expected arrays x \(n, 13\)"):
        load_boston_housing(path)


@pytest.mark.parametrize(
    ("arrays", "says"),
    [
        ({"x": X, "y": Y[:10]}, r"expected arrays x \(n, 8\) and y \(n,\)"),
        ({"x": X.astype(str), "y": Y}, "of numbers"),
        ({"x": np.where(X > 2, np.nan, X), "y": Y}, "NaN or infinite"),
        ({"x": X, "y": Y, "z": Y}, "z"),
    ],
)
def test_files_that_are_not_the_set_are_refused(tmp_path, arrays, says):
    path = tmp_path / "c.npz"
    path.write_bytes(npz(**arrays))
    with pytest.raises(MNISTFormatError, match=says):
        load_california_housing(path=path)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="version must be one of"):
        load_california_housing("medium")
    with pytest.raises(ValueError, match=r"test_split must be in \[0, 1\)"):
        load_california_housing(test_split=1.0)
    with pytest.raises(ValueError, match=r"seed must be an integer in 0\.\.4294967295, got -1"):
        load_california_housing(seed=-1, cache_dir=tmp_path)  # an int in [0, 2**32)
    assert not list(tmp_path.iterdir())  # refused before any download
    assert housing.HOUSING["boston_housing"][2] == 13


def test_an_unknown_download_setting_is_named(tmp_path):
    path = tmp_path / "c.npz"
    path.write_bytes(FILE)
    with pytest.raises(TypeError, match="unexpected argument 'cache'; the download takes"):
        load_california_housing(path=path, cache=tmp_path)
