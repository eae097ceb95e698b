"""The cross-entropies as metrics: by name, as Keras 3's classes (``from_logits`` too), in
training beside the loss, and against Keras' own values."""

from __future__ import annotations

import numpy as np
import pytest

from keras_reference import run_keras
from nnscratch import keras
from nnscratch.engine import metrics

rng = np.random.default_rng(0)
LABELS = rng.integers(0, 3, 40)
LOGITS = rng.normal(size=(40, 3))
PROBS = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)
BINARY = (rng.random((40, 1)) < 0.4).astype(float)
SIGMOID = 1 / (1 + np.exp(-LOGITS[:, :1]))


def test_the_values_are_the_formulas():
    np.testing.assert_allclose(
        metrics.categorical_crossentropy(np.eye(3)[LABELS], PROBS),
        -np.log(PROBS[np.arange(40), LABELS]),
    )
    np.testing.assert_allclose(  # a column of labels is one-hot encoded first
        metrics.categorical_crossentropy(LABELS[:, None].astype(float), PROBS),
        metrics.categorical_crossentropy(np.eye(3)[LABELS], PROBS),
    )
    bce = -(BINARY * np.log(SIGMOID) + (1 - BINARY) * np.log(1 - SIGMOID))[:, 0]
    np.testing.assert_allclose(metrics.binary_crossentropy(BINARY, SIGMOID), bce)
    np.testing.assert_allclose(metrics.binary_crossentropy_from_logits(BINARY, LOGITS[:, :1]), bce)
    np.testing.assert_allclose(
        metrics.categorical_crossentropy_from_logits(np.eye(3)[LABELS], LOGITS),
        metrics.categorical_crossentropy(np.eye(3)[LABELS], PROBS),
    )


def test_in_training_the_metric_is_the_loss_without_a_penalty():
    x = rng.normal(size=(60, 4))
    y = (x[:, 0] > 0).astype(int)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(
        "sgd", "sparse_categorical_crossentropy", metrics=["sparse_categorical_crossentropy"]
    )
    scores = model.evaluate(x, y, return_dict=True, verbose=0)
    assert scores["sparse_categorical_crossentropy"] == pytest.approx(scores["loss"], rel=1e-12)


def test_overfit_and_underfit_tutorial_metrics(tmp_path):
    """TensorFlow's "Overfit and underfit": a linear output, the loss from logits, and
    the cross-entropy metric of the logits under the name ``binary_crossentropy``."""
    x = rng.normal(size=(200, 5))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(
                16, activation="elu", kernel_regularizer=keras.regularizers.l2(0.001)
            ),
            keras.layers.Dense(1),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[
            keras.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy"),
            "accuracy",
        ],
    )
    stop = keras.callbacks.EarlyStopping(monitor="val_binary_crossentropy", patience=200)
    history = model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[stop], verbose=0)
    assert {"binary_crossentropy", "val_binary_crossentropy", "accuracy"} <= set(history.history)
    logits = model.predict(x[:160], verbose=0)
    p = 1 / (1 + np.exp(-logits[:, 0]))
    expected = -np.mean(y[:160] * np.log(p) + (1 - y[:160]) * np.log(1 - p))
    scores = model.evaluate(x[:160], y[:160], return_dict=True, verbose=0)
    assert scores["binary_crossentropy"] == pytest.approx(expected, rel=1e-9)
    model.save(tmp_path / "m.nnscratch")  # the from-logits function under the plain name
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert loaded.evaluate(x[:160], y[:160], return_dict=True, verbose=0) == scores


def test_stateful_objects_and_their_refusals():
    m = keras.metrics.SparseCategoricalCrossentropy()
    assert m.name == "sparse_categorical_crossentropy"
    m.update_state(LABELS[:20], PROBS[:20])
    m.update_state(LABELS[20:], PROBS[20:])
    assert m.result() == pytest.approx(np.mean(-np.log(PROBS[np.arange(40), LABELS])))
    with pytest.raises(
        ValueError, match=r"BinaryCrossentropy\(label_smoothing=0.1\) is not supported"
    ):
        keras.metrics.BinaryCrossentropy(label_smoothing=0.1)
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        keras.metrics.CategoricalCrossentropy(from_logits="yes")


_KERAS = """
import json, sys
import numpy as np
import keras
data = json.loads(sys.stdin.read())
y, p, logits = np.array(data["y"]), np.array(data["p"]), np.array(data["logits"])
labels, yb, sb = np.array(data["labels"]), np.array(data["yb"]), np.array(data["sb"])
out = {}
for key, metric, args in [
    ("bce", keras.metrics.BinaryCrossentropy(), (yb, sb)),
    ("bce_logits", keras.metrics.BinaryCrossentropy(from_logits=True), (yb, logits[:, :1])),
    ("cce", keras.metrics.CategoricalCrossentropy(), (y, p)),
    ("cce_logits", keras.metrics.CategoricalCrossentropy(from_logits=True), (y, logits)),
    ("scce", keras.metrics.SparseCategoricalCrossentropy(), (labels, p)),
]:
    metric.update_state(*args)
    out[key] = float(metric.result())
print(json.dumps(out))
"""


def test_the_values_are_keras_own():
    data = {
        "y": np.eye(3)[LABELS].tolist(),
        "p": PROBS.tolist(),
        "logits": LOGITS.tolist(),
        "labels": LABELS.tolist(),
        "yb": BINARY.tolist(),
        "sb": SIGMOID.tolist(),
    }
    theirs = run_keras(_KERAS, data)
    km = keras.metrics
    for key, metric, args in [
        ("bce", km.BinaryCrossentropy(), (BINARY, SIGMOID)),
        ("bce_logits", km.BinaryCrossentropy(from_logits=True), (BINARY, LOGITS[:, :1])),
        ("cce", km.CategoricalCrossentropy(), (np.eye(3)[LABELS], PROBS)),
        ("cce_logits", km.CategoricalCrossentropy(from_logits=True), (np.eye(3)[LABELS], LOGITS)),
        ("scce", km.SparseCategoricalCrossentropy(), (LABELS, PROBS)),
    ]:
        metric.update_state(*args)
        assert metric.result() == pytest.approx(theirs[key], rel=1e-5), key
