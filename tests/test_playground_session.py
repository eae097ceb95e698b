"""The playground session on its own: data, models, frames, validation, sharing, export."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import nnscratch
from nnscratch.lab.web.session import (
    DEFAULT_CONFIG,
    FEATURES,
    LIMITS,
    PlaygroundError,
    PlaygroundSession,
    available_features,
    make_features,
    options,
    parse_csv,
    validate_config,
)
from nnscratch.layers import Dropout
from nnscratch.optimizers import Adam

TOY = ["moons", "circles", "xor", "gaussian", "spiral", "multi_gaussian", "plane"]


def u8(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8)


def f32(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def only(replies, kind):
    found = [r for r in replies if r["type"] == kind]
    assert found, f"no {kind!r} among {[r['type'] for r in replies]}"
    return found[0]


def small(**overrides):
    """A quick configuration (few points) for the tests that do not need the defaults."""
    return PlaygroundSession({"n_samples": 60, **overrides})


# -- data ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TOY)
def test_every_toy_dataset_gives_data_and_a_frame(name):
    s = PlaygroundSession({"dataset": name, "n_samples": 80, "train_ratio": 0.75})
    assert s.n_train == 60 and s.n_test == 20
    data = s.data_message()
    assert len(data["train"]["x"]) == 60 and len(data["test"]["y"]) == 20
    xmin, xmax, ymin, ymax = data["extent"]
    pts = np.array(data["train"]["x"] + data["test"]["x"])
    assert xmin < pts[:, 0].min() and pts[:, 0].max() < xmax
    assert ymin < pts[:, 1].min() and pts[:, 1].max() < ymax
    s.train(2)
    frame = s.frame()
    json.dumps(frame, allow_nan=False)  # the frame is plain JSON
    if name == "plane":
        assert s.task == "regression" and frame["boundary"]["kind"] == "regression"
        assert frame["train_accuracy"] is None and frame["confusion"] is None
        assert s.config["output"] == "mse"  # switched from the default softmax
        assert s.notices and "mse" in s.notices[0]
    else:
        assert s.task == "classification"
        assert 0.0 <= frame["train_accuracy"] <= 1.0


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_multi_gaussian_has_k_classes_and_k_outputs(k):
    s = small(dataset="multi_gaussian", n_classes=k)
    assert s.n_classes == k
    assert s.model.layers[-1].units == k
    frame = s.frame()
    assert frame["boundary"]["kind"] == ("binary" if k == 2 else "multiclass")
    assert np.array(frame["confusion"]["train"]).shape == (k, k)
    if k > 2:
        classes = u8(frame["boundary"]["classes"])
        assert classes.max() < k


def test_train_test_split_follows_the_ratio_and_the_seed():
    a = small(train_ratio=0.3, seed=4)
    b = small(train_ratio=0.3, seed=4)
    c = small(train_ratio=0.3, seed=5)
    assert a.n_train == 18 and a.n_test == 42
    assert a.data_message() == b.data_message()
    assert a.data_message()["train"] != c.data_message()["train"]


def test_regenerate_takes_the_next_seed_and_new_points():
    s = small()
    before = s.data_message()
    replies = s.handle({"type": "regenerate"})
    assert only(replies, "state")["config"]["seed"] == 1
    assert only(replies, "data")["train"] != before["train"]


def test_noise_changes_the_points():
    a, b = small(dataset="moons", noise=0.0), small(dataset="moons", noise=0.5)
    assert a.data_message()["train"]["x"] != b.data_message()["train"]["x"]


# -- features and layers ------------------------------------------------------------------------
def test_every_input_feature_is_computed_as_named():
    X = np.array([[0.5, -2.0], [1.5, 3.0]])
    F = make_features(X, list(FEATURES))
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_array_equal(F, expected)


def test_features_set_the_input_width_and_the_input_column():
    s = small(features=["x1*x2", "sin(x1)", "x2^2"])
    assert s.model.input_shape == (None, 3)
    column = s.frame()["neurons"][0]
    assert column["kind"] == "input" and column["names"] == ["x1*x2", "sin(x1)", "x2^2"]
    assert len(u8(column["maps"])) == 3 * LIMITS["thumb"] ** 2


def test_hidden_layers_and_activations_build_the_network():
    layers = [
        {"units": 5, "activation": "relu"},
        {"units": 3, "activation": "sigmoid"},
        {"units": 2, "activation": "linear"},
    ]
    s = small(hidden_layers=layers)
    dense = s.model.layers
    assert [d.units for d in dense] == [5, 3, 2, 2]
    assert [d.activation.name for d in dense] == ["relu", "sigmoid", "linear", "softmax"]


def test_zero_and_eight_hidden_layers_and_wide_layers_train():
    s0 = small(hidden_layers=[])
    assert len(s0.model.layers) == 1
    s0.train(2)
    s8 = small(hidden_layers=[{"units": 3, "activation": "tanh"}] * 8)
    assert len(s8.model.layers) == 9
    s8.train(1)
    wide = small(hidden_layers=[{"units": 256, "activation": "relu"}])
    wide.train(1)
    assert wide.frame()["neurons"][1]["units"] == 256


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"hidden_layers": [{"units": 4}] * 9}, "hidden_layers", "0..8"),
        ({"hidden_layers": [{"units": 0}]}, "hidden_layers[0].units", "1..256"),
        ({"hidden_layers": [{"units": 257}]}, "hidden_layers[0].units", "1..256"),
        ({"hidden_layers": [{"units": "4"}]}, "hidden_layers[0].units", "integer"),
        ({"hidden_layers": [{"units": 4, "activation": "swish"}]}, "activation", "tanh"),
        ({"hidden_layers": [{"units": 4, "colour": 1}]}, "hidden_layers[0]", "colour"),
        ({"hidden_layers": [4]}, "hidden_layers[0]", "object"),
        ({"learning_rate": 0}, "learning_rate", "(0.0, 10.0]"),
        ({"learning_rate": float("nan")}, "learning_rate", "nan"),
        ({"learning_rate": float("inf")}, "learning_rate", "inf"),
        ({"learning_rate": "fast"}, "learning_rate", "number"),
        ({"learning_rate": True}, "learning_rate", "number"),
        ({"batch_size": 0}, "batch_size", "1..10000"),
        ({"batch_size": "half"}, "batch_size", "full"),
        ({"n_samples": 20000}, "n_samples", "10..10000"),
        ({"n_samples": 5}, "n_samples", "10..10000"),
        ({"n_classes": 6}, "n_classes", "2..5"),
        ({"noise": -1}, "noise", "[0.0, 2.0]"),
        ({"train_ratio": 1.0}, "train_ratio", "[0.1, 0.9]"),
        ({"seed": -1}, "seed", "0..2147483647"),
        ({"features": []}, "features", "non-empty"),
        ({"features": ["x1", "x1"]}, "features", "twice"),
        ({"features": ["x3"]}, "features[0]", "x1, x2"),
        ({"dataset": "iris"}, "dataset", "moons"),
        ({"dataset": "csv"}, "dataset", "upload"),
        ({"output": "hinge"}, "output", "softmax_cross_entropy"),
        ({"optimizer": "rmsprop"}, "optimizer", "sgd, momentum, adam"),
        ({"momentum": 1.0}, "momentum", "0.99"),
        ({"l2": 2.0}, "l2", "[0.0, 1.0]"),
        ({"dropout": 0.95}, "dropout", "0.9"),
        ({"colour": "red"}, "colour", "valid keys"),
    ],
)
def test_bad_config_gets_an_error_naming_the_field_and_changes_nothing(changes, field, words):
    s = small()
    s.train(3)
    before = s.config
    replies = s.handle({"type": "config", "config": changes, "id": 7})
    assert len(replies) == 1
    err = replies[0]
    assert err["type"] == "error" and err["request"] == "config" and err["re"] == 7
    assert field in err["field"], err
    assert words in err["message"], err["message"]
    assert s.config == before and s.epoch == 3  # untouched: the run goes on


def test_an_incompatible_output_asked_for_explicitly_is_an_error():
    s = small(dataset="plane")
    err = s.handle({"type": "config", "config": {"output": "softmax_cross_entropy"}})[0]
    assert err["type"] == "error" and "regression" in err["message"]
    err = small(dataset="multi_gaussian").handle(
        {"type": "config", "config": {"output": "sigmoid_binary_cross_entropy"}}
    )[0]
    assert err["type"] == "error" and "3-class" in err["message"]


def test_outputs_and_losses():
    s = small(output="sigmoid_binary_cross_entropy")
    assert s.model.layers[-1].units == 1 and s.model.loss.name == "binary_crossentropy"
    q = small(dataset="multi_gaussian", output="quadratic")
    assert q.model.layers[-1].activation.name == "sigmoid" and q.model.loss.name == "quadratic"
    r = small(dataset="plane", output="quadratic")
    assert r.model.layers[-1].activation.name == "linear" and r.model.loss.name == "quadratic"
    for session in (s, q, r):
        session.train(3)
        assert np.isfinite(session.frame()["train_loss"])


def test_validate_config_wants_every_key():
    cfg = dict(DEFAULT_CONFIG)
    del cfg["seed"]
    with pytest.raises(PlaygroundError, match="missing seed"):
        validate_config(cfg)
    with pytest.raises(PlaygroundError, match="must be an object"):
        validate_config([1, 2])


def test_optimizers_regularizers_and_the_optional_parts():
    m = small(optimizer="momentum", momentum=0.5, l1=0.001, l2=0.01)
    assert m.model.optimizer.momentum == 0.5
    assert m.model.layers[0].kernel_regularizer.l1 == 0.001
    m.train(2)
    # Adam and Dropout are part of the engine: offered, accepted, and built
    assert available_features() == {"adam": True, "dropout": True}
    assert options()["available"] == {"adam": True, "dropout": True}
    s = small()
    replies = s.handle({"type": "config", "config": {"optimizer": "adam", "dropout": 0.3}})
    assert replies[0]["type"] == "state", replies
    assert type(s.model.optimizer) is Adam
    kinds = [type(layer).__name__ for layer in s.model.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    dropouts = [layer for layer in s.model.layers if isinstance(layer, Dropout)]
    assert [layer.rate for layer in dropouts] == [0.3, 0.3]
    s.train(2)


# -- protocol ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("play", "JSON object"),
        ({"kind": "play"}, "unknown message type None"),
        ({"type": "dance"}, "valid types"),
        ({"type": "play", "fast": True}, "does not take 'fast'"),
        ({"type": "speed"}, "needs a 'value'"),
        ({"type": "speed", "value": 0}, "1..1000"),
        ({"type": "speed", "value": 5000}, "1..1000"),
        ({"type": "step", "epochs": 10**6}, "1..1000"),
        ({"type": "step", "epochs": "3"}, "integer"),
        ({"type": "sweep", "sizes": [1] * 9}, "at most 8"),
        ({"type": "sweep", "sizes": [0]}, "1..256"),
        ({"type": "sweep", "sizes": "1,2"}, "list"),
        ({"type": "config", "config": [1]}, "object"),
        ({"type": "upload_csv", "text": 42}, "text"),
        ({"type": "load_state", "state": "nonsense"}, "not a playground state"),
    ],
)
def test_bad_messages_get_an_error_and_the_session_goes_on(message, words):
    s = small()
    s.train(2)
    replies = s.handle(message)
    assert [r["type"] for r in replies] == ["error"]
    assert words in replies[0]["message"], replies[0]["message"]
    s.handle({"type": "step", "epochs": 2})
    assert s.epoch == 4


def test_play_pause_step_reset_speed():
    s = small(batch_size=6)  # 30 training points: 5 steps per epoch
    assert s.steps_per_epoch == 5
    assert only(s.handle({"type": "speed", "value": 30}), "state")["speed"] == 30
    assert s.epochs_per_frame() == 6
    assert s.advance() == []  # not playing: nothing happens
    assert only(s.handle({"type": "play"}), "state")["playing"] is True
    frame = only(s.advance(), "frame")
    assert frame["epoch"] == 6 and frame["steps"] == 30 and frame["playing"] is True
    assert only(s.handle({"type": "pause"}), "state")["playing"] is False
    frame = only(s.handle({"type": "step", "epochs": 3}), "frame")
    assert frame["epoch"] == 9 and frame["steps"] == 45 and frame["reset"] is False
    weights0 = [w.copy() for w in small(batch_size=6).model.get_weights()]
    frame = only(s.handle({"type": "reset"}), "frame")
    assert frame["epoch"] == 0 and frame["reset"] is True
    for a, b in zip(s.model.get_weights(), weights0):
        np.testing.assert_array_equal(a, b)  # same seed, same initial weights


def test_curve_points_arrive_once_each():
    s = small()
    first = s.frame()
    assert [p[0] for p in first["curve"]] == [0] and first["reset"] is True
    assert s.frame()["curve"] == []  # nothing new
    s.train(2)
    s.train(3)
    points = s.frame()["curve"]
    assert [p[0] for p in points] == [5]
    assert len(points[0]) == 5


def test_loss_falls_on_circles():
    s = PlaygroundSession({"dataset": "circles"})
    start = s.frame()
    s.train(300)
    end = s.frame()
    assert start["train_loss"] > 0.6
    assert end["train_loss"] < 0.4 and end["test_loss"] < 0.45
    assert end["train_accuracy"] > 0.8 and end["test_accuracy"] > 0.8
    assert u8(end["boundary"]["values"]).tolist() != u8(start["boundary"]["values"]).tolist()


def test_frame_shapes_and_ranges():
    s = small(hidden_layers=[{"units": 4, "activation": "relu"}, {"units": 3}])
    s.train(5)
    f = s.frame()
    b = f["boundary"]
    values = u8(b["values"])
    assert b["width"] == b["height"] == 100 and values.shape == (100 * 100,)
    # P(class 1) on the grid, row 0 at the top: check a cell against the model itself
    xmin, xmax, ymin, ymax = s.data_message()["extent"]
    row, col = 10, 70
    x1 = xmin + (col + 0.5) * (xmax - xmin) / 100
    x2 = ymax - (row + 0.5) * (ymax - ymin) / 100
    p = s.model.predict(np.array([[x1, x2]]))[0, 1]
    assert abs(int(values[row * 100 + col]) - p * 255) <= 1  # drawn in float32
    columns = f["neurons"]
    assert [c["kind"] for c in columns] == ["input", "hidden", "hidden", "output"]
    assert [c["units"] for c in columns] == [2, 4, 3, 2]
    for c in columns:
        maps = u8(c["maps"])
        assert maps.shape == (c["units"] * c["size"] ** 2,)
        assert len(c["lo"]) == len(c["hi"]) == c["units"]
        assert all(lo < hi for lo, hi in zip(c["lo"], c["hi"]))
    assert columns[2]["lo"] == [-1.0] * 3  # tanh's range
    weights = f["weights"]
    assert [w["shape"] for w in weights] == [[2, 4], [4, 3], [3, 2]]
    for w, layer in zip(weights, s.model.layers):
        kernel = f32(w["kernel"]).reshape(w["shape"])
        np.testing.assert_allclose(kernel, layer.params["kernel"], rtol=1e-6)
        assert w["max_abs"] == pytest.approx(np.abs(layer.params["kernel"]).max())
    conf = np.array(f["confusion"]["train"])
    assert conf.sum() == s.n_train and np.array(f["confusion"]["test"]).sum() == s.n_test
    assert np.trace(conf) / s.n_train == pytest.approx(f["train_accuracy"])


def test_big_networks_send_no_thumbnails():
    s = small(hidden_layers=[{"units": 200, "activation": "tanh"}] * 3)
    columns = s.frame()["neurons"]
    assert [c["units"] for c in columns] == [2, 200, 200, 200, 2]
    assert all(c["maps"] is None for c in columns)


def test_regression_frame_scales_to_the_target_range():
    s = small(dataset="plane", noise=0.0)
    s.train(50)
    b = s.frame()["boundary"]
    assert b["kind"] == "regression" and b["vmin"] < 0 < b["vmax"]
    values = u8(b["values"]).reshape(100, 100)
    assert values[0, -1] > values[-1, 0]  # y = (x1 + x2) / 10: top right above bottom left


def test_sweep_trains_one_model_per_hidden_size():
    s = small()
    replies = s.handle({"type": "sweep", "sizes": [1, 3, 20]})
    assert only(replies, "state")["sweep"] == [1, 3, 20]
    s.train(10)
    sweep = s.frame()["sweep"]
    assert [m["hidden"] for m in sweep["models"]] == [1, 3, 20]
    for m in sweep["models"]:
        assert len(u8(m["boundary"]["values"])) == sweep["size"] ** 2
        assert np.isfinite(m["train_loss"])
    assert sweep["models"][0]["train_loss"] != sweep["models"][2]["train_loss"]
    s.handle({"type": "sweep", "sizes": []})
    assert s.frame()["sweep"] is None


def test_a_diverging_run_reports_and_pauses():
    s = small(
        dataset="plane",
        features=["x1^2", "x2^2", "x1*x2"],
        hidden_layers=[{"units": 8, "activation": "linear"}] * 3,
        learning_rate=10.0,
        batch_size="full",
    )
    s.handle({"type": "play"})
    replies = s.advance()
    for _ in range(20):
        if replies[0]["type"] == "error":
            break
        replies = s.advance()
    err = replies[0]
    assert err["type"] == "error" and err["code"] == "diverged"
    assert "learning rate" in err["message"]
    assert s.playing is False
    assert all(np.all(np.isfinite(w)) for w in s.model.get_weights())
    json.dumps(replies[1], allow_nan=False)


# -- CSV uploads --------------------------------------------------------------------------------
def test_csv_classification_with_header_comments_and_separators():
    text = "x1;x2;label\n# a comment\n\n0.5;1;3\n-1;2;7\n0;0;3\n2\t1\t7\n1 1 3\n"
    X, y, task, labels = parse_csv(text)
    assert task == "classification" and labels == [3.0, 7.0]
    assert X.shape == (5, 2) and y.tolist() == [0, 1, 0, 1, 0]


def test_csv_regression_when_labels_are_not_a_few_integers():
    _, y, task, labels = parse_csv("1,2,0.5\n2,3,1.5\n3,4,2.25\n4,5,3\n")
    assert task == "regression" and labels is None and y.dtype == np.float64


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x1,x2,label\n1,2,0\n3,4\n", "line 3: expected 3 values (x1, x2, label), got 2"),
        ("1,2,0\n1,2,1\n1,2,3,4\n", "line 3: expected 3 values"),
        ("1,2,0\n1,two,1\n", "line 2: x2 must be a number, got 'two'"),
        ("1,2,0\n1,nan,1\n", "line 2: x2 must be a finite number"),
        ("1,2,0\n1,2,inf\n", "line 2: label must be a finite number"),
        ("1,2,0\n__import__('os'),2,1\n", "line 2: x1 must be a number"),
        ("1,2,0\n1,2,0\n", "at least 4"),
        ("1,2,0\n2,2,0\n3,2,0\n4,2,0\n", "2 to 5 different labels"),
        ("", "0 point(s)"),
    ],
)
def test_bad_csv_names_the_line(text, words):
    with pytest.raises(PlaygroundError) as info:
        parse_csv(text)
    assert words in str(info.value)


def test_csv_limits_on_points_and_bytes():
    rows = "".join(f"{i},{i},{i % 2}\n" for i in range(LIMITS["max_points"] + 1))
    with pytest.raises(PlaygroundError, match="line 10001: more than 10,000 points"):
        parse_csv(rows)
    huge = "1,2,0\n" * 200_000
    with pytest.raises(PlaygroundError, match="limited to 1,000,000 bytes"):
        parse_csv(huge)


def test_uploading_a_csv_makes_it_the_data_set():
    s = small()
    text = "x1,x2,label\n" + "".join(
        f"{np.cos(t):.4f},{np.sin(t):.4f},{int(t > 3)}\n" for t in np.linspace(0, 6, 40)
    )
    replies = s.handle({"type": "upload_csv", "text": text, "name": "ring.csv"})
    state = only(replies, "state")
    assert state["config"]["dataset"] == "csv" and state["csv_name"] == "ring.csv"
    assert state["n_train"] + state["n_test"] == 40
    assert only(replies, "data")["n_classes"] == 2
    # a bad upload afterwards leaves the first in place
    err = s.handle({"type": "upload_csv", "text": "1,2\n"})[0]
    assert err["type"] == "error" and "line 1" in err["message"]
    assert s.n_train + s.n_test == 40
    # the data set stays selectable after switching away
    s.handle({"type": "config", "config": {"dataset": "moons"}})
    assert s.handle({"type": "config", "config": {"dataset": "csv"}})[0]["type"] == "state"


# -- URL state ----------------------------------------------------------------------------------
def test_url_state_round_trip_restores_config_speed_and_the_run():
    s = small(
        dataset="moons",
        hidden_layers=[{"units": 5, "activation": "relu"}],
        optimizer="momentum",
        l2=0.001,
        batch_size=7,
        features=["x1", "x2", "x1*x2"],
    )
    s.set_speed(42)
    s.handle({"type": "sweep", "sizes": [2, 4]})
    s.train(37)
    state = s.to_url_state()
    assert all(c.isalnum() or c in "-_.=&,:^*()" for c in state), state
    assert "hidden_layers=5:relu&" in state and "&epoch=37" in state  # readable
    t = PlaygroundSession.from_url_state(state)
    assert t.config == s.config and t.speed == 42 and t.epoch == 37
    assert t.sweep_sizes == [2, 4]
    for a, b in zip(t.model.get_weights(), s.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    frame = t.frame()
    assert frame["reset"] is True and frame["curve"][0][0] == 0 and frame["curve"][-1][0] == 37
    replies = PlaygroundSession().handle({"type": "load_state", "state": "#" + state})
    assert only(replies, "state")["epoch"] == 37


def test_url_state_replays_a_long_run_only_so_far(monkeypatch):
    monkeypatch.setitem(LIMITS, "max_replay_steps", 600)
    s = small(batch_size=10)  # 3 steps per epoch
    s.set_sweep([2, 3])  # three models to train
    s.epoch = 10**6  # as if trained that long
    t = PlaygroundSession.from_url_state(s.to_url_state())
    assert t.epoch == 600 // (3 * 3)
    assert "replayed the first 66 epochs" in t.state()["notices"][0]


def test_url_state_carries_an_uploaded_csv():
    s = small()
    s.upload_csv("1,2,0\n2,1,1\n0,0,0\n3,3,1\n-1,2,1\n", name="mine.csv")
    state = s.to_url_state()
    t = PlaygroundSession.from_url_state(state)
    assert t.config["dataset"] == "csv"
    assert t.to_url_state() == state
    assert t.data_message()["train"] == s.data_message()["train"]


def _pack(payload) -> str:
    import zlib

    raw = zlib.compress(json.dumps(payload).encode())
    return "1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("2.abc", "not a playground state"),
        ("1.", "not a playground state"),
        ("1.!!!!", "damaged"),
        ("1." + base64.urlsafe_b64encode(b"not zlib").decode(), "damaged"),
        (_pack([1, 2]), "no configuration"),
        (_pack({"config": {"seed": -3}}), "seed"),
        (_pack({"config": {}, "epoch": -1}), "epoch"),
        (_pack({"config": {"dataset": "csv"}}), "upload"),
        (_pack({"config": {}, "csv": [[1, 2]] * 5}), "csv point 0"),
        (_pack({"config": {}, "hack": 1}), "unknown key"),
        (_pack({"config": {"dataset": "csv"}, "csv": [[1, 2, 0]]}), "csv points"),
        (_pack({"config": {}}) + ".a", "not a playground state"),
        (_pack({"config": {"bogus": 1}}), "bogus"),
        (123, "must be a string"),
    ],
)
def test_bad_url_state_is_refused_and_changes_nothing(state, words):
    s = small()
    s.train(2)
    before = (s.config, s.epoch, s.speed)
    replies = s.handle({"type": "load_state", "state": state})
    assert [r["type"] for r in replies] == ["error"]
    assert words in replies[0]["message"], replies[0]["message"]
    assert (s.config, s.epoch, s.speed) == before


def test_url_state_refuses_a_zip_bomb():
    import zlib

    bomb = zlib.compress(b" " * (40 * LIMITS["max_message_chars"]), 9)
    state = "1." + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    with pytest.raises(PlaygroundError, match="too much data"):
        PlaygroundSession.from_url_state(state)


# -- export ---------------------------------------------------------------------------------------
MODEL_CASES = [
    ({}, None),
    ({"dataset": "moons", "features": ["x1", "x2", "x1^2", "sin(x2)"], "l2": 0.01}, None),
    ({"optimizer": "adam", "learning_rate": 0.01, "dropout": 0.25}, None),
    ({"dataset": "xor", "output": "sigmoid_binary_cross_entropy", "features": ["x1*x2"]}, None),
    ({"dataset": "plane", "hidden_layers": [], "features": ["x1", "x2", "x2^2"]}, None),
    ({"batch_size": 4}, "CSV"),
]


@pytest.mark.parametrize(("config", "csv"), MODEL_CASES)
def test_the_downloaded_model_loads_and_predicts_like_the_session(tmp_path, config, csv):
    s = PlaygroundSession({"n_samples": 80, **config})
    if csv is not None:
        s.upload_csv(CSV_TEXT)
        s.configure(config)
    s.train(6)
    name, data = s.model_file()
    dataset = s.config["dataset"]
    assert name == s.model_filename == f"playground-{dataset}.nnscratch"
    assert s.state()["model_file"] == name
    path = tmp_path / name
    path.write_bytes(data)
    loaded = nnscratch.load_model(path)
    # the name says which inputs the model expects
    features = s.config["features"]
    assert loaded.name == f"playground-{dataset} (inputs: {', '.join(features)})"
    # the same inputs the session computes, from points it never saw
    points = np.random.default_rng(5).uniform(-3, 3, size=(500, 2))
    inputs = make_features(points, features)
    assert inputs.shape == (500, loaded.input_shape[1])
    np.testing.assert_array_equal(loaded.predict(inputs), s.model.predict(inputs))
    for key, value in s.model.parameters().items():
        np.testing.assert_array_equal(loaded.parameters()[key], value)
    # the archive is the one model.save() writes
    again = tmp_path / "again.nnscratch"
    s.model.save(again)
    with zipfile.ZipFile(path) as ours, zipfile.ZipFile(again) as theirs:
        assert ours.namelist() == theirs.namelist() == ["weights.npz", "config.json"]
        # (the checksum covers the .npz's own zip timestamps, so it is left out here)
        configs = [json.loads(z.read("config.json")) for z in (ours, theirs)]
        assert [c.pop("weights_sha256") for c in configs] != [None, None]
        assert configs[0] == configs[1]
        arrays = [np.load(io.BytesIO(z.read("weights.npz"))) for z in (ours, theirs)]
        assert arrays[0].files == arrays[1].files
        for key in arrays[0].files:
            np.testing.assert_array_equal(arrays[0][key], arrays[1][key])
    # and training goes on exactly as the session's (optimizer state and generators kept)
    loaded.fit(s.inputs.train, s.data.y_train, epochs=2, batch_size=s.batch_size, verbose=0)
    s.train(2)
    for key, value in s.model.parameters().items():
        np.testing.assert_array_equal(loaded.parameters()[key], value)


def test_save_model_writes_the_file_the_engine_loads(tmp_path):
    s = small(features=["x1", "x2", "x1*x2"])
    s.train(3)
    target = tmp_path / "mine.nnscratch"
    s.save_model(target)
    loaded = nnscratch.load_model(target, compile=False)
    assert loaded.name == "playground-circles (inputs: x1, x2, x1*x2)"
    x = make_features(s.data.X_test, s.config["features"])
    np.testing.assert_array_equal(loaded.predict(x), s.model.predict(x))
    # a changed feature list renames the model and its inputs follow
    s.configure({"features": ["x1"]})
    assert s.model.name == "playground-circles (inputs: x1)" and s.model.input_shape == (None, 1)


CSV_TEXT = "".join(
    f"{np.cos(t):.5f},{np.sin(2 * t):.5f},{int(np.sin(3 * t) > 0) * 2}\n"
    for t in np.linspace(0, 6, 30)
)


EXPORT_CASES = [
    ({}, 12, None),
    (
        {
            "dataset": "moons",
            "batch_size": "full",
            "optimizer": "momentum",
            "l2": 0.01,
            "features": ["x1", "x2", "x1^2", "sin(x2)"],
        },
        25,
        None,
    ),
    (
        {
            "dataset": "multi_gaussian",
            "n_classes": 4,
            "output": "quadratic",
            "hidden_layers": [{"units": 6, "activation": "relu"}],
            "l1": 0.001,
        },
        8,
        None,
    ),
    (
        {
            "dataset": "plane",
            "noise": 0.3,
            "hidden_layers": [],
            "batch_size": 1,
            "learning_rate": 0.002,
            "features": ["x1", "x2", "x1*x2"],
        },
        3,
        None,
    ),
    (
        {
            "dataset": "xor",
            "output": "sigmoid_binary_cross_entropy",
            "seed": 11,
            "train_ratio": 0.7,
        },
        6,
        None,
    ),
    ({"batch_size": 4}, 5, CSV_TEXT),
    ({}, 0, None),
    ({"optimizer": "adam", "learning_rate": 0.01}, 7, None),
    ({"dropout": 0.25, "hidden_layers": [{"units": 8}]}, 7, None),
    ({"optimizer": "adam", "dropout": 0.1, "batch_size": "full", "l2": 0.001}, 9, None),
]

RUNNER = """
import contextlib, io, runpy, sys
import numpy as np
for path in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        names = runpy.run_path(path, run_name="__main__")
    np.savez(path + ".npz", *names["model"].get_weights())
    with open(path + ".out", "w") as f:
        f.write(out.getvalue())
"""


@pytest.fixture(scope="module")
def exported_runs(tmp_path_factory):
    """Train a session per case, write its script, run every script (one interpreter)."""
    folder = tmp_path_factory.mktemp("scripts")
    sessions, paths = [], []
    for i, (config, epochs, csv) in enumerate(EXPORT_CASES):
        s = PlaygroundSession(config)
        if csv is not None:
            s.upload_csv(csv)
            s.configure(config)
        # in pieces: the script does it with one fit(epochs=...)
        for piece in (epochs // 2 + 1, epochs // 2 - 1, epochs % 2):
            if epochs and piece > 0:
                s.train(piece)
        assert s.epoch == epochs
        path = folder / f"run_{i}.py"
        path.write_text(s.python_script())
        sessions.append(s)
        paths.append(str(path))
    # The scripts are standalone: run one as a program of its own ...
    alone = subprocess.run([sys.executable, paths[0]], capture_output=True, text=True, timeout=300)
    assert alone.returncode == 0, alone.stderr
    assert "test accuracy" in alone.stdout
    # ... and all of them in one interpreter (importing scikit-learn once is much faster).
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, *paths], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return sessions, paths


@pytest.mark.parametrize("case", range(len(EXPORT_CASES)))
def test_copy_as_python_runs_and_reaches_the_same_weights(exported_runs, case):
    sessions, paths = exported_runs
    s, path = sessions[case], paths[case]
    with np.load(path + ".npz", allow_pickle=False) as saved:
        theirs = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    ours = s.model.get_weights()
    assert len(theirs) == len(ours)
    for a, b in zip(theirs, ours):
        np.testing.assert_array_equal(a, b)
    with open(path + ".out") as f:
        printed = f.read()
    reported = float(printed.split("train loss")[1].split()[0])
    assert reported == pytest.approx(s.frame()["train_loss"], abs=1e-6)


def test_export_python_message():
    s = small()
    reply = s.handle({"type": "export_python", "id": "x"})[0]
    assert reply["type"] == "python" and reply["re"] == "x"
    compile(reply["code"], "run.py", "exec")


def test_features_that_overflow_are_refused_and_change_nothing():
    s = small()
    huge = "1e200,2,0\n3,1e200,1\n0,0,0\n5,5,1\n"
    s.upload_csv(huge)  # x1 and x2 themselves are fine
    assert s.config["dataset"] == "csv"
    replies = s.handle({"type": "config", "config": {"features": ["x1", "x1^2"]}})
    assert replies[0]["type"] == "error"
    assert "feature x1^2 is too large" in replies[0]["message"]
    assert s.config["features"] == ["x1", "x2"]
    s.train(1)


def test_error_messages_do_not_echo_huge_values():
    s = small()
    err = s.handle({"type": "config", "config": {"dataset": "x" * 100_000}})[0]
    assert err["type"] == "error" and len(err["message"]) < 300
    err = s.handle({"type": "sweep", "sizes": list(range(1000))})[0]
    assert len(err["message"]) < 300


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("dataset=iris", "dataset must be one of"),
        ("dataset=moons&dataset=xor", "names dataset twice"),
        ("colour=red", "unknown key 'colour'"),
        ("hidden_layers=4:swish", "hidden_layers[0].activation"),
        ("hidden_layers=x:tanh", "hidden_layers[0].units"),
        ("noise=abc", "noise must be a number"),
        ("noise=5", "[0.0, 2.0]"),
        ("epoch=-1", "epoch must be an integer"),
        ("sweep=" + ",".join(["2"] * 9), "at most 8"),
        ("features=x1,x1", "twice"),
        ("noise", "not a playground state"),
        ("dataset=moons&noise", "not name=value"),
        ("csv=!!!", "damaged"),
    ],
)
def test_a_bad_link_names_what_is_wrong_and_changes_nothing(state, words):
    s = small()
    before = (s.config, s.epoch)
    replies = s.handle({"type": "load_state", "state": state})
    assert [r["type"] for r in replies] == ["error"], replies
    assert words in replies[0]["message"], replies[0]["message"]
    assert (s.config, s.epoch) == before


def test_a_link_may_name_only_some_settings_and_escapes_are_read():
    s = PlaygroundSession()
    s.load_url_state("dataset=xor&hidden_layers=&features=x1%5E2,x1*x2&epoch=3")
    assert s.config["dataset"] == "xor" and s.config["hidden_layers"] == []
    assert s.config["features"] == ["x1^2", "x1*x2"] and s.epoch == 3
    assert s.config["learning_rate"] == DEFAULT_CONFIG["learning_rate"]  # the default
