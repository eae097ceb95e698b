"""keras-io's "Simple MNIST convnet" (Keras 3), line for line, on nnscratch.keras.

Only the import changes (``import keras`` -> ``from nnscratch import keras``) and the
sizes shrink (a few hundred images, small layers, one epoch) so the test is quick; every
call and every value the script reads is Keras 3's. Without the MNIST file
(``NNSCRATCH_DATA``) the same script runs on random images of MNIST's shapes.
"""

import contextlib
import io
import os

import numpy as np
import pytest

from nnscratch import keras
from nnscratch.keras import layers


def _mnist(n_train=300, n_test=100):
    if os.environ.get("NNSCRATCH_DATA"):
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])
    rng = np.random.default_rng(0)
    images = lambda n: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)  # noqa: E731
    labels = lambda n: rng.integers(0, 10, n).astype(np.uint8)  # noqa: E731
    return (images(n_train), labels(n_train)), (images(n_test), labels(n_test))


def test_keras_io_mnist_convnet():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # Model / data parameters
        num_classes = 10
        input_shape = (28, 28, 1)

        # Load the data and split it between train and test sets
        (x_train, y_train), (x_test, y_test) = _mnist()

        # Scale images to the [0, 1] range
        x_train = x_train.astype("float32") / 255
        x_test = x_test.astype("float32") / 255
        # Make sure images have shape (28, 28, 1)
        x_train = np.expand_dims(x_train, -1)
        x_test = np.expand_dims(x_test, -1)
        print("x_train shape:", x_train.shape)
        print(x_train.shape[0], "train samples")

        # convert class vectors to binary class matrices
        y_train = keras.utils.to_categorical(y_train, num_classes)
        y_test = keras.utils.to_categorical(y_test, num_classes)

        model = keras.Sequential(
            [
                keras.Input(shape=input_shape),
                layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Flatten(),
                layers.Dropout(0.5),
                layers.Dense(num_classes, activation="softmax"),
            ]
        )
        model.summary()

        batch_size = 128
        epochs = 1
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        history = model.fit(
            x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1
        )

        score = model.evaluate(x_test, y_test, verbose=0)
        print("Test loss:", score[0])
        print("Test accuracy:", score[1])

    text = out.getvalue()
    assert "x_train shape: (300, 28, 28, 1)" in text and "300 train samples" in text
    assert " conv2d (Conv2D)" in text and " max_pooling2d_1 (MaxPooling2D)" in text
    assert "Total params: 2,346" in text  # 40 + 296 + 2,010, as Keras counts them
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.params["steps"] == 3  # 270 training images in batches of 128
    assert isinstance(score, list) and len(score) == 2
    assert all(isinstance(v, float) for v in score) and 0.0 <= score[1] <= 1.0
    assert [layer.name for layer in model.layers][-1] == "dense"


@pytest.mark.parametrize("label_dtype", [np.uint8, np.int64])
def test_integer_labels_with_the_sparse_loss_as_keras_io_writes_them(label_dtype):
    (x_train, y_train), (x_test, y_test) = _mnist(200, 20)
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(16, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = model.fit(x_train, y_train.astype(label_dtype), batch_size=64, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    results = model.evaluate(x_test, y_test.astype(label_dtype), verbose=0, return_dict=True)
    assert sorted(results) == ["loss", "sparse_categorical_accuracy"]
    predictions = model.predict(x_test[:3], verbose=0)
    assert predictions.shape == (3, 10)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0)
    assert np.argmax(predictions, axis=-1).shape == (3,)
