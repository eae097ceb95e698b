"""``Reshape``: each example's values in a new shape (row-major, one ``-1`` allowed), in a
model that trains, gradient-checks, prints, saves and is the same as Keras 3's."""

from __future__ import annotations

import numpy as np
import pytest

from model_checks import trains_prints_and_saves
from nnscratch import Sequential, keras
from nnscratch.engine.gradcheck import check_layer
from nnscratch.layers import Conv2D, Dense, Flatten, Reshape


def test_shapes_values_and_gradient():
    layer = Reshape((2, -1, 2))
    layer.setup((12,), np.random.RandomState(0), np.float64)
    assert layer.output_shape == (2, 3, 2)
    x = np.arange(24.0).reshape(2, 12)
    np.testing.assert_array_equal(layer.forward(x), x.reshape(2, 2, 3, 2))  # row-major
    assert check_layer(layer, x)["input"] < 1e-7
    np.testing.assert_array_equal(layer.backward(np.ones((2, 2, 3, 2))), np.ones((2, 12)))


def test_rows_become_images_for_a_conv_net(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.random((30, 36))
    y = (x[:, :18].sum(axis=1) > 9).astype(int)
    model = Sequential(
        [
            Reshape((6, 6, 1), input_shape=(36,)),
            Conv2D(3, 3, activation="relu"),
            Flatten(),
            Dense(2, activation="softmax"),
        ],
        seed=0,
    )
    assert "reshape (Reshape)" in trains_prints_and_saves(model, x, y, tmp_path, capsys)


@pytest.mark.parametrize("target", [(), (3, 0), (-1, -1), (2.5,), "28,28", 784, (True, 2)])
def test_bad_target_shapes_are_refused(target):
    with pytest.raises(ValueError, match="target_shape must be a tuple of positive integers"):
        Reshape(target)


def test_a_shape_that_does_not_fit_names_both():
    with pytest.raises(ValueError, match=r"\(10,\) holds 10 values .* target_shape \(3, -1\)"):
        Sequential([Reshape((3, -1), input_shape=(10,))])
    with pytest.raises(ValueError, match=r"holds 10 values .* target_shape \(2, 4\)"):
        Sequential([Reshape((2, 4), input_shape=(10,))])


def test_keras_reshape_as_keras_builds_it():
    model = keras.Sequential([keras.Input((12,)), keras.layers.Reshape((3, 4))])
    assert model.output_shape == (None, 3, 4)
    assert model.layers[0].get_config()["target_shape"] == [3, 4]
    x = np.arange(24.0).reshape(2, 12)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x.reshape(2, 3, 4))
