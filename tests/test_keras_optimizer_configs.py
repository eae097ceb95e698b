"""Keras 3's optimizer arguments and configs in ``nnscratch.keras.optimizers``.

Every Keras 3 optimizer takes the same ten extra arguments (``weight_decay``,
``clipnorm``, ..., ``name``) and writes them into its ``get_config()``. Code that passes
them at their defaults, or rebuilds an optimizer from a config Keras wrote, must run
unchanged; a value that would change the update must be refused, naming the option.
The configs below are what Keras 3.15 returns (``keras.optimizers.Adam().get_config()``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nnscratch
import nnscratch.keras as keras
from nnscratch.keras import optimizers
from nnscratch.keras.optimizers import schedules

COMMON = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}
# Keras 3.15's configs of its defaults (learning rates as Keras' float32 values).
KERAS_CONFIGS = {
    "SGD": {"name": "sgd", "learning_rate": 0.009999999776482582, **COMMON, "momentum": 0.0,
            "nesterov": False},
    "Adam": {"name": "adam", "learning_rate": 0.0010000000474974513, **COMMON, "beta_1": 0.9,
             "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False},
    "RMSprop": {"name": "rm_sprop", "learning_rate": 0.0010000000474974513, **COMMON,
                "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07, "centered": False},
    "Adagrad": {"name": "adagrad", "learning_rate": 0.0010000000474974513, **COMMON,
                "initial_accumulator_value": 0.1, "epsilon": 1e-07},
    "Adadelta": {"name": "adadelta", "learning_rate": 0.0010000000474974513, **COMMON,
                 "rho": 0.95, "epsilon": 1e-07},
    "Nadam": {"name": "nadam", "learning_rate": 0.0010000000474974513, **COMMON, "beta_1": 0.9,
              "beta_2": 0.999, "epsilon": 1e-07},
}  # fmt: skip


def _own_arguments(config):
    """A Keras config without the arguments every Keras optimizer has."""
    return {k: v for k, v in config.items() if k not in COMMON and k != "name"}


@pytest.mark.parametrize("class_name", sorted(KERAS_CONFIGS))
def test_a_keras_config_builds_the_same_optimizer(class_name):
    config = KERAS_CONFIGS[class_name]
    optimizer = getattr(optimizers, class_name).from_config(config)
    assert type(optimizer) is getattr(optimizers, class_name)
    ours = optimizer.get_config()
    assert ours.pop("name") == optimizer.name
    assert ours == _own_arguments(config)


@pytest.mark.parametrize("class_name", sorted(KERAS_CONFIGS))
def test_keras_serialized_form_goes_through_get(class_name):
    serialized = {
        "module": "keras.optimizers",
        "class_name": class_name,
        "config": KERAS_CONFIGS[class_name],
        "registered_name": None,
    }
    optimizer = optimizers.get(serialized)
    assert type(optimizer) is getattr(optimizers, class_name)
    assert optimizer.learning_rate == KERAS_CONFIGS[class_name]["learning_rate"]


def test_the_defaults_written_out_change_nothing():
    plain = optimizers.Adam(0.01)
    spelled = optimizers.Adam(learning_rate=0.01, name="my_adam", **{**COMMON, "ema_momentum": 0.5})
    assert spelled.get_config() == plain.get_config()
    params = {"0.kernel": np.ones((2, 2))}
    grads = {"0.kernel": np.full((2, 2), 0.5)}
    twin = {key: p.copy() for key, p in params.items()}
    plain.step(params, grads)
    spelled.step(twin, grads)
    np.testing.assert_array_equal(params["0.kernel"], twin["0.kernel"])


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("weight_decay", 0.004, "kernel_regularizer=l2(wd / 2)"),
        ("clipnorm", 1.0, "not clipped"),
        ("clipvalue", 0.5, "not clipped"),
        ("global_clipnorm", 1.0, "not clipped"),
        ("use_ema", True, "moving average"),
        ("ema_overwrite_frequency", 10, "moving average"),
        ("loss_scale_factor", 128.0, "never scaled"),
        ("gradient_accumulation_steps", 4, "batch_size"),
    ],
)
@pytest.mark.parametrize("class_name", ["SGD", "Adam"])
def test_an_option_that_changes_the_update_is_refused(class_name, option, value, says):
    with pytest.raises(ValueError) as caught:
        getattr(optimizers, class_name)(**{option: value})
    message = str(caught.value)
    assert message.startswith(f"{class_name}({option}={value!r}) is not supported")
    assert says in message


def test_a_name_must_be_a_string():
    with pytest.raises(TypeError, match=r"Adam\(name=\.\.\.\) must be a string, got 3"):
        optimizers.Adam(name=3)


def test_a_keras_schedule_in_a_config_is_the_engines_schedule():
    config = {
        **KERAS_CONFIGS["SGD"],
        "learning_rate": {
            "module": "keras.optimizers.schedules",
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 10,
                "decay_rate": 0.9,
                "staircase": True,
                "name": "ExponentialDecay",
            },
            "registered_name": None,
        },
    }
    optimizer = optimizers.SGD.from_config(config)
    expected = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9, staircase=True)
    assert type(optimizer.schedule) is schedules.ExponentialDecay
    steps = range(0, 40, 7)
    assert [optimizer.schedule(t) for t in steps] == [expected(t) for t in steps]


def test_a_keras_schedule_nnscratch_lacks_is_named():
    config = {
        **KERAS_CONFIGS["Adam"],
        "learning_rate": {
            "class_name": "CosineDecayRestarts",
            "config": {"initial_learning_rate": 0.1, "first_decay_steps": 10},
        },
    }
    with pytest.raises(
        ValueError, match=r"unknown learning-rate schedule 'cosine_decay_restarts'; valid:"
    ):
        optimizers.Adam.from_config(config)


def test_a_model_compiled_from_a_keras_config_saves_and_resumes(tmp_path):
    X = np.random.RandomState(0).standard_normal((40, 4))
    Y = (X[:, 0] > 0).astype(int)

    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2, "softmax")])
        optimizer = {"class_name": "Adam", "config": KERAS_CONFIGS["Adam"]}
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        return model

    model = make()
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "m.nnscratch"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.optimizer, optimizers.Adam)
    assert type(nnscratch.load_model(path).optimizer) is nnscratch.optimizers.Adam
    loaded.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


_WRITE_CONFIGS = """
import json, keras
names = {names!r}
print(json.dumps({{n: getattr(keras.optimizers, n)().get_config() for n in names}}))
"""


def test_the_configs_here_are_what_keras_writes():
    """With Keras 3 installed (torch backend, in a process of its own): its own optimizers'
    configs have these keys and build ours, argument for argument."""
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONWARNINGS": "ignore"}
    code = _WRITE_CONFIGS.format(names=sorted(KERAS_CONFIGS))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        pytest.skip("Keras 3 is not installed: pip install keras torch (KERAS_BACKEND=torch)")
    for class_name, written in json.loads(proc.stdout.splitlines()[-1]).items():
        assert set(written) == set(KERAS_CONFIGS[class_name]), class_name
        ours = getattr(optimizers, class_name).from_config(written).get_config()
        assert ours == {"name": ours["name"], **_own_arguments(written)}


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("AdamW", "no decoupled weight decay"),
        ("Lion", "use Adam, Nadam"),
        ("Adamax", "use Adam, Nadam"),
        ("LossScaleOptimizer", "without loss scaling"),
    ],
)
def test_a_keras_optimizer_nnscratch_lacks_says_what_to_use(name, says):
    with pytest.raises(AttributeError, match=f"has no attribute '{name}': .*{says}"):
        getattr(optimizers, name)
    with pytest.raises(ImportError):
        exec(f"from nnscratch.keras.optimizers import {name}", {})
