"""The callbacks Keras tutorials use, with Keras 3's arguments in Keras 3's order: verbose
lines, ReduceLROnPlateau, EarlyStopping's start_from_epoch, LambdaCallback's batch hooks."""

import numpy as np
import pytest

from nnscratch import Sequential, callbacks
from nnscratch.data import moons
from nnscratch.keras import callbacks as keras_callbacks
from nnscratch.layers import Dense
from nnscratch.optimizers import SGD


@pytest.fixture(scope="module")
def data():
    """90 points to train on and 30 to validate on, from the moons."""
    x, y = moons(n_samples=120, seed=0)
    return x[:90], y[:90], x[90:], y[90:]


def make_model(lr=0.5):
    model = Sequential([Dense(6, "tanh", input_dim=2), Dense(2, "softmax")], seed=0)
    model.compile(optimizer=SGD(lr), loss="categorical_crossentropy")
    return model


class _Values:
    """A model stand-in whose epochs report chosen values of ``val_loss``."""

    def __init__(self, lr=1.0):
        self.optimizer = SGD(lr)
        self.stop_training = False


def _drive(callback, values, lr=1.0):
    model = _Values(lr)
    callback.set_model(model)
    callback.on_train_begin({})
    rates = []
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {"val_loss": value})
        rates.append(model.optimizer.learning_rate)
    return rates


def test_reduce_lr_on_plateau_follows_keras_rule():
    # patience 2: two epochs without improvement (by more than min_delta) halve the rate
    plateau = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, min_delta=0.0)
    rates = _drive(plateau, [1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8])
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert plateau.reductions == [(3, 0.5), (6, 0.25)]


def test_reduce_lr_on_plateau_cooldown_and_floor():
    plateau = callbacks.ReduceLROnPlateau(
        factor=0.1, patience=1, cooldown=2, min_lr=0.05, min_delta=0.0
    )
    rates = _drive(plateau, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    # epoch 1 reduces to 0.1; as in Keras the cooldown counter goes down at the start of
    # each epoch, so cooldown=2 rests epoch 2 and epoch 3 reduces again, to the floor 0.05
    assert rates == pytest.approx([1.0, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05])
    assert [epoch for epoch, _ in plateau.reductions] == [1, 3]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"factor": 1.0}, "factor"), ({"patience": -1}, "patience"), ({"mode": "up"}, "mode")],
)
def test_reduce_lr_on_plateau_refuses_bad_settings(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        callbacks.ReduceLROnPlateau(**kwargs)


def test_reduce_lr_on_plateau_in_fit_prints_keras_line(data, capsys):
    x, y, xv, yv = data
    model = make_model(lr=0.5)
    # it improves only on the first epoch (on inf)
    plateau = callbacks.ReduceLROnPlateau("val_loss", 0.5, 0, 1, min_delta=10.0)
    model.fit(x, y, epochs=3, validation_data=(xv, yv), callbacks=[plateau], verbose=0)
    assert model.optimizer.learning_rate == 0.125
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.25.",
        "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.125.",
    ]


def test_early_stopping_keras_order_verbose_and_start_from_epoch(data, capsys):
    x, y, xv, yv = data
    # monitor, min_delta, patience, verbose: no epoch after the first improves by 100
    stop = callbacks.EarlyStopping("val_loss", 100.0, 1, 1, restore_best_weights=True)
    assert (stop.min_delta, stop.patience, stop.verbose) == (100.0, 1, 1)
    history = make_model().fit(x, y, epochs=10, validation_data=(xv, yv), callbacks=[stop])
    assert len(history.history["loss"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out
    late = callbacks.EarlyStopping(min_delta=100.0, patience=1, start_from_epoch=4)
    history = make_model().fit(x, y, epochs=10, validation_data=(xv, yv), callbacks=[late])
    assert len(history.history["loss"]) == 6  # watching from epoch 5 (index 4)


def test_learning_rate_scheduler_verbose(data, capsys):
    x, y, _, _ = data
    schedule = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1), verbose=1)
    make_model().fit(x, y, epochs=2, callbacks=[schedule], verbose=0)
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 1: LearningRateScheduler setting learning rate to 0.1.",
        "Epoch 2: LearningRateScheduler setting learning rate to 0.05.",
    ]


def test_lambda_callback_sees_every_batch_begin(data):
    x, y, _, _ = data
    begun = []
    hook = callbacks.LambdaCallback(on_train_batch_begin=lambda batch, logs: begun.append(batch))
    make_model().fit(x, y, epochs=2, batch_size=30, callbacks=[hook], verbose=0)
    assert begun == [0, 1, 2, 0, 1, 2]


def test_keras_module_offers_them():
    assert keras_callbacks.ReduceLROnPlateau is callbacks.ReduceLROnPlateau
    assert keras_callbacks.EarlyStopping is callbacks.EarlyStopping
    with pytest.raises(ValueError, match="verbose"):
        callbacks.EarlyStopping(verbose=3)
    assert np.isfinite(callbacks.ReduceLROnPlateau().best) is np.False_


class _Calls(keras_callbacks.Callback):
    """Records the training hooks it sees, with their logs."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", logs))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", logs))


@pytest.mark.parametrize("epochs, initial_epoch", [(0, 0), (3, 3), (2, 5)])
def test_fit_with_no_epoch_to_run_returns_an_empty_history_as_keras(
    data, capsys, epochs, initial_epoch
):
    """Keras runs the epochs ``range(initial_epoch, epochs)``: none at all for ``epochs=0``
    or for a resumed run that is already done. The callbacks see the start and the end,
    the history is empty, nothing is printed and no weight moves."""
    import nnscratch.keras as keras

    x, y, _, _ = data
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = [w.copy() for w in model.get_weights()]
    spy = _Calls()
    stop = keras_callbacks.EarlyStopping(monitor="loss", restore_best_weights=True)
    for verbose in (0, 1, 2):
        history = model.fit(
            x, y, epochs=epochs, initial_epoch=initial_epoch, verbose=verbose, callbacks=[spy, stop]
        )
        assert history.history == {} and history.epoch == []
        assert history.params["epochs"] == epochs
    assert spy.calls == [("train_begin", {}), ("train_end", {})] * 3
    assert stop.stopped_epoch == 0
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert capsys.readouterr().out == ""


def test_fit_with_no_epoch_to_run_still_checks_and_builds(data):
    """The data are checked and a model without an input shape is built, as by any fit."""
    x, y, _, _ = data
    model = Sequential([Dense(3, "tanh"), Dense(2, "softmax")], seed=0)
    model.compile(optimizer=SGD(0.1), loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="x and y have different numbers of samples: 90 and 50"):
        model.fit(x, y[:50], epochs=0)
    assert model.fit(x, y, epochs=0).history == {}
    assert model.built and model.predict(x[:4]).shape == (4, 2)
