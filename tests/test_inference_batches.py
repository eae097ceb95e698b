"""``predict`` and ``evaluate`` without a ``batch_size`` bound the memory they hold: the
tutorials' networks take a whole data set in one pass, a conv net on thousands of images
goes through in pieces (before, 10,000 CIFAR-sized images took about 5 GB at once).
Keras' ``evaluate`` goes in batches of 32, as Keras', and its line counts them."""

import numpy as np
import pytest

from nnscratch import Sequential, keras
from nnscratch.engine import training
from nnscratch.layers import Conv2D, Dense, Flatten


def conv_net():
    model = Sequential(
        [Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), Flatten(), Dense(3, "softmax")],
        seed=0,
    )
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


def counting_forward(model, monkeypatch):
    sizes = []
    forward = model.forward

    def counted(x, training=False):
        sizes.append(len(x))
        return forward(x, training=training)

    monkeypatch.setattr(model, "forward", counted)
    return sizes


def test_a_small_network_predicts_everything_in_one_pass(monkeypatch):
    model = Sequential([Dense(3, "tanh", input_dim=2), Dense(2, "softmax")], seed=0)
    sizes = counting_forward(model, monkeypatch)
    model.predict(np.zeros((5000, 2)))
    assert sizes == [5000]


def test_a_large_pass_goes_in_pieces_with_the_same_outputs(monkeypatch):
    model = conv_net()
    x = np.random.default_rng(0).random((50, 8, 8, 1))
    whole = model.predict(x)
    per_example = training._bytes_per_example(model)
    monkeypatch.setattr(training, "INFERENCE_BYTES", 12 * per_example)
    assert training.inference_batch(model, len(x)) == 12
    sizes = counting_forward(model, monkeypatch)
    np.testing.assert_allclose(model.predict(x), whole, rtol=1e-12)
    assert sizes == [12, 12, 12, 12, 2]
    labels = np.arange(50) % 3
    sizes.clear()
    assert model.evaluate(x, labels) == pytest.approx(
        -np.mean(np.log(whole[np.arange(50), labels])), rel=1e-12
    )
    assert max(sizes) == 12
    monkeypatch.setattr(training, "INFERENCE_BYTES", 1)  # never fewer than one example
    assert training.inference_batch(model, len(x)) == 1


def test_keras_evaluate_counts_batches_of_32(capsys):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = np.zeros((200, 2)), np.zeros(200, int)
    model.evaluate(x, y, verbose=2)
    assert capsys.readouterr().out.startswith("7/7 - ")
    model.evaluate(x, y, batch_size=100, verbose=2)
    assert capsys.readouterr().out.startswith("2/2 - ")


def test_fit_validates_in_pieces_too(monkeypatch):
    model = conv_net()
    rng = np.random.default_rng(1)
    x, xv = rng.random((20, 8, 8, 1)), rng.random((50, 8, 8, 1))
    y, yv = np.arange(20) % 3, np.arange(50) % 3
    whole = model.fit(x, y, epochs=1, validation_data=(xv, yv), shuffle=False, verbose=0)
    model = conv_net()
    monkeypatch.setattr(training, "INFERENCE_BYTES", 12 * training._bytes_per_example(model))
    sizes = counting_forward(model, monkeypatch)
    pieces = model.fit(x, y, epochs=1, validation_data=(xv, yv), shuffle=False, verbose=0)
    assert sizes[-5:] == [12, 12, 12, 12, 2]  # the validation data: 50 = 4 x 12 + 2
    assert pieces.history["val_loss"] == pytest.approx(whole.history["val_loss"], rel=1e-12)
