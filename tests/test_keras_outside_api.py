"""Keras 3 user code, run against ``nnscratch.keras`` through its public names only.

Each test is a few lines a Keras user writes (as in keras-io's examples and Keras' own
``sequential_test.py``), checking what Keras 3 returns: layer and model names, freezing
layers with ``trainable``, the weight lists, saving a model compiled with an optimizer
object, Keras 3's positional ``Conv2D`` arguments, ``model(x)``, ``clone_model`` and
``summary``'s keyword arguments.
"""

import numpy as np
import pytest

import nnscratch
import nnscratch.layers
import nnscratch.models
from nnscratch import keras
from nnscratch.engine.summary import summarize
from nnscratch.keras import layers


def _data(n=64, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, features))
    return x, (x.sum(axis=1) > features / 2).astype(int)


def _model(**kwargs):
    return keras.Sequential(
        [
            keras.Input(shape=(4,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ],
        **kwargs,
    )


# -- names ---------------------------------------------------------------------------------
def test_layer_names_are_keras_names_once_in_a_model():
    model = keras.Sequential(
        [
            keras.Input(shape=(6, 6, 1)),
            layers.Conv2D(2, (3, 3)),
            layers.MaxPooling2D(),
            layers.Conv2D(2, (2, 2)),
            layers.Flatten(),
            layers.Dense(3, name="out"),
        ]
    )
    assert [layer.name for layer in model.layers] == [
        "conv2d",
        "max_pooling2d",
        "conv2d_1",
        "flatten",
        "out",
    ]
    assert model.get_layer(model.layers[2].name) is model.layers[2]
    assert model.get_config()["layers"][0]["config"]["name"] == "conv2d"


def test_named_layers_leave_the_plain_names_free_in_both_the_facade_and_the_engine():
    # One rule for both: a layer named by its user does not use up "dense".
    facade = keras.Sequential([layers.Dense(3, name="hidden", input_dim=2), layers.Dense(2)])
    engine = nnscratch.Sequential(
        [nnscratch.layers.Dense(3, name="hidden", input_dim=2), nnscratch.layers.Dense(2)]
    )
    assert [layer.name for layer in facade.layers] == ["hidden", "dense"]
    assert nnscratch.models.layer_names(engine.layers) == ["hidden", "dense"]
    assert "dense (Dense)" in str(summarize(engine))
    assert engine.get_layer("dense") is engine.layers[1]


def test_model_names_default_to_keras_ones():
    assert _model().name == "sequential"
    assert _model(name="mine").name == "mine"
    inputs = keras.Input(shape=(4,))
    assert keras.Model(inputs, layers.Dense(2)(inputs)).name == "functional"


def test_layer_names_survive_from_config_and_save(tmp_path):
    model = _model()
    again = keras.Sequential.from_config(model.get_config())
    assert [layer.name for layer in again.layers] == ["dense", "dense_1"]
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert [layer.name for layer in loaded.layers] == ["dense", "dense_1"]


def test_a_layer_added_after_a_named_one_gets_the_next_free_name():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, name="dense")])
    model.add(layers.Dense(2))
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]


# -- saving a model compiled with an optimizer object -------------------------------------
@pytest.mark.parametrize("make", ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Nadam"])
def test_a_model_compiled_with_a_keras_optimizer_object_saves(tmp_path, make):
    x, y = _data()
    model = _model()
    optimizer = getattr(keras.optimizers, make)(learning_rate=0.01)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert type(loaded.optimizer).__name__ == make
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_checkpoint_with_a_keras_optimizer_object(tmp_path):
    x, y = _data()
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    path = tmp_path / "best.nnscratch"
    checkpoint = keras.callbacks.ModelCheckpoint(str(path), save_best_only=True)
    model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[checkpoint], verbose=0)
    assert path.exists()


def test_keras2_lr_spelling_still_saves(tmp_path):
    model = _model()
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        optimizer = keras.optimizers.SGD(lr=0.05, momentum=0.9)
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    model.save(tmp_path / "m.nnscratch")
    loaded = keras.models.load_model(tmp_path / "m.nnscratch")
    assert loaded.optimizer.get_config()["momentum"] == 0.9


# -- trainable -------------------------------------------------------------------------------
def test_freezing_a_layer_keeps_its_weights_through_fit():
    x, y = _data()
    model = _model()
    frozen = model.layers[0]
    assert frozen.trainable is True
    frozen.trainable = False
    before = [w.copy() for w in frozen.get_weights()]
    last = [w.copy() for w in model.layers[1].get_weights()]
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(last[0], model.layers[1].get_weights()[0])


def test_trainable_weights_lists_follow_the_flag():
    model = _model()
    dense = model.layers[0]
    assert [w.shape for w in dense.trainable_weights] == [(4, 8), (8,)]
    assert dense.non_trainable_weights == []
    assert len(model.weights) == 4 and len(model.trainable_weights) == 4
    dense.trainable = False
    assert dense.trainable_weights == []
    assert [w.shape for w in dense.non_trainable_weights] == [(4, 8), (8,)]
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    lines = []
    model.summary(print_fn=lines.append)
    assert "Trainable params: 9" in lines and "Non-trainable params: 40" in lines
    dense.trainable = True
    assert len(model.trainable_weights) == 4


def test_trainable_given_to_the_constructor_and_before_build():
    dense = layers.Dense(3, trainable=False)
    model = keras.Sequential([keras.Input(shape=(2,)), dense, layers.Dense(1)])
    assert dense.trainable is False
    assert [w.shape for w in dense.non_trainable_weights] == [(2, 3), (3,)]
    assert model.count_params() == 13 and len(model.trainable_weights) == 2


def test_model_trainable_false_freezes_every_layer():
    x, y = _data()
    model = _model()
    model.trainable = False
    assert all(layer.trainable is False for layer in model.layers)
    before = model.get_weights()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_normalization_keeps_its_statistics_out_of_trainable_weights():
    bn = layers.BatchNormalization()
    keras.Sequential([keras.Input(shape=(3,)), bn])
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    bn.trainable = False
    bn.trainable = True
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2


def test_trainable_must_be_a_bool():
    with pytest.raises(TypeError, match="trainable"):
        layers.Dense(3).trainable = "no"


# -- Conv2D in Keras 3's positional order ---------------------------------------------------
def test_conv2d_positional_strides_and_padding_as_keras3():
    conv = layers.Conv2D(4, 3, 1, "same")
    model = keras.Sequential([keras.Input(shape=(6, 6, 1)), conv])
    assert model.output_shape == (None, 6, 6, 4)
    config = conv.get_config()
    assert config["padding"] == "same"
    assert tuple(np.broadcast_to(config["kernel_size"], 2)) == (3, 3)


# -- calling the model --------------------------------------------------------------------
def test_calling_the_model_on_an_array_gives_its_outputs():
    x, _ = _data(8)
    model = _model()
    np.testing.assert_array_equal(model(x), model.predict(x, verbose=0))
    assert model(x, training=False).shape == (8, 1)


def test_calling_the_model_on_a_placeholder_is_refused_clearly():
    model = _model()
    with pytest.raises(ValueError, match="single chain"):
        model(keras.Input(shape=(4,)))


# -- clone_model ----------------------------------------------------------------------------
def test_clone_model_same_architecture_fresh_weights_not_compiled():
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    clone = keras.models.clone_model(model)
    assert type(clone) is type(model) and clone is not model
    assert [layer.name for layer in clone.layers] == ["dense", "dense_1"]
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    assert clone.layers[0] is not model.layers[0]
    assert clone.optimizer is None
    clone.set_weights(model.get_weights())
    x, _ = _data(5)
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_clone_model_refuses_what_is_not_a_model():
    with pytest.raises(TypeError, match="clone_model"):
        keras.models.clone_model(layers.Dense(3))


# -- summary's keyword arguments ------------------------------------------------------------
def test_summary_takes_keras_keyword_arguments():
    lines = []
    _model().summary(80, None, lines.append, expand_nested=True, show_trainable=False)
    assert lines[0] == 'Model: "sequential"'


def test_summary_refuses_a_layer_range():
    with pytest.raises(ValueError, match="layer_range"):
        _model().summary(layer_range=("dense", "dense_1"))


def test_a_frozen_batch_normalization_runs_in_inference_mode_in_fit():
    # Keras 3: trainable=False on BatchNormalization also makes it use its moving
    # statistics in training, so fine-tuning does not move them
    x, y = _data()
    bn = layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(4,)), bn, layers.Dense(1, activation="sigmoid")])
    bn.trainable = False
    before = [w.copy() for w in bn.get_weights()]
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for a, b in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(model(x, training=True), model(x))


def test_a_frozen_batch_normalization_passes_the_right_gradient():
    x, y = _data(16)
    bn = layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), bn, layers.Dense(1)])
    bn.set_weights([np.full(3, 2.0), np.zeros(3), np.full(3, 0.5), np.full(3, 4.0)])
    bn.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    grads = model.gradients(x, y[:, None].astype(float))
    # numerically: the first kernel's slope of the loss, by central differences
    kernel, h = model.layers[0].get_weights()[0], 1e-6
    loss = lambda: model.evaluate(x, y[:, None].astype(float), verbose=0)  # noqa: E731
    numeric = np.zeros_like(kernel)
    for index in np.ndindex(kernel.shape):
        for sign in (1, -1):
            k = kernel.copy()
            k[index] += sign * h
            model.layers[0].set_weights([k, model.layers[0].get_weights()[1]])
            numeric[index] += sign * loss() / (2 * h)
    model.layers[0].set_weights([kernel, model.layers[0].get_weights()[1]])
    np.testing.assert_allclose(grads["0.kernel"], numeric, rtol=1e-5, atol=1e-8)


def test_freezing_between_fits_without_compiling_again():
    x, y = _data()
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.layers[0].trainable = False
    kernel = model.layers[0].get_weights()[0]
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(kernel, model.layers[0].get_weights()[0])
    model.layers[0].trainable = True
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(kernel, model.layers[0].get_weights()[0])


# -- from Keras' sequential_test.py ------------------------------------------------------
def test_two_layers_of_one_name_are_refused_as_in_keras():
    model = keras.Sequential()
    model.add(layers.Dense(2, name="dense"))
    with pytest.raises(ValueError, match=r"unique names.*'dense'"):
        model.add(layers.Dense(2, name="dense"))
    assert len(model.layers) == 1
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([layers.Dense(2, name="a"), layers.Dense(2, name="a")])


def test_compute_output_shape_of_a_model_keeps_the_batch_axis():
    model = keras.Sequential([layers.Dense(4), layers.Dense(8)])
    assert model.compute_output_shape((1, 2)) == (1, 8)
    assert model.compute_output_shape((None, 2)) == (None, 8)
    assert not model.built


def test_a_keras3_style_layer_with_call_is_refused_with_what_to_write():
    class Linear(keras.layers.Layer):
        def __init__(self, units=32):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="zeros")

        def call(self, inputs):
            return inputs @ self.w

    with pytest.raises(TypeError, match=r"Linear defines call\(\).*forward\(x, training\)"):
        keras.Sequential([keras.Input(shape=(3,)), Linear(4)])


def test_sequential_takes_keras3_trainable_argument():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)], trainable=False)
    assert model.trainable is False and model.trainable_weights == []
    model.add(layers.Dense(1))  # a layer added to a frozen model is frozen too
    assert model.layers[-1].trainable is False and model.count_params() == 19


# -- build ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(None, 784), (32, 784), [None, 784], (784,), 784])
def test_build_reads_the_batch_axis_first_as_keras_does(shape):
    model = keras.Sequential([layers.Dense(3), layers.Dense(2)])
    model.build(shape)
    assert model.input_shape == (None, 784)
    assert model.count_params() == 784 * 3 + 3 + 3 * 2 + 2


def test_build_of_a_convnet_and_from_its_input():
    convnet = keras.Sequential([layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(2)])
    convnet.build((64, 28, 28, 1))
    assert convnet.input_shape == (None, 28, 28, 1)
    assert convnet.layers[0].kernel.shape == (3, 3, 1, 2)
    declared = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(2)])
    declared.build()
    assert declared.input_shape == (None, 5)


def test_build_refuses_a_bad_batch_axis_or_no_shape():
    with pytest.raises(ValueError, match=r"input_shape\[0\] \(the batch axis, or None\).*got 0"):
        keras.Sequential([layers.Dense(3)]).build((0, 784))
    with pytest.raises(ValueError, match=r"needs an input_shape, e.g. build\(\(None, 784\)\)"):
        keras.Sequential([layers.Dense(3)]).build()


def test_building_from_data_still_reads_one_example():
    # fit, predict and Input(shape=...) build through the engine, with one example's shape.
    model = keras.Sequential([layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((8, 3)), np.zeros(8, dtype=int), epochs=1, verbose=0)
    assert model.input_shape == (None, 3)
