"""``from nnscratch.keras.models import Sequential, load_model`` (Keras' ``keras.models``)."""

from ..engine.model import Sequential
from ..saving import load_model, save_model

__all__ = ["Sequential", "load_model", "save_model"]
