"""Convolutional models: they train, summarise as Keras does, save and load bit for bit,
take Dropout on images, run in float32, and check out by central differences."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import Sequential, load_model
from nnscratch.engine.gradcheck import check_model
from nnscratch.engine.summary import summarize
from nnscratch.layers import AveragePooling2D, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from nnscratch.optimizers import SGD, Adam
from nnscratch.regularizers import l2


def bars(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """8x8 grey images holding one bar, vertical (class 0) or horizontal (class 1), at a
    random place, with noise: a task no single pixel solves."""
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=0.1, size=(n, 8, 8, 1))
    y = rng.integers(0, 2, n)
    where = rng.integers(1, 7, n)
    for k in range(n):
        if y[k]:
            x[k, where[k], 1:7, 0] += 1.0
        else:
            x[k, 1:7, where[k], 0] += 1.0
    return x, y


def book_net(dtype: str = "float32", seed: int = 0) -> Sequential:
    """The book's step-3 network in Keras terms (conv 20x5x5, pool, conv 40x5x5, pool)."""
    return Sequential(
        [
            Conv2D(20, 5, activation="relu", input_shape=(28, 28, 1)),
            MaxPooling2D(2),
            Conv2D(40, 5, activation="relu"),
            MaxPooling2D(2),
            Flatten(),
            Dense(100, activation="relu"),
            Dense(10, activation="softmax"),
        ],
        dtype=dtype,
        seed=seed,
    )


def small_net(dtype: str = "float64", seed: int = 0, dropout: float = 0.0) -> Sequential:
    model = Sequential(
        [
            Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1), kernel_regularizer=l2(1e-3)),
            Dropout(dropout),
            MaxPooling2D(2),
            Conv2D(6, 3, strides=1, padding="same", activation="tanh"),
            AveragePooling2D(2, padding="same"),
            Flatten(),
            Dense(2, activation="softmax"),
        ],
        dtype=dtype,
        seed=seed,
    )
    model.compile(optimizer=SGD(0.1, momentum=0.9), loss="categorical_crossentropy")
    return model


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_small_conv_model_learns_the_bars(dtype):
    x, y = bars(200)
    model = small_net(dtype)
    model.compile(
        optimizer=SGD(0.1, momentum=0.9), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    x_test, y_test = bars(100, seed=1)
    assert model.evaluate(x_test, y_test)[1] > 0.9
    assert model.predict(x_test).dtype == np.dtype(dtype)


def test_the_summary_shows_keras_shapes_and_parameter_counts():
    # Keras' summary of this network: 520, 0, 20,040, 0, 0, 64,100, 1,010; total 85,670
    # (a conv kernel has kh * kw * in_channels * filters weights plus one bias per filter)
    model = book_net()
    summary = summarize(model)
    rows = [(row.type, row.output_shape, row.params) for row in summary.layers]
    assert rows == [
        ("Conv2D", (None, 24, 24, 20), 5 * 5 * 1 * 20 + 20),
        ("MaxPooling2D", (None, 12, 12, 20), 0),
        ("Conv2D", (None, 8, 8, 40), 5 * 5 * 20 * 40 + 40),
        ("MaxPooling2D", (None, 4, 4, 40), 0),
        ("Flatten", (None, 640), 0),
        ("Dense", (None, 100), 640 * 100 + 100),
        ("Dense", (None, 10), 100 * 10 + 10),
    ]
    assert summary.total_params == summary.trainable_params == 85_670
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(None, 24, 24, 20)" in text and "20,040" in text and "Total params: 85,670" in text


def test_save_and_load_round_trip_bit_for_bit(tmp_path):
    x, y = bars(64)
    model = small_net(dropout=0.2)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "bars.nnscratch"
    model.save(path)
    again = load_model(path)
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x), again.predict(x))
    assert [type(layer) for layer in again.layers] == [type(layer) for layer in model.layers]
    assert again.layers[3].get_config() == model.layers[3].get_config()
    # training goes on exactly as it would have: weights, optimizer state, generators
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    again.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert model.history.history["loss"] == again.history.history["loss"]
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_books_net_saves_and_predicts_the_same(tmp_path):
    model = book_net()
    model.compile()
    path = tmp_path / "conv.nnscratch"
    model.save(path)
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    np.testing.assert_array_equal(load_model(path).predict(x), model.predict(x))


def test_dropout_after_a_convolution_drops_pixels_while_training_only():
    layer = Dropout(0.5, seed=0)
    layer.setup((6, 6, 3), np.random.RandomState(0), np.float64)
    x = np.ones((4, 6, 6, 3))
    out = layer.forward(x, training=True)
    assert out.shape == x.shape and set(np.unique(out)) == {0.0, 2.0}
    assert 0.35 < np.mean(out == 0.0) < 0.65
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), out)  # the same mask
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    model = small_net(dropout=0.3)  # in a model: trains, and predicts without dropping
    x, y = bars(32)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))


def test_a_conv_model_checks_out_by_central_differences():
    x, y = bars(5)
    model = small_net()  # dropout 0: the check compares the training objective
    errors = check_model(model, x, y)
    assert set(errors) == {"0.kernel", "0.bias", "3.kernel", "3.bias", "6.kernel", "6.bias"}
    assert max(errors.values()) < 1e-6, errors


def test_a_strided_same_model_checks_out_with_adam_and_mean_squared_error():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 7, 6, 2))
    model = Sequential(
        [
            Conv2D(3, (3, 2), strides=(2, 3), padding="same", input_shape=(7, 6, 2)),
            MaxPooling2D(2, strides=1, padding="same"),
            Conv2D(2, 2, strides=2, activation="sigmoid"),
            Flatten(),
        ]
    )
    model.compile(optimizer=Adam(0.01), loss="mse")
    y = rng.normal(size=(4, int(np.prod(model.output_shape[1:]))))
    errors = check_model(model, x, y)
    assert max(errors.values()) < 1e-6, errors
