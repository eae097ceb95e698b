"""A whole playground run in a link: ``#dataset=moons&noise=0.2&...&epoch=120``.

The page keeps the session's URL state in ``location.hash``; opening the link restores
the configuration and replays the run to its epoch (training is deterministic). Each
value is written and read by its :mod:`.schema` entry, so the link format follows the
table of settings:

>>> text = encode({"dataset": "xor", "hidden_layers": []}, {"speed": 20, "epoch": 4})
>>> text
'dataset=xor&hidden_layers=&speed=20&epoch=4'
>>> decode(text)["config"]
{'dataset': 'xor', 'hidden_layers': []}

Uploaded points ride along as ``csv=`` + base64url(zlib(JSON)). The older form of links,
``"1."`` + base64url(zlib(JSON)), still opens.
"""

from __future__ import annotations

import base64
import copy
import json
import time
import zlib
from typing import Any
from urllib.parse import unquote

from ...engine.model import TrainingDiverged
from .schema import (
    DEFAULT_CONFIG,
    DEFAULT_SPEED,
    LIMITS,
    RUN_SETTING,
    SETTING,
    PlaygroundError,
    names,
    short_repr,
)

#: seconds of training that replaying a link may take
REPLAY_SECONDS = 20.0

__all__ = ["REPLAY_SECONDS", "decode", "encode", "pack_text", "restore", "session_state"]

#: the characters of a link's state (what the page accepts in ``location.hash``)
URL_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~=&,:^*()%+"
)
_MAX_PARTS = 64


def pack_text(text: str, level: int = 9) -> str:
    """Text, zlib-compressed, in URL-safe base64 without padding."""
    packed = zlib.compress(text.encode("utf-8"), level)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def _unpack(packed: str) -> Any:
    """Undo :func:`pack_text` and parse the JSON; refuse what inflates past the limit."""
    limit = LIMITS["max_message_chars"]
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, 8 * limit)
        if inflater.unconsumed_tail:
            raise PlaygroundError("state unpacks to too much data", "state")
        return json.loads(text.decode("utf-8"))
    except PlaygroundError:
        raise
    except (ValueError, zlib.error, UnicodeDecodeError, RecursionError) as exc:
        message = short_repr(str(exc), 80)
        raise PlaygroundError(f"state is damaged and cannot be read ({message})", "state") from None


def encode(config: dict[str, Any], run: dict[str, Any], csv_json: str | None = None) -> str:
    """The link text of a configuration, the run's ``speed``/``epoch``/``sweep`` and points.

    ``config`` may be partial (the table's order is kept); ``run["sweep"]`` is left out
    when there is no sweep; ``csv_json`` is the JSON text of the uploaded points.
    """
    parts = [f"{name}={SETTING[name].to_url(config[name])}" for name in SETTING if name in config]
    for name, setting in RUN_SETTING.items():
        if run.get(name) is not None:
            parts.append(f"{name}={setting.to_url(run[name])}")
    if csv_json is not None:
        # 10,000 points are ~400 kB of JSON: compress a big state quickly, not tightly
        parts.append("csv=" + pack_text(csv_json, level=9 if len(csv_json) < 65536 else 1))
    return "&".join(parts)


def decode(state: Any) -> dict[str, Any]:
    """Read a link's state: ``{"config": {...}, "speed", "epoch", "sweep", "csv"}``.

    The configuration comes back partial (what the link names) and checked value by
    value; the session merges it into the defaults and checks the whole. Run values
    the link leaves out are absent.

    Raises
    ------
    PlaygroundError
        ``field`` ``"state"``, naming the part of the link that is wrong.
    """
    if not isinstance(state, str):
        raise PlaygroundError(f"state must be a string, got {type(state).__name__}", "state")
    limit = LIMITS["max_message_chars"]
    if len(state) > limit:
        raise PlaygroundError(f"state is {len(state):,} characters; at most {limit:,}", "state")
    state = state.removeprefix("#")
    if state.startswith("1."):
        return _decode_v1(state)
    if "=" not in state:
        raise PlaygroundError(
            "state is not a playground state (expected name=value pairs joined by '&')", "state"
        )
    parts = state.split("&")
    if len(parts) > _MAX_PARTS:
        raise PlaygroundError(f"state has {len(parts)} parts; at most {_MAX_PARTS}", "state")
    payload: dict[str, Any] = {"config": {}}
    for part in parts:
        name, equals, raw = part.partition("=")
        if not equals:
            raise PlaygroundError(f"state part {short_repr(part)} is not name=value", "state")
        if name in SETTING:
            target: dict[str, Any] = payload["config"]
        elif name in RUN_SETTING or name == "csv":
            target = payload
        else:
            valid = ", ".join([*SETTING, *RUN_SETTING, "csv"])
            raise PlaygroundError(
                f"state has unknown key {short_repr(name)}; valid keys: {valid}", "state"
            )
        if name in target:
            raise PlaygroundError(f"state names {name} twice", "state")
        try:
            if name == "csv":
                target[name] = _unpack(raw)
            else:
                setting = SETTING.get(name) or RUN_SETTING[name]
                target[name] = setting.from_url(unquote(raw))
        except PlaygroundError as exc:
            raise PlaygroundError(f"state: {exc}", "state") from None
    return payload


def _decode_v1(state: str) -> dict[str, Any]:
    """The older links: ``"1."`` + base64url(zlib(JSON of config, speed, epoch, ...))."""
    parts = state.split(".")
    if len(parts) != 2 or not parts[1]:
        raise PlaygroundError(
            "state is not a playground state (expected '1.' followed by base64url data)",
            "state",
        )
    payload = _unpack(parts[1])
    if not isinstance(payload, dict) or not isinstance(payload.get("config"), dict):
        raise PlaygroundError("state holds no configuration", "state")
    extra = sorted(set(payload) - {"config", *RUN_SETTING, "csv"})
    if extra:
        raise PlaygroundError(f"state has unknown key(s) {names(extra)}", "state")
    unknown = sorted(set(payload["config"]) - set(SETTING))
    if unknown:
        raise PlaygroundError(f"state has unknown config key(s) {names(unknown)}", "state")
    for name, setting in RUN_SETTING.items():
        if payload.get(name) is not None:
            payload[name] = setting.check(payload[name])
    return payload


# -- a session to and from a link ---------------------------------------------------------------
def session_state(session: Any) -> str:
    """A session's link text: its configuration, run and uploaded points."""
    run = {"speed": session.speed, "epoch": session.epoch, "sweep": session.sweep_sizes}
    return encode(session.config, run, session.csv_json())


def restore(session: Any, state: Any) -> None:
    """Restore a link's state into ``session`` (all or nothing) and replay its run.

    Replaying is training again, so it is bounded: at most ``LIMITS["max_replay_steps"]``
    gradient steps of all models and about ``REPLAY_SECONDS``; the session's notices say
    where it stopped.
    """
    from .uploads import check_points

    payload = decode(state)
    csv = check_points(payload["csv"]) if "csv" in payload else None
    config = dict(copy.deepcopy(DEFAULT_CONFIG), **payload["config"])
    with session._lock:
        saved = (session._csv, session._csv_json, session.sweep_sizes)
        if csv is not None:
            session._csv, session._csv_json = csv, None
        session.sweep_sizes = payload.get("sweep") or None
        try:
            session._apply_config(config, output_given=True, force_data=True)
        except PlaygroundError:
            session._csv, session._csv_json, session.sweep_sizes = saved
            raise
        session._csv_name = None
        session.speed = payload.get("speed", DEFAULT_SPEED)
        epoch = payload.get("epoch", 0)
        most = session.run.most_epochs(LIMITS["max_replay_steps"])
        if epoch > most:
            session.notices.append(
                f"the link was made at epoch {epoch:,}; replayed the first {most:,} "
                "epochs (press play to go on)"
            )
        _replay(session, min(epoch, most))


def _replay(session: Any, epochs: int) -> None:
    """Train ``epochs`` epochs, recording about 100 curve points on the way."""
    chunk = max(1, epochs // 100)
    done = 0
    session.frame()  # the epoch-0 point of the curves
    left = REPLAY_SECONDS
    while done < epochs and left > 0 and not session.cancelled():
        began = time.perf_counter()
        try:
            done += session.train_for(min(chunk, epochs - done), left)
        except TrainingDiverged:
            break
        left -= time.perf_counter() - began
        session.frame()
    if done < epochs and not session.cancelled():
        session.notices.append(
            f"replaying the link stopped after about {REPLAY_SECONDS:g} s at epoch "
            f"{session.epoch:,} of {epochs:,} (press play to go on)"
        )
    session.curve.replayed()
