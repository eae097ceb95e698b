"""Keras 3 modules and helpers that keras-io examples call: ``keras.activations``,
``keras.utils.set_random_seed``, ``keras.utils.clear_session`` and ``Dropout``'s
positional arguments."""

# ruff: noqa: NPY002  (set_random_seed seeds NumPy's global generator, as Keras does)

import random

import numpy as np
import pytest

from nnscratch import keras
from nnscratch.keras import layers


# -- keras.activations ----------------------------------------------------------------------
def test_activation_functions_compute_keras_values():
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(keras.activations.relu(x), [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(keras.activations.sigmoid(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(keras.activations.tanh(x), np.tanh(x))
    np.testing.assert_allclose(keras.activations.softmax(x).sum(axis=-1), [1.0])
    np.testing.assert_allclose(keras.activations.leaky_relu(x), [[-0.4, 0.0, 3.0]])
    np.testing.assert_allclose(keras.activations.leaky_relu(x, negative_slope=0.1)[0, 0], -0.2)
    assert keras.activations.relu.__name__ == "relu"


def test_an_activation_function_given_to_a_layer_is_that_activation():
    dense = layers.Dense(3, activation=keras.activations.relu)
    conv = layers.Conv2D(2, 3, activation=keras.activations.tanh)
    act = layers.Activation(keras.activations.softmax)
    assert dense.get_config()["activation"] == "relu"
    assert conv.get_config()["activation"] == "tanh"
    assert act.get_config()["activation"] == "softmax"


def test_a_model_with_activation_functions_trains_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((30, 3)), rng.integers(0, 2, 30)
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Dense(4, activation=keras.activations.relu),
            layers.Dense(1, activation=keras.activations.sigmoid),
        ]
    )
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    np.testing.assert_allclose(loaded.predict(x), model.predict(x))


def test_activations_get_and_serialize():
    assert keras.activations.get("relu") is keras.activations.relu
    assert keras.activations.get(keras.activations.tanh) is keras.activations.tanh
    assert keras.activations.get(None) is keras.activations.linear
    assert keras.activations.serialize(keras.activations.elu) == "elu"
    with pytest.raises(ValueError, match=r"relux.*relu"):
        keras.activations.get("relux")


def test_an_arbitrary_function_as_activation_is_refused_clearly():
    with pytest.raises((TypeError, ValueError), match="activation"):
        layers.Dense(3, activation=np.tanh)


# -- keras.utils.set_random_seed --------------------------------------------------------------
def _weights_after(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    return model.get_weights()[0]


def test_set_random_seed_makes_new_models_reproducible_and_seed_dependent():
    try:
        a, b, c = _weights_after(42), _weights_after(42), _weights_after(7)
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)
        keras.utils.set_random_seed(3)
        first = (random.random(), np.random.random())
        keras.utils.set_random_seed(3)
        assert (random.random(), np.random.random()) == first
    finally:
        keras.utils.set_random_seed(0)  # nnscratch.keras' default: models start from seed 0


def test_a_seed_given_to_the_model_wins():
    try:
        keras.utils.set_random_seed(42)
        model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)], seed=5)
        assert model.seed == 5
    finally:
        keras.utils.set_random_seed(0)


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "42", True])
def test_set_random_seed_refuses_what_is_not_a_seed(bad):
    with pytest.raises((TypeError, ValueError), match="seed"):
        keras.utils.set_random_seed(bad)


def test_utils_clear_session_is_the_backend_one():
    assert keras.utils.clear_session is keras.backend.clear_session
    keras.utils.clear_session()


# -- Dropout(rate, noise_shape, seed) ---------------------------------------------------------
def test_dropout_takes_keras_positional_order():
    layer = layers.Dropout(0.3, None, 1)
    assert layer.rate == 0.3 and layer.get_config()["seed"] == 1


def test_dropout_noise_shape_is_refused_clearly():
    with pytest.raises(ValueError, match="noise_shape"):
        layers.Dropout(0.3, noise_shape=(None, 1))


# -- Keras 3's regularizer classes, Keras 1's Model(input=, output=) ------------------------
def test_regularizer_classes_of_keras3():
    from nnscratch.keras import regularizers

    assert regularizers.L2(0.01).get_config() == {"l1": 0.0, "l2": 0.01}
    assert regularizers.L1(l1=0.02).get_config() == {"l1": 0.02, "l2": 0.0}
    dense = layers.Dense(2, kernel_regularizer=regularizers.L2(1e-4))
    assert dense.get_config()["kernel_regularizer"] == {"l1": 0.0, "l2": 1e-4}


def test_keras1_model_input_output_spelling_warns_and_works():
    inputs = keras.Input(shape=(4,))
    outputs = layers.Dense(2)(inputs)
    with pytest.warns(DeprecationWarning, match=r"Model\((input|output)=\.\.\.\) is the old"):
        model = keras.Model(input=inputs, output=outputs)
    assert model.output_shape == (None, 2)


# -- activation layers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: layers.LeakyReLU(), [[-0.6, 0.0, 3.0]]),
        (lambda: layers.LeakyReLU(negative_slope=0.1), [[-0.2, 0.0, 3.0]]),
        (lambda: layers.ReLU(), [[0.0, 0.0, 3.0]]),
        (lambda: layers.ELU(), [[np.expm1(-2.0), 0.0, 3.0]]),
    ],
)
def test_activation_layers_compute_keras_values(make, expected):
    model = keras.Sequential([keras.Input(shape=(3,)), make()])
    np.testing.assert_allclose(model.predict(np.array([[-2.0, 0.0, 3.0]])), expected)


def test_keras2_leaky_relu_alpha_warns():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        layer = layers.LeakyReLU(alpha=0.25)
    assert layer.get_config()["activation"] == {"name": "leaky_relu", "negative_slope": 0.25}


def test_softmax_layer_and_a_model_with_activation_layers_saves(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((10, 3))
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4), layers.LeakyReLU(0.1), layers.Dense(2),
         layers.Softmax()]
    )  # fmt: skip
    np.testing.assert_allclose(model.predict(x).sum(axis=1), 1.0)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    model.save(tmp_path / "m.nnscratch")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "m.nnscratch").predict(x),
                               model.predict(x))  # fmt: skip


@pytest.mark.parametrize(
    "make", [lambda: layers.ReLU(max_value=6.0), lambda: layers.Softmax(axis=1)]
)
def test_activation_layer_options_not_supported_are_refused(make):
    with pytest.raises(ValueError, match="not supported"):
        make()
