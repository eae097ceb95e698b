"""``keras.Input`` + layer calls + ``keras.Model`` for a chain, and ``keras.backend``."""

from __future__ import annotations

import numpy as np
import pytest

import nnscratch
from nnscratch import keras
from nnscratch.keras import backend as K
from nnscratch.keras.layers import Dense, Dropout, Input, InputLayer
from nnscratch.keras.models import Sequential, model_from_json


def chain(seed: int = 0):
    inputs = keras.Input(shape=(784,))
    x = Dense(64, activation="relu")(inputs)
    x = Dropout(0.2)(x)
    outputs = Dense(10, activation="softmax")(x)
    return inputs, outputs, keras.Model(inputs, outputs, seed=seed)


def digits(n: int = 64):
    rng = np.random.default_rng(0)
    return rng.random((n, 784)), rng.integers(0, 10, n)


def test_placeholders_carry_keras_shapes():
    inputs = keras.Input(shape=(784,))
    assert inputs.shape == (None, 784)
    hidden = Dense(64)(inputs)
    assert hidden.shape == (None, 64) and repr(hidden) == "<KerasTensor shape=(None, 64)>"
    assert keras.Input(batch_shape=(None, 28, 28, 1)).shape == (None, 28, 28, 1)
    assert keras.Input(784).shape == (None, 784)


def test_a_model_of_a_chain_is_a_sequential_of_its_layers(tmp_path):
    _, _, model = chain()
    same = Sequential(
        [
            Dense(64, activation="relu", input_shape=(784,)),
            Dropout(0.2),
            Dense(10, activation="softmax"),
        ],
        seed=0,
    )
    assert isinstance(model, Sequential) and model.name == "functional"
    assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
    for a, b in zip(model.get_weights(), same.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the same seed draws the same weights
    x, y = digits()
    for m in (model, same):
        m.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
        m.fit(x, y, batch_size=16, epochs=2, verbose=0)
    np.testing.assert_array_equal(model.predict(x), same.predict(x))
    model.save(tmp_path / "chain.nnscratch")
    loaded = nnscratch.load_model(tmp_path / "chain.nnscratch")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    model.save_weights(tmp_path / "chain.weights.npz")
    _, _, fresh = chain(seed=3)
    fresh.load_weights(tmp_path / "chain.weights.npz")
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))
    rebuilt = model_from_json(model.to_json())
    assert rebuilt.get_config()["layers"] == model.get_config()["layers"]
    assert type(keras.Model.from_config(model.get_config())) is Sequential


def test_keywords_and_one_element_lists_are_accepted():
    inputs = Input(shape=(4,))
    outputs = Dense(2)(Dense(3)(inputs))
    model = keras.Model(inputs=[inputs], outputs=[outputs], name="tiny")
    assert model.name == "tiny" and model.count_params() == 4 * 3 + 3 + 3 * 2 + 2


def test_anything_but_one_chain_is_refused_with_one_message():
    one_chain = "supports a single chain of layers"
    a, b = keras.Input(shape=(4,)), keras.Input(shape=(4,))
    out = Dense(2)(a)
    with pytest.raises(ValueError, match=f"2 inputs is not supported; nnscratch.*{one_chain}"):
        keras.Model([a, b], out)
    with pytest.raises(ValueError, match=f"2 outputs.*{one_chain}"):
        keras.Model(a, [out, Dense(3)(a)])
    shared = Dense(4)
    x = shared(keras.Input(shape=(4,)))
    with pytest.raises(ValueError, match=f"called twice.*{one_chain}"):
        shared(x)
    with pytest.raises(ValueError, match=f"not computed from these inputs.*{one_chain}"):
        keras.Model(b, out)
    h = Dense(4)(a)
    with pytest.raises(ValueError, match="a merge or a skip connection"):
        Dense(4)([a, h])  # what Add()([x, h]) would need
    with pytest.raises(ValueError, match="call some layers first"):
        keras.Model(a, a)
    with pytest.raises(TypeError, match="subclassing Model"):
        keras.Model()
    with pytest.raises(TypeError, match=r"from keras\.Input"):
        keras.Model(a, np.zeros(3))
    with pytest.raises(TypeError, match=r"model\.predict"):
        Dense(3)(np.zeros((2, 4)))


def test_unused_placeholders_are_ignored_as_in_keras():
    inputs = keras.Input(shape=(4,))
    used = Dense(3)(inputs)
    Dense(5)(inputs)  # computed, never used
    assert keras.Model(inputs, Dense(2)(used)).output_shape == (None, 2)


def test_input_refuses_what_it_cannot_honour():
    with pytest.raises(ValueError, match="needs the shape"):
        keras.Input()
    with pytest.raises(ValueError, match=r"Input\(batch_size=32\) is not supported: .*fit"):
        keras.Input(shape=(4,), batch_size=32)
    with pytest.raises(ValueError, match="dtype"):
        keras.Input(shape=(4,), dtype="int32")
    with pytest.raises(ValueError, match="positive integers"):
        keras.Input(shape=(0,))
    with pytest.raises(TypeError, match="sparse"):
        keras.Input(shape=(4,), sparse=True)


def test_keras_3_sequential_with_an_input_first():
    model = keras.Sequential([keras.Input(shape=(16,)), Dense(8), Dense(1)])
    assert model.input_shape == (None, 16) and model.built
    grown = keras.Sequential()
    grown.add(keras.Input(shape=(16,)))
    assert not grown.built
    grown.add(Dense(4))
    assert grown.built and grown.output_shape == (None, 4)
    with pytest.warns(DeprecationWarning, match=r"InputLayer\(shape="):
        old = keras.Sequential([InputLayer(input_shape=(3,)), Dense(2)])
    assert old.input_shape == (None, 3)
    with pytest.raises(ValueError, match="first entry"):
        grown.add(keras.Input(shape=(4,)))


def test_backend_settings():
    assert K.image_data_format() == "channels_last"
    K.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="'channels_last' only"):
        K.set_image_data_format("channels_first")
    assert K.epsilon() == 1e-07 and K.backend() == "numpy"
    assert K.clear_session() is None
    assert K.floatx() == "float64"
    try:
        K.set_floatx("float32")
        assert keras.Sequential([Dense(2, input_dim=3)]).dtype == np.float32
        assert nnscratch.Sequential([nnscratch.Dense(2, input_dim=3)]).dtype == np.float64
    finally:
        K.set_floatx("float64")
    with pytest.raises(ValueError, match="floatx must be one of 'float64', 'float32'"):
        K.set_floatx("float16")
    assert keras.Sequential([Dense(2, input_dim=3)]).dtype == np.float64


def test_backend_array_functions_for_custom_metrics():
    y = np.array([[0.2, 0.8], [0.6, 0.4]])
    assert K.mean(y) == pytest.approx(0.5)
    np.testing.assert_allclose(K.mean(y, axis=-1), [0.5, 0.5])
    assert K.sum(K.round(K.clip(y, 0, 1))) == 2.0
    np.testing.assert_allclose(K.sqrt(K.square(y - 1)), 1 - y)
    assert K.sqrt(np.array(-1.0)) == 0.0  # clipped at 0, as Keras
    assert K.cast(K.equal(K.argmax(y), np.array([1, 0])), "float32").dtype == np.float32
    assert K.max(y) == 0.8 and K.min(y, axis=0).tolist() == [0.2, 0.4]
    np.testing.assert_allclose(K.log(K.exp(y)), y)
    assert K.abs(np.array([-2.0])).tolist() == [2.0]


def test_keras_package_exposes_keras_paths():
    import nnscratch.keras as keras_module

    for name in ("Input", "Model", "Sequential", "backend", "datasets", "utils", "layers"):
        assert hasattr(keras_module, name)
    assert keras_module.datasets.mnist.load_data is not None
    assert keras_module.layers.Input is keras_module.Input
    assert keras_module.models.Model is keras_module.Model
