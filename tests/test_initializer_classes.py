"""Initializers with arguments: ``Constant``, ``RandomNormal``, ``VarianceScaling``, seeded
schemes, and Keras 3's classes in ``nnscratch.keras.initializers``.

They draw what their formulas say, the defaults draw exactly what the named schemes draw,
a seeded one draws the same values at every call, and a model keeps them in its config, so
that a model saved, loaded or rebuilt from its config draws the same way.
"""

from __future__ import annotations

import doctest
import json

import numpy as np
import pytest

from keras_reference import run_keras
from nnscratch import Sequential, keras, load_model
from nnscratch.engine import initializers, serialize
from nnscratch.layers import Dense

ki = keras.initializers


def drawn(init, shape=(40, 30), seed=0):
    return initializers.get(init)(shape, np.random.RandomState(seed))


# -- what they draw ----------------------------------------------------------------------------
def test_constant_scalar_and_array():
    np.testing.assert_array_equal(drawn(initializers.Constant(0.25), (2, 3)), np.full((2, 3), 0.25))
    log_odds = np.log([0.1 / 0.9])  # Keras' imbalanced-data tutorial passes a 1-element array
    np.testing.assert_array_equal(drawn(ki.Constant(log_odds), (1,)), log_odds)
    np.testing.assert_array_equal(drawn(ki.Constant([1.0, 2.0]), (3, 2)), [[1, 2]] * 3)
    with pytest.raises(ValueError, match=r"value of shape \(2,\) does not broadcast to .* \(3,\)"):
        drawn(ki.Constant([1.0, 2.0]), (3,))
    with pytest.raises(ValueError, match="value must be a finite number or an array of them"):
        ki.Constant([1.0, np.nan])
    with pytest.raises(TypeError, match="value must be a number, got str"):
        ki.Constant("1")


@pytest.mark.parametrize(
    ("configured", "named"),
    [
        (initializers.RandomNormal(), "random_normal"),
        (initializers.RandomUniform(), "random_uniform"),
        (initializers.TruncatedNormal(), "truncated_normal"),
        (initializers.VarianceScaling(1.0, "fan_avg", "uniform"), "glorot_uniform"),
        (ki.GlorotUniform(), "glorot_uniform"),
        (ki.HeNormal(), "he_normal"),
        (ki.Zeros(), "zeros"),
    ],
)
def test_the_defaults_draw_the_named_schemes_bit_for_bit(configured, named):
    np.testing.assert_array_equal(drawn(configured), drawn(named))


def test_arguments_change_the_draws_as_the_formulas_say():
    normal = drawn(initializers.RandomNormal(mean=1.0, stddev=0.5), (200, 200))
    assert normal.mean() == pytest.approx(1.0, abs=0.01)
    assert normal.std() == pytest.approx(0.5, rel=0.02)
    uniform = drawn(initializers.RandomUniform(2.0, 3.0), (200, 200))
    assert 2.0 <= uniform.min() and uniform.max() < 3.0
    truncated = drawn(initializers.TruncatedNormal(stddev=0.1), (200, 200))
    assert np.abs(truncated).max() <= 0.2
    # He's scheme as Keras 3 draws it: variance 2 / fan_in, truncated and corrected
    he = drawn(initializers.VarianceScaling(2.0, "fan_in", "truncated_normal"), (400, 100))
    assert he.std() == pytest.approx(np.sqrt(2.0 / 400), rel=0.02)
    assert np.abs(he).max() <= 2 * np.sqrt(2.0 / 400) / 0.87962566103423978
    fan_out = drawn(initializers.VarianceScaling(1.0, "fan_out", "untruncated_normal"), (400, 100))
    assert fan_out.std() == pytest.approx(np.sqrt(1.0 / 100), rel=0.02)


def test_a_seed_gives_the_same_values_at_every_call_and_in_any_model():
    seeded = ki.HeNormal(seed=7)
    np.testing.assert_array_equal(drawn(seeded, seed=0), drawn(seeded, seed=1))
    assert not np.array_equal(drawn(ki.HeNormal(), seed=0), drawn(ki.HeNormal(), seed=1))
    kernels = [
        Sequential([Dense(4, input_dim=3, kernel_initializer=seeded)], seed=s).get_weights()[0]
        for s in (0, 1)
    ]
    np.testing.assert_array_equal(*kernels)


def test_the_examples_in_the_docstring_run():
    assert doctest.testmod(initializers).failed == 0


# -- in a model: saved, loaded, rebuilt ----------------------------------------------------------
def model_with_initializers(seed=0):
    return Sequential(
        [
            Dense(5, "tanh", input_dim=3, kernel_initializer=ki.RandomNormal(stddev=0.3, seed=4)),
            Dense(1, "sigmoid", bias_initializer=ki.Constant(np.log([0.25]))),
        ],
        seed=seed,
    )


def test_the_config_keeps_them_and_a_rebuilt_model_draws_the_same(tmp_path):
    model = model_with_initializers()
    model.compile("sgd", "binary_crossentropy")
    config, _ = serialize.model_to_data(model)
    layers = [layer["config"] for layer in config["layers"]]
    assert layers[0]["kernel_initializer"] == {
        "name": "random_normal",
        "mean": 0.0,
        "stddev": 0.3,
        "seed": 4,
    }
    assert layers[1]["bias_initializer"] == {"name": "constant", "value": [np.log(0.25)]}
    json.dumps(config)  # plain data
    rebuilt = Sequential.from_config(model.get_config())
    for a, b in zip(rebuilt.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    model.save(tmp_path / "m.nnscratch")
    loaded = load_model(tmp_path / "m.nnscratch")
    assert loaded.layers[1].bias_initializer.value == [np.log(0.25)]
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_file_with_a_bad_initializer_config_is_refused():
    model = model_with_initializers()
    model.compile("sgd", "binary_crossentropy")
    config, arrays = serialize.model_to_data(model)
    for bad, says in [
        ({"name": "random_normal", "stddev": -1}, "stddev must be a finite number >= 0"),
        ({"name": "constant", "value": 1, "code": "x"}, r"takes no argument\(s\) \['code'\]"),
        ({"name": "pickle"}, "unknown initializer 'pickle'"),
        ({"name": "seeded", "scheme": "magic"}, "unknown initializer 'magic'"),
    ]:
        config["layers"][0]["config"]["kernel_initializer"] = bad
        with pytest.raises(ValueError, match=says):
            serialize.model_from_data(config, arrays)


# -- Keras' names -------------------------------------------------------------------------------
def test_keras_names_and_configs():
    assert ki.get("HeNormal") is ki.get("he_normal") is initializers.INITIALIZERS["he_normal"]
    assert ki.get({"class_name": "Constant", "config": {"value": 0.3}}).value == 0.3
    scaled = ki.get(
        {
            "class_name": "VarianceScaling",
            "config": {"scale": 2.0, "mode": "fan_in", "distribution": "uniform", "seed": None},
        }
    )
    assert (scaled.scale, scaled.mode, scaled.distribution) == (2.0, "fan_in", "uniform")
    assert ki.glorot_uniform is ki.GlorotUniform and ki.he_normal is ki.HeNormal
    layer = keras.layers.Dense(2, kernel_initializer="GlorotNormal")
    assert layer.kernel_initializer is initializers.INITIALIZERS["glorot_normal"]
    with pytest.raises(ValueError, match=r"Orthogonal\(gain=2\) is not supported"):
        ki.Orthogonal(gain=2)
    with pytest.raises(ValueError, match=r"HeNormal\(input_axes=\[0\]\) is not supported"):
        ki.get({"class_name": "HeNormal", "config": {"input_axes": [0]}})
    with pytest.raises(ValueError, match=r"unknown initializer config .* the classes are Constant"):
        ki.get({"class_name": "Magic", "config": {}})
    with pytest.raises(ValueError, match="mode must be one of 'fan_in', 'fan_out', 'fan_avg'"):
        ki.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match=r"seed must be an integer in 0\.\.4294967295, got -1"):
        ki.GlorotUniform(seed=-1)
    with pytest.raises(
        TypeError, match=r"seed must be an integer in 0\.\.4294967295, got Generator"
    ):
        ki.RandomNormal(seed=np.random.default_rng())
    with pytest.raises(AttributeError, match=r"STFT.*no spectral layers"):
        ki.STFT  # noqa: B018


_KERAS_CONFIGS = """
import json, keras
names = ["Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
         "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal",
         "LecunUniform", "Zeros", "Ones", "Orthogonal", "Identity"]
print(json.dumps({n: getattr(keras.initializers, n)().get_config() for n in names}))
"""


def test_the_configs_keras_writes_build_ours():
    """Keras 3's own classes (in a process of their own, torch backend) write configs that
    build ours, class by class, and the defaults match."""
    for class_name, config in run_keras(_KERAS_CONFIGS).items():
        ours = ki.get({"class_name": class_name, "config": config})
        assert callable(ours), class_name
        kept = ours.get_config() if hasattr(ours, "get_config") else {}
        shared = set(config) & set(kept)
        assert {key: kept[key] for key in shared} == {key: config[key] for key in shared}
        assert shared or not config or set(config) <= {"input_axes", "output_axes", "gain"}
