"""The convolutional layers where Keras 2 and 3 code imports them from, with Keras'
positional order and Keras 1's spellings."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import nnscratch.layers as engine
from nnscratch.engine import fast
from nnscratch.engine.training import plain_path


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("nnscratch.keras.layers", ("Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten")),
        ("nnscratch.keras.layers", ("Convolution2D", "MaxPool2D", "AvgPool2D")),
        ("nnscratch.keras.layers.convolutional", ("Conv2D", "Convolution2D", "MaxPooling2D")),
        ("nnscratch.keras.layers.convolutional", ("AveragePooling2D",)),
        ("nnscratch.keras.layers.pooling", ("MaxPooling2D", "AveragePooling2D", "MaxPool2D")),
        ("nnscratch.keras.layers.core", ("Flatten",)),
    ],
)
def test_the_keras_import_paths(module, names):
    engine_class = {"Convolution2D": "Conv2D", "MaxPool2D": "MaxPooling2D"}
    engine_class["AvgPool2D"] = "AveragePooling2D"
    mod = importlib.import_module(module)
    for name in names:
        assert name in mod.__all__
        assert issubclass(getattr(mod, name), getattr(engine, engine_class.get(name, name)))


def test_keras_positional_order_and_defaults():
    from nnscratch.keras.layers import AveragePooling2D, Conv2D, MaxPooling2D

    layer = Conv2D(32, (3, 3), (2, 2), "same", "channels_last", 1)
    assert (layer.filters, layer.kernel_size, layer.strides, layer.padding) == (
        32,
        (3, 3),
        (2, 2),
        "same",
    )
    assert Conv2D(8, 5).strides == (1, 1) and Conv2D(8, 5).padding == "valid"
    pool = MaxPooling2D((3, 3), None, "same", None)
    assert pool.strides == (3, 3) and pool.padding == "same"
    assert MaxPooling2D().pool_size == (2, 2)
    assert AveragePooling2D(2, 1).strides == (1, 1)


def test_keras_1_spellings_work_with_a_warning_naming_the_new_one():
    from nnscratch.keras.layers import Conv2D, Convolution2D, MaxPooling2D

    with pytest.warns(DeprecationWarning, match=r"use Conv2D\(32, \(3, 3\)\)"):
        layer = Convolution2D(32, 3, 3)
    assert layer.kernel_size == (3, 3) and layer.strides == (1, 1)
    with pytest.warns(DeprecationWarning) as record:
        layer = Conv2D(
            nb_filter=4,
            nb_row=5,
            nb_col=3,
            border_mode="same",
            subsample=(2, 2),
            init="he_normal",
            dim_ordering="tf",
        )
    assert (layer.filters, layer.kernel_size, layer.strides, layer.padding) == (
        4,
        (5, 3),
        (2, 2),
        "same",
    )
    words = " ".join(str(w.message) for w in record)
    for new in ("filters=4", "kernel_size=(5, 3)", "padding='same'", "strides=(2, 2)"):
        assert new in words
    with pytest.warns(DeprecationWarning, match="padding='same'"):
        assert MaxPooling2D((2, 2), border_mode="same").padding == "same"


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda L: L.Conv2D(8, 3, data_format="channels_first"), ValueError, "transpose"),
        (lambda L: L.Conv2D(8, 3, dim_ordering="th"), ValueError, "channels-last"),
        (lambda L: L.MaxPooling2D(2, data_format="channels_first"), ValueError, "transpose"),
        (lambda L: L.Conv2D(8, 3, dilation_rate=2), ValueError, "dilated"),
        (lambda L: L.Conv2D(8), TypeError, "needs filters and kernel_size"),
        (lambda L: L.Conv2D(8, (3, 3), 1, "same", None, 1, "relu"), TypeError, "by name"),
        (lambda L: L.Conv2D(8, (3, 3), 1, strides=2), TypeError, "twice"),
        (lambda L: L.Conv2D(8, 3, padding="full"), ValueError, "padding must be"),
    ],
)
def test_keras_errors_are_clear(make, error, words):
    import nnscratch.keras.layers as layers

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # dim_ordering's, before the error
        with pytest.raises(error, match=words):
            make(layers)


def test_keras_conv_models_train_as_the_engines_on_its_fast_path(tmp_path):
    from nnscratch import Sequential, load_model
    from nnscratch.keras import layers as K

    def build(L):
        model = Sequential(
            [
                L.Conv2D(3, (3, 3), activation="relu", input_shape=(8, 8, 1)),
                L.MaxPooling2D(pool_size=(2, 2)),
                L.Flatten(),
                L.Dense(2, activation="softmax"),
            ],
            seed=0,
        )
        model.compile("sgd", "categorical_crossentropy")
        return model

    ours, theirs = build(K), build(engine)
    units = fast._FastStep(ours).units
    assert type(units[0]).__name__ == "_ConvKernel" and type(units[1]).__name__ == "_MaxPoolKernel"
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 8, 8, 1)), rng.integers(0, 2, 20)
    ours.fit(x, y, epochs=2, batch_size=5, verbose=0)
    with plain_path():
        theirs.fit(x, y, epochs=2, batch_size=5, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [w.shape for w in ours.layers[0].get_weights()] == [(3, 3, 1, 3), (3,)]
    ours.save(tmp_path / "k.nnscratch")
    loaded = load_model(tmp_path / "k.nnscratch")
    assert type(loaded.layers[0]) is engine.Conv2D  # saved by its Keras name, loads as ours
    np.testing.assert_array_equal(loaded.predict(x), ours.predict(x))


def test_a_subclass_that_computes_differently_keeps_the_plain_layer():
    class Doubled(engine.Conv2D):
        def forward(self, x, training=False):
            return 2 * super().forward(x, training)

    from nnscratch import Sequential

    model = Sequential([Doubled(2, 3, input_shape=(5, 5, 1)), engine.Flatten(), engine.Dense(2)])
    model.compile()
    assert fast._FastStep(model).units[0] is model.layers[0]
