"""Precision, recall, AUC and the confusion-matrix cells: counted over batches, as Keras.

They are ratios of counts, so an epoch's precision is the precision of all its batches
together, not the mean of the batches' precisions; these tests pin that, the numbers
against hand counts and against Keras 3 itself, saving, and the errors.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nnscratch.metrics
from nnscratch import Sequential, keras, load_model
from nnscratch.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from nnscratch.engine import confusion, serialize
from nnscratch.keras import _confusion as keras_confusion
from nnscratch.layers import Dense
from nnscratch.optimizers import SGD


def binary_data(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] + 0.7 * rng.normal(size=n) > 0.3).astype(int)
    return x, y


def binary_model(metrics: list, lr: float = 0.1) -> Sequential:
    model = Sequential(
        [Dense(6, activation="tanh", input_dim=3), Dense(1, activation="sigmoid")], seed=1
    )
    model.compile(SGD(lr), "binary_crossentropy", metrics=metrics)
    return model


# -- the counts ------------------------------------------------------------------------------
def test_cells_precision_and_recall_by_hand():
    y_true = np.array([[1.0], [1], [0], [0], [1], [0]])
    y_pred = np.array([[0.9], [0.4], [0.6], [0.2], [0.5], [0.51]])
    # above 0.5: rows 0, 2, 5 -> TP 1 (row 0), FP 2; below: TN 1 (row 3), FN 2 (rows 1, 4)
    counts = confusion.Precision().counts(y_true, y_pred)
    np.testing.assert_array_equal(counts[:, 0], [1, 2, 1, 2])
    assert confusion.Precision().result(counts) == 1 / 3
    assert confusion.Recall().result(counts) == 1 / 3
    cells = [confusion.TruePositives, confusion.FalsePositives]
    cells += [confusion.TrueNegatives, confusion.FalseNegatives]
    assert [cls().result(counts) for cls in cells] == [1.0, 2.0, 1.0, 2.0]
    # a lower threshold: rows 0, 1, 2, 4, 5 are predicted positive
    low = confusion.Recall(thresholds=0.3)
    assert low.result(low.counts(y_true, y_pred)) == 1.0
    weighted = confusion.Precision().counts(y_true, y_pred, np.array([3.0, 1, 1, 1, 1, 0]))
    assert confusion.Precision().result(weighted) == 3 / 4  # TP 3, FP 1 (row 5 weighs 0)


def test_nothing_predicted_positive_gives_zero_not_nan():
    empty = confusion.Precision().counts(np.array([[1.0], [0.0]]), np.array([[0.1], [0.2]]))
    assert confusion.Precision().result(empty) == 0.0
    assert keras.metrics.Recall().result() == 0.0  # before any batch, as in Keras


def test_class_id_and_top_k_pick_the_predictions_counted():
    y_true = np.eye(3)[[0, 1, 2, 1]]
    y_pred = np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.1, 0.3, 0.6], [0.2, 0.55, 0.25]])
    column = confusion.Recall(class_id=1)  # class 1: rows 1 (missed) and 3 (found)
    assert column.result(column.counts(y_true, y_pred)) == 0.5
    top = confusion.Precision(top_k=1)  # each row's largest: right in rows 0, 2, 3
    assert top.result(top.counts(y_true, y_pred)) == 0.75
    with pytest.raises(ValueError, match="class_id=3 but the model has 3 output"):
        confusion.Precision(class_id=3).counts(y_true, y_pred)


def test_auc_is_the_area_under_the_roc_curve():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    y = (rng.random(400) < 0.3).astype(float)
    p = np.clip(0.35 * y + 0.65 * rng.random(400), 0, 1)
    auc = confusion.AUC(num_thresholds=2000)
    ours = auc.result(auc.counts(y[:, None], p[:, None]))
    assert ours == pytest.approx(sklearn_metrics.roc_auc_score(y, p), abs=2e-3)
    # a perfect ranking fills the unit square; the PR curve too
    perfect = np.array([[0.1], [0.2], [0.8], [0.9]]), np.array([[0.0], [0.0], [1.0], [1.0]])
    for curve in ("ROC", "PR"):
        m = confusion.AUC(curve=curve)
        assert m.result(m.counts(perfect[1], perfect[0])) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("module", [confusion, nnscratch.metrics, keras_confusion])
def test_the_examples_in_the_docstrings_run(module):
    assert doctest.testmod(module).failed == 0


# -- in training -------------------------------------------------------------------------------
def test_an_epoch_counts_over_its_batches_not_the_mean_of_batch_values():
    x, y = binary_data()
    # a step so small that the weights do not move: every batch is scored by one network
    model = binary_model(["precision", "recall", "auc", "accuracy"], lr=1e-300)
    p = model.predict(x)
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False)
    y_col = y[:, None].astype(float)
    for name, metric in model.metrics.items():
        if name == "accuracy":
            continue
        whole = metric.result(metric.counts(y_col, p))
        assert history.history[name][0] == pytest.approx(whole, rel=1e-12), name
    # the mean of the batches' precisions is another (wrong) number
    per_batch = [
        confusion.Precision().result(confusion.Precision().counts(y_col[s : s + 16], p[s : s + 16]))
        for s in range(0, len(x), 16)
    ]
    assert abs(np.mean(per_batch) - history.history["precision"][0]) > 1e-3


def test_validation_and_evaluate_report_them_too():
    x, y = binary_data()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    metrics = [keras.metrics.Precision(name="p"), keras.metrics.AUC(curve="PR")]
    model.compile("sgd", "binary_crossentropy", metrics=metrics)
    history = model.fit(x, y, batch_size=32, epochs=2, validation_split=0.25)
    assert {"p", "auc", "val_p", "val_auc"} <= set(history.history)
    scores = model.evaluate(x, y, return_dict=True)
    assert list(scores) == ["loss", "p", "auc"]
    assert 0.0 <= scores["p"] <= 1.0 and 0.0 <= scores["auc"] <= 1.0


def test_keras_stateful_objects_accumulate_and_reset():
    m = keras.metrics.Precision()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert m.result() == pytest.approx(2 / 3)
    m.update_state([1], [1])
    assert m.result() == pytest.approx(3 / 4)  # counts add up: TP 3, FP 1
    m.reset_state()
    assert m([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0]) == 1.0
    top = keras.metrics.Precision(top_k=2)  # a flat y_pred is one example's outputs
    top.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    assert top.result() == 0.0
    assert keras.metrics.AUC().get_config()["num_thresholds"] == 200


# -- saving ------------------------------------------------------------------------------------
def test_configured_metrics_save_and_load(tmp_path):
    x, y = binary_data()
    metrics = [confusion.Precision(thresholds=0.3, name="p30"), "recall", confusion.AUC(50)]
    model = binary_model(metrics)
    model.fit(x, y, batch_size=32, epochs=1)
    config, _ = serialize.model_to_data(model)
    assert config["compile"]["metrics"][0] == {
        "class_name": "Precision",
        "config": {"name": "p30", "thresholds": 0.3, "top_k": None, "class_id": None},
    }
    model.save(tmp_path / "m.nnscratch")
    loaded = load_model(tmp_path / "m.nnscratch")
    assert loaded.metrics_names == ["loss", "p30", "recall", "auc"]
    assert loaded.metrics["auc"].num_thresholds == 50
    assert loaded.evaluate(x, y, return_dict=True) == model.evaluate(x, y, return_dict=True)


def test_a_metric_subclass_of_your_own_is_not_saved():
    class Strict(confusion.Precision):
        def result(self, counts: np.ndarray) -> float:
            return 0.0

    model = binary_model([Strict()])
    with pytest.raises(TypeError, match="a metric of your own"):
        serialize.model_to_data(model)


def test_a_file_with_a_bad_metric_config_is_refused():
    model = binary_model(["precision"])
    config, arrays = serialize.model_to_data(model)
    for bad, says in [
        ({"class_name": "Precision", "config": {"thresholds": 7}}, "thresholds must be in"),
        ({"class_name": "Precision", "config": {"shell": "rm"}}, "unexpected keyword"),
        ({"class_name": "Magic", "config": {}}, "unknown counting metric 'magic'"),
        ({"class_name": "AUC"}, "must be {'class_name'"),
    ]:
        config["compile"]["metrics"] = [bad]
        with pytest.raises(ValueError, match=says):
            serialize.model_from_data(config, arrays)


# -- errors ------------------------------------------------------------------------------------
def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match=r"an nnscratch\.keras metric object goes to an nnscratch"):
        binary_model([keras.metrics.Precision()])
    with pytest.raises(
        TypeError, match=r"thresholds must be one number in \[0, 1\], got \[0.3, 0.5\]"
    ):
        confusion.Precision(thresholds=[0.3, 0.5])
    with pytest.raises(ValueError, match=r"thresholds must be in \[0, 1\], got 1.5"):
        keras.metrics.Recall(thresholds=1.5)
    with pytest.raises(ValueError, match="top_k must be a positive integer, got 0"):
        confusion.Precision(top_k=0)
    with pytest.raises(ValueError, match="unknown curve 'roc2'"):
        confusion.AUC(curve="roc2")
    with pytest.raises(ValueError, match="summation_method must be one of"):
        confusion.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="num_thresholds must be an integer >= 2, got 1"):
        confusion.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match=r"AUC\(multi_label=True\) is not supported"):
        keras.metrics.AUC(multi_label=True)
    with pytest.raises(AttributeError, match=r"F1Score.*sklearn\.metrics"):
        keras.metrics.F1Score  # noqa: B018


# -- watching them -----------------------------------------------------------------------------
@pytest.mark.parametrize("make", [EarlyStopping, ReduceLROnPlateau])
def test_auto_mode_watches_a_precision_for_a_rise(make):
    x, y = binary_data()
    model = binary_model([confusion.Precision(name="p"), confusion.FalsePositives(name="fpos")])
    rising = make(monitor="val_p")
    assert rising.mode == "min"  # a name that says nothing: decided when training starts
    falling = make(monitor="val_fpos")
    model.fit(x, y, batch_size=32, epochs=1, validation_split=0.2, callbacks=[rising, falling])
    assert (rising.mode, falling.mode) == ("max", "min")
    assert make(monitor="val_auc").mode == "max"  # the default names say it at once


def test_auto_mode_checkpoint_keeps_the_best_precision(tmp_path):
    x, y = binary_data()
    model = binary_model([confusion.Recall(name="r")])
    checkpoint = ModelCheckpoint(str(tmp_path / "best.nnscratch"), monitor="r", save_best_only=True)
    model.fit(x, y, batch_size=32, epochs=3, callbacks=[checkpoint])
    assert checkpoint.mode == "max"
    assert checkpoint.best == max(model.history.history["r"])


# -- against Keras 3 -------------------------------------------------------------------------
_COMPARE = """
import json, sys
import numpy as np
rng = np.random.default_rng(3)
n = 90
yb = (rng.random((n, 1)) < 0.4).astype("float32")
pb = np.clip(yb * 0.3 + rng.random((n, 1)) * 0.7, 0, 1).astype("float32")
yc = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
logits = (rng.normal(size=(n, 3)) + yc).astype("float32")
pc = (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype("float32")
w = rng.uniform(0, 2, n).astype("float32")
data = {"b": (yb, pb), "c": (yc, pc), "l": (yc, logits)}
specs = json.loads(sys.argv[2])
if sys.argv[1] == "keras":
    import keras
else:
    from nnscratch import keras
out = []
for name, kw, d in specs:
    for weighted in (False, True):
        m = getattr(keras.metrics, name)(**kw)
        y, p = data[d]
        for s in (slice(0, 40), slice(40, n)):
            m.update_state(y[s], p[s], sample_weight=w[s] if weighted else None)
        out.append(float(m.result()))
print(json.dumps(out))
"""

SPECS = [
    ("Precision", {}, "b"),
    ("Recall", {}, "b"),
    ("Precision", {"thresholds": 0.3}, "b"),
    ("Precision", {"class_id": 1}, "c"),
    ("Recall", {"top_k": 1}, "c"),
    ("Precision", {"top_k": 2}, "c"),
    ("TruePositives", {}, "c"),
    ("FalsePositives", {"thresholds": 0.2}, "c"),
    ("TrueNegatives", {}, "b"),
    ("FalseNegatives", {}, "b"),
    ("AUC", {}, "b"),
    ("AUC", {"curve": "PR"}, "c"),
    ("AUC", {"summation_method": "minoring"}, "c"),
    ("AUC", {"summation_method": "majoring", "curve": "PR"}, "c"),
    ("AUC", {"num_thresholds": 50}, "c"),
    ("AUC", {"thresholds": [0.2, 0.5, 0.8]}, "b"),
    ("AUC", {"from_logits": True}, "l"),
]


def _values(which: str, env: dict[str, str]) -> list[float]:
    args = [sys.executable, "-c", _COMPARE, which, json.dumps(SPECS)]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs Keras 3 (and torch)")
def test_the_values_are_keras_own():
    """Two batches, with and without sample weights, through Keras 3's metric objects (in
    a process of its own, torch backend) and ours: the same to float32's precision."""
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONWARNINGS": "ignore"}
    theirs, ours = _values("keras", env), _values("nnscratch", env)
    for spec, a, b in zip([s for s in SPECS for _ in (0, 1)], theirs, ours):
        assert b == pytest.approx(a, rel=1e-6, abs=1e-6), spec
