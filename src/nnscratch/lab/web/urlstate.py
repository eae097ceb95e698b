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
import json
import zlib
from typing import Any
from urllib.parse import unquote

from .schema import LIMITS, RUN_SETTING, SETTING, PlaygroundError, names, short_repr

__all__ = ["decode", "encode", "pack_text"]

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
