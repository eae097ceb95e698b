"""EarlyStopping, LearningRateScheduler, TerminateOnNaN, ModelCheckpoint, CSVLogger, Ctrl-C."""

import csv
import os
import signal

import numpy as np
import pytest

from nnscratch import Sequential, TrainingDiverged, load_model
from nnscratch.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from nnscratch.data import moons
from nnscratch.layers import Dense
from nnscratch.optimizers import SGD, StepDecay


@pytest.fixture(scope="module")
def data():
    x, y = moons(n_samples=120, seed=0)
    return x[:90], y[:90], x[90:], y[90:]


def make_model(optimizer="sgd", seed=0):
    model = Sequential([Dense(6, "tanh", input_dim=2), Dense(2, "softmax")], seed=seed)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class _FakeModel:
    """Just what EarlyStopping touches, to drive it with a chosen sequence of values."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(1)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


def _drive(cb, values, key="val_loss"):
    model = _FakeModel()
    cb.set_model(model)
    cb.on_train_begin({})
    for epoch, v in enumerate(values):
        model.weights = [np.array([float(epoch)])]
        cb.on_epoch_end(epoch, {key: v})
        if model.stop_training:
            break
    cb.on_train_end({})
    return model, epoch


# -- EarlyStopping -----------------------------------------------------------------------
def test_early_stopping_patience():
    # best at epoch 1; epochs 2, 3 do not improve -> stop at epoch 3 with patience 2
    cb = EarlyStopping(monitor="val_loss", patience=2)
    _, stopped = _drive(cb, [1.0, 0.5, 0.6, 0.7, 0.1])
    assert stopped == 3 and cb.stopped_epoch == 3 and cb.best == 0.5 and cb.best_epoch == 1


def test_early_stopping_min_delta_and_max_mode():
    cb = EarlyStopping(monitor="val_loss", min_delta=0.1, patience=1)
    _, stopped = _drive(cb, [1.0, 0.95, 0.8])  # 0.95 is not 0.1 better than 1.0
    assert stopped == 1
    acc = EarlyStopping(monitor="val_accuracy", patience=1)  # auto -> max
    assert acc.mode == "max"
    _, stopped = _drive(acc, [0.5, 0.7, 0.6, 0.9], key="val_accuracy")
    assert stopped == 2 and acc.best == 0.7


def test_early_stopping_baseline():
    cb = EarlyStopping(monitor="loss", baseline=0.3, patience=2)
    _, stopped = _drive(cb, [0.9, 0.8, 0.7, 0.6], key="loss")
    assert stopped == 1  # never beat the baseline: patience counts from the first epoch
    cb = EarlyStopping(monitor="loss", baseline=0.85, patience=2)
    _, stopped = _drive(cb, [0.9, 0.8, 0.81, 0.82, 0.7], key="loss")
    assert stopped == 3 and cb.best == 0.8


def test_early_stopping_restores_best_weights():
    cb = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    model, _ = _drive(cb, [1.0, 0.2, 0.5, 0.6])
    assert model.weights[0][0] == 1.0  # epoch 1's weights


def test_early_stopping_on_a_real_run(data):
    x, y, xv, yv = data
    model = make_model(SGD(0.5))
    stop = EarlyStopping(monitor="val_loss", min_delta=1e-3, patience=3, restore_best_weights=True)
    hist = model.fit(x, y, epochs=500, validation_data=(xv, yv), callbacks=[stop], verbose=0)
    n = len(hist.history["loss"])
    assert n < 500 and stop.stopped_epoch == n - 1
    assert stop.best_epoch == n - 1 - 3  # patience epochs without a 1e-3 improvement
    best = hist.history["val_loss"][stop.best_epoch]
    assert stop.best == best
    # the model now holds the best epoch's weights, not the last epoch's
    assert model.evaluate(xv, yv)[0] == pytest.approx(best, rel=1e-12)
    assert model.evaluate(xv, yv)[0] != pytest.approx(hist.history["val_loss"][-1], rel=1e-12)


def test_early_stopping_missing_key_is_a_clear_error(data):
    x, y, _, _ = data
    with pytest.raises(ValueError, match=r"monitors 'val_loss'.*validation_split"):
        make_model().fit(x, y, epochs=3, callbacks=[EarlyStopping()], verbose=0)


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"patience": -1}, ValueError),
        ({"patience": 1.5}, TypeError),
        ({"mode": "best"}, ValueError),
        ({"min_delta": float("nan")}, ValueError),
    ],
)
def test_early_stopping_arguments_checked(kwargs, exc):
    with pytest.raises(exc):
        EarlyStopping(**kwargs)


# -- LearningRateScheduler ---------------------------------------------------------------
def _rates_seen(model, x, y, scheduler, epochs=5):
    seen = []
    spy = LambdaCallback(on_epoch_end=lambda e, logs: seen.append(model.optimizer.learning_rate))
    model.fit(x, y, epochs=epochs, callbacks=[scheduler, spy], verbose=0)
    return seen


def test_learning_rate_scheduler_two_arg_one_arg_and_schedule(data):
    x, y, _, _ = data
    seen = _rates_seen(make_model(SGD(0.1)), x, y, LearningRateScheduler(lambda e, lr: lr * 0.5))
    np.testing.assert_allclose(seen, [0.05, 0.025, 0.0125, 0.00625, 0.003125])
    seen = _rates_seen(make_model(), x, y, LearningRateScheduler(lambda e: 0.1 / (e + 1)))
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3, 0.025, 0.02])
    sched = StepDecay(0.2, drop=0.5, step_size=2)
    seen = _rates_seen(make_model(), x, y, LearningRateScheduler(sched))
    np.testing.assert_allclose(seen, [0.2, 0.2, 0.1, 0.1, 0.05])


def test_learning_rate_scheduler_changes_the_updates(data):
    """The rate set by the callback is the one the optimizer steps with."""
    x, y, _, _ = data
    a, b = make_model(SGD(0.3)), make_model(SGD(0.01))
    a.fit(x, y, epochs=2, callbacks=[LearningRateScheduler(lambda e: 0.01)], verbose=0)
    b.fit(x, y, epochs=2, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_the_rates_and_what_callbacks_add_to_the_logs_are_in_the_history(data):
    """As in Keras 3: LearningRateScheduler and ReduceLROnPlateau put the epoch's rate in its
    logs, and a callback's own entry (a metric it computes) is recorded too, because
    History records each epoch after the callbacks."""
    x, y, xv, yv = data

    class ValError(Callback):  # the Keras pattern: a metric of your own, put in the logs
        def on_epoch_end(self, epoch, logs=None):
            logs["val_error"] = float(np.mean(self.model.predict(xv).argmax(1) != yv))

    model = make_model(SGD(0.4))
    history = model.fit(
        x,
        y,
        epochs=4,
        validation_data=(xv, yv),
        callbacks=[LearningRateScheduler(lambda e, lr: lr * 0.5), ValError()],
        verbose=0,
    )
    assert list(history.history) == [
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "learning_rate",
        "val_error",
    ]
    assert history.history["learning_rate"] == [0.2, 0.1, 0.05, 0.025]
    np.testing.assert_allclose(
        1.0 - np.array(history.history["val_accuracy"]), history.history["val_error"], atol=1e-12
    )
    plateau = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
    history = make_model(SGD(0.4)).fit(x, y, epochs=3, callbacks=[plateau], verbose=0)
    # the rate each epoch trained with: epoch 0 is an improvement (on infinity), epoch 1 is
    # not and halves the rate at its end, which epoch 2 then trains with
    assert history.history["learning_rate"] == [0.4, 0.4, 0.2]
    assert plateau.reductions == [(1, 0.2), (2, 0.1)]


def test_learning_rate_scheduler_bad_rate(data):
    x, y, _, _ = data
    with pytest.raises(ValueError, match="expected a number > 0"):
        make_model().fit(
            x, y, epochs=2, callbacks=[LearningRateScheduler(lambda e: -1.0)], verbose=0
        )
    with pytest.raises(TypeError, match="callable"):
        LearningRateScheduler(0.1)


# -- TerminateOnNaN ----------------------------------------------------------------------
def _diverging():
    x = np.array([[1e3, -1e3], [2e3, 1e3], [-1e3, 5e2]] * 10)
    y = np.array([0, 1, 0] * 10)
    model = Sequential([Dense(4, "relu", input_dim=2), Dense(2, "softmax")], seed=0)
    model.compile(SGD(1e3), "categorical_crossentropy")
    return model, x, y


def test_without_terminate_on_nan_divergence_raises():
    model, x, y = _diverging()
    with pytest.raises(TrainingDiverged), np.errstate(all="ignore"):
        model.fit(x, y, epochs=50, batch_size=3, verbose=0)


def test_terminate_on_nan_stops_cleanly_with_finite_weights():
    model, x, y = _diverging()
    term = TerminateOnNaN()
    ended = []
    with np.errstate(all="ignore"):  # overflow on the way to the non-finite loss
        hist = model.fit(
            x,
            y,
            epochs=50,
            batch_size=3,
            callbacks=[term, LambdaCallback(on_train_end=ended.append)],
            verbose=0,
        )
    assert term.terminated
    assert hist.interrupted and model.history is hist
    assert len(hist.history.get("loss", [])) < 50
    assert ended == [{"diverged": True, "interrupted": True}]
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())


def test_terminate_on_nan_is_quiet_on_a_healthy_run(data):
    x, y, _, _ = data
    term = TerminateOnNaN()
    hist = make_model().fit(x, y, epochs=3, callbacks=[term], verbose=0)
    assert not term.terminated and len(hist.history["loss"]) == 3


# -- ModelCheckpoint ---------------------------------------------------------------------
def test_model_checkpoint_every_epoch_with_formatted_names(tmp_path, data):
    x, y, xv, yv = data
    model = make_model()
    ckpt = ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{loss:.3f}.nnscratch"))
    hist = model.fit(x, y, epochs=3, validation_data=(xv, yv), callbacks=[ckpt], verbose=0)
    assert len(ckpt.saved) == 3
    assert os.path.basename(ckpt.saved[0]) == f"m-01-{hist.history['loss'][0]:.3f}.nnscratch"
    last = load_model(ckpt.saved[-1])
    for a, b in zip(last.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_refuses_a_model_it_could_not_save_before_training(tmp_path, data):
    from nnscratch.engine.losses import CategoricalCrossentropy

    class Mine(CategoricalCrossentropy):
        name = "my_cross_entropy"

    x, y, _, _ = data
    model = Sequential([Dense(4, "tanh", input_dim=2), Dense(2, "softmax")], seed=0)
    model.compile(SGD(0.5), Mine())
    model.build((2,))
    before = model.get_weights()
    ckpt = ModelCheckpoint(str(tmp_path / "m-{epoch}.nnscratch"))
    with pytest.raises(TypeError, match="loss of your own"):
        model.fit(x, y, epochs=3, callbacks=[ckpt], verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))  # no step
    assert ckpt.saved == [] and list(tmp_path.iterdir()) == []


def test_model_checkpoint_refuses_a_folder_that_is_a_file_before_training(tmp_path, data):
    x, y, _, _ = data
    (tmp_path / "taken").write_text("a file, not a folder")
    ckpt = ModelCheckpoint(str(tmp_path / "taken" / "m.nnscratch"))
    with pytest.raises(NotADirectoryError, match="ModelCheckpoint folder"):
        make_model().fit(x, y, epochs=1, callbacks=[ckpt], verbose=0)


def test_model_checkpoint_takes_keras_arguments_in_keras_order(tmp_path, data, capsys):
    x, y, xv, yv = data
    path = str(tmp_path / "best.nnscratch")
    ckpt = ModelCheckpoint(path, "val_loss", 1, True)  # filepath, monitor, verbose, best only
    assert (ckpt.verbose, ckpt.save_best_only) == (1, True)
    model = make_model(SGD(0.5))
    hist = model.fit(x, y, epochs=3, validation_data=(xv, yv), callbacks=[ckpt], verbose=0)
    lines = capsys.readouterr().out.splitlines()
    losses = hist.history["val_loss"]
    # Keras 3's lines: no best value before the first save, and a line after each save.
    expected = [
        f"Epoch 1: val_loss improved from None to {losses[0]:.5f}, saving model to {path}",
        f"Epoch 1: finished saving model to {path}",
    ]
    best = losses[0]
    for epoch, loss in enumerate(losses[1:], start=2):
        if loss < best:
            expected += [
                f"Epoch {epoch}: val_loss improved from {best:.5f} to {loss:.5f}, "
                f"saving model to {path}",
                f"Epoch {epoch}: finished saving model to {path}",
            ]
            best = loss
        else:
            expected.append(f"Epoch {epoch}: val_loss did not improve from {best:.5f}")
    assert lines == expected


def test_model_checkpoint_can_keep_the_weights_alone(tmp_path, data):
    from nnscratch.engine.losses import CategoricalCrossentropy

    class Mine(CategoricalCrossentropy):  # a loss no model file could name
        name = "my_cross_entropy"

    x, y, _, _ = data
    model = Sequential([Dense(4, "tanh", input_dim=2), Dense(2, "softmax")], seed=0)
    model.compile(SGD(0.5), Mine())
    ckpt = ModelCheckpoint(tmp_path / "w-{epoch}.weights.npz", save_weights_only=True)
    model.fit(x, y, epochs=2, callbacks=[ckpt], verbose=0)
    assert [os.path.basename(p) for p in ckpt.saved] == ["w-1.weights.npz", "w-2.weights.npz"]
    again = Sequential([Dense(4, "tanh", input_dim=2), Dense(2, "softmax")], seed=5)
    again.load_weights(ckpt.saved[-1])
    assert all(np.array_equal(a, b) for a, b in zip(again.get_weights(), model.get_weights()))
    with pytest.raises(ValueError, match=r"weights files must end in \.weights\.npz"):
        ModelCheckpoint("w.weights.h5", save_weights_only=True)


def test_model_checkpoint_initial_value_threshold(tmp_path, data):
    x, y, xv, yv = data
    ckpt = ModelCheckpoint(
        tmp_path / "b.nnscratch", save_best_only=True, initial_value_threshold=1e-9
    )
    make_model().fit(x, y, epochs=2, validation_data=(xv, yv), callbacks=[ckpt], verbose=0)
    assert ckpt.saved == [] and not (tmp_path / "b.nnscratch").exists()  # never beat 1e-9


def test_model_checkpoint_save_best_only(tmp_path, data):
    x, y, xv, yv = data
    path = tmp_path / "best.nnscratch"
    model = make_model(SGD(2.0))
    best_weights = {}

    def remember(epoch, logs):  # History records the epoch after the callbacks, as in Keras
        if logs["val_loss"] <= min(model.history.history.get("val_loss", [np.inf])):
            best_weights["w"] = model.get_weights()

    ckpt = ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    model.fit(
        x,
        y,
        epochs=30,
        validation_data=(xv, yv),
        callbacks=[ckpt, LambdaCallback(on_epoch_end=remember)],
        verbose=0,
    )
    assert 1 <= len(ckpt.saved) < 30  # a large rate makes val_loss go up at times
    assert ckpt.best == min(model.history.history["val_loss"])
    for a, b in zip(load_model(path).get_weights(), best_weights["w"]):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_every_n_batches(tmp_path, data):
    x, y, _, _ = data
    ckpt = ModelCheckpoint(tmp_path / "b.nnscratch", save_freq=4)
    make_model().fit(x, y, epochs=2, batch_size=10, callbacks=[ckpt], verbose=0)
    assert len(ckpt.saved) == 18 // 4  # 9 batches per epoch


def test_model_checkpoint_errors(tmp_path, data):
    x, y, _, _ = data
    with pytest.raises(ValueError, match="cannot be filled"):
        make_model().fit(
            x,
            y,
            epochs=1,
            verbose=0,
            callbacks=[ModelCheckpoint(str(tmp_path / "{val_acc}.nnscratch"))],
        )
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("m.nnscratch", save_freq=0)
    with pytest.raises(ValueError, match="monitors 'val_loss'"):
        make_model().fit(
            x,
            y,
            epochs=1,
            verbose=0,
            callbacks=[ModelCheckpoint(tmp_path / "m.nnscratch", save_best_only=True)],
        )


# -- CSVLogger ---------------------------------------------------------------------------
def test_csv_logger_writes_one_row_per_epoch_and_appends(tmp_path, data):
    x, y, xv, yv = data
    path = tmp_path / "log.csv"
    model = make_model()
    hist = model.fit(
        x, y, epochs=3, validation_data=(xv, yv), callbacks=[CSVLogger(path)], verbose=0
    )
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    assert [float(r[2]) for r in rows[1:]] == hist.history["loss"]  # repr round-trips
    model.fit(
        x,
        y,
        epochs=2,
        validation_data=(xv, yv),
        callbacks=[CSVLogger(path, append=True)],
        verbose=0,
    )
    rows = list(csv.reader(path.read_text().splitlines()))
    assert len(rows) == 1 + 3 + 2 and rows.count(rows[0]) == 1
    model.fit(x, y, epochs=1, callbacks=[CSVLogger(path, separator=";")], verbose=0)
    assert path.read_text().splitlines()[0] == "epoch;accuracy;loss"


# -- Ctrl-C ------------------------------------------------------------------------------
def _interrupt_at(epoch_to_stop, batch_to_stop, seen):
    state = {"epoch": 0}

    def on_epoch_begin(epoch, logs):
        state["epoch"] = epoch

    def on_batch_end(batch, logs):
        if state["epoch"] == epoch_to_stop and batch == batch_to_stop:
            seen["weights"] = seen["model"].get_weights()
            os.kill(os.getpid(), signal.SIGINT)  # what pressing Ctrl-C does

    return LambdaCallback(on_epoch_begin=on_epoch_begin, on_train_batch_end=on_batch_end)


def test_ctrl_c_stops_after_the_current_batch_and_keeps_the_weights(data):
    x, y, _, _ = data
    model = make_model()
    seen = {"model": model}
    ended = []
    with pytest.raises(KeyboardInterrupt, match="keeps its weights"):
        model.fit(
            x,
            y,
            epochs=10,
            batch_size=10,
            verbose=0,
            callbacks=[_interrupt_at(2, 4, seen), LambdaCallback(on_train_end=ended.append)],
        )
    assert ended == [{"diverged": False, "interrupted": True}]
    assert model.history.interrupted
    for a, b in zip(model.get_weights(), seen["weights"]):
        np.testing.assert_array_equal(a, b)  # no step after the interrupted batch
    assert len(model.history.history["loss"]) == 3  # epochs 0, 1 and the partial epoch 2
    # the handler is gone: Python's default Ctrl-C behaviour is back
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_with_model_checkpoint_leaves_the_latest_weights_on_disk(tmp_path, data):
    x, y, _, _ = data
    path = tmp_path / "ckpt.nnscratch"
    model = make_model("adam")
    seen = {"model": model}
    ckpt = ModelCheckpoint(path)
    with pytest.raises(KeyboardInterrupt):
        model.fit(
            x, y, epochs=10, batch_size=10, verbose=0, callbacks=[_interrupt_at(3, 2, seen), ckpt]
        )
    assert len(ckpt.saved) == 4  # epochs 0-2, and the interrupted epoch 3
    on_disk = load_model(path)
    for a, b in zip(on_disk.get_weights(), seen["weights"]):
        np.testing.assert_array_equal(a, b)
    assert on_disk.optimizer.iterations == model.optimizer.iterations == 3 * 9 + 3
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]  # no stray temp files


def test_batch_logs_are_the_epochs_means_so_far_as_in_keras(data):
    # Keras 3's on_train_batch_end receives the running means of the epoch, not the
    # batch's own loss; the last batch's logs are the epoch's.
    x, y = data[0], data[1]  # 90 examples: batches of 32, 32 and 26
    model, own, logs_seen = make_model(), [], []

    def measure(batch, logs):  # the batch's own loss and accuracy, before its step
        rows = slice(32 * batch, 32 * batch + 32)
        loss, acc = model.evaluate(x[rows], y[rows])
        own.append((loss, acc, len(x[rows])))

    recorder = LambdaCallback(
        on_train_batch_begin=measure,
        on_train_batch_end=lambda batch, logs: logs_seen.append(dict(logs)),
    )
    history = model.fit(x, y, epochs=2, batch_size=32, shuffle=False, callbacks=[recorder])
    assert [sorted(logs) for logs in logs_seen] == [["accuracy", "loss", "size"]] * 6
    assert [logs["size"] for logs in logs_seen] == [32, 32, 26] * 2
    for epoch in range(2):
        rows = own[3 * epoch : 3 * epoch + 3]
        for k in range(3):
            seen = sum(n for _, _, n in rows[: k + 1])
            loss = sum(value * n for value, _, n in rows[: k + 1]) / seen
            acc = sum(value * n for _, value, n in rows[: k + 1]) / seen
            got = logs_seen[3 * epoch + k]
            assert got["loss"] == pytest.approx(loss, rel=1e-12)
            assert got["accuracy"] == pytest.approx(acc, rel=1e-12)
        last = logs_seen[3 * epoch + 2]
        assert history.history["loss"][epoch] == last["loss"]
        assert history.history["accuracy"][epoch] == last["accuracy"]
    assert logs_seen[0]["loss"] == own[0][0]  # one batch: its loss as it is


@pytest.mark.parametrize("name", ["mymodel_{epoch}.keras", "best.h5", "ckpt"])
def test_model_checkpoint_refuses_a_name_save_would_refuse_before_training(tmp_path, name):
    # A Keras script's ".keras" (or an existing folder) is refused when the callback is
    # made, not after the first epoch of work.
    (tmp_path / "ckpt").mkdir()
    with pytest.raises((ValueError, IsADirectoryError), match=r"\.nnscratch"):
        ModelCheckpoint(str(tmp_path / name), save_best_only=True)
    assert ModelCheckpoint(str(tmp_path / "m-{epoch}-{val_loss:.3f}.nnscratch")).saved == []
