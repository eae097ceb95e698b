"""Keras 3's guides, run on ``nnscratch.keras`` with only the imports changed.

Three guides of keras.io, the NumPy-data parts of each: "Writing your own callbacks",
"The Sequential model" and "Training & evaluation with the built-in methods". Each test
holds a snippet of a guide as the guide writes it (``keras.ops`` calls aside, which have
NumPy's names) and checks what Keras 3 does with it: the hooks called and their logs'
keys, the numbers returned, the files written. The expected transcripts were recorded by
running the same snippets on Keras 3.15 (torch backend).

The parts that need automatic differentiation (a layer's or a loss's ``call``), a
``tf.data.Dataset`` or a ``PyDataset``, several inputs or outputs, or a model over
another model's layers are refused; the tests check that the error says what to do
instead. The guides train on MNIST: those tests run when ``NNSCRATCH_DATA`` names the
folder of ``mnist.pkl.gz`` (on the first 1,000 to 3,000 images), and are skipped
otherwise.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnscratch import keras
from nnscratch.keras import layers

ops = np  # the guides' keras.ops, where only NumPy's functions of the same names are needed

needs_mnist = pytest.mark.skipif(
    not os.environ.get("NNSCRATCH_DATA"),
    reason="set NNSCRATCH_DATA to the folder holding mnist.pkl.gz to run the guides on MNIST",
)


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
    x_test = x_test.reshape(-1, 784).astype("float32") / 255.0
    return x_train[:3000], y_train[:3000], x_test[:1000], y_test[:1000]


# == "Writing your own callbacks" =============================================================
def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


class CustomCallback(keras.callbacks.Callback):
    """The guide's callback, recording (hook, batch or epoch, log keys) instead of printing."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def _log(self, hook, logs, number=None):
        self.seen.append((hook, number, list(logs.keys())))

    def on_train_begin(self, logs=None):
        self._log("train_begin", logs)

    def on_train_end(self, logs=None):
        self._log("train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._log("epoch_begin", logs, epoch)

    def on_epoch_end(self, epoch, logs=None):
        self._log("epoch_end", logs, epoch)

    def on_test_begin(self, logs=None):
        self._log("test_begin", logs)

    def on_test_end(self, logs=None):
        self._log("test_end", logs)

    def on_predict_begin(self, logs=None):
        self._log("predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._log("predict_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._log("train_batch_begin", logs, batch)

    def on_train_batch_end(self, batch, logs=None):
        self._log("train_batch_end", logs, batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._log("test_batch_begin", logs, batch)

    def on_test_batch_end(self, batch, logs=None):
        self._log("test_batch_end", logs, batch)

    def on_predict_batch_begin(self, batch, logs=None):
        self._log("predict_batch_begin", logs, batch)

    def on_predict_batch_end(self, batch, logs=None):
        self._log("predict_batch_end", logs, batch)


METRICS = ["loss", "mean_absolute_error"]
VAL = ["val_loss", "val_mean_absolute_error"]


def batches(kind, n, keys):
    return [step for i in range(n) for step in ((f"{kind}_begin", i, []), (f"{kind}_end", i, keys))]


@needs_mnist
def test_custom_callback_hears_fit_evaluate_and_predict_as_in_keras(mnist):
    x_train, y_train, x_test, y_test = (a[:1000] for a in mnist)
    model = get_model()
    fitting, testing, predicting = CustomCallback(), CustomCallback(), CustomCallback()
    model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0, validation_split=0.5,
              callbacks=[fitting])  # fmt: skip
    res = model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[testing])
    out = model.predict(x_test, batch_size=128, callbacks=[predicting])

    # Keras 3 logs the same keys; nnscratch's training batches also carry the batch "size"
    train_batch = [*METRICS, "size"]
    assert fitting.seen == [
        ("train_begin", None, []),
        ("epoch_begin", 0, []),
        *batches("train_batch", 4, train_batch),  # 500 examples in batches of 128
        ("test_begin", None, []),
        *batches("test_batch", 4, METRICS),  # the 500 held out, validated in batches of 128
        ("test_end", None, METRICS),
        ("epoch_end", 0, METRICS + VAL),
        ("train_end", None, METRICS + VAL),  # Keras hands on_train_end the last epoch's logs
    ]
    assert testing.seen == [
        ("test_begin", None, []),
        *batches("test_batch", 8, METRICS),
        ("test_end", None, METRICS),
    ]
    assert predicting.seen == [
        ("predict_begin", None, []),
        *batches("predict_batch", 8, ["outputs"]),
        ("predict_end", None, []),
    ]
    assert len(res) == 2 and out.shape == (1000, 1)
    assert np.allclose(out, model.predict(x_test))


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print(f"Up to batch {batch}, the average loss is {logs['loss']:7.2f}.")

    def on_test_batch_end(self, batch, logs=None):
        print(f"Up to batch {batch}, the average loss is {logs['loss']:7.2f}.")

    def on_epoch_end(self, epoch, logs=None):
        print(
            f"The average loss for epoch {epoch} is {logs['loss']:7.2f} "
            f"and mean absolute error is {logs['mean_absolute_error']:7.2f}."
        )


@needs_mnist
def test_the_logs_dict_holds_running_means_in_evaluate_too(mnist, capsys):
    x_train, y_train, x_test, y_test = (a[:1000] for a in mnist)
    model = get_model()
    model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0,
              callbacks=[LossAndErrorPrintingCallback()])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * 8 + 2 and lines[8].startswith("The average loss for epoch 0 is")

    seen = []
    spy = keras.callbacks.LambdaCallback()  # an nnscratch callback: no test hooks, left alone
    recorder = type("Recorder", (keras.callbacks.Callback,), {
        "on_test_batch_end": lambda self, batch, logs: seen.append(dict(logs)),
        "on_test_end": lambda self, logs: seen.append(("end", dict(logs))),
    })()  # fmt: skip
    res = model.evaluate(x_test, y_test, batch_size=128, verbose=0,
                         callbacks=[LossAndErrorPrintingCallback(), spy, recorder])  # fmt: skip
    assert len(capsys.readouterr().out.splitlines()) == 8
    last, (tag, final) = seen[-2], seen[-1]
    assert tag == "end" and final == {"loss": res[0], "mean_absolute_error": res[1]}
    assert last["loss"] == pytest.approx(res[0], rel=1e-9)  # the mean over all 1000
    first = model.evaluate(x_test[:128], y_test[:128], verbose=0)
    assert seen[0]["loss"] == pytest.approx(first[0], rel=1e-9)


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


@needs_mnist
def test_early_stopping_at_min_loss_stops_and_restores(mnist, capsys):
    x_train, y_train = mnist[0][:1000], mnist[1][:1000]
    model = get_model()
    stopper = EarlyStoppingAtMinLoss()
    history = model.fit(x_train, y_train, batch_size=64, epochs=30, verbose=0,
                        callbacks=[stopper])  # fmt: skip
    assert 0 < stopper.stopped_epoch < 29 and len(history.epoch) == stopper.stopped_epoch + 1
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), stopper.best_weights))
    out = capsys.readouterr().out
    assert out.endswith(f"Epoch {stopper.stopped_epoch + 1}: early stopping\n")


def test_steps_per_epoch_is_refused_with_what_to_pass_instead():
    x, y = np.zeros((64, 784)), np.zeros(64)
    with pytest.raises(ValueError, match=r"fit\(steps_per_epoch=5\) is not supported: an epoch"):
        get_model().fit(x, y, batch_size=64, steps_per_epoch=5, epochs=30, verbose=0)
    with pytest.raises(ValueError, match=r"fit\(validation_freq=2\)"):
        get_model().fit(x, y, validation_split=0.5, validation_freq=2, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate\(steps=3\)"):
        get_model().evaluate(x, y, steps=3, verbose=0)


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = self.model.optimizer.learning_rate
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")


LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005), (12, 0.001)]


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


def test_a_custom_scheduler_reads_and_writes_the_learning_rate(capsys):
    x = np.random.default_rng(0).random((64, 784))
    model = get_model()
    model.fit(x, x[:, 0], batch_size=64, epochs=15, verbose=0,
              callbacks=[CustomLearningRateScheduler(lr_schedule)])  # fmt: skip
    printed = [line for line in capsys.readouterr().out.splitlines() if line]
    assert printed[0] == "Epoch 0: Learning rate is 0.1."
    assert printed[3] == "Epoch 3: Learning rate is 0.05."
    assert printed[14] == "Epoch 14: Learning rate is 0.001."
    assert model.optimizer.learning_rate == 0.001


# == "The Sequential model" ===================================================================
def test_a_sequential_model_is_a_stack_of_named_layers(capsys):
    model = keras.Sequential([
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ])  # fmt: skip
    x = np.ones((3, 3))
    y = model(x)
    assert y.shape == (3, 4)

    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))
    model.pop()
    assert len(model.layers) == 2 and [layer.name for layer in model.layers] == ["dense", "dense_1"]

    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(2, activation="relu", name="layer1"))
    model.add(layers.Dense(3, activation="relu", name="layer2"))
    model.add(layers.Dense(4, name="layer3"))
    assert model.name == "my_sequential"

    model = keras.Sequential([
        layers.Dense(2, activation="relu"),
        layers.Dense(3, activation="relu"),
        layers.Dense(4),
    ])  # fmt: skip
    assert model.weights == []
    with pytest.raises(ValueError, match="not been built yet"):
        model.summary()  # "You also can't do this" (Keras 3 prints "?" shapes instead)
    y = model(np.ones((1, 4)))
    assert len(model.weights) == 6
    model.summary()
    assert "dense_2 (Dense)" in capsys.readouterr().out


def test_calling_a_layer_on_an_array_says_to_use_a_model():
    layer1 = layers.Dense(2, activation="relu", name="layer1")
    with pytest.raises(TypeError, match=r"put the layer in a model and call model.predict\(x\)"):
        layer1(np.ones((3, 3)))  # Keras 3 computes it: a layer here is built by its model


def test_input_and_the_add_summary_workflow(capsys):
    model = keras.Sequential()
    model.add(keras.Input(shape=(4,)))
    model.add(layers.Dense(2, activation="relu"))
    model.summary()
    assert len(model.layers) == 1 and model.output_shape == (None, 2)

    model = keras.Sequential()
    model.add(keras.Input(shape=(250, 250, 3)))  # 250x250 RGB images
    model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    assert model.output_shape == (None, 40, 40, 32)
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.summary()
    last_pooling = [line for line in capsys.readouterr().out.splitlines() if "pooling2d_2" in line]
    assert "(None, 4, 4, 32)" in last_pooling[0]
    model.add(layers.GlobalMaxPooling2D())  # the guide's next line
    assert model.output_shape == (None, 32)
    model.add(layers.Dense(10))
    assert model.output_shape == (None, 10) and model.count_params() == 48672 + 330


def test_feature_extraction_of_one_layer_and_trace_for_every_layer():
    initial_model = keras.Sequential([
        keras.Input(shape=(25, 25, 3)),
        layers.Conv2D(4, 5, strides=2, activation="relu"),
        layers.Conv2D(4, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(4, 3, activation="relu"),
    ])  # fmt: skip
    # the guide's second recipe, as written: a model over the first two layers (shared)
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=initial_model.get_layer(name="my_intermediate_layer").output,
    )
    x = np.ones((1, 25, 25, 3))
    features = feature_extractor(x)
    np.testing.assert_array_equal(features, initial_model.trace(x)[1])
    assert feature_extractor.output_shape == (None, 9, 9, 4)
    # the first recipe has one output per layer: refused, and trace gives them
    with pytest.raises(ValueError, match=r"a Model with 3 outputs.*model.trace"):
        keras.Model(inputs=initial_model.inputs,
                    outputs=[layer.output for layer in initial_model.layers])  # fmt: skip
    features = initial_model.trace(x)
    assert [f.shape for f in features] == [(1, 11, 11, 4), (1, 9, 9, 4), (1, 7, 7, 4)]


def test_freezing_all_layers_but_the_last():
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(10),
    ])  # fmt: skip
    for layer in model.layers[:-1]:
        layer.trainable = False
    model.compile(optimizer="adam", loss="mse")
    before = model.get_weights()
    rng = np.random.default_rng(0)
    model.fit(rng.random((64, 784)), rng.random((64, 10)), verbose=0)
    same = [np.array_equal(a, b) for a, b in zip(before, model.get_weights())]
    assert same == [True] * 6 + [False] * 2


# == "Training & evaluation with the built-in methods" =======================================
def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model


@pytest.fixture(scope="module")
def split(mnist):
    x_train, y_train, x_test, y_test = mnist
    y_train, y_test = y_train.astype("float32"), y_test.astype("float32")
    return x_train[:-500], y_train[:-500], x_train[-500:], y_train[-500:], x_test, y_test


@needs_mnist
def test_the_end_to_end_example(split):
    x_train, y_train, x_val, y_val, x_test, y_test = split
    model = get_uncompiled_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = model.fit(x_train, y_train, batch_size=64, epochs=2,
                        validation_data=(x_val, y_val), verbose=0)  # fmt: skip
    assert list(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                      "val_sparse_categorical_accuracy"]  # fmt: skip
    assert history.history["loss"][1] < history.history["loss"][0]
    results = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    assert len(results) == 2 and results[1] > 0.7  # Keras 3 on these images: 0.83
    predictions = model.predict(x_test[:3])
    assert predictions.shape == (3, 10)


@needs_mnist
def test_class_weight_is_sample_weight_by_class(split):
    x_train, y_train = split[0][:1000], split[1][:1000]
    class_weight = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 2.0, 6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0}
    model = get_compiled_model()
    by_class = model.fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1,
                         verbose=0)  # fmt: skip
    sample_weight = np.ones(shape=(len(y_train),))
    sample_weight[y_train == 5] = 2.0
    model = get_compiled_model()
    by_sample = model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1,
                          verbose=0)  # fmt: skip
    assert by_class.history == by_sample.history


def test_custom_losses_and_metrics_that_need_autodiff_are_refused_with_what_to_write():
    def custom_mean_squared_error(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    model = get_uncompiled_model()
    with pytest.raises(TypeError, match=r"loss=custom_mean_squared_error\): a loss function of"):
        model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)

    class CustomMSE(keras.losses.Loss):
        def __init__(self, regularization_factor=0.1, name="custom_mse"):
            super().__init__(name=name)
            self.regularization_factor = regularization_factor

        def call(self, y_true, y_pred):
            mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
            reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
            return mse + reg * self.regularization_factor

    with pytest.raises(TypeError, match=r"CustomMSE defines call\(y_true, y_pred\).*per_example"):
        model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())

    with pytest.raises(AttributeError, match="a function metric\\(y_true, y_pred\\) returning"):

        class CategoricalTruePositives(keras.metrics.Metric):
            pass

    class ActivityRegularizationLayer(layers.Layer):
        def call(self, inputs):
            self.add_loss(ops.mean(inputs) * 0.1)
            return inputs  # Pass-through layer.

    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    with pytest.raises(TypeError, match=r"defines call\(\).*define forward\(x, training\)"):
        x = ActivityRegularizationLayer()(x)
    with pytest.raises(AttributeError, match=r"no keras\.ops"):
        keras.ops  # noqa: B018
    # the guide's loss on logits works (its model also adds a loss of its own, refused above)
    logits = np.array([[2.0, 1.0, 0.1]])
    probabilities = np.exp(logits) / np.exp(logits).sum()
    assert keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        [0], logits
    ) == pytest.approx(keras.losses.SparseCategoricalCrossentropy()([0], probabilities))


def test_data_that_is_not_arrays_is_refused_with_what_to_do():
    model = get_compiled_model()

    def batches():
        while True:
            yield np.zeros((64, 784)), np.zeros(64)

    with pytest.raises(TypeError, match=r"fit\(\) needs the inputs x and the targets y"):
        model.fit(batches(), epochs=1)
    with pytest.raises(TypeError, match="collect its batches into arrays"):
        model.evaluate(batches())
    with pytest.raises(AttributeError, match="take NumPy arrays"):
        keras.utils.PyDataset  # noqa: B018
    image_input = keras.Input(shape=(8, 8, 3), name="img_input")
    x1 = layers.Flatten()(layers.Conv2D(3, 3)(image_input))
    score_output = layers.Dense(1, name="score_output")(x1)
    class_output = layers.Dense(5, name="class_output")(x1)
    with pytest.raises(ValueError, match="a Model with 2 outputs is not supported"):
        keras.Model(inputs=[image_input], outputs=[score_output, class_output])
    with pytest.raises(AttributeError, match="no merge layers"):
        layers.concatenate  # noqa: B018


@needs_mnist
def test_early_stopping_and_a_loss_history_callback(split, capsys):
    x_train, y_train = split[0][:1000], split[1][:1000]
    model = get_compiled_model()
    callbacks = [
        keras.callbacks.EarlyStopping(
            # Stop training when `val_loss` is no longer improving
            monitor="val_loss",
            # "no longer improving" being defined as "no better than 1e-2 less"
            min_delta=1e-2,
            # "no longer improving" being further defined as "for at least 2 epochs"
            patience=2,
            verbose=1,
        )
    ]
    history = model.fit(x_train, y_train, epochs=20, batch_size=64, callbacks=callbacks,
                        validation_split=0.2, verbose=0)  # fmt: skip
    assert len(history.epoch) < 20
    assert capsys.readouterr().out == f"Epoch {len(history.epoch)}: early stopping\n"

    class LossHistory(keras.callbacks.Callback):
        def on_train_begin(self, logs):
            self.per_batch_losses = []

        def on_batch_end(self, batch, logs):
            self.per_batch_losses.append(logs.get("loss"))

    losses = LossHistory()
    history = model.fit(x_train, y_train, epochs=1, batch_size=64, callbacks=[losses], verbose=0)
    assert len(losses.per_batch_losses) == 16  # Keras 2's on_batch_end, called every batch
    assert losses.per_batch_losses[-1] == history.history["loss"][0]


@needs_mnist
def test_checkpoints_and_restoring_the_latest(split, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x_train, y_train = split[0][:640], split[1][:640]
    model = get_compiled_model()
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath="mymodel_{epoch}.nnscratch",  # Keras 3: .keras (see docs/keras.md)
            save_best_only=True,  # Only save a model if `val_loss` has improved.
            monitor="val_loss",
            verbose=1,
        )
    ]
    model.fit(x_train, y_train, epochs=2, batch_size=64, callbacks=callbacks,
              validation_split=0.2, verbose=0)  # fmt: skip
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from None to" in out
    assert "Epoch 1: finished saving model to mymodel_1.nnscratch" in out
    assert (tmp_path / "mymodel_1.nnscratch").exists()

    checkpoint_dir = "./ckpt"
    if not os.path.exists(checkpoint_dir):
        os.makedirs(checkpoint_dir)

    def make_or_restore_model():
        checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
        if checkpoints:
            latest_checkpoint = max(checkpoints, key=os.path.getctime)
            print("Restoring from", latest_checkpoint)
            return keras.models.load_model(latest_checkpoint)
        print("Creating a new model")
        return get_compiled_model()

    model = make_or_restore_model()
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            filepath=checkpoint_dir + "/model-loss={loss:.2f}.nnscratch", save_freq=5
        )
    ]
    model.fit(x_train, y_train, epochs=1, callbacks=callbacks, verbose=0)
    assert len(os.listdir(checkpoint_dir)) == 4  # 20 batches, every 5th saved
    restored = make_or_restore_model()
    assert "Restoring from ./ckpt/model-loss=" in capsys.readouterr().out
    assert restored.evaluate(x_train, y_train, verbose=0) == pytest.approx(
        model.evaluate(x_train, y_train, verbose=0)
    )


def test_learning_rate_schedules():
    initial_learning_rate = 0.1
    lr_schedule = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate, decay_steps=100000, decay_rate=0.96, staircase=True
    )
    optimizer = keras.optimizers.RMSprop(learning_rate=lr_schedule)
    assert optimizer.learning_rate == 0.1  # the rate of the step to come, as Keras 3's
    assert lr_schedule(0) == 0.1 and lr_schedule(200000) == pytest.approx(0.1 * 0.96**2)
    with pytest.raises(AttributeError, match="LearningRateScheduler"):
        keras.optimizers.schedules.CosineDecayRestarts  # noqa: B018
    with pytest.raises(AttributeError, match="CSVLogger"):
        keras.callbacks.TensorBoard(log_dir="/full_path_to_your_logs")
