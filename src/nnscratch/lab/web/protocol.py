"""The messages a page sends, checked and answered (``docs/playground-protocol.md``).

:func:`handle` takes one parsed client message and a session, and returns the messages
to send back. Every message type is one row of :data:`MESSAGES` (the fields it takes and
needs) and one small function; a bad message gets a single ``error`` message and the
session goes on unchanged.

>>> from nnscratch.lab.web.session import PlaygroundSession
>>> session = PlaygroundSession({"n_samples": 40})
>>> [m["type"] for m in handle(session, {"type": "step", "epochs": 2, "id": 1})]
['frame']
>>> handle(session, {"type": "dance"})[0]["message"][:30]
"unknown message type 'dance'; "
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...engine.model import TrainingDiverged
from .frames import Interrupted
from .schema import (
    CLASSIFICATION_OUTPUTS,
    DATA_KEYS,
    DATASETS,
    DEFAULT_CONFIG,
    DEFAULT_SPEED,
    DEFAULT_SWEEP,
    FEATURE_NAMES,
    FRAME_RATE,
    HIDDEN_ACTIVATIONS,
    LIMITS,
    OPTIMIZER_CHOICES,
    REGRESSION_DATASETS,
    REGRESSION_OUTPUTS,
    PlaygroundError,
    check_int,
    describe_settings,
    names,
    short_repr,
)

__all__ = [
    "MESSAGES",
    "available_features",
    "error_message",
    "handle",
    "message_depth",
    "one_line",
    "options",
]


@dataclass(frozen=True)
class Message:
    """A client message type: the fields it takes (besides ``type`` and ``id``)."""

    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    #: it stops training that is under way (the run restarts or pauses anyway)
    interrupts: bool = False


MESSAGES: dict[str, Message] = {
    "config": Message(("config",), ("config",), interrupts=True),
    "regenerate": Message(interrupts=True),
    "upload_csv": Message(("text", "name"), ("text",), interrupts=True),
    "play": Message(),
    "pause": Message(interrupts=True),
    "step": Message(("epochs",)),
    "reset": Message(interrupts=True),
    "speed": Message(("value",), ("value",)),
    "sweep": Message(("sizes",), ("sizes",), interrupts=True),
    "export_python": Message(),
    "get_state": Message(),
    "load_state": Message(("state",), ("state",), interrupts=True),
}


def available_features() -> dict[str, bool]:
    """The optional choices the engine offers: ``{"adam": True, "dropout": True}``."""
    return {"adam": True, "dropout": True}


def options() -> dict[str, Any]:
    """Everything the page needs to build its controls (``hello.options``)."""
    return {
        "datasets": list(DATASETS),
        "regression_datasets": list(REGRESSION_DATASETS),
        "features": list(FEATURE_NAMES),
        "activations": list(HIDDEN_ACTIVATIONS),
        "outputs": {
            "classification": list(CLASSIFICATION_OUTPUTS),
            "regression": list(REGRESSION_OUTPUTS),
        },
        "optimizers": list(OPTIMIZER_CHOICES),
        "available": available_features(),
        "limits": dict(LIMITS),
        "defaults": copy.deepcopy(DEFAULT_CONFIG),
        "settings": describe_settings(),
        "default_sweep": list(DEFAULT_SWEEP),
        "default_speed": DEFAULT_SPEED,
        "frame_rate": FRAME_RATE,
    }


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line and at most ``limit`` characters (for messages and the log).

    >>> one_line("a\\nb" + "c" * 300, limit=12)
    'a bcccccc...'
    """
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def error_message(message: str, field: str | None, request: Any) -> dict[str, Any]:
    """An ``error`` message for the page (the text on one line, bounded)."""
    return {
        "type": "error",
        "message": one_line(message, 500),
        "field": field if field is None else one_line(field, 100),
        "request": request if isinstance(request, str) and request in MESSAGES else None,
    }


def message_depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests lists and objects, counting at most to ``limit + 1``.

    Iterative, so a message nested thousands deep costs no recursion.

    >>> message_depth({"a": [[1]]}, 16)
    3
    """
    depth, level = 0, [value]
    while depth <= limit and any(isinstance(item, (dict, list)) for item in level):
        depth += 1
        level = [
            child
            for item in level
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return depth


def handle(session: Any, message: Any) -> list[dict[str, Any]]:
    """Answer one client message (a parsed JSON object) with messages to send back.

    A bad message gets a single ``error`` message; the session is unchanged and goes
    on. Every reply echoes the message's ``id`` as ``re``.
    """
    re = message.get("id") if isinstance(message, dict) else None
    if not (re is None or (isinstance(re, (str, int)) and not isinstance(re, bool))):
        re = None
    if isinstance(re, str):
        re = re[:100]
    kind = message.get("type") if isinstance(message, dict) else None
    try:
        replies = _dispatch(session, message)
    except Interrupted:  # told to stop half-way: say where the session is now
        replies = [session.state()]
    except TrainingDiverged as exc:
        replies = [session.diverged(exc), *session.reply_frames()]
    except PlaygroundError as exc:
        replies = [error_message(str(exc), exc.field, kind)]
    except (ValueError, TypeError) as exc:
        replies = [error_message(str(exc), None, kind)]
    if re is not None:
        for reply in replies:
            reply["re"] = re
    return replies


def _dispatch(session: Any, message: Any) -> list[dict[str, Any]]:
    if not isinstance(message, dict):
        raise PlaygroundError(
            f"a message must be a JSON object with a 'type', got {type(message).__name__}"
        )
    depth = LIMITS["max_message_depth"]
    if message_depth(message, depth) > depth:
        raise PlaygroundError(f"the message nests more than {depth} levels deep")
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in MESSAGES:
        raise PlaygroundError(
            f"unknown message type {short_repr(kind)}; valid types: {', '.join(MESSAGES)}",
            "type",
        )
    spec = MESSAGES[kind]
    extra = sorted((k for k in message if k not in {"type", "id", *spec.fields}), key=str)
    if extra:
        raise PlaygroundError(
            f"{kind} does not take {names(extra)}; it takes "
            f"{', '.join(spec.fields) or 'no fields'}",
            str(extra[0])[:40],
        )
    for key in spec.required:
        if key not in message:
            raise PlaygroundError(f"{kind} needs a {key!r} field", key)
    return _HANDLERS[kind](session, message)


# -- one function per message type -----------------------------------------------------------
def _after_change(session: Any, data: bool) -> list[dict[str, Any]]:
    replies = [session.state()]
    if data:
        replies.append(session.data_message())
    return replies + session.reply_frames()


def _config(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    before = {k: session.config[k] for k in DATA_KEYS}
    try:
        session.configure(message["config"])
    except PlaygroundError as exc:
        if exc.field and not exc.field.startswith("config"):
            exc.field = f"config.{exc.field}"
        raise
    after = session.config
    return _after_change(session, data=any(before[k] != after[k] for k in DATA_KEYS))


def _regenerate(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.regenerate()
    return _after_change(session, data=True)


def _upload_csv(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.upload_csv(message["text"], message.get("name"))
    return _after_change(session, data=True)


def _play(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.playing = True
    return [session.state()]


def _pause(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.playing = False
    return [session.state()]


def _step(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    epochs = check_int(message.get("epochs", 1), "epochs", 1, LIMITS["max_step_epochs"])
    session.playing = False
    asked = len(session.notices)
    done = session.step(epochs)
    frames = session.reply_frames()
    stopped = done < epochs or not frames or len(session.notices) != asked
    return ([session.state()] if stopped else []) + frames


def _reset(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.reset()
    return [session.state(), *session.reply_frames()]


def _speed(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.set_speed(message["value"])
    return [session.state()]


def _sweep(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.set_sweep(message["sizes"])
    return [session.state(), *session.reply_frames()]


def _export_python(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "python", "code": session.python_script()}]


def _get_state(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    return [session.state()]


def _load_state(session: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    session.load_url_state(message["state"])
    return _after_change(session, data=True)


_HANDLERS: dict[str, Callable[[Any, dict[str, Any]], list[dict[str, Any]]]] = {
    "config": _config,
    "regenerate": _regenerate,
    "upload_csv": _upload_csv,
    "play": _play,
    "pause": _pause,
    "step": _step,
    "reset": _reset,
    "speed": _speed,
    "sweep": _sweep,
    "export_python": _export_python,
    "get_state": _get_state,
    "load_state": _load_state,
}
assert set(_HANDLERS) == set(MESSAGES)
