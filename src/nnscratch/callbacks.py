"""Callbacks, Keras-style: ``from nnscratch.callbacks import History, LambdaCallback``."""

from .engine.callbacks import Callback, History, LambdaCallback
from .progress import LossPrinter, ProgressBar

__all__ = ["Callback", "History", "LambdaCallback", "LossPrinter", "ProgressBar"]
