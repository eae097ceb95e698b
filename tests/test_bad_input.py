"""Bad input gets a ValueError or TypeError whose message names what was received.

Each case states the exception type and a pattern the message must match: the value or
shape that was passed and, for names, the list of valid ones.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnscratch import SGD, Activation, Dense, Sequential, l1, l1_l2, l2
from nnscratch.engine import initializers, losses, optimizers

RNG = np.random.RandomState(0)
X = RNG.standard_normal((10, 2))
Y = np.array([0, 1] * 5)


def model(loss="categorical_crossentropy", outputs=2, activation="softmax", **kwargs):
    m = Sequential([Dense(3, activation="tanh"), Dense(outputs, activation=activation)], **kwargs)
    m.compile(optimizer=SGD(0.1), loss=loss)
    return m


def trained(**kwargs):
    m = model(**kwargs)
    m.fit(X, Y, epochs=1, verbose=0)
    return m


def with_value(x, index, value):
    x = np.array(x, dtype=float)
    x[index] = value
    return x


# -- x: NaN/inf, shape, emptiness, features ------------------------------------------------
X_NAN = with_value(X, (3, 1), np.nan)
X_INF = with_value(X, (0, 0), np.inf)
X_NEG_INF = with_value(with_value(X, (0, 0), -np.inf), (5, 1), np.nan)
X_1D = X[:, 0]
X_3D = X[:, :, None]

BAD_X = [
    (X_NAN, ValueError, r"x contains 1 NaN or infinite value"),
    (X_INF, ValueError, r"x contains 1 NaN or infinite value"),
    (X_NEG_INF, ValueError, r"x contains 2 NaN or infinite value"),
    (X_1D, ValueError, r"expected 2-D x .*got shape \(10,\).*reshape\(-1, 1\)"),
    (
        X_3D,
        ValueError,
        # a built model names the shape it expects; an unbuilt one says why its first
        # layer cannot take the examples
        r"expected 2-D x .*got shape \(10, 2, 1\)|Dense expects inputs of shape \(n, features\), "
        r"got \(None, 2, 1\); put Flatten\(\) before it",
    ),
    (np.array(3.0), ValueError, r"expected 2-D x .*got shape \(\)"),
    (np.array([["a", "b"]] * 10), TypeError, r"x must be numeric, got dtype <U1"),
    (X.astype(complex), TypeError, r"x must be numeric, got dtype complex128"),
    (
        np.array([[1.0, None]] * 10),
        TypeError,
        r"x must be numeric, got an object array holding None \(NoneType\); convert or drop",
    ),
]
BAD_X_IDS = ["nan", "inf", "-inf+nan", "1-D", "3-D", "scalar", "strings", "complex", "object"]


@pytest.mark.parametrize(("x", "error", "message"), BAD_X, ids=BAD_X_IDS)
def test_fit_rejects_bad_x(x, error, message):
    m = model()
    with pytest.raises(error, match=message):
        m.fit(x, Y, verbose=0)
    assert m.history.epoch == []


@pytest.mark.parametrize(("x", "error", "message"), BAD_X, ids=BAD_X_IDS)
def test_predict_rejects_bad_x(x, error, message):
    with pytest.raises(error, match=message):
        trained().predict(x)


@pytest.mark.parametrize(("x", "error", "message"), BAD_X, ids=BAD_X_IDS)
def test_evaluate_rejects_bad_x(x, error, message):
    with pytest.raises(error, match=message):
        trained().evaluate(x, Y)


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate", "train_on_batch"])
def test_empty_data_is_rejected(method):
    m = trained()
    for empty in (np.empty((0, 2)), np.empty((5, 0))):
        args = (empty,) if method == "predict" else (empty, np.zeros(empty.shape[0], int))
        with pytest.raises(ValueError, match=re.escape(f"x is empty: shape {empty.shape}")):
            getattr(m, method)(*args)


def test_fit_rejects_empty_data_before_building():
    m = model()
    with pytest.raises(ValueError, match=r"x is empty: shape \(0, 2\)"):
        m.fit(np.empty((0, 2)), np.empty(0, dtype=int), verbose=0)


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate", "train_on_batch"])
def test_feature_count_mismatch(method):
    m = trained()
    x = np.ones((10, 5))
    args = (x,) if method == "predict" else (x, Y)
    with pytest.raises(ValueError, match="x has 5 features but the model expects 2"):
        getattr(m, method)(*args)


def test_declared_input_dim_mismatch():
    m = Sequential([Dense(2, input_dim=2)])
    m.compile(loss="mse")
    with pytest.raises(ValueError, match="x has 3 features but the model expects 2"):
        m.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)


# -- y: lengths, NaN/inf, labels that do not fit -------------------------------------------
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_mismatched_lengths(method):
    m = trained()
    with pytest.raises(ValueError, match="different numbers of samples: 10 and 9"):
        getattr(m, method)(X, Y[:-1])


@pytest.mark.parametrize(
    "y",
    [
        np.where(np.arange(20).reshape(10, 2) == 3, np.nan, 1.0),
        np.full((10, 2), np.inf),
        np.full((10, 2), -np.inf),
    ],
    ids=["nan", "inf", "-inf"],
)
@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_non_finite_float_targets(y, method):
    m = model(loss="mse", activation="linear")
    m.build(2)
    with pytest.raises(ValueError, match="y contains NaN or infinite values"):
        getattr(m, method)(X, y, **({"verbose": 0} if method == "fit" else {}))


def test_non_finite_float_labels():
    with pytest.raises(ValueError, match="y contains NaN or infinite values"):
        model().fit(X, with_value(Y, 2, np.nan), verbose=0)


@pytest.mark.parametrize(
    ("y", "error", "message"),
    [
        (
            with_value(Y, 4, 2).astype(int),
            ValueError,
            r"labels \[2\] do not fit an output layer "
            r"of 2 units: expected labels in 0\.\.1",
        ),
        (with_value(Y, 4, -1).astype(int), ValueError, r"labels \[-1\] do not fit .*0\.\.1"),
        (np.array([0, 5, 7, -2, 1] * 2), ValueError, r"labels \[-2, 5, 7\] do not fit"),
        (
            with_value(Y, 1, 0.5),
            ValueError,
            r"class labels must be integers 0\.\.1, got dtype float64",
        ),
        (np.eye(3)[Y], ValueError, r"one-hot targets of shape \(n, 2\), got shape \(10, 3\)"),
        (Y[:, None, None], ValueError, r"got shape \(10, 1, 1\)"),
        (np.array(["a", "b"] * 5), TypeError, r"y must be numeric, got dtype <U1"),
    ],
    ids=["label-2", "negative", "several", "float-non-integer", "one-hot-width", "3-D", "strings"],
)
@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_labels_that_do_not_fit_the_output_layer(y, error, message, method):
    m = trained()
    with pytest.raises(error, match=message):
        getattr(m, method)(X, y)


@pytest.mark.parametrize(
    ("y", "lo", "hi"), [([0, 2] * 5, "0.0", "2.0"), ([0, -1] * 5, "-1.0", "0.0")]
)
def test_binary_targets_outside_0_1(y, lo, hi):
    m = model(loss="binary_crossentropy", outputs=1, activation="sigmoid")
    with pytest.raises(
        ValueError, match=rf"targets must lie in \[0, 1\], got values from {lo} to {hi}"
    ):
        m.fit(X, np.array(y), verbose=0)


def test_scalar_targets():
    with pytest.raises(ValueError, match="y must be an array of targets, got a scalar 1"):
        model().fit(X, 1, verbose=0)


def test_bad_validation_data():
    with pytest.raises(ValueError, match=r"validation_data must be a pair \(x_val, y_val\)"):
        model().fit(X, Y, validation_data=X, verbose=0)
    with pytest.raises(ValueError, match="x contains 1 NaN or infinite value"):
        model().fit(X, Y, validation_data=(X_NAN, Y), verbose=0)
    with pytest.raises(ValueError, match=r"validation_split must be in \(0, 1\), got 1.5"):
        model().fit(X, Y, validation_split=1.5, verbose=0)


@pytest.mark.parametrize("shuffle", ["batch", None, 1])
def test_shuffle_must_be_a_bool(shuffle):
    with pytest.raises(TypeError, match=f"shuffle must be True or False, got {shuffle!r}"):
        model().fit(X, Y, shuffle=shuffle, verbose=0)


@pytest.mark.parametrize(
    ("callbacks", "message"),
    [
        (3, "callbacks must be a list of Callback instances, got int"),
        ("stop", "callbacks must be a list of Callback instances, got str"),
        ([3], "callbacks must be Callback instances, got int"),
    ],
)
def test_bad_callbacks(callbacks, message):
    with pytest.raises(TypeError, match=message):
        model().fit(X, Y, callbacks=callbacks, verbose=0)


def test_one_callback_is_a_list_of_one():
    from nnscratch.callbacks import EarlyStopping

    m = model()
    stop = EarlyStopping(monitor="loss", patience=0, min_delta=100)  # stops after epoch 2
    assert len(m.fit(X, Y, epochs=5, callbacks=stop, verbose=0).history["loss"]) == 2


# -- unknown names list the valid ones ------------------------------------------------------
def test_unknown_activation():
    valid = "elu, leaky_relu, linear, relu, selu, sigmoid, softmax, softplus, softsign, tanh"
    with pytest.raises(ValueError, match=f"unknown activation 'tanhh'; valid names: {valid}"):
        Dense(3, activation="tanhh")
    with pytest.raises(ValueError, match=f"unknown activation 'swish'; valid names: {valid}"):
        Activation("swish")
    with pytest.raises(TypeError, match="activation must be a name or an Activation, got int"):
        Dense(3, activation=3)


def test_unknown_loss():
    with pytest.raises(
        ValueError,
        match=r"unknown loss 'crossentropy'; valid names: .*"
        r"binary_crossentropy, .*categorical_crossentropy.*mse, quadratic",
    ):
        Sequential([Dense(2)]).compile(loss="crossentropy")
    with pytest.raises(TypeError, match="loss must be a name or a Loss, got NoneType"):
        Sequential([Dense(2)]).compile(loss=None)


def test_unknown_optimizer():
    with pytest.raises(
        ValueError, match=r"unknown optimizer 'adamax'; valid names: .*adam.*rmsprop.*sgd"
    ):
        Sequential([Dense(2)]).compile(optimizer="adamax")
    with pytest.raises(TypeError, match="optimizer must be a name or an Optimizer, got int"):
        optimizers.get(3)


def test_unknown_initializer():
    with pytest.raises(
        ValueError,
        match=r"unknown initializer 'xavier'; valid names: glorot_normal, "
        r"glorot_uniform, he_normal, he_uniform, identity, lecun_normal, lecun_uniform, "
        r"nielsen, normal, one, ones, orthogonal, random_normal, random_uniform, "
        r"scaled_normal, standard_normal, truncated_normal, uniform, wildml, zero, zeros",
    ):
        Dense(3, kernel_initializer="xavier")
    with pytest.raises(TypeError, match="initializer must be a name or a callable, got int"):
        initializers.get(5)


def test_unknown_regularizer():
    with pytest.raises(ValueError, match="unknown regularizer 'l3'; valid names: l1, l1_l2, l2"):
        Dense(3, kernel_regularizer="l3")


def test_unknown_reduction_and_metric():
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', got 'avg'"):
        Sequential([Dense(2)]).compile(loss="mse", reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', got 'avg'"):
        losses.Quadratic(reduction="avg")
    with pytest.raises(ValueError, match="unknown metric 'f1'; valid names: acc, accuracy, auc"):
        Sequential([Dense(2)]).compile(loss="mse", metrics=["f1"])
    with pytest.raises(ValueError, match="metric 'acc' is given twice"):
        Sequential([Dense(2)]).compile(loss="mse", metrics=["acc", "acc"])
    with pytest.raises(TypeError, match="metrics must be a list of names or functions"):
        Sequential([Dense(2)]).compile(loss="mse", metrics="accuracy")
    # Keras accepts accuracy with any loss (categorical for several outputs)
    Sequential([Dense(2)]).compile(loss="mse", metrics=["accuracy"])


# -- sizes and rates -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "error", "shown"),
    [
        (0, ValueError, "0"),
        (-3, ValueError, "-3"),
        (2.5, TypeError, "2.5"),
        ("3", TypeError, "'3'"),
        (True, TypeError, "True"),
    ],
)
def test_units(value, error, shown):
    with pytest.raises(error, match=f"units must be a positive integer, got {re.escape(shown)}"):
        Dense(value)


def test_input_dim_and_use_bias():
    with pytest.raises(ValueError, match="input_dim must be a positive integer, got 0"):
        Dense(2, input_dim=0)
    with pytest.raises(TypeError, match="use_bias must be True or False, got 'yes'"):
        Dense(2, use_bias="yes")


_BAD_COUNTS = [
    (-4, ValueError, "-4"),
    (2.0, TypeError, "2.0"),
    ("8", TypeError, "'8'"),
]


@pytest.mark.parametrize(
    ("name", "value", "error", "shown", "wanted"),
    [
        *(("epochs", *case, "an integer >= 0") for case in _BAD_COUNTS),
        *(("batch_size", *case, "a positive integer") for case in _BAD_COUNTS),
        ("batch_size", 0, ValueError, "0", "a positive integer"),
    ],
)
def test_epochs_and_batch_size(name, value, error, shown, wanted):
    """``epochs=0`` is allowed (nothing to run, as in Keras); ``batch_size=0`` is not."""
    m = model()
    with pytest.raises(error, match=f"{name} must be {wanted}, got {re.escape(shown)}"):
        m.fit(X, Y, verbose=0, **{name: value})
    assert m.history.epoch == []


def test_predict_batch_size():
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        trained().predict(X, batch_size=0)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, ValueError, r"learning_rate must be a finite number > 0, got 0\.0"),
        (-0.1, ValueError, r"learning_rate must be a finite number > 0, got -0\.1"),
        (float("nan"), ValueError, r"learning_rate must be a finite number > 0, got nan"),
        (float("inf"), ValueError, r"learning_rate must be a finite number > 0, got inf"),
        ("0.1", TypeError, r"learning_rate must be a number, got str"),
        (None, TypeError, r"learning_rate must be a number, got NoneType"),
    ],
)
def test_learning_rate(value, error, message):
    with pytest.raises(error, match=message):
        SGD(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.0, r"momentum must be in \[0, 1\), got 1\.0"),
        (1.5, r"momentum must be in \[0, 1\), got 1\.5"),
        (-0.1, r"momentum must be in \[0, 1\), got -0\.1"),
        (float("nan"), r"momentum must be in \[0, 1\), got nan"),
    ],
)
def test_momentum(value, message):
    with pytest.raises(ValueError, match=message):
        SGD(0.1, momentum=value)


@pytest.mark.parametrize(
    ("factory", "error", "message"),
    [
        (lambda: l2(-0.1), ValueError, r"l2 must be a finite number >= 0, got -0\.1"),
        (lambda: l1(float("nan")), ValueError, r"l1 must be a finite number >= 0, got nan"),
        (lambda: l1_l2("a", 0.1), TypeError, r"l1 must be a number, got str"),
        (lambda: l1_l2(0.1, float("inf")), ValueError, r"l2 must be a finite number >= 0, got inf"),
    ],
)
def test_regularizer_strengths(factory, error, message):
    with pytest.raises(error, match=message):
        factory()


# -- seeds and dtypes ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (-1, ValueError, r"seed must be an integer in 0\.\.2\*\*32 - 1, got -1"),
        (
            1.5,
            TypeError,
            r"seed must be None, an int, a np\.random\.Generator or a RandomState, "
            r"got float",
        ),
        ("abc", TypeError, r"seed must be .* got str"),
        (True, TypeError, r"seed must be .* got bool"),
    ],
)
def test_bad_model_seeds(seed, error, message):
    with pytest.raises(error, match=message):
        Sequential([Dense(2)], seed=seed)


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (-1, ValueError, r"seed must be an integer in 0\.\.2\*\*32 - 1, got -1"),
        ("x", TypeError, r"seed must be .* got str"),
    ],
)
def test_bad_layer_seeds(seed, error, message):
    # Rejected when the layer is made, not later at build/fit time.
    with pytest.raises(error, match=message):
        Dense(2, seed=seed)


@pytest.mark.parametrize(
    ("dtype", "shown"),
    [
        ("float16", "'float16'"),
        (int, "<class 'int'>"),
        ("banana", "'banana'"),
        ("int32", "'int32'"),
    ],
)
def test_bad_dtype(dtype, shown):
    with pytest.raises(
        ValueError, match=f"dtype must be one of float64, float32, got {re.escape(shown)}"
    ):
        Sequential([Dense(2)], dtype=dtype)


# -- other misuse --------------------------------------------------------------------------
def test_set_weights_checks_count_shape_and_values():
    m = trained()
    weights = m.get_weights()
    with pytest.raises(ValueError, match="expected 4 weight arrays, got 1"):
        m.set_weights(weights[:1])
    with pytest.raises(
        ValueError, match=r"weight 0\.kernel: expected shape \(2, 3\), got \(5, 5\)"
    ):
        m.set_weights([np.ones((5, 5)), *weights[1:]])
    with pytest.raises(ValueError, match=r"weight 1\.bias contains NaN or infinite values"):
        m.set_weights([*weights[:3], np.full(2, np.nan)])
    assert all(np.array_equal(u, v) for u, v in zip(m.get_weights(), weights))


def test_model_misuse():
    with pytest.raises(TypeError, match=r"Sequential\.add expects a Layer, got str"):
        Sequential([Dense(2), "relu"])
    with pytest.raises(ValueError, match="verbose must be 0, 1, 2 or 'auto', got 5"):
        model().fit(X, Y, verbose=5)
    with pytest.raises(
        TypeError, match="callbacks must be Callback instances, got builtin_function"
    ):
        model().fit(X, Y, verbose=0, callbacks=[print])
    with pytest.raises(ValueError, match=r"initial_epoch must be an integer >= 0, got -1"):
        model().fit(X, Y, epochs=2, initial_epoch=-1, verbose=0)
    empty = Sequential()
    empty.compile(loss="mse")
    with pytest.raises(ValueError, match="the model has no layers"):
        empty.fit(X, Y, verbose=0)
