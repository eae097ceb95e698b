"""``from nnscratch.keras import initializers``: Keras 3's initializer classes.

``Dense(1, bias_initializer=initializers.Constant(-2.3))`` starts a bias at a value;
``RandomNormal(stddev=0.01)``, ``RandomUniform``, ``TruncatedNormal`` and
``VarianceScaling`` take Keras 3's arguments and defaults; ``GlorotUniform(seed=42)``,
``HeNormal()``, ``Zeros()``, ... are the engine's named schemes
(:mod:`nnscratch.engine.initializers`), with a seed of their own when one is given. A
model saves with them and a model rebuilt from its config draws the same way.

``seed=None`` draws from the model's generator (its ``seed``); an int draws the same
values at every call, as in Keras. The lower-case names (``initializers.he_normal``) are
the same classes, as in Keras 3; :func:`get` takes a name (``"he_normal"`` or
``"HeNormal"``), Keras' ``{"class_name": ..., "config": ...}`` or an initializer.

One difference: ``GlorotNormal``, ``HeNormal`` and ``LecunNormal`` (and the names
``"glorot_normal"``, ``"he_normal"``, ``"lecun_normal"``) draw from a plain normal of the
scheme's variance; Keras 3 truncates them at two standard deviations. For Keras' draws
use ``VarianceScaling(2.0, "fan_in", "truncated_normal")`` (He's) and the like.
"""

from __future__ import annotations

from typing import Any

from ..engine import initializers as engine
from ..engine.checks import number
from ..engine.initializers import (
    Constant,
    RandomNormal,
    RandomUniform,
    Seeded,
    TruncatedNormal,
    VarianceScaling,
)
from ..engine.summary import snake_case
from ._refusals import missing, unsupported

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "get",
]


def _scheme(class_name: str, scheme: str) -> type[Seeded]:
    """Keras' class of a named scheme: ``class_name(seed=None)`` draws ``scheme``."""

    def __init__(self: Seeded, seed: int | None = None) -> None:
        Seeded.__init__(self, scheme, seed)

    doc = f"Keras' ``{class_name}``: the ``{scheme!r}`` scheme, from ``seed`` if one is given."
    return type(
        class_name, (Seeded,), {"__init__": __init__, "__doc__": doc, "__module__": __name__}
    )


GlorotUniform = _scheme("GlorotUniform", "glorot_uniform")
GlorotNormal = _scheme("GlorotNormal", "glorot_normal")
HeNormal = _scheme("HeNormal", "he_normal")
HeUniform = _scheme("HeUniform", "he_uniform")
LecunNormal = _scheme("LecunNormal", "lecun_normal")
LecunUniform = _scheme("LecunUniform", "lecun_uniform")
Zeros = _scheme("Zeros", "zeros")
Ones = _scheme("Ones", "ones")
_Orthogonal = _scheme("Orthogonal", "orthogonal")
_Identity = _scheme("Identity", "identity")


def Orthogonal(gain: float = 1.0, seed: int | None = None) -> Seeded:
    """Keras' ``Orthogonal``: an orthogonal kernel (``gain`` 1.0 only)."""
    if number("gain", gain) != 1.0:
        raise unsupported("Orthogonal", "gain", gain, "the matrix is orthonormal (gain 1.0)")
    return _Orthogonal(seed)


def Identity(gain: float = 1.0) -> Seeded:
    """Keras' ``Identity``: the identity matrix (``gain`` 1.0 only)."""
    if number("gain", gain) != 1.0:
        raise unsupported("Identity", "gain", gain, "the diagonal is ones (gain 1.0)")
    return _Identity()


# Keras 3's lower-case names are the classes themselves.
constant, random_normal, random_uniform = Constant, RandomNormal, RandomUniform
truncated_normal, variance_scaling = TruncatedNormal, VarianceScaling
glorot_uniform, glorot_normal, he_normal, he_uniform = (
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
)
lecun_normal, lecun_uniform, zeros, ones = LecunNormal, LecunUniform, Zeros, Ones
orthogonal, identity = Orthogonal, Identity


def get(identifier: Any) -> Any:
    """An initializer from a name (Keras' ``"HeNormal"`` or ``"he_normal"``), Keras'
    config ``{"class_name": "Constant", "config": {"value": 0.1}}``, the engine's config,
    or an initializer (returned as it is)."""
    if isinstance(identifier, str):
        return engine.get(snake_case(identifier) if identifier[:1].isupper() else identifier)
    if isinstance(identifier, dict) and "class_name" in identifier:
        name, config = identifier["class_name"], identifier.get("config") or {}
        cls = globals().get(name) if name in __all__ and name[:1].isupper() else None
        if cls is None or not isinstance(config, dict):
            raise ValueError(
                f"unknown initializer config {identifier!r}; the classes are "
                f"{', '.join(n for n in __all__ if n[:1].isupper())}"
            )
        config = dict(config)
        for axes in ("input_axes", "output_axes"):  # Keras 3.15 writes them, at None
            if config.pop(axes, None) is not None:
                raise unsupported(name, axes, identifier["config"][axes], _AXES)
        return cls(**config)
    return engine.get(identifier)


_AXES = "the fans come from the kernel's last two axes (and the receptive field before them)"

_MISSING = {
    "STFT": "no spectral layers here",
    "Initializer": (
        "an initializer of your own is a function init(shape, rng) returning the array "
        "(rng: the model's NumPy generator)"
    ),
}


def __getattr__(name: str) -> Any:
    """A Keras name this module does not have: ``AttributeError`` saying what to use."""
    raise missing(__name__, name, _MISSING)
