"""``GlobalAveragePooling2D`` and ``GlobalMaxPooling2D``: one number per feature map,
checked against a loop over the maps, by central differences, against Keras 3 itself,
and through a model that trains, prints its summary and saves."""

from __future__ import annotations

import numpy as np
import pytest

from keras_reference import run_keras
from model_checks import trains_prints_and_saves
from nnscratch import Sequential, keras
from nnscratch.engine.gradcheck import check_layer
from nnscratch.layers import Conv2D, Dense, GlobalAveragePooling2D, GlobalMaxPooling2D

KINDS = [GlobalAveragePooling2D, GlobalMaxPooling2D]


def built(layer, shape=(3, 4, 2)):
    layer.setup(shape, np.random.RandomState(0), np.float64)
    return layer


def loops(x, kind):
    """Each map's mean (or max), and the gradient of ``sum(out * G)`` with G = 1 + index."""
    n, h, w, c = x.shape
    out, dx = np.zeros((n, c)), np.zeros_like(x)
    for b in range(n):
        for ch in range(c):
            cells = x[b, :, :, ch]
            g = 1.0 + b * c + ch
            if kind is GlobalAveragePooling2D:
                out[b, ch] = cells.sum() / (h * w)
                dx[b, :, :, ch] = g / (h * w)
            else:
                out[b, ch] = cells.max()
                r, col = divmod(int(np.argmax(cells)), w)  # the first maximum
                dx[b, r, col, ch] = g
    return out, dx


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("keepdims", [False, True])
def test_forward_and_backward_agree_with_loops(kind, keepdims):
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 2))
    x[1, 2, 3, 0] = x[1, 0, 1, 0] = x[1].max() + 1  # a tie: the first cell gets it
    layer = built(kind(keepdims=keepdims))
    out = layer.forward(x, training=True)
    ref_out, ref_dx = loops(x, kind)
    assert layer.output_shape == ((1, 1, 2) if keepdims else (2,))
    np.testing.assert_allclose(out.reshape(2, 2), ref_out, rtol=1e-14)
    grad = np.arange(1.0, 5.0).reshape(out.shape)
    np.testing.assert_allclose(layer.backward(grad), ref_dx, rtol=1e-14)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(5))
def test_gradients_check_out(kind, seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(1, 4)))
    x = rng.permutation(2 * int(np.prod(shape))).reshape(2, *shape) * 0.01  # no ties
    errors = check_layer(built(kind(), shape), x, seed=seed)
    assert errors["input"] < 1e-7


def test_a_model_trains_prints_and_saves(tmp_path, capsys):
    x = np.random.default_rng(2).normal(size=(40, 6, 6, 1))
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(int)
    model = Sequential(
        [
            Conv2D(4, 3, activation="relu", input_shape=(6, 6, 1)),
            GlobalAveragePooling2D(),
            Dense(2, activation="softmax"),
        ],
        seed=0,
    )
    printed = trains_prints_and_saves(model, x, y, tmp_path, capsys)
    assert "global_average_pooling2d (GlobalAveragePooling2D)  (None, 4)" in printed


def test_wrong_inputs_and_arguments_are_named():
    with pytest.raises(ValueError, match=r"expects inputs of shape \(n, height, width, channels\)"):
        Sequential([GlobalMaxPooling2D(input_shape=(6, 6))])
    with pytest.raises(TypeError, match="keepdims must be True or False, got 1"):
        GlobalAveragePooling2D(keepdims=1)
    with pytest.raises(ValueError, match="channels_first"):
        keras.layers.GlobalAveragePooling2D(data_format="channels_first")


KERAS = """
import json, sys
import numpy as np
import keras
x = np.array(json.load(sys.stdin))
out = {}
for name in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
    for keepdims in (False, True):
        layer = getattr(keras.layers, name)(keepdims=keepdims)
        out[f"{name}-{keepdims}"] = np.asarray(layer(x)).tolist()
print(json.dumps(out))
"""


def test_agrees_with_keras_3():
    x = np.random.default_rng(3).normal(size=(2, 5, 3, 4))
    theirs = run_keras(KERAS, x.tolist())
    for key, value in theirs.items():
        name, keepdims = key.split("-")
        layer = getattr(keras.layers, name)(None, keepdims == "True")  # Keras' positions
        model = keras.Sequential([keras.Input((5, 3, 4)), layer])
        np.testing.assert_allclose(model.predict(x, verbose=0), value, rtol=1e-6, atol=1e-6)
