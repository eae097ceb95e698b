"""The web playground: watch a network learn, live, on the nnscratch engine.

The page only draws; one Python object per browser tab holds the whole run. By role:

* :mod:`.schema`: the table of settings (default, limits, validation, URL encoding of
  each), in the manner of TensorFlow Playground's ``state.ts``.
* :mod:`.session`: :class:`~.session.PlaygroundSession`, one per browser tab: the
  configuration, the data, the model and its training state. It needs nothing but NumPy
  and scikit-learn, so it can be used (and tested) on its own.
* :mod:`.protocol`: the page's messages, checked and answered.
* :mod:`.frames`: what a frame shows, drawn from the model's own ``predict``, ``trace``
  and ``evaluate``.
* :mod:`.training`: the models of a run and their training; :mod:`.build`: the model a
  configuration builds; :mod:`.dataset`: the points and the input columns.
* :mod:`.urlstate`: a run in a link; :mod:`.uploads`: CSV uploads, parsed strictly;
  :mod:`.export`: "copy as Python" scripts.
* :mod:`.server`: the Starlette app (the ``web`` extra) that connects sessions to pages
  over WebSockets. See ``docs/playground-protocol.md``.
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
