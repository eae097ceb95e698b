"""``root_mean_squared_error`` and ``mape`` (``mean_absolute_percentage_error``): by name,
as Keras 3's classes (and their class names as strings), over an epoch's batches, saved
with the model, and against Keras 3 itself."""

from __future__ import annotations

import numpy as np
import pytest

from keras_reference import run_keras
from nnscratch import keras
from nnscratch.engine import metrics

rng = np.random.default_rng(4)
X = rng.normal(size=(90, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 3.0


def regressor(metric_list):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("adam", "mse", metrics=metric_list)
    return model


def test_an_epoch_reports_the_root_of_the_mean_not_the_mean_of_roots():
    model = regressor(["root_mean_squared_error", "mape"])
    scores = model.evaluate(X, Y, batch_size=16, return_dict=True, verbose=0)
    p = model.predict(X, verbose=0)[:, 0]
    assert scores["root_mean_squared_error"] == pytest.approx(np.sqrt(np.mean((p - Y) ** 2)))
    assert scores["root_mean_squared_error"] == pytest.approx(np.sqrt(scores["loss"]))
    roots = [np.sqrt(np.mean((p[i : i + 16] - Y[i : i + 16]) ** 2)) for i in range(0, 90, 16)]
    assert scores["root_mean_squared_error"] != pytest.approx(np.mean(roots), rel=1e-6)
    assert scores["mape"] == pytest.approx(100 * np.mean(np.abs((Y - p) / Y)))


def test_keras_classes_and_class_names_save_and_load(tmp_path):
    for given in (
        [keras.metrics.RootMeanSquaredError(), keras.metrics.MeanAbsolutePercentageError()],
        ["RootMeanSquaredError", "MeanAbsolutePercentageError"],
    ):
        model = regressor(given)
        history = model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
        names = ["loss", "root_mean_squared_error", "mean_absolute_percentage_error"]
        assert list(history.history) == names
        model.save(tmp_path / "m.nnscratch")
        loaded = keras.models.load_model(tmp_path / "m.nnscratch")
        assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)


def test_early_stopping_watches_the_root_mean_square_fall():
    model = regressor(["root_mean_squared_error"])
    stop = keras.callbacks.EarlyStopping(monitor="val_root_mean_squared_error", patience=1)
    model.fit(X, Y, epochs=3, validation_split=0.2, callbacks=[stop], verbose=0)
    assert stop.mode == "min"  # smaller is better


def test_a_zero_target_gives_a_large_percentage_not_a_division_error():
    values = metrics.mean_absolute_percentage_error(np.array([[0.0]]), np.array([[0.5]]))
    assert values[0] == pytest.approx(100 * 0.5 / 1e-7)


KERAS = """
import json, sys
import numpy as np
import keras
data = json.loads(sys.stdin.read())
out = {}
for name in ("RootMeanSquaredError", "MeanAbsolutePercentageError"):
    m = getattr(keras.metrics, name)()
    for y_true, y_pred, w in data:
        m.update_state(np.array(y_true), np.array(y_pred), sample_weight=np.array(w))
    out[name] = float(m.result())
print(json.dumps(out))
"""


def test_stateful_objects_agree_with_keras_3():
    batches = [
        (rng.uniform(1, 3, (5, 2)), rng.uniform(0, 4, (5, 2)), rng.uniform(0, 2, 5))
        for _ in range(2)
    ]
    theirs = run_keras(KERAS, [[a.tolist() for a in batch] for batch in batches])
    for name, value in theirs.items():
        ours = getattr(keras.metrics, name)()
        for y_true, y_pred, w in batches:
            ours.update_state(y_true, y_pred, sample_weight=w)
        assert ours.result() == pytest.approx(value, rel=1e-5)
