"""The one form of refusal for a Keras argument that nnscratch does not take.

Keras code passes options nnscratch has no meaning for (``Dropout(noise_shape=...)``,
``Input(batch_size=32)``, ``compile(loss_weights=...)``). Ignoring them would train
something other than what the code says, so each is refused with one message form: the
call as written, then why, and what to do instead.
"""

from __future__ import annotations

from typing import Any

__all__ = ["unsupported"]


def unsupported(call: str, option: str, value: Any, why: str) -> ValueError:
    """The error for ``call(option=value)``: raise it.

    >>> unsupported("Dropout", "noise_shape", (1, 4), "each value is dropped on its own")
    ValueError('Dropout(noise_shape=(1, 4)) is not supported: each value is dropped on its own')
    """
    return ValueError(f"{call}({option}={value!r}) is not supported: {why}")
