"""The one form of refusal for a Keras argument that nnscratch does not take.

Keras code passes options nnscratch has no meaning for (``Dropout(noise_shape=...)``,
``Input(batch_size=32)``, ``compile(loss_weights=...)``). Ignoring them would train
something other than what the code says, so each is refused with one message form: the
call as written, then why, and what to do instead. A Keras 3 layer written with ``call``
is refused by :func:`needs_backward`. A Keras name that nnscratch.keras does
not have (``layers.LSTM``, ``callbacks.TensorBoard``) is an ``AttributeError`` saying what
to use instead (:func:`missing`).
"""

from __future__ import annotations

from typing import Any

from ..engine.layers import Layer

__all__ = ["missing", "needs_backward", "unsupported"]


def unsupported(call: str, option: str, value: Any, why: str) -> ValueError:
    """The error for ``call(option=value)``: raise it.

    >>> unsupported("Dropout", "noise_shape", (1, 4), "each value is dropped on its own")
    ValueError('Dropout(noise_shape=(1, 4)) is not supported: each value is dropped on its own')
    """
    return ValueError(f"{call}({option}={value!r}) is not supported: {why}")


def missing(module: str, name: str, known: dict[str, str]) -> AttributeError:
    """The error for ``module.name`` that does not exist: for a Keras name in ``known``
    (name -> what to do instead) it says so; raise it from the module's ``__getattr__``.

    >>> missing("keras.layers", "LSTM", {"LSTM": "no recurrent layers"})
    AttributeError("module 'keras.layers' has no attribute 'LSTM': no recurrent layers")
    """
    why = known.get(name)
    message = f"module {module!r} has no attribute {name!r}"
    return AttributeError(message if why is None else f"{message}: {why}")


def needs_backward(kind: type) -> TypeError | None:
    """The error for a layer class written as a Keras 3 layer (a ``call`` and no
    ``forward``), or ``None`` for a layer nnscratch can train."""
    if not callable(getattr(kind, "call", None)) or getattr(kind, "forward", None) is not (
        Layer.forward
    ):
        return None
    return TypeError(
        f"{kind.__name__} defines call(), as a Keras 3 layer does, which relies on automatic "
        f"differentiation; an nnscratch layer computes its own gradient: define forward(x, "
        f"training) and backward(grad), and declare weights in build() with "
        f"self.add_weight(name, shape, initializer) (see nnscratch.layers.Layer)"
    )
