"""Keras 3's callback calls beyond the engine's: ``evaluate``, ``predict`` and validation.

The engine's ``fit`` calls six hooks (``on_train_begin``, ``on_epoch_begin``,
``on_train_batch_begin``, ...; :mod:`nnscratch.engine.callbacks`). Keras 3 also calls

* from ``evaluate(callbacks=...)``: ``on_test_begin({})``, then for each batch
  ``on_test_batch_begin(i, {})`` and ``on_test_batch_end(i, logs)`` (``logs``: the means so
  far of the loss and the metrics), then ``on_test_end(logs)`` with the results;
* from ``predict(callbacks=...)``: ``on_predict_begin({})``, ``on_predict_batch_begin(i,
  {})``, ``on_predict_batch_end(i, {"outputs": batch_outputs})``, ``on_predict_end({})``;
* from ``fit``, when it validates at the end of an epoch: the test hooks over the
  validation data, before ``on_epoch_end``; and ``on_train_end`` gets the last epoch's
  logs.

:func:`run_test` and :func:`run_predict` make those calls (through the engine's
``CallbackList``, which skips the hooks a callback does not have); :class:`KerasCallback` runs a
:class:`nnscratch.keras.callbacks.Callback` inside the engine's ``fit`` with Keras 3's
calls. The callbacks of ``nnscratch.callbacks`` (``EarlyStopping``, ``ModelCheckpoint``,
...) go to the engine as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..engine import callbacks as engine_callbacks
from ..engine import inputs
from .callbacks import Callback

__all__ = ["KerasCallback", "Validation", "for_fit", "run_predict", "run_test"]

Logs = dict[str, Any]

#: the hooks Keras calls while it validates
TEST_HOOKS = ("on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end")
#: the hooks Keras calls from predict
PREDICT_HOOKS = (
    "on_predict_begin",
    "on_predict_batch_begin",
    "on_predict_batch_end",
    "on_predict_end",
)
#: the engine's hooks a KerasCallback hands on to its callback as they are
_PASSED = ("on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_train_batch_end")
#: Keras 2's names of the training batch hooks, which Callback's own hooks call
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def overrides(callback: Any, hook: str) -> bool:
    """True when ``callback`` has a ``hook`` of its own (not :class:`Callback`'s no-op)."""
    return engine_callbacks.defines(callback, hook, Callback)


def run_test(
    model: Any,
    callbacks: Sequence[Any],
    data: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    batch_size: int,
    results: Logs,
) -> None:
    """The test hooks of ``callbacks`` over ``data`` = ``(x, encoded targets, weights or
    None)`` in batches of ``batch_size``, as Keras' ``evaluate`` calls them; each batch's
    logs are the means so far, weighted by batch size, and ``on_test_end`` gets
    ``results`` (what ``evaluate`` returns)."""
    x, targets, weights = data
    hooks = engine_callbacks.CallbackList(callbacks, model, None, TEST_HOOKS)
    hooks.call("on_test_begin", {})
    sums: dict[str, float] = {}
    seen = 0
    for batch, start in enumerate(range(0, len(x), batch_size)):
        part = slice(start, start + batch_size)
        hooks.call("on_test_batch_begin", batch, {})
        w = None if weights is None else weights[part]
        scores = model.scores(model.predict(x[part]), targets[part], w)
        n = len(x[part])
        seen += n
        for key, value in scores.items():
            sums[key] = sums.get(key, 0.0) + value * n
        hooks.call("on_test_batch_end", batch, {key: s / seen for key, s in sums.items()})
    hooks.call("on_test_end", dict(results))


def run_predict(
    model: Any,
    callbacks: Sequence[Any],
    x: np.ndarray,
    batch_size: int,
    predict: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """``predict`` over ``x`` in batches of ``batch_size``, calling the predict hooks of
    ``callbacks`` (with ``model`` as their ``self.model``) as Keras does; the outputs of
    every batch, concatenated."""
    hooks = engine_callbacks.CallbackList(callbacks, model, None, PREDICT_HOOKS)
    hooks.call("on_predict_begin", {})
    outputs = []
    for batch, start in enumerate(range(0, len(x), batch_size)):
        hooks.call("on_predict_batch_begin", batch, {})
        outputs.append(predict(x[start : start + batch_size]))
        hooks.call("on_predict_batch_end", batch, {"outputs": outputs[-1]})
    hooks.call("on_predict_end", {})
    return np.concatenate(outputs)


class Validation:
    """The validation data of one ``fit``, as the engine takes it apart, and the test
    hooks' logs of each epoch, computed once however many callbacks replay them."""

    def __init__(self, model: Any, fit: dict[str, Any], batch_size: int) -> None:
        x, targets = model.check_data(fit["x"], fit["y"])
        weights = inputs.sample_weights(
            targets, fit.get("sample_weight"), fit.get("class_weight"), model.dtype
        )
        if fit.get("validation_data") is not None:  # it wins over validation_split
            self.data = inputs.validation_set(fit["validation_data"], model.check_data, model.dtype)
        else:
            self.data = tuple(inputs.split_off((x, targets, weights), fit["validation_split"])[1])
        self.model, self.batch_size = model, batch_size

    def replay(self, callback: Any, epoch_logs: Logs) -> None:
        """The test hooks of ``callback`` over the validation data; ``on_test_end`` gets
        the epoch's ``val_`` logs without the prefix, as Keras gives them."""
        results = {key[4:]: value for key, value in epoch_logs.items() if key.startswith("val_")}
        run_test(self.model, [callback], self.data, self.batch_size, results)  # type: ignore[arg-type]


class KerasCallback(engine_callbacks.Callback):
    """A :class:`nnscratch.keras.callbacks.Callback` inside the engine's ``fit``, called
    as Keras 3 calls it: the test hooks when the epoch is validated (``validation`` is
    ``None`` when ``fit`` does not validate), and ``on_train_end`` with the last epoch's
    logs. The other hooks are the callback's own methods, so the engine skips those it
    does not override."""

    def __init__(self, callback: Callback, validation: Validation | None) -> None:
        self.callback, self.validation = callback, validation
        self.last: Logs = {}
        for hook in _PASSED:
            if overrides(callback, hook) or overrides(callback, _ALIASES.get(hook, hook)):
                setattr(self, hook, getattr(callback, hook))

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self.callback.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        self.callback.set_params(params)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.last = {} if logs is None else logs
        if self.validation is not None and any(overrides(self.callback, h) for h in TEST_HOOKS):
            self.validation.replay(self.callback, self.last)
        self.callback.on_epoch_end(epoch, logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        self.callback.on_train_end(self.last)


def for_fit(model: Any, fit: dict[str, Any], validation_batch_size: int | None) -> list[Any]:
    """``fit["callbacks"]`` as the engine takes them: each Keras :class:`Callback` in a
    :class:`KerasCallback`, the others as they are. ``fit`` holds ``fit``'s arguments by
    name; the validation data is taken apart only when a callback has test hooks."""
    given = engine_callbacks.callback_list(fit.get("callbacks"))
    keras = [cb for cb in given if isinstance(cb, Callback)]
    validation = None
    validates = fit.get("validation_data") is not None or fit.get("validation_split")
    if validates and any(overrides(cb, hook) for cb in keras for hook in TEST_HOOKS):
        batch_size = validation_batch_size or fit.get("batch_size") or 32
        validation = Validation(model, fit, batch_size)
    return [KerasCallback(cb, validation) if isinstance(cb, Callback) else cb for cb in given]
