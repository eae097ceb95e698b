"""Keras code that reads and changes the learning rate while training: Keras 3's
``optimizer.learning_rate.assign(...)`` and Keras 2's ``K.set_value(optimizer.lr, ...)``."""

import copy
import json
import pickle

import numpy as np
import pytest

import nnscratch
import nnscratch.keras as keras
from nnscratch.keras import backend as K

X = np.random.RandomState(0).standard_normal((40, 4))
Y = (X[:, 0] > 0).astype(int)


def make(optimizer="sgd"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(3, "tanh"), keras.layers.Dense(2, "softmax")]
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


class HalveEachEpoch(keras.callbacks.Callback):
    """The custom schedule of Keras' callback guide, written with Keras 3's variable API."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.model.optimizer.learning_rate
        self.seen.append(float(lr))
        if epoch:
            self.model.optimizer.learning_rate.assign(lr * 0.5)


def test_assign_changes_the_rate_of_the_next_updates():
    model = make(keras.optimizers.SGD(0.08))
    halve = HalveEachEpoch()
    model.fit(X, Y, epochs=4, batch_size=8, verbose=0, callbacks=[halve])
    assert halve.seen == [0.08, 0.08, 0.04, 0.02]
    assert float(model.optimizer.learning_rate) == 0.01
    # the same run, the rate set by hand between the epochs
    by_hand = make(keras.optimizers.SGD(0.08))
    for epoch, rate in enumerate([0.08, 0.04, 0.02, 0.01]):
        by_hand.optimizer.learning_rate = rate
        by_hand.fit(X, Y, epochs=epoch + 1, initial_epoch=epoch, batch_size=8, verbose=0)
    for a, b in zip(model.get_weights(), by_hand.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras2_set_value_and_get_value_on_lr():
    model = make("adam")
    with pytest.warns(DeprecationWarning, match="optimizer.lr is Keras 2's name"):
        K.set_value(model.optimizer.lr, 0.005)
    with pytest.warns(DeprecationWarning, match="use optimizer.learning_rate"):
        value = K.get_value(model.optimizer.lr)
    assert isinstance(value, np.ndarray) and value.shape == () and float(value) == 0.005
    assert model.optimizer.learning_rate == 0.005
    assert float(model.optimizer.learning_rate.numpy()) == 0.005


def test_set_value_on_a_plain_number_says_what_it_needs():
    model = make(nnscratch.optimizers.Adam())  # an engine optimizer: its rate is a float
    with pytest.raises(TypeError, match=r"set_value needs a variable with assign\(\).*got float"):
        K.set_value(model.optimizer.learning_rate, 0.1)


@pytest.mark.parametrize("name", ["sgd", "adam", "RMSprop", "adagrad", "adadelta", "nadam"])
def test_compile_by_name_gives_the_keras_class_and_the_same_numbers(name):
    """The rate's methods change nothing an update computes: the weights after training
    are those of the engine's optimizer of the same name."""
    keras_model = make(name)
    engine_model = make(nnscratch.optimizers.get(name))
    assert type(keras_model.optimizer).__module__ == "nnscratch.keras.optimizers"
    assert type(engine_model.optimizer).__module__ == "nnscratch.engine.optimizers"
    keras_model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    engine_model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    for a, b in zip(keras_model.get_weights(), engine_model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_saved_model_loads_with_the_keras_class_and_resumes_exactly(tmp_path):
    model = make("adam")
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "m.nnscratch"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 10
    assert type(nnscratch.load_model(path).optimizer) is nnscratch.optimizers.Adam
    loaded.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    loaded.optimizer.learning_rate.assign(0.01)
    assert loaded.optimizer.learning_rate == 0.01


def test_the_rate_is_a_number_and_copies_as_one():
    lr = keras.optimizers.Adam(0.25).learning_rate
    assert isinstance(lr, float) and lr == 0.25 and lr * 2 == 0.5 and f"{lr:.3f}" == "0.250"
    assert repr(lr) == "0.25" and json.dumps({"lr": lr}) == '{"lr": 0.25}'
    for copied in (copy.deepcopy(lr), pickle.loads(pickle.dumps(lr))):
        assert type(copied) is float and copied == 0.25
    with pytest.raises(ValueError, match="learning_rate must be"):
        keras.optimizers.SGD().learning_rate.assign(-1.0)


def test_assign_on_a_schedule_replaces_it_by_the_constant():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    opt = keras.optimizers.SGD(schedule)
    assert opt.learning_rate == 0.1 and opt.schedule is schedule
    opt.learning_rate.assign(0.3)
    assert opt.learning_rate == 0.3 and opt.schedule is None


def test_get_gives_the_keras_classes_by_name_and_config():
    assert type(keras.optimizers.get("Adam")) is keras.optimizers.Adam
    sgd = keras.optimizers.get({"name": "sgd", "learning_rate": 0.1, "momentum": 0.5})
    assert type(sgd) is keras.optimizers.SGD and sgd.momentum == 0.5
    assert type(keras.optimizers.get("momentum")) is nnscratch.optimizers.SGD
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        keras.optimizers.get("adamw")
