"""Every playground setting in one table: default, limits, validation and URL encoding.

The page, the session, the URL state and the docs all read the same declarations
(TensorFlow Playground's ``state.ts`` keeps its ``PROPS`` the same way). One entry says
everything about a setting::

    Number("noise", 0.2, lo=0.0, hi=2.0, data=True)

* its **default** (``DEFAULT_CONFIG["noise"] == 0.2``),
* its **limits** and **validation** (``check(2.5)`` raises ``noise must be a number in
  [0.0, 2.0], got 2.5``), listed for the page in ``options()["settings"]``,
* its **URL encoding** (``to_url(0.2) == "0.2"``, ``from_url("0.2") == 0.2``), so that a
  link reads ``#dataset=moons&noise=0.2&hidden_layers=4:tanh,2:tanh&...``,
* whether changing it means new **data** (``data=True``) or only a new model.

>>> config = validate_config(DEFAULT_CONFIG)
>>> SETTING["hidden_layers"].to_url(config["hidden_layers"])
'4:tanh,2:tanh'
>>> SETTING["hidden_layers"].from_url("8:relu")
[{'units': 8, 'activation': 'relu'}]
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Sequence
from typing import Any

__all__ = [
    "DATA_KEYS",
    "DEFAULT_CONFIG",
    "DEFAULT_SPEED",
    "DEFAULT_SWEEP",
    "FEATURE_NAMES",
    "FRAME_RATE",
    "LIMITS",
    "MAX_SEED",
    "PROTOCOL_VERSION",
    "RUN_SETTING",
    "SETTING",
    "SETTINGS",
    "PlaygroundError",
    "Setting",
    "check_int",
    "describe_settings",
    "short_repr",
    "validate_config",
]


class PlaygroundError(ValueError):
    """A request the session cannot accept. ``field`` names the offending part."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


#: sizes, bounds and grid resolutions shared with the page (``options.limits``)
LIMITS: dict[str, int] = {
    "max_points": 10_000,
    "min_points": 4,
    "max_upload_bytes": 1_000_000,
    "max_message_chars": 2_000_000,
    "max_message_depth": 16,
    "max_hidden_layers": 8,
    "max_units": 256,
    "max_speed": 1000,
    "max_step_epochs": 1000,
    "max_replay_steps": 40_000,
    "max_sweep_models": 8,
    "max_drawn_units": 512,
    "max_step_work": 250_000_000,
    "max_sessions": 64,
    "grid": 100,
    "thumb": 24,
    "sweep_grid": 50,
    "max_curve_points": 4000,
}

MAX_SEED = 2**31 - 1
DATASETS = ("moons", "circles", "xor", "gaussian", "spiral", "multi_gaussian", "plane", "csv")
REGRESSION_DATASETS = ("plane",)
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
CLASSIFICATION_OUTPUTS = ("softmax_cross_entropy", "sigmoid_binary_cross_entropy", "quadratic")
REGRESSION_OUTPUTS = ("mse", "quadratic")
OPTIMIZER_CHOICES = ("sgd", "momentum", "adam")
#: the input features offered (their NumPy code is in :mod:`.build`)
FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


# -- the checks every setting is built from ---------------------------------------------------
def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut short: an error message must not echo a megabyte back.

    >>> short_repr("x" * 100, limit=10)
    "'xxxxxx..."
    """
    try:
        text = repr(value)
    except RecursionError:  # absurdly nested lists
        text = f"<deeply nested {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_int(value: Any, field: str, lo: int, hi: int) -> int:
    """``value`` as an int in ``lo..hi`` (an integral float such as ``4.0`` is accepted)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise PlaygroundError(
                f"{field} must be an integer {lo}..{hi}, got {short_repr(value)}", field
            )
    if not lo <= value <= hi:
        raise PlaygroundError(f"{field} must be an integer {lo}..{hi}, got {value}", field)
    return int(value)


def names(keys: Sequence[Any], most: int = 5) -> str:
    """Keys quoted for a message, a few at most: ``'a', 'b'``.

    >>> names(["x", "y" * 50])
    "'x', 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...'"
    """
    shown = [repr(k) if len(str(k)) <= 40 else repr(str(k)[:40] + "...") for k in keys[:most]]
    return ", ".join(shown) + (f" and {len(keys) - most} more" if len(keys) > most else "")


def _from_url_number(text: str, field: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise PlaygroundError(f"{field} must be a number, got {short_repr(text)}", field) from None


class Setting:
    """One setting: a name, a default, and how to check and encode its value.

    Subclasses implement :meth:`check` (validate and normalise, raising
    :class:`PlaygroundError` that names the field and what it accepts), :meth:`to_url`
    and :meth:`from_url` (the value as URL text and back), and :meth:`describe`
    (limits for the page).
    """

    kind = "setting"

    def __init__(self, name: str, default: Any, *, data: bool = False) -> None:
        self.name = name
        self.default = default
        self.data = data

    def check(self, value: Any, field: str | None = None) -> Any:
        raise NotImplementedError

    def to_url(self, value: Any) -> str:
        return str(value)

    def from_url(self, text: str, field: str | None = None) -> Any:
        return self.check(text, field)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "default": copy.deepcopy(self.default)}


class Choice(Setting):
    """One of a fixed list of names."""

    kind = "choice"

    def __init__(self, name: str, default: str, choices: Sequence[str], **kw: Any) -> None:
        super().__init__(name, default, **kw)
        self.choices = tuple(choices)

    def check(self, value: Any, field: str | None = None) -> str:
        field = field or self.name
        if not isinstance(value, str) or value not in self.choices:
            raise PlaygroundError(
                f"{field} must be one of {', '.join(self.choices)}; got {short_repr(value)}",
                field,
            )
        return value

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "choices": list(self.choices)}


class Integer(Setting):
    """A whole number in ``lo..hi``."""

    kind = "integer"

    def __init__(self, name: str, default: int, lo: int, hi: int, **kw: Any) -> None:
        super().__init__(name, default, **kw)
        self.lo, self.hi = lo, hi

    def check(self, value: Any, field: str | None = None) -> int:
        return check_int(value, field or self.name, self.lo, self.hi)

    def from_url(self, text: str, field: str | None = None) -> int:
        field = field or self.name
        if not (text.isascii() and text.isdigit()) or len(text) > 12:
            raise PlaygroundError(
                f"{field} must be an integer {self.lo}..{self.hi}, got {short_repr(text)}", field
            )
        return self.check(int(text), field)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "min": self.lo, "max": self.hi}


class Number(Setting):
    """A finite number in ``[lo, hi]`` (or ``(lo, hi]`` with ``open_lo``)."""

    kind = "number"

    def __init__(
        self, name: str, default: float, lo: float, hi: float, *, open_lo: bool = False, **kw: Any
    ) -> None:
        super().__init__(name, default, **kw)
        self.lo, self.hi, self.open_lo = lo, hi, open_lo

    def check(self, value: Any, field: str | None = None) -> float:
        field = field or self.name
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise PlaygroundError(f"{field} must be a number, got {short_repr(value)}", field)
        value = float(value)
        low_ok = value > self.lo if self.open_lo else value >= self.lo
        if not math.isfinite(value) or not low_ok or value > self.hi:
            bracket = "(" if self.open_lo else "["
            raise PlaygroundError(
                f"{field} must be a number in {bracket}{self.lo}, {self.hi}], got {value}", field
            )
        return value

    def to_url(self, value: float) -> str:
        return repr(float(value))  # the shortest text that reads back as the same float

    def from_url(self, text: str, field: str | None = None) -> float:
        return self.check(_from_url_number(text, field or self.name), field)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "min": self.lo, "max": self.hi, "open_min": self.open_lo}


class BatchSize(Integer):
    """Examples per gradient step, or ``"full"`` (full-batch gradient descent)."""

    kind = "batch_size"

    def check(self, value: Any, field: str | None = None) -> int | str:
        field = field or self.name
        if isinstance(value, str):
            if value != "full":
                raise PlaygroundError(
                    f'{field} must be an integer {self.lo}..{self.hi} or "full", '
                    f"got {short_repr(value)}",
                    field,
                )
            return "full"
        return super().check(value, field)

    def from_url(self, text: str, field: str | None = None) -> int | str:
        return "full" if text == "full" else super().from_url(text, field)


class Features(Setting):
    """A non-empty list of input features, each named once."""

    kind = "features"

    def __init__(self, name: str, default: list[str], choices: Sequence[str], **kw: Any) -> None:
        super().__init__(name, default, **kw)
        self.item = Choice(name, default[0], choices)

    def check(self, value: Any, field: str | None = None) -> list[str]:
        field = field or self.name
        if not isinstance(value, list) or not value:
            raise PlaygroundError(
                f"{field} must be a non-empty list of {', '.join(self.item.choices)}; got "
                f"{short_repr(value)}",
                field,
            )
        names = [self.item.check(v, f"{field}[{i}]") for i, v in enumerate(value)]
        if len(set(names)) != len(names):
            raise PlaygroundError(f"{field} lists a feature twice: {short_repr(names)}", field)
        return names

    def to_url(self, value: list[str]) -> str:
        return ",".join(value)

    def from_url(self, text: str, field: str | None = None) -> list[str]:
        return self.check(text.split(",") if text else [], field)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "choices": list(self.item.choices)}


class Layers(Setting):
    """The hidden layers: a list of ``{"units": n, "activation": name}``."""

    kind = "layers"

    def __init__(
        self, name: str, default: list[dict[str, Any]], max_layers: int, max_units: int, **kw: Any
    ) -> None:
        super().__init__(name, default, **kw)
        self.max_layers = max_layers
        self.units = Integer("units", 4, 1, max_units)
        self.activation = Choice("activation", "tanh", HIDDEN_ACTIVATIONS)

    def check(self, value: Any, field: str | None = None) -> list[dict[str, Any]]:
        field = field or self.name
        if not isinstance(value, list) or len(value) > self.max_layers:
            raise PlaygroundError(
                f"{field} must be a list of 0..{self.max_layers} layers, got {short_repr(value)}",
                field,
            )
        layers = []
        for i, spec in enumerate(value):
            where = f"{field}[{i}]"
            if not isinstance(spec, dict):
                raise PlaygroundError(
                    f'{where} must be an object like {{"units": 4, "activation": "tanh"}}, '
                    f"got {short_repr(spec)}",
                    where,
                )
            extra = sorted(set(spec) - {"units", "activation"}, key=str)
            if extra:
                raise PlaygroundError(
                    f"{where} has unknown key(s) {names(extra)}; valid: units, activation",
                    where,
                )
            units = self.units.check(spec.get("units"), f"{where}.units")
            activation = self.activation.check(
                spec.get("activation", "tanh"), f"{where}.activation"
            )
            layers.append({"units": units, "activation": activation})
        return layers

    def to_url(self, value: list[dict[str, Any]]) -> str:
        return ",".join(f"{layer['units']}:{layer['activation']}" for layer in value)

    def from_url(self, text: str, field: str | None = None) -> list[dict[str, Any]]:
        field = field or self.name
        layers: list[Any] = []
        for i, part in enumerate(text.split(",") if text else []):
            units, _, activation = part.partition(":")
            layer: dict[str, Any] = {"units": self.units.from_url(units, f"{field}[{i}].units")}
            if activation:
                layer["activation"] = activation
            layers.append(layer)
        return self.check(layers, field)

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "max_layers": self.max_layers,
            "max_units": self.units.hi,
            "activations": list(self.activation.choices),
        }


class Sizes(Setting):
    """The sweep: a list of hidden-layer sizes (``[]`` or ``None``: no sweep)."""

    kind = "sizes"

    def __init__(self, name: str, default: Any, max_models: int, max_units: int) -> None:
        super().__init__(name, default)
        self.max_models = max_models
        self.size = Integer(name, 1, 1, max_units)

    def check(self, value: Any, field: str | None = None) -> list[int]:
        field = field or self.name
        if not isinstance(value, list) or len(value) > self.max_models:
            raise PlaygroundError(
                f"{field} must be a list of at most {self.max_models} hidden sizes "
                f"(integers 1..{self.size.hi}), got {short_repr(value)}",
                field,
            )
        return [self.size.check(s, f"{field}[{i}]") for i, s in enumerate(value)]

    def to_url(self, value: list[int]) -> str:
        return ",".join(str(v) for v in value)

    def from_url(self, text: str, field: str | None = None) -> list[int]:
        field = field or self.name
        parts = text.split(",") if text else []
        if len(parts) > self.max_models:
            return self.check(parts, field)  # the error names the limit
        return self.check([self.size.from_url(p, f"{field}[{i}]") for i, p in enumerate(parts)])


# -- the table ---------------------------------------------------------------------------------
_ALL_OUTPUTS = tuple(sorted(set(CLASSIFICATION_OUTPUTS + REGRESSION_OUTPUTS)))

#: the configuration, in the order links and the docs list it
SETTINGS: tuple[Setting, ...] = (
    Choice("dataset", "circles", DATASETS, data=True),
    Integer("n_samples", 200, 10, LIMITS["max_points"], data=True),
    Integer("n_classes", 3, 2, 5, data=True),
    Number("noise", 0.2, 0.0, 2.0, data=True),
    Number("train_ratio", 0.5, 0.1, 0.9, data=True),
    Integer("seed", 0, 0, MAX_SEED, data=True),
    Features("features", ["x1", "x2"], FEATURE_NAMES),
    Layers(
        "hidden_layers",
        [{"units": 4, "activation": "tanh"}, {"units": 2, "activation": "tanh"}],
        LIMITS["max_hidden_layers"],
        LIMITS["max_units"],
    ),
    Choice("output", "softmax_cross_entropy", _ALL_OUTPUTS),
    Number("learning_rate", 0.1, 0.0, 10.0, open_lo=True),
    BatchSize("batch_size", 10, 1, LIMITS["max_points"]),
    Choice("optimizer", "sgd", OPTIMIZER_CHOICES),
    Number("momentum", 0.9, 0.0, 0.99),
    Number("l1", 0.0, 0.0, 1.0),
    Number("l2", 0.0, 0.0, 1.0),
    Number("dropout", 0.0, 0.0, 0.9),
)
SETTING: dict[str, Setting] = {s.name: s for s in SETTINGS}

DEFAULT_SPEED = 10
DEFAULT_SWEEP = [1, 2, 3, 4, 10, 20, 50]

#: the state of a run besides its configuration (in links too)
RUN_SETTINGS: tuple[Setting, ...] = (
    Integer("speed", DEFAULT_SPEED, 1, LIMITS["max_speed"]),
    Integer("epoch", 0, 0, 10**9),
    Sizes("sweep", None, LIMITS["max_sweep_models"], LIMITS["max_units"]),
)
RUN_SETTING: dict[str, Setting] = {s.name: s for s in RUN_SETTINGS}

DEFAULT_CONFIG: dict[str, Any] = {s.name: copy.deepcopy(s.default) for s in SETTINGS}
#: the settings whose change means new data (the rest rebuild only the model)
DATA_KEYS = tuple(s.name for s in SETTINGS if s.data)


def validate_config(config: Any) -> dict[str, Any]:
    """Check a complete configuration and return a normalised copy.

    Every key of :data:`DEFAULT_CONFIG` must be present and nothing else; each value is
    checked by its :data:`SETTINGS` entry. The data-dependent checks (the output against
    the number of classes) happen in the session, which knows the data.

    Raises
    ------
    PlaygroundError
        Naming the field and what it accepts, e.g. ``"hidden_layers[1].units must be an
        integer 1..256, got 300"``.
    """
    if not isinstance(config, dict):
        raise PlaygroundError(f"config must be an object, got {type(config).__name__}", "config")
    unknown = sorted((k for k in config if k not in SETTING), key=str)
    if unknown:
        raise PlaygroundError(
            f"unknown config key(s) {names(unknown)}; valid keys: {', '.join(SETTING)}",
            f"config.{str(unknown[0])[:40]}",
        )
    missing = [k for k in SETTING if k not in config]
    if missing:
        raise PlaygroundError(f"config is missing {', '.join(missing)}", f"config.{missing[0]}")
    return {s.name: s.check(config[s.name]) for s in SETTINGS}


def describe_settings() -> dict[str, dict[str, Any]]:
    """Each setting's kind, default and limits, for the page (``options.settings``)."""
    return {s.name: s.describe() for s in SETTINGS + RUN_SETTINGS}


PROTOCOL_VERSION = 1

#: frames per second the server aims for while playing (at least 30 arrive); the speed
#: setting is in gradient steps per frame
FRAME_RATE = 32
