"""Keras 2's example scripts on nnscratch: only ``keras`` replaced, and the CNN's network.

``tests/test_examples.py`` runs every ``examples/keras_*.py`` on a few hundred MNIST images.
Here: the promise that those scripts are Keras code with only the imports changed (every
import is ``nnscratch.keras``, the standard library or NumPy), and the network of Keras'
``mnist_cnn.py`` built, summarised, compiled and trained as that script does, on small
random images so that no data file is needed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
import pytest

from nnscratch import keras
from nnscratch.keras import backend as K
from nnscratch.keras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from nnscratch.keras.models import Sequential

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
KERAS_SCRIPTS = sorted(p.name for p in EXAMPLES.glob("keras_*.py"))


def imports(path: Path) -> list[str]:
    """Each import of the script, as ``module`` or ``module:name``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += [f"{node.module}:{alias.name}" for alias in node.names]
    return found


def test_the_keras_scripts_are_there():
    assert {"keras_mnist_mlp.py", "keras_mnist_cnn.py", "keras_sequential_guide.py"} <= set(
        KERAS_SCRIPTS
    )


@pytest.mark.parametrize("script", KERAS_SCRIPTS)
def test_only_keras_is_replaced(script):
    """Every import names ``nnscratch.keras`` where Keras' script names ``keras``; the
    rest are the standard library and NumPy, which Keras' scripts import as well."""
    allowed_outside = {"numpy"}
    for name in imports(EXAMPLES / script):
        module = name.split(":")[0]
        if name == "nnscratch:keras" or module.split(".")[:2] == ["nnscratch", "keras"]:
            continue
        top = module.split(".")[0]
        assert top in sys.stdlib_module_names or top in allowed_outside, (
            f"examples/{script} imports {name!r}: a Keras script on nnscratch imports only "
            "nnscratch.keras (and the standard library or NumPy)"
        )


def mnist_cnn(input_shape: tuple[int, int, int], num_classes: int = 10) -> Sequential:
    """The network of Keras 2's ``examples/mnist_cnn.py``, statement for statement."""
    model = Sequential()
    model.add(Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(128, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes, activation="softmax"))
    return model


def test_the_cnn_has_keras_shapes_and_parameter_count():
    assert K.image_data_format() == "channels_last"
    model = mnist_cnn((28, 28, 1))
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for shape in ["(None, 26, 26, 32)", "(None, 24, 24, 64)", "(None, 12, 12, 64)",
                  "(None, 9216)", "(None, 128)", "(None, 10)"]:  # fmt: skip
        assert shape in text
    # Keras 2 prints "Total params: 1,199,882" for this network
    assert "Total params: 1,199,882" in text and "Non-trainable params: 0" in text
    kernels = [w.shape for w in model.get_weights()[::2]]
    assert kernels == [(3, 3, 1, 32), (3, 3, 32, 64), (9216, 128), (128, 10)]


def test_the_cnn_trains_as_the_script_compiles_it():
    """``loss=keras.losses.categorical_crossentropy`` is the loss named
    ``"categorical_crossentropy"``; ``Adadelta()`` has Keras 2's defaults; ``fit`` returns
    the history with validation keys, ``evaluate`` ``[loss, accuracy]``."""
    rng = np.random.default_rng(0)
    x = rng.random((48, 12, 12, 1)).astype("float32")
    labels = (x[:, :6].mean(axis=(1, 2, 3)) > x[:, 6:].mean(axis=(1, 2, 3))).astype(int)
    y = keras.utils.to_categorical(labels, 2)

    def trained(loss):
        model = mnist_cnn((12, 12, 1), num_classes=2)
        optimizer = keras.optimizers.Adadelta()
        assert (optimizer.learning_rate, optimizer.rho, optimizer.epsilon) == (1.0, 0.95, 1e-7)
        model.compile(loss=loss, optimizer=optimizer, metrics=["accuracy"])
        history = model.fit(
            x[:32], y[:32], batch_size=16, epochs=3, verbose=0, validation_data=(x[32:], y[32:])
        )
        return model, history

    model, history = trained(keras.losses.categorical_crossentropy)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.params["steps"] == 2 and len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    score = model.evaluate(x[32:], y[32:], verbose=0)
    assert isinstance(score, list) and len(score) == 2
    assert score[0] == pytest.approx(history.history["val_loss"][-1], rel=1e-12)
    assert model.predict(x).shape == (48, 2)

    by_name, _ = trained("categorical_crossentropy")
    for a, b in zip(model.get_weights(), by_name.get_weights()):
        assert np.array_equal(a, b)

    per_example = keras.losses.categorical_crossentropy(y, model.predict(x))
    assert per_example.shape == (48,)
    assert per_example.mean() == pytest.approx(model.evaluate(x, y, verbose=0)[0], rel=1e-9)
