"""Weight penalties, Keras-style: ``from nnscratch.regularizers import l1, l2, l1_l2``."""

from .engine.regularizers import L1L2, Regularizer, l1, l1_l2, l2

__all__ = ["L1L2", "Regularizer", "l1", "l1_l2", "l2"]
