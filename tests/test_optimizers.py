"""Optimizers and learning-rate schedules against hand-written NumPy references."""

import math

import numpy as np
import pytest

from nnscratch import Sequential
from nnscratch.engine import optimizers, schedules
from nnscratch.engine.layers import Dense
from nnscratch.optimizers import (
    SGD,
    Adagrad,
    Adam,
    ExponentialDecay,
    InverseTimeDecay,
    RMSprop,
    StepDecay,
)

STEPS = 5


def _problem(seed=0, dtype=np.float64):
    """Two parameters and a fixed sequence of gradients for them."""
    rng = np.random.default_rng(seed)
    params = {"0.kernel": rng.normal(size=(3, 2)).astype(dtype), "0.bias": rng.normal(size=2)}
    params["0.bias"] = params["0.bias"].astype(dtype)
    grads = [
        {k: rng.normal(size=v.shape).astype(dtype) for k, v in params.items()} for _ in range(STEPS)
    ]
    return params, grads


def _run(opt, params, grads):
    params = {k: v.copy() for k, v in params.items()}
    for g in grads:
        opt.step(params, g)
    return params


def ref_sgd(w, gs, lr, mu=0.0, nesterov=False):
    v = np.zeros_like(w)
    for g in gs:
        if mu == 0.0:
            w = w - lr * g
            continue
        v = mu * v - lr * g
        w = w + (mu * v - lr * g if nesterov else v)
    return w


def ref_adagrad(w, gs, lr, init=0.1, eps=1e-7):
    acc = np.full_like(w, init)
    for g in gs:
        acc = acc + g**2
        w = w - lr * g / np.sqrt(acc + eps)
    return w


def ref_rmsprop(w, gs, lr, rho=0.9, mu=0.0, eps=1e-7, centered=False):
    s = np.zeros_like(w)
    mg = np.zeros_like(w)
    m = np.zeros_like(w)
    for g in gs:
        s = rho * s + (1 - rho) * g**2
        denom = s + eps
        if centered:
            mg = rho * mg + (1 - rho) * g
            denom = s - mg**2 + eps
        inc = lr * g / np.sqrt(denom)
        if mu:
            m = mu * m + inc
            w = w - m
        else:
            w = w - inc
    return w


def ref_adam(w, gs, lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    vmax = np.zeros_like(w)
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        vmax = np.maximum(vmax, v)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - alpha * m / (np.sqrt(vmax if amsgrad else v) + eps)
    return w


CASES = [
    (lambda: SGD(0.1), lambda w, gs: ref_sgd(w, gs, 0.1)),
    (lambda: SGD(0.1, momentum=0.9), lambda w, gs: ref_sgd(w, gs, 0.1, 0.9)),
    (lambda: SGD(0.1, momentum=0.8, nesterov=True), lambda w, gs: ref_sgd(w, gs, 0.1, 0.8, True)),
    (lambda: Adagrad(0.05), lambda w, gs: ref_adagrad(w, gs, 0.05)),
    (
        lambda: Adagrad(0.05, initial_accumulator_value=0.0, epsilon=1e-3),
        lambda w, gs: ref_adagrad(w, gs, 0.05, 0.0, 1e-3),
    ),
    (lambda: RMSprop(0.01), lambda w, gs: ref_rmsprop(w, gs, 0.01)),
    (lambda: RMSprop(0.01, momentum=0.5), lambda w, gs: ref_rmsprop(w, gs, 0.01, mu=0.5)),
    (
        lambda: RMSprop(0.01, rho=0.8, centered=True),
        lambda w, gs: ref_rmsprop(w, gs, 0.01, rho=0.8, centered=True),
    ),
    (lambda: Adam(0.01), lambda w, gs: ref_adam(w, gs, 0.01)),
    (
        lambda: Adam(0.02, beta_1=0.5, beta_2=0.9, amsgrad=True),
        lambda w, gs: ref_adam(w, gs, 0.02, 0.5, 0.9, amsgrad=True),
    ),
]


@pytest.mark.parametrize("make, reference", CASES)
def test_optimizer_matches_reference(make, reference):
    params, grads = _problem()
    opt = make()
    out = _run(opt, params, grads)
    for key in params:
        expected = reference(params[key], [g[key] for g in grads])
        np.testing.assert_allclose(out[key], expected, rtol=1e-12, atol=1e-15)
        assert not np.allclose(out[key], params[key])  # the step did something
    assert opt.iterations == STEPS


def test_plain_sgd_is_the_tutorial_update_bit_for_bit():
    params, grads = _problem()
    out = _run(SGD(0.01), params, grads)
    w = params["0.kernel"].copy()
    for g in grads:
        w += -0.01 * g["0.kernel"]
    np.testing.assert_array_equal(out["0.kernel"], w)


@pytest.mark.parametrize("make", [c[0] for c in CASES])
def test_float32_parameters_stay_float32(make):
    params, grads = _problem(dtype=np.float32)
    out = _run(make(), params, grads)
    assert all(v.dtype == np.float32 for v in out.values())


def test_state_is_keyed_by_dotted_names_and_round_trips():
    params, grads = _problem()
    opt = Adam(0.01)
    p1 = _run(opt, params, grads[:3])
    state = opt.get_state()
    assert set(state) == {"m/0.kernel", "m/0.bias", "v/0.kernel", "v/0.bias"}
    # a fresh optimizer given the state continues exactly like the original
    fresh = Adam(0.01)
    fresh.set_state(state, p1, iterations=opt.iterations)
    a = {k: v.copy() for k, v in p1.items()}
    b = {k: v.copy() for k, v in p1.items()}
    for g in grads[3:]:
        opt.step(a, g)
        fresh.step(b, g)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_set_state_rejects_bad_state():
    params, _ = _problem()
    opt = Adam()
    with pytest.raises(ValueError, match="no state slot 'momentum'"):
        opt.set_state({"momentum/0.kernel": np.zeros((3, 2))}, params)
    with pytest.raises(ValueError, match="names no parameter"):
        opt.set_state({"m/9.kernel": np.zeros((3, 2))}, params)
    with pytest.raises(ValueError, match=r"expected shape \(3, 2\)"):
        opt.set_state({"m/0.kernel": np.zeros((2, 3))}, params)
    with pytest.raises(ValueError, match="finite"):
        opt.set_state({"m/0.kernel": np.full((3, 2), np.nan)}, params)
    with pytest.raises(ValueError, match="iterations"):
        opt.set_state({}, params, iterations=-1)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_get_by_name_and_config_round_trip(name):
    opt = optimizers.get(name)
    again = optimizers.get(opt.get_config())
    assert type(again) is type(opt)
    assert again.get_config() == opt.get_config()


def test_get_by_name_with_arguments_and_errors():
    opt = optimizers.get("adam", learning_rate=0.01, beta_1=0.8)
    assert (opt.learning_rate, opt.beta_1) == (0.01, 0.8)
    m = optimizers.get("momentum", learning_rate=0.1)
    assert isinstance(m, SGD) and m.momentum == 0.9 and m.learning_rate == 0.1
    with pytest.raises(ValueError, match="valid names: adadelta, adagrad, adam, momentum, nadam"):
        optimizers.get("adamw")
    with pytest.raises(TypeError, match="name or an Optimizer"):
        optimizers.get(3)
    inst = SGD()
    assert optimizers.get(inst) is inst


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SGD(0), "learning_rate must be a finite number > 0"),
        (lambda: SGD(float("nan")), "learning_rate"),
        (lambda: SGD(0.1, momentum=1.0), r"momentum must be in \[0, 1\)"),
        (lambda: Adam(beta_1=-0.1), "beta_1"),
        (lambda: RMSprop(rho=1.5), "rho"),
        (lambda: Adagrad(epsilon=0), "epsilon"),
    ],
)
def test_bad_hyperparameters_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_keras2_lr_and_decay_spellings_warn_and_work():
    from nnscratch.keras.optimizers import SGD, Adam

    with pytest.warns(DeprecationWarning, match="learning_rate=0.5"):
        opt = SGD(lr=0.5)
    assert opt.learning_rate == 0.5
    with pytest.warns(DeprecationWarning) as record:
        opt = SGD(lr=0.1, decay=0.5, momentum=0.9)
    assert "InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)" in str(record[-1].message)
    assert opt.learning_rate == 0.1
    opt.iterations = 2
    assert opt.learning_rate == pytest.approx(0.1 / (1 + 0.5 * 2))
    with pytest.raises(ValueError, match=r"Adam\(clipnorm=1.0\) is not supported"):
        Adam(clipnorm=1.0)  # a Keras 3 option (tests/test_keras_optimizer_configs.py)
    with pytest.raises(TypeError, match="clip_norm"):
        Adam(clip_norm=1.0)  # no optimizer's argument
    with pytest.raises(TypeError, match="not both"):
        SGD(0.2, lr=0.1)


# -- schedules ---------------------------------------------------------------------------
def test_schedule_formulas():
    s = StepDecay(0.1, drop=0.5, step_size=10)
    assert [s(t) for t in (0, 9, 10, 25)] == [0.1, 0.1, 0.05, 0.025]
    e = ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    assert e(2) == pytest.approx(0.1 * 0.5**0.5)
    e2 = ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)
    assert e2(7) == pytest.approx(0.05)
    i = InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5)
    assert i(3) == pytest.approx(0.1 / (1 + 0.5 * 1.5))
    i2 = InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)
    assert i2(3) == pytest.approx(0.1 / 1.5)
    with pytest.raises(ValueError, match="step"):
        s(-1)
    with pytest.raises(ValueError, match="drop"):
        StepDecay(0.1, drop=2.0)
    with pytest.raises(ValueError, match="step_size"):
        StepDecay(0.1, step_size=0)


def test_optimizer_with_schedule_uses_iteration_count():
    params, grads = _problem()
    sched = ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    out = _run(SGD(sched), params, grads)
    w = params["0.kernel"].copy()
    for t, g in enumerate(grads):
        w = w - sched(t) * g["0.kernel"]
    np.testing.assert_allclose(out["0.kernel"], w, rtol=1e-13)


def test_schedule_config_round_trip_through_optimizer_config():
    opt = Adam(InverseTimeDecay(0.01, decay_steps=10, decay_rate=0.2))
    config = opt.get_config()
    assert config["learning_rate"]["name"] == "inverse_time_decay"
    again = optimizers.get(config)
    assert again.schedule == opt.schedule
    with pytest.raises(ValueError, match="unknown learning-rate schedule 'cosine'"):
        schedules.get({"name": "cosine", "config": {}})


def test_every_optimizer_trains_a_network():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    for name, lr in [
        ("sgd", 0.5),
        ("momentum", 0.1),
        ("adagrad", 0.1),
        ("rmsprop", 0.01),
        ("adam", 0.01),
    ]:
        model = Sequential([Dense(16, "tanh", input_dim=2), Dense(2, "softmax")], seed=1)
        model.compile(optimizers.get(name, learning_rate=lr), metrics=["accuracy"])
        hist = model.fit(x, y, epochs=60, batch_size=20, verbose=0)
        assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0], name
        assert hist.history["accuracy"][-1] > 0.85, name


class _Clipped(optimizers.Optimizer):
    """An optimizer of one's own: SGD with each gradient clipped to ``[-limit, limit]``."""

    name = "clipped_sgd"

    def __init__(self, learning_rate=0.01, limit=1.0):
        super().__init__(learning_rate)
        self.limit = float(limit)

    def _update(self, key, p, g, lr):
        p -= lr * np.clip(g, -self.limit, self.limit)


class _Forgetful(_Clipped):
    """Keeps its argument under another name, so its config cannot be read back."""

    def __init__(self, learning_rate=0.01, bound=1.0):
        super().__init__(learning_rate, bound)


def test_a_custom_optimizer_configs_itself_from_its_constructor():
    opt = _Clipped(0.5, limit=0.25)
    assert opt.get_config() == {"name": "clipped_sgd", "learning_rate": 0.5, "limit": 0.25}
    assert repr(opt) == "_Clipped(learning_rate=0.5, limit=0.25)"
    again = _Clipped.from_config(opt.get_config())
    assert (again.learning_rate, again.limit) == (0.5, 0.25)


def test_an_argument_not_kept_is_named_by_get_config_and_left_out_of_repr():
    opt = _Forgetful(0.5, bound=2.0)
    with pytest.raises(TypeError, match=r"no self\.bound.*write get_config\(\) for _Forgetful"):
        opt.get_config()
    assert repr(opt) == "_Forgetful(learning_rate=0.5)"
