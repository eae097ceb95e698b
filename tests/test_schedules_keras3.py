"""Keras 3's learning-rate schedules: ``PiecewiseConstantDecay``, ``PolynomialDecay`` and
``CosineDecay`` (with warmup) beside the decays there were, each against Keras 3's own over
a few hundred steps; their ``name`` label; saving a model that trains with one; bad
arguments named."""

from __future__ import annotations

import numpy as np
import pytest

from keras_reference import run_keras
from nnscratch import keras
from nnscratch.engine import schedules

SETTINGS = [
    ("ExponentialDecay", [0.1, 50, 0.5], {"staircase": True}),
    ("InverseTimeDecay", [0.1, 10, 0.5], {}),
    ("PiecewiseConstantDecay", [[30, 120], [0.1, 0.05, 0.01]], {}),
    ("PolynomialDecay", [0.1, 100], {"end_learning_rate": 0.001, "power": 2.0}),
    ("PolynomialDecay", [0.1, 70], {"cycle": True}),
    ("CosineDecay", [0.1, 150], {"alpha": 0.1}),
    ("CosineDecay", [0.0, 100], {"warmup_target": 0.2, "warmup_steps": 20}),
]
STEPS = [0, 1, 19, 20, 21, 29, 30, 31, 69, 70, 71, 99, 100, 119, 120, 121, 150, 170, 400]

KERAS = (
    """
import json, sys
import keras
out = []
for name, args, kwargs in json.loads(sys.stdin.read()):
    schedule = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    out.append([float(schedule(step)) for step in %s])
print(json.dumps(out))
"""
    % STEPS
)


def test_every_schedule_agrees_with_keras_3():
    theirs = run_keras(KERAS, SETTINGS)
    for (name, args, kwargs), values in zip(SETTINGS, theirs):
        schedule = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
        ours = [schedule(step) for step in STEPS]
        np.testing.assert_allclose(
            ours, values, rtol=2e-6, atol=1e-7, err_msg=name
        )  # Keras: float32


def test_names_are_keras_labels_and_configs_rebuild():
    for name, args, kwargs in SETTINGS:
        schedule = getattr(schedules, name)(*args, **kwargs)
        config = schedules.serialize(schedule)
        assert schedules.get(config) == schedule
    assert schedules.CosineDecay(0.1, 10).name == "CosineDecay"
    assert schedules.PiecewiseConstantDecay([1], [0.1, 0.01]).name == "PiecewiseConstant"
    assert schedules.ExponentialDecay(0.1, 10, 0.9, name="lr").get_config()["name"] == "lr"
    old = {
        "name": "exponential_decay",
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.9,
            "staircase": False,
        },
    }  # a 0.1.0 file's
    assert schedules.get(old).name == "ExponentialDecay"


def test_a_model_trains_and_saves_with_cosine_warmup(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    y = (x[:, 0] > 0).astype(int)
    rate = keras.optimizers.schedules.CosineDecay(0.0, 40, warmup_target=0.05, warmup_steps=8)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(rate), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert model.optimizer.learning_rate == pytest.approx(rate(8))  # 8 steps done
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert loaded.optimizer.schedule == rate
    assert loaded.optimizer.learning_rate == model.optimizer.learning_rate


@pytest.mark.parametrize(
    ("make", "error", "says"),
    [
        (lambda: schedules.PiecewiseConstantDecay([10, 20], [0.1]), ValueError, "one shorter"),
        (lambda: schedules.PiecewiseConstantDecay([20, 10], [1, 2, 3]), ValueError, "increasing"),
        (lambda: schedules.PiecewiseConstantDecay(10, [1, 2]), TypeError, "lists of numbers"),
        (lambda: schedules.PolynomialDecay(0.1, 0), ValueError, "decay_steps must be"),
        (lambda: schedules.PolynomialDecay(0.1, 10, cycle=1), TypeError, "cycle must be True"),
        (lambda: schedules.CosineDecay(0.1, 10, alpha=2), ValueError, r"alpha must be in \[0, 1\]"),
        (lambda: schedules.CosineDecay(0.1, 10, warmup_steps=-1), ValueError, "warmup_steps"),
        (lambda: schedules.CosineDecay(0.1, 10, name=3), TypeError, "name must be a non-empty"),
    ],
)
def test_bad_arguments_are_named(make, error, says):
    with pytest.raises(error, match=says):
        make()
