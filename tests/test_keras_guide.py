"""Keras 2's "Getting started with the Keras Sequential model", snippet by snippet.

Each test runs one snippet of the guide (Keras 2.2's ``sequential-model-guide.md``) as the
guide writes it, with ``keras`` replaced by ``nnscratch.keras``, and checks what Keras
promises it does: the shapes, the history's keys, the values ``evaluate`` returns, that
the loss goes down, and that a trained model survives saving. Where the guide trains on
random labels (nothing to learn), the tests use labels that depend on the inputs, so that
"it learned" can be checked. ``examples/keras_sequential_guide.py`` runs the whole guide
as one script.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import nnscratch.keras.backend as K
from nnscratch import keras
from nnscratch.keras.layers import Activation, Dense, Dropout
from nnscratch.keras.models import Sequential, load_model, model_from_json
from nnscratch.keras.optimizers import SGD
from nnscratch.keras.optimizers.schedules import InverseTimeDecay


def learnable(n: int, features: int, classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform inputs as the guide's ``np.random.random((n, features))``, with labels that
    follow them (which sixth, fifth, ... of the summed inputs each point falls in)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, features))
    s = x[:, : features // 2].sum(axis=1) - x[:, features // 2 :].sum(axis=1)
    edges = np.quantile(s, np.linspace(0, 1, classes + 1)[1:-1])
    return x, np.searchsorted(edges, s).reshape(n, 1)


# -- "The Sequential model is a linear stack of layers" --------------------------------------
def test_a_list_of_layers_or_add_builds_the_same_stack():
    model = Sequential([Dense(32, input_shape=(784,)), Activation("relu"), Dense(10),
                        Activation("softmax")])  # fmt: skip
    assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "Activation", "Dense", "Activation"]  # fmt: skip
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10
    p = model.predict(np.random.default_rng(0).random((5, 784)))
    assert p.shape == (5, 10) and np.allclose(p.sum(axis=1), 1)

    model = Sequential()
    model.add(Dense(32, input_dim=784))
    model.add(Activation("relu"))
    assert model.output_shape == (None, 32)


def test_input_shape_and_input_dim_are_strictly_equivalent():
    a = Sequential()
    a.add(Dense(32, input_shape=(784,)))
    b = Sequential()
    b.add(Dense(32, input_dim=784))
    assert a.get_config() == b.get_config()
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    assert [w.shape for w in a.get_weights()] == [(784, 32), (32,)]


# -- "Compilation" ----------------------------------------------------------------------------
def test_the_four_compile_examples_and_a_custom_metric():
    model = Sequential([Dense(1, activation="sigmoid", input_dim=8)])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    assert model.metrics_names == ["loss", "accuracy"]
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    model.compile(optimizer="rmsprop", loss="mse")
    assert model.metrics_names == ["loss"]

    def mean_pred(y_true, y_pred):
        return K.mean(y_pred)

    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy", mean_pred])
    assert model.metrics_names == ["loss", "accuracy", "mean_pred"]
    x, y = learnable(100, 8, 2, seed=0)
    _, accuracy, mean = model.evaluate(x, y, verbose=0)
    p = model.predict(x)
    assert mean == pytest.approx(p.mean(), rel=1e-12)
    assert accuracy == np.mean((p > 0.5) == y)
    history = model.fit(x, y, epochs=2, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "mean_pred"]


# -- "Training" -------------------------------------------------------------------------------
def test_binary_classification_learns_in_batches_of_32():
    model = Sequential()
    model.add(Dense(32, activation="relu", input_dim=100))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

    data, labels = learnable(1000, 100, 2, seed=1)
    history = model.fit(data, labels, epochs=10, batch_size=32, verbose=0)

    assert history is model.history and history.epoch == list(range(10))
    assert history.params["steps"] == math.ceil(1000 / 32)
    assert sorted(history.history) == ["accuracy", "loss"]
    losses = history.history["loss"]
    assert all(b < a for a, b in itertools.pairwise(losses))
    assert losses[-1] < 0.6 * losses[0] and history.history["accuracy"][-1] > 0.8
    classes = (model.predict(data) > 0.5).astype("int32")
    assert classes.shape == (1000, 1)


def test_categorical_classification_with_to_categorical():
    model = Sequential()
    model.add(Dense(32, activation="relu", input_dim=100))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

    data, labels = learnable(1000, 100, 10, seed=2)
    one_hot_labels = keras.utils.to_categorical(labels, num_classes=10)
    assert one_hot_labels.shape == (1000, 10)
    assert np.array_equal(one_hot_labels.argmax(axis=1), labels.ravel())

    history = model.fit(data, one_hot_labels, epochs=10, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert all(b < a for a, b in itertools.pairwise(losses))
    loss, accuracy = model.evaluate(data, one_hot_labels, verbose=0)
    assert accuracy > 0.2 and loss < losses[0]  # ten classes: chance is 0.1


def test_old_metric_names_give_old_history_keys():
    """Keras 2.0-2.2 code reads ``history.history["acc"]`` and ``["val_acc"]``."""
    x, y = learnable(200, 10, 2, seed=3)
    model = Sequential([Dense(16, activation="relu", input_dim=10),
                        Dense(1, activation="sigmoid")])  # fmt: skip
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]
    assert history.params["samples"] == 150
    assert all(len(v) == 3 for v in history.history.values())
    assert model.evaluate(x[150:], y[150:], verbose=0) == pytest.approx(
        [history.history["val_loss"][-1], history.history["val_acc"][-1]], rel=1e-12
    )


def test_fit_without_batch_size_takes_keras_32():
    """Keras' ``fit`` default: batches of 32, not the full batch."""
    x, y = learnable(100, 10, 2, seed=4)

    def trained(**batch):
        model = Sequential([Dense(4, activation="tanh", input_dim=10),
                            Dense(1, activation="sigmoid")], seed=5)  # fmt: skip
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        history = model.fit(x, y, epochs=2, verbose=0, **batch)
        return history.params["steps"], model.get_weights()

    steps, default = trained()
    assert steps == 4
    steps_32, explicit = trained(batch_size=32)
    assert steps_32 == 4 and all(np.array_equal(u, v) for u, v in zip(explicit, default))
    full_steps, full = trained(batch_size=len(x))
    assert full_steps == 1 and not np.array_equal(full[0], default[0])


# -- "Examples": the two MLPs -----------------------------------------------------------------
def test_mlp_for_multi_class_softmax_classification():
    x_train, y_train = learnable(1000, 20, 10, seed=6)
    x_test, y_test = learnable(100, 20, 10, seed=7)
    y_train = keras.utils.to_categorical(y_train, num_classes=10)
    y_test = keras.utils.to_categorical(y_test, num_classes=10)

    model = Sequential()
    model.add(Dense(64, activation="relu", input_dim=20))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation="softmax"))

    with pytest.warns(DeprecationWarning, match="learning_rate"):
        sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    assert isinstance(sgd.schedule, InverseTimeDecay)
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.9, True)
    model.compile(loss="categorical_crossentropy", optimizer=sgd, metrics=["accuracy"])

    history = model.fit(x_train, y_train, epochs=20, batch_size=128, verbose=0)
    score = model.evaluate(x_test, y_test, batch_size=128, verbose=0)

    assert history.params["steps"] == 8 and sgd.iterations == 20 * 8
    assert sgd.learning_rate == pytest.approx(0.01 / (1 + 1e-6 * 160), rel=1e-12)  # Keras 2
    assert isinstance(score, list) and len(score) == 2
    assert history.history["loss"][-1] < history.history["loss"][0] - 0.1
    assert score[1] > 0.18  # ten classes: chance is 0.1
    assert model.predict(x_test).shape == (100, 10)


def test_mlp_for_binary_classification_saves_and_loads(tmp_path):
    x_train, y_train = learnable(1000, 20, 2, seed=8)
    x_test, y_test = learnable(100, 20, 2, seed=9)

    model = Sequential()
    model.add(Dense(64, input_dim=20, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=20, batch_size=128, verbose=0)
    score = model.evaluate(x_test, y_test, batch_size=128, verbose=0)

    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    assert score[1] > 0.8
    p = model.predict(x_test)
    assert p.shape == (100, 1) and ((p >= 0) & (p <= 1)).all()

    # the whole model: bit for bit, compiled, and it goes on training
    model.save(tmp_path / "mlp.nnscratch")
    again = load_model(tmp_path / "mlp.nnscratch")
    assert np.array_equal(again.predict(x_test), p)
    assert again.evaluate(x_test, y_test, batch_size=128, verbose=0) == score
    assert again.metrics_names == model.metrics_names
    again.fit(x_train, y_train, epochs=1, batch_size=128, verbose=0)
    assert not np.array_equal(again.predict(x_test), p)

    # the architecture as JSON, the weights in their own file
    fresh = model_from_json(model.to_json())
    assert not np.array_equal(fresh.predict(x_test), p)
    model.save_weights(tmp_path / "mlp.weights.npz")
    fresh.load_weights(tmp_path / "mlp.weights.npz")
    assert np.array_equal(fresh.predict(x_test), p)


def test_predict_classes_of_the_guide_era_warns_and_agrees_with_argmax():
    x, y = learnable(60, 20, 3, seed=10)
    model = Sequential([Dense(3, activation="softmax", input_dim=20)])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    model.fit(x, keras.utils.to_categorical(y, 3), epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        classes = model.predict_classes(x)
    assert classes.shape == (60,)
    assert np.array_equal(classes, model.predict(x).argmax(axis=-1))


def test_a_loaded_model_keeps_keras_defaults(tmp_path):
    """``keras.models.load_model`` gives a ``nnscratch.keras`` model: its ``fit`` takes
    batches of 32 too, and it goes on from the saved optimizer state."""
    x, y = learnable(100, 10, 2, seed=11)
    model = Sequential([Dense(4, activation="tanh", input_dim=10),
                        Dense(1, activation="sigmoid")], dtype="float32")  # fmt: skip
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.nnscratch")
    for load in (load_model, keras.load_model, keras.saving.load_model):
        again = load(tmp_path / "m.nnscratch")
        assert isinstance(again, Sequential) and again.dtype == np.float32
        assert again.optimizer.iterations == 8
        history = again.fit(x, y, epochs=1, verbose=0)
        assert history.params["steps"] == 4 and list(history.history) == ["loss", "acc"]
    assert load_model(tmp_path / "m.nnscratch", compile=False).optimizer is None
    with pytest.raises(TypeError, match="custom_objects must be a dict"):
        load_model(tmp_path / "m.nnscratch", custom_objects=[Dense])
    (tmp_path / "bad.nnscratch").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad\.nnscratch"):
        load_model(tmp_path / "bad.nnscratch")
