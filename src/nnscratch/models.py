"""``nnscratch.Sequential``: the engine's model, plus what a person at a keyboard needs.

:class:`nnscratch.engine.model.Sequential` computes and stays silent. This subclass adds,
on top and nothing underneath:

* ``fit(verbose=...)``: a progress bar per epoch (``1``), one line per epoch (``2``) or
  nothing (``0``), on standard output as Keras prints them; ``"auto"`` (the default)
  shows the bars on a terminal and in Jupyter;
* Ctrl-C during ``fit``: the first press stops training after the current batch and
  keeps the weights (``fit`` then raises ``KeyboardInterrupt``, with
  ``model.history.interrupted`` set); a second press interrupts at once;
* ``save(path)`` (see :mod:`nnscratch.saving`) and :func:`load_model`;
* ``summary()`` prints the table, as Keras does;
* Keras' other model methods, with Keras' names, defaults and return values (see
  :class:`Sequential`).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import model_config, weights_file
from .engine import model as engine_model
from .engine import serialize
from .engine.callbacks import Callback, History, callback_list
from .engine.checks import flag, integer
from .engine.summary import layer_names
from .fit_output import evaluation_line, keras_output
from .progress import interactive
from .saving import ModelFileError, read_model_file, save_model

__all__ = ["Sequential", "layer_names", "load_model"]

# The engine's fit, whose defaults (batch_size) this one keeps.
_FIT = inspect.signature(engine_model.Sequential.fit)


class Sequential(engine_model.Sequential):
    """A linear stack of layers, with Keras' ``compile`` / ``fit`` / ``predict``.

    See :class:`nnscratch.engine.model.Sequential` for the parameters and the computing
    methods. This class adds, with Keras' names, defaults and return values:

    * ``fit(verbose=...)`` printing as Keras does, Ctrl-C handling, ``evaluate(verbose=)``;
    * ``summary()`` printing the table;
    * ``save`` (one ``.nnscratch`` file), ``save_weights`` / ``load_weights``
      (``.weights.npz``: :mod:`nnscratch.weights_file`);
    * ``get_config`` / ``from_config`` / ``to_json`` (:mod:`nnscratch.model_config`);
    * ``get_layer``, ``pop``, ``test_on_batch`` / ``predict_on_batch`` (the engine has
      ``train_on_batch``), and Keras 2's ``predict_classes`` / ``predict_proba``
      (with a ``DeprecationWarning``: Keras 2.6 removed them).

    Keras 3's ``Sequential([Input(shape=(784,)), Dense(...)])`` (``nnscratch.keras.Input``)
    declares the input shape, as ``input_shape=`` on the first layer does.
    """

    _pending_input: tuple[int, ...] | None = None

    # -- building ----------------------------------------------------------------------
    def add(self, layer: Any) -> None:
        """Append a layer (see the engine's ``add``); ``nnscratch.keras.Input(shape=...)``
        as the first entry gives the model its input shape."""
        shape = getattr(layer, "input_placeholder_shape", None)  # nnscratch.keras.Input
        if shape is None:
            pending = None if self.layers else self._pending_input
            if getattr(layer, "built", False) and pending not in (None, layer.input_shape):
                raise ValueError(
                    f"{layer.describe()} is built for inputs {layer.input_shape} (in another "
                    f"model), but this model's Input is {pending}; add a new layer instead: "
                    f"{type(layer).__name__}.from_config(layer.get_config())"
                )
            super().add(layer)
            if self._pending_input is not None and not self.built:
                self._build(self._pending_input)
            return
        if self.layers or self._pending_input is not None:
            raise ValueError(
                "Input(shape=...) can only be the first entry of a Sequential model, "
                "before any layer"
            )
        self._pending_input = tuple(shape)

    def pop(self, rebuild: bool = True) -> Any:
        """Remove the last layer and return it (Keras' ``pop``).

        The model keeps its input shape and the other layers their weights; the
        optimizer forgets its state for the removed layer. Removing the only layer
        leaves an empty, unbuilt model. ``rebuild`` is accepted for Keras' signature
        (the model needs no rebuilding here).
        """
        if not self.layers:
            raise IndexError("pop() on a model without layers")
        index = len(self.layers) - 1
        layer = self.layers.pop()
        if self.optimizer is not None:
            prefix = f"{index}."
            for slot in self.optimizer.state.values():
                for key in [k for k in slot if k.startswith(prefix)]:
                    del slot[key]
        if not self.layers:
            self._input_shape = None
        return layer

    def get_layer(self, name: str | None = None, index: int | None = None) -> Any:
        """The layer called ``name`` (as :meth:`summary` names it) or at ``index``.

        Raises ``ValueError`` when both or neither are given, for an index out of range
        and for an unknown name (listing the names), as Keras does.
        """
        if name is not None and index is not None:
            raise ValueError(
                f"give a layer name or a layer index, not both: name={name!r}, index={index!r}"
            )
        if index is not None:
            index = integer("index", index)
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"asked for the layer at index {index}, but the model has "
                    f"{len(self.layers)} layer(s)"
                )
            return self.layers[index]
        if name is None:
            raise ValueError("give get_layer a layer name or a layer index")
        names = layer_names(self.layers)
        if name in names:
            return self.layers[names.index(name)]
        raise ValueError(f"no layer named {name!r}; the layers are {names}")

    # -- training ----------------------------------------------------------------------
    def fit(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = _FIT.parameters["batch_size"].default,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, ...] | None = None,
        shuffle: bool = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)``; see the engine's ``fit``. The
        arguments come in Keras' order.

        ``verbose``: 0 silent, 1 a progress bar per epoch, 2 one line per epoch, on
        standard output as in Keras (:mod:`nnscratch.fit_output`); ``"auto"`` is 1 on a
        terminal or in Jupyter, else 0.
        """
        level = _verbosity(verbose)
        with _ctrl_c_stops_training(self) as pressed:
            history = super().fit(
                x,
                y,
                batch_size=batch_size,
                epochs=epochs,
                verbose=level,
                callbacks=[*callback_list(callbacks), *keras_output(level)],
                validation_split=validation_split,
                validation_data=validation_data,
                shuffle=shuffle,
                class_weight=class_weight,
                sample_weight=sample_weight,
                initial_epoch=initial_epoch,
            )
        if pressed():
            done = len(history.epoch)
            raise KeyboardInterrupt(
                f"training interrupted after {done} epoch{'s' * (done != 1)}; the model "
                f"keeps its weights"
            )
        return history

    def evaluate(  # type: ignore[override]
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        sample_weight: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """Loss and metrics on ``(x, y)``; see the engine's ``evaluate``.

        With ``verbose=1`` or ``2`` (``"auto"``: 1 on a terminal) one line of Keras' form,
        ``313/313 - 0s - 1ms/step - loss: 0.0712 - accuracy: 0.9791``, is printed.
        """
        level = _verbosity(verbose)
        start = time.monotonic()
        scores = super().evaluate(x, y, batch_size, sample_weight=sample_weight, return_dict=True)
        if level:
            steps = 1 if batch_size is None else -(-len(x) // batch_size)
            print(evaluation_line(steps, time.monotonic() - start, scores), flush=True)
        return returned_scores(scores, return_dict)

    def test_on_batch(
        self, x: Any, y: Any, sample_weight: Any = None, return_dict: bool = False
    ) -> Any:
        """Loss (and metrics) of the batch ``(x, y)``, nothing updated: the loss, or
        ``[loss, *metrics]``, or a dict with ``return_dict=True`` (Keras)."""
        return self.evaluate(x, y, verbose=0, sample_weight=sample_weight, return_dict=return_dict)

    # -- predicting ----------------------------------------------------------------------
    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The outputs for one batch ``x`` (Keras' ``predict_on_batch``)."""
        return self.predict(x)

    def predict_proba(self, x: Any, batch_size: int = 32, verbose: int | str = 0) -> np.ndarray:
        """Keras 2.0-2.5's ``predict_proba``: ``predict(x)``, warning when the outputs
        are not probabilities. Keras 2.6 removed it; use ``model.predict(x)``."""
        _removed("predict_proba", "model.predict(x)")
        out = self.predict(x, batch_size=batch_size)
        if out.min() < 0.0 or out.max() > 1.0:
            warnings.warn(
                "the network returns values outside [0, 1]: the last layer does not give "
                "probabilities (use softmax or sigmoid)",
                UserWarning,
                stacklevel=2,
            )
        return out

    def predict_classes(self, x: Any, batch_size: int = 32, verbose: int | str = 0) -> np.ndarray:
        """Keras 2.0-2.5's ``predict_classes``: the class of each example.

        Shape ``(n,)`` (the argmax) for several outputs, ``(n, 1)`` int32 (output > 0.5)
        for one sigmoid output, as Keras returned them. Keras 2.6 removed it; use
        ``np.argmax(model.predict(x), axis=-1)`` or ``(model.predict(x) > 0.5).astype("int32")``.
        """
        _removed(
            "predict_classes",
            "np.argmax(model.predict(x), axis=-1) for several classes, or "
            "(model.predict(x) > 0.5).astype('int32') for one sigmoid output",
        )
        out = self.predict(x, batch_size=batch_size)
        if out.shape[-1] > 1:
            return out.argmax(axis=-1)
        return (out > 0.5).astype("int32")

    # -- saving --------------------------------------------------------------------------
    def save(self, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
        """Save architecture, weights, loss and optimizer state to one ``.nnscratch`` file.

        Load it with :func:`nnscratch.load_model`; see :mod:`nnscratch.saving`.
        """
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
        """Write the weights alone to ``filepath``, which must end in ``.weights.npz``
        (see :mod:`nnscratch.weights_file`)."""
        weights_file.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(
        self, filepath: str | os.PathLike[str], skip_mismatch: bool = False, by_name: bool = False
    ) -> None:
        """Load weights written by :meth:`save_weights` (or from a ``.nnscratch`` model
        file) into this model, layer by layer; see :mod:`nnscratch.weights_file`.

        ``by_name`` (Keras 2) is refused when true: as in Keras 3 for its own files,
        the layers that have weights are matched in order.
        """
        if by_name:
            raise ValueError(
                "load_weights(by_name=True) is for Keras' legacy HDF5 files; nnscratch "
                "matches the layers that have weights in order"
            )
        weights_file.load_weights(
            self, filepath, skip_mismatch=flag("skip_mismatch", skip_mismatch)
        )

    def get_config(self) -> dict[str, Any]:
        """The architecture as JSON-ready data (no weights); see
        :mod:`nnscratch.model_config`."""
        return model_config.get_config(self)

    @classmethod
    def from_config(cls, config: Any, custom_objects: Any = None) -> Sequential:
        """A new model, with fresh weights, from :meth:`get_config`'s data.

        ``custom_objects`` (Keras) may map names to layer classes that are registered
        (``@nnscratch.layers.register_layer``); layers are found by their registered name.
        """
        return model_config.from_config(config, cls, custom_objects)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as JSON text (no weights); read it back with
        ``nnscratch.keras.models.model_from_json``."""
        return model_config.to_json(self, **kwargs)

    # -- inspecting ----------------------------------------------------------------------
    def summary(self, print_fn: Any = None) -> None:  # type: ignore[override]
        """Print the layers, their output shapes and parameter counts (Keras' table).

        ``print_fn`` receives each line instead of ``print``. The table as an object is
        :meth:`nnscratch.engine.model.Sequential.summary`.
        """
        table = super().summary(print_fn=print_fn)
        if print_fn is None:
            print(table)


def load_model(filepath: str | os.PathLike[str], compile: bool = True) -> Sequential:
    """Load a model written by ``model.save`` / :func:`nnscratch.saving.save_model`.

    Parameters
    ----------
    filepath : str or path
    compile : bool, default True
        Restore the loss, metrics and optimizer (with its state) so that ``fit``
        continues where it stopped. ``False`` gives a model ready to ``predict``.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ModelFileError
        A ``ValueError`` naming the file and what is wrong with it.
    """
    config, arrays = read_model_file(filepath)
    try:
        return serialize.model_from_data(config, arrays, compile=compile, model_class=Sequential)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise ModelFileError(filepath, str(exc)) from None


def returned_scores(scores: dict[str, float], return_dict: bool) -> Any:
    """What ``evaluate`` returns, as Keras: the dict of scores with ``return_dict=True``,
    else the loss alone, or ``[loss, *metrics]`` with metrics."""
    if return_dict:
        return scores
    return scores["loss"] if len(scores) == 1 else list(scores.values())


def _removed(name: str, instead: str) -> None:
    warnings.warn(
        f"model.{name}() was removed in Keras 2.6; use {instead}",
        DeprecationWarning,
        stacklevel=3,
    )


def _verbosity(verbose: int | str) -> int:
    if verbose == "auto":
        return 1 if interactive(sys.stdout) else 0
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


@contextlib.contextmanager
def _ctrl_c_stops_training(model: Any) -> Iterator[Any]:
    """While training, the first Ctrl-C asks for a clean stop after the current batch.

    A second Ctrl-C interrupts at once. Outside the main thread signals cannot be
    caught, and Ctrl-C behaves as usual.
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag.is_set
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if flag.is_set():
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        flag.set()
        model.stop_training = True
        model.history.interrupted = True

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not allowed here (e.g. some embedded interpreters)
        yield flag.is_set
        return
    try:
        yield flag.is_set
    finally:
        signal.signal(signal.SIGINT, previous)
