"""``from nnscratch.keras.optimizers import SGD, Adam, RMSprop, Adagrad``.

By name in ``compile(optimizer="adam")`` or as objects; ``lr=`` (Keras 2) is accepted
with a ``DeprecationWarning`` naming ``learning_rate=``. Schedules are in
``nnscratch.keras.optimizers.schedules``.
"""

from ...engine.optimizers import SGD, Adagrad, Adam, Optimizer, RMSprop, get
from . import schedules

__all__ = ["SGD", "Adagrad", "Adam", "Optimizer", "RMSprop", "get", "schedules"]
