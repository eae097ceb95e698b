"""The web playground: watch a network learn, live, on the nnscratch engine.

* :mod:`.session`: :class:`~.session.PlaygroundSession`, one per browser tab. It holds the
  configuration, the data, the model and the training state, and turns them into frames.
  It needs nothing but NumPy and scikit-learn, so it can be used (and tested) on its own.
* :mod:`.config`: every setting, its range and validation, and the model it builds.
* :mod:`.uploads`: CSV uploads of points, parsed safely.
* :mod:`.export`: "copy as Python" scripts and model downloads.
* :mod:`.server`: the Starlette app (the ``web`` extra) that connects sessions to pages
  over WebSockets. The page only draws; see ``docs/playground-protocol.md``.
"""

from typing import Any

__all__ = ["WEB_EXTRA_MESSAGE", "PlaygroundError", "PlaygroundSession"]

#: what to tell a user whose installation lacks Starlette / uvicorn / websockets
WEB_EXTRA_MESSAGE = (
    "nnscratch playground needs the web extra: pip install 'nnscratch[web]' "
    "(or uv run --extra web nnscratch playground)"
)


def __getattr__(name: str) -> Any:
    # Imported on first use: the command line needs WEB_EXTRA_MESSAGE without paying for
    # NumPy and scikit-learn first.
    if name in ("PlaygroundError", "PlaygroundSession"):
        from . import session

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
