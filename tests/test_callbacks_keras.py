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
