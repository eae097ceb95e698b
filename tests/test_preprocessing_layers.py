"""``Normalization`` (with ``adapt``) and ``Rescaling``: the statistics, the gradients, the
weights that training never moves, saving, the errors, and Keras' own numbers."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from keras_reference import run_keras
from nnscratch import Sequential, keras, load_model
from nnscratch.engine.gradcheck import check_layer, check_model
from nnscratch.engine.layers import preprocessing
from nnscratch.engine.summary import summarize
from nnscratch.layers import Dense, Normalization, Rescaling


def features(n: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)) * [1.0, 10.0, 100.0, 0.1] + [0.0, -5.0, 300.0, 2.0]


def test_adapt_learns_the_mean_and_variance_and_standardises():
    x = features()
    layer = Normalization()
    layer.adapt(x)
    np.testing.assert_allclose(layer.mean, x.mean(axis=0))
    np.testing.assert_allclose(layer.variance, x.var(axis=0))  # the population variance
    model = Sequential([layer], seed=0)  # adapt told the layer its input shape
    out = model.predict(x)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1.0)
    assert model.count_params() == 2 * 4 + 1  # mean, variance, count: as Keras counts
    inverse = Sequential([Normalization(mean=x.mean(0), variance=x.var(0), invert=True)])
    inverse.build(4)
    np.testing.assert_allclose(inverse.predict(out), x)


def test_one_mean_for_all_values_with_axis_none():
    x = np.arange(10.0)
    layer = Normalization(axis=None)
    layer.adapt(x)  # a flat array: one feature
    assert (float(layer.mean), float(layer.variance)) == (4.5, x.var())
    model = Sequential([layer])
    np.testing.assert_allclose(model.predict(x[:, None]).ravel(), (x - 4.5) / x.std())


def test_gradients_and_a_model_through_them():
    rng = np.random.default_rng(1)
    for layer in (Normalization(mean=[1.0, -2.0], variance=[4.0, 0.25]), Rescaling(0.5, 1.0)):
        layer.setup((2,), np.random.RandomState(0), np.float64)
        errors = check_layer(layer, rng.normal(size=(5, 2)))
        assert errors == {"input": pytest.approx(0.0, abs=1e-7)}  # no trainable weights
    x = features(32)
    norm = Normalization()
    norm.adapt(x)
    model = Sequential([norm, Dense(3, "tanh"), Dense(2, "softmax")], seed=0)
    model.compile("sgd", "categorical_crossentropy")
    assert max(check_model(model, x, (x[:, 0] > 0).astype(int)).values()) < 1e-6


def test_training_never_moves_the_statistics():
    x = features()
    y = (x[:, 1] > -5).astype(int)
    norm = Normalization()
    norm.adapt(x)
    model = Sequential([norm, Dense(4, "relu"), Dense(2, "softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    before = norm.mean.copy(), norm.variance.copy()
    model.fit(x, y, batch_size=16, epochs=3)
    np.testing.assert_array_equal(norm.mean, before[0])
    np.testing.assert_array_equal(norm.variance, before[1])
    assert set(model.parameters(trainable=False)) == {"0.mean", "0.variance", "0.count"}
    assert summarize(model).non_trainable_params == 9
    # adapt on a built layer changes the weights in place (the same arrays)
    weight = norm.params["mean"]
    norm.adapt(x * 2)
    assert norm.params["mean"] is weight
    np.testing.assert_allclose(weight, 2 * x.mean(axis=0))
    with pytest.raises(ValueError, match=r"built for 4 feature\(s\), got data of shape \(3, 2\)"):
        norm.adapt(np.ones((3, 2)))


def test_saved_and_loaded_with_their_statistics(tmp_path):
    x = features()
    for make in (Normalization, keras.layers.Normalization):
        norm = make()
        norm.adapt(x)
        model = Sequential([norm, Dense(1)], seed=0)
        model.compile("sgd", "mse")
        model.save(tmp_path / "m.nnscratch")
        loaded = load_model(tmp_path / "m.nnscratch")
        np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
        np.testing.assert_array_equal(loaded.layers[0].mean, x.mean(axis=0))
    scaled = Sequential([Rescaling(1 / 255, offset=-0.5, input_shape=(3,))])
    scaled.compile("sgd", "mse")
    scaled.save(tmp_path / "r.nnscratch")
    layer = load_model(tmp_path / "r.nnscratch").layers[0]
    assert (layer.scale, layer.offset) == (1 / 255, -0.5)


def test_bad_arguments_and_data_are_named():
    with pytest.raises(ValueError, match=r"axis must be -1 .* or None .*, got 0"):
        Normalization(axis=0)
    with pytest.raises(ValueError, match="both mean and variance, or neither"):
        Normalization(mean=[0.0])
    with pytest.raises(ValueError, match=r"variance must be >= 0, got \[-1.0\]"):
        Normalization(mean=[0.0], variance=[-1.0])
    with pytest.raises(TypeError, match="needs a non-empty numeric array, got list of dtype <U1"):
        Normalization().adapt(["a", "b"])
    with pytest.raises(ValueError, match="has NaN or infinite values"):
        Normalization().adapt([[1.0], [np.nan]])
    with pytest.raises(ValueError, match=r"needs \(examples, features\), got shape \(3,\)"):
        Normalization().adapt([1.0, 2.0, 3.0])
    norm = Normalization(mean=[0.0, 1.0], variance=[1.0, 1.0])
    with pytest.raises(ValueError, match=r"mean has shape \(2,\), but its inputs \(None, 3\)"):
        Sequential([norm]).build(3)
    with pytest.raises(TypeError, match="scale must be a number, got str"):
        Rescaling("1/255")


def test_keras_facade_takes_a_flat_array_for_one_feature():
    """TensorFlow's regression tutorial: a one-feature model fits a flat column."""
    x = np.linspace(50, 200, 60)
    y = 40 - 0.15 * x
    norm = keras.layers.Normalization(input_shape=[1], axis=None)
    norm.adapt(x)
    model = keras.Sequential([norm, keras.layers.Dense(units=1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mean_absolute_error")
    history = model.fit(x, y, epochs=30, verbose=0, validation_split=0.2)
    assert history.history["loss"][-1] < history.history["loss"][0]
    np.testing.assert_array_equal(model.predict(x[:5]), model.predict(x[:5, None]))
    assert model.evaluate(x, y, verbose=0) == model.evaluate(x[:, None], y, verbose=0)
    wide = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    wide.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"expected 2-D x \(n_samples, 2\), got shape \(60,\)"):
        wide.predict(x)


def test_the_examples_in_the_docstrings_run():
    assert doctest.testmod(preprocessing).failed == 0


_KERAS = """
import json, sys
import numpy as np
import keras
x = np.random.default_rng(0).normal(size=(50, 3)) * [1.0, 20.0, 0.5] + [3.0, -1.0, 10.0]
out = {}
for axis in (-1, None):
    layer = keras.layers.Normalization(axis=axis)
    layer.adapt(x)
    out[str(axis)] = np.asarray(layer(x)).tolist()
out["invert"] = np.asarray(
    keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25], invert=True)(x)
).tolist()
out["rescaling"] = np.asarray(keras.layers.Rescaling(1 / 255, offset=-1.0)(x)).tolist()
print(json.dumps(out))
"""


def test_the_outputs_are_keras_own():
    theirs = run_keras(_KERAS)
    x = np.random.default_rng(0).normal(size=(50, 3)) * [1.0, 20.0, 0.5] + [3.0, -1.0, 10.0]
    for axis in (-1, None):
        layer = Normalization(axis=axis)
        layer.adapt(x)
        ours = Sequential([layer]).predict(x)
        np.testing.assert_allclose(ours, theirs[str(axis)], rtol=1e-5, atol=1e-5)
    for key, layer in [
        ("invert", Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25], invert=True)),
        ("rescaling", Rescaling(1 / 255, offset=-1.0)),
    ]:
        model = Sequential([layer])
        model.build(3)
        np.testing.assert_allclose(model.predict(x), theirs[key], rtol=1e-5, atol=1e-6)
