"""``from nnscratch.keras.callbacks import EarlyStopping, ModelCheckpoint, ...``."""

from .. import callbacks as _callbacks
from ..callbacks import *  # noqa: F403  (the names below)

# nnscratch.callbacks' names but its progress reporters (LossPrinter, ProgressBar).
__all__ = [name for name in _callbacks.__all__ if name not in ("LossPrinter", "ProgressBar")]
