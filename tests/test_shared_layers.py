"""Layers shared between models, as Keras shares them: a built layer joins another model with
its weights, and ``model.input`` / ``layer.output`` build a model over some of a model's
layers. Shown on the Keras blog's autoencoder as it is written (Keras' feature-extraction
recipe is in test_keras_guides.py), against Keras 3 itself, and on the engine's refusals."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from keras_reference import run_keras
from nnscratch import Sequential, keras, load_model
from nnscratch.keras import layers
from nnscratch.layers import Dense


def autoencoder_blog(encoding_dim=32):
    """'Building Autoencoders in Keras', the simplest one, as written (Keras 3 imports)."""
    input_img = keras.Input(shape=(784,))
    encoded = layers.Dense(encoding_dim, activation="relu")(input_img)
    decoded = layers.Dense(784, activation="sigmoid")(encoded)
    autoencoder = keras.Model(input_img, decoded)
    encoder = keras.Model(input_img, encoded)
    encoded_input = keras.Input(shape=(encoding_dim,))
    decoder_layer = autoencoder.layers[-1]
    decoder = keras.Model(encoded_input, decoder_layer(encoded_input))
    return autoencoder, encoder, decoder


def test_the_blog_autoencoder_trains_and_its_encoder_and_decoder_follow():
    autoencoder, encoder, decoder = autoencoder_blog()
    x_train = np.random.default_rng(0).random((256, 784))
    x_test = x_train[:64]
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    before = encoder.predict(x_test, verbose=0)
    history = autoencoder.fit(
        x_train, x_train, epochs=3, batch_size=128, shuffle=True,
        validation_data=(x_test, x_test), verbose=0,
    )  # fmt: skip
    assert history.history["loss"][-1] < history.history["loss"][0]
    encoded_imgs = encoder.predict(x_test, verbose=0)
    decoded_imgs = decoder.predict(encoded_imgs, verbose=0)
    assert not np.allclose(encoded_imgs, before)  # training the autoencoder trained the encoder
    np.testing.assert_allclose(decoded_imgs, autoencoder.predict(x_test, verbose=0), rtol=1e-12)
    assert encoder.layers[0] is autoencoder.layers[0] and decoder.layers[0] is autoencoder.layers[1]
    assert encoder.layers[0].params["kernel"] is autoencoder.layers[0].params["kernel"]
    assert [layer.name for layer in autoencoder.layers] == ["dense", "dense_1"]


def test_model_input_and_output_of_a_model_built_at_fit_and_keras_faq_recipe():
    model = keras.Sequential([layers.Dense(4, activation="tanh"), layers.Dense(2)])
    with pytest.raises(AttributeError, match="not built"):
        model.input  # noqa: B018
    with pytest.raises(AttributeError, match="has no input or output yet"):
        model.layers[0].output  # noqa: B018
    x = np.random.default_rng(1).normal(size=(10, 3))
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((10, 2)), epochs=1, verbose=0)  # builds it for (3,)
    assert model.input.shape == (None, 3) and model.inputs == [model.input]
    assert model.output.shape == (None, 2) and model.outputs == [model.output]
    assert model.layers[0].input is model.input
    intermediate = keras.Model(inputs=model.input, outputs=model.get_layer("dense").output)
    np.testing.assert_array_equal(intermediate.predict(x, verbose=0), model.trace(x)[0])
    copied = copy.deepcopy(model)  # its own layers and placeholders, none of the original's
    assert copied.output.shape == (None, 2) and copied.layers[1].output is copied.output
    assert copied.input is not intermediate.input and not hasattr(
        copy.deepcopy(model.layers[0]), "keras_call"
    )
    model.pop()
    model.pop()  # no layers left: no input either
    with pytest.raises(AttributeError, match="not built"):
        model.input  # noqa: B018


def test_training_a_shared_model_trains_the_other_and_both_save(tmp_path):
    first, second = Dense(3, activation="tanh", input_dim=2), Dense(2, activation="softmax")
    full = Sequential([first, second], seed=0)
    head = Sequential([first], seed=1)  # the first layer alone, with the same weights
    x = np.random.default_rng(2).normal(size=(16, 2))
    y = (x[:, 0] > 0).astype(int)
    before = head.predict(x)
    full.compile("sgd", "sparse_categorical_crossentropy")
    full.fit(x, y, epochs=2, verbose=0)
    after = head.predict(x)
    assert not np.allclose(before, after)
    np.testing.assert_array_equal(after, full.trace(x)[0])
    head.save(tmp_path / "head.nnscratch")
    np.testing.assert_array_equal(load_model(tmp_path / "head.nnscratch").predict(x), after)


def test_a_built_layer_that_does_not_fit_is_refused_and_the_model_is_unchanged():
    layer = Dense(2, input_dim=3)
    Sequential([layer])
    other = Sequential([Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match=r"built for inputs \(3,\).*gives \(4,\).*from_config"):
        other.add(layer)
    assert len(other.layers) == 1
    with pytest.raises(ValueError, match=r"holds float64 weights.*this model is float32"):
        Sequential([layer], dtype="float32")
    with pytest.raises(ValueError, match="the layers before it are not"):
        Sequential([Dense(3), layer])
    with pytest.raises(ValueError, match="already in this model"):
        Sequential([layer, layer])
    built = layers.Dense(2)
    keras.Sequential([keras.Input((3,)), built])
    with pytest.raises(ValueError, match=r"built for inputs \(3,\).*this model's Input is \(5,\)"):
        keras.Sequential([keras.Input((5,)), built])
    with pytest.raises(ValueError, match=r"built for inputs \(None, 3\).*shape \(None, 5\)"):
        built(keras.Input(shape=(5,)))


KERAS = """
import json, sys
import numpy as np
import keras
data = json.load(sys.stdin)
inputs = keras.Input(shape=(3,))
hidden = keras.layers.Dense(4, activation="tanh")(inputs)
outputs = keras.layers.Dense(2)(hidden)
full = keras.Model(inputs, outputs)
encoder = keras.Model(inputs, hidden)
full.set_weights([np.array(w) for w in data["weights"]])
full.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
x, y = np.array(data["x"]), np.array(data["y"])
full.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
print(json.dumps({"encoded": encoder.predict(x, verbose=0).tolist()}))
"""


def test_the_shared_encoder_after_training_agrees_with_keras_3():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    inputs = keras.Input(shape=(3,))
    hidden = layers.Dense(4, activation="tanh")(inputs)
    full = keras.Model(inputs, layers.Dense(2)(hidden))
    encoder = keras.Model(inputs, hidden)
    weights = [rng.normal(size=w.shape) for w in full.get_weights()]
    full.set_weights(weights)
    theirs = run_keras(KERAS, {"weights": [w.tolist() for w in weights], "x": x.tolist(),
                               "y": y.tolist()})  # fmt: skip
    full.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    full.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(encoder.predict(x, verbose=0), theirs["encoded"], atol=1e-6)
