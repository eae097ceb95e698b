"""The playground's web server: a Starlette app that connects pages to sessions.

Each WebSocket connection (one browser tab) gets its own
:class:`~nnscratch.lab.web.session.PlaygroundSession`, created when the tab connects and
dropped when it goes away; the sessions live in the app's registry
(``app.state.sessions``), never in module globals. For each connection two things run:

* the *receiver* reads client messages and answers them through ``session.handle``;
* the *player* trains while the session is playing and sends a frame about 32 times a
  second (so that at least 30 arrive).

The CPU work (training, rendering a frame, JSON encoding) runs in worker threads with
``asyncio.to_thread``, so the event loop stays free to take a ``pause`` or a new
configuration at any moment. The message format is in ``docs/playground-protocol.md``.

Run it with ``nnscratch playground`` (see :mod:`nnscratch.cli.playground`), or::

    uvicorn --factory nnscratch.lab.web.server:create_app
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import WEB_EXTRA_MESSAGE

try:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles
    from starlette.websockets import WebSocket, WebSocketDisconnect
except ImportError as exc:  # pragma: no cover - exercised by a test with starlette hidden
    raise ImportError(WEB_EXTRA_MESSAGE) from exc

from .protocol import error_message, options
from .schema import FRAME_RATE, LIMITS, PROTOCOL_VERSION
from .session import PlaygroundSession

__all__ = ["LOOPBACK_HOSTS", "STATIC_DIR", "WEB_EXTRA_MESSAGE", "SessionRegistry", "create_app"]

#: the names a page served on this machine is reached by (the ``Host`` header, port aside)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

STATIC_DIR = Path(__file__).parent / "static"
FRAME_INTERVAL = 1.0 / FRAME_RATE  # seconds between frames while playing
#: a ``.nnscratch`` model file is a zip archive (``config.json`` + ``weights.npz``)
MODEL_MEDIA_TYPE = "application/zip"

log = logging.getLogger(__name__)


class SessionRegistry:
    """The live sessions of one app, by their token (the ``session`` of ``hello``).

    Tokens are random (``secrets.token_urlsafe``): knowing one is what lets a request
    download that session's model, so another tab cannot guess it.
    """

    def __init__(self) -> None:
        self._sessions: dict[str, PlaygroundSession] = {}

    def create(self) -> tuple[str, PlaygroundSession]:
        token = secrets.token_urlsafe(16)
        session = PlaygroundSession()
        self._sessions[token] = session
        return token, session

    def get(self, token: str) -> PlaygroundSession | None:
        return self._sessions.get(token)

    def drop(self, token: str) -> None:
        self._sessions.pop(token, None)

    def __len__(self) -> int:
        return len(self._sessions)


def _encode(message: dict[str, Any]) -> str:
    """Compact JSON. NaN and infinity are not JSON: should one slip in, it becomes null."""
    try:
        return json.dumps(message, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(message), separators=(",", ":"), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class _Connection:
    """One WebSocket and its session: the receiver, the player and a send lock."""

    def __init__(self, websocket: WebSocket, token: str, session: PlaygroundSession) -> None:
        self.websocket = websocket
        self.token = token
        self.session = session
        self.send_lock = asyncio.Lock()
        self.wake = asyncio.Event()

    async def send(self, messages: list[dict[str, Any]]) -> None:
        if messages:
            await self.send_texts(await asyncio.to_thread(lambda: [_encode(m) for m in messages]))

    async def send_texts(self, texts: list[str]) -> None:
        async with self.send_lock:
            for text in texts:
                await self.websocket.send_text(text)

    async def greet(self) -> None:
        session = self.session
        hello = {
            "type": "hello",
            "protocol": PROTOCOL_VERSION,
            "session": self.token,
            "options": options(),
            "config": session.config,
            "url_state": session.to_url_state(),
        }
        await self.send([hello])
        await self.send(
            await asyncio.to_thread(
                lambda: [session.state(), session.data_message(), session.frame()]
            )
        )

    async def receive_loop(self) -> None:
        limit = LIMITS["max_message_chars"]
        while True:
            event = await self.websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
            text = event.get("text")
            if text is None:
                await self.send(
                    [error_message("binary messages are not accepted; send JSON text", None, None)]
                )
                continue
            if len(text) > limit:
                await self.send(
                    [
                        error_message(
                            f"message of {len(text):,} characters is too large; at most {limit:,}",
                            None,
                            None,
                        )
                    ]
                )
                continue
            try:
                message = json.loads(text)
            except (ValueError, RecursionError) as exc:  # RecursionError: absurd nesting
                await self.send([error_message(f"message is not valid JSON: {exc}", None, None)])
                continue
            try:
                replies = await asyncio.to_thread(self.session.handle, message)
            except Exception as exc:  # an unexpected failure must not end the session
                log.exception("playground: message failed")
                replies = [
                    error_message(f"internal error: {type(exc).__name__}: {exc}", None, None)
                ]
            await self.send(replies)
            self.wake.set()

    async def play_loop(self) -> None:
        """Train and send frames while playing, one every ``FRAME_INTERVAL`` seconds.

        Frames are paced by absolute deadlines, so that the time spent computing one is
        not added to the wait before the next; when the work takes longer than a frame
        interval the pace drops to what the machine can do.
        """
        session = self.session
        deadline = time.perf_counter()
        while True:
            if not session.playing:
                self.wake.clear()
                if not session.playing:
                    await self.wake.wait()
                deadline = time.perf_counter()
                continue
            # Holding the send lock while the frame is made keeps the order of messages
            # true: a reply to "pause" computed after this frame is also sent after it.
            async with self.send_lock:
                try:
                    # training, rendering and encoding in one trip to a worker thread
                    texts = await asyncio.to_thread(lambda: [_encode(m) for m in session.advance()])
                except Exception as exc:
                    log.exception("playground: training failed")
                    session.playing = False
                    message = f"training stopped: {type(exc).__name__}: {exc}"
                    texts = [_encode(error_message(message, None, None))]
                for text in texts:
                    await self.websocket.send_text(text)
            now = time.perf_counter()
            deadline = max(deadline + FRAME_INTERVAL, now - FRAME_INTERVAL)
            await asyncio.sleep(max(deadline - now, 0.0))


def _same_origin(websocket: WebSocket) -> bool:
    """Browsers send ``Origin``; only our own page may open a session.

    WebSockets are not covered by the browser's same-origin policy, so without this check
    any web site open in another tab could connect to the local server.
    """
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser (a script, a test client): nothing to protect
        return True
    return urlsplit(origin).netloc.lower() == websocket.headers.get("host", "").lower()


async def _websocket(websocket: WebSocket) -> None:
    registry: SessionRegistry = websocket.app.state.sessions
    if not _same_origin(websocket):
        await websocket.close(code=1008, reason="cross-origin connections are refused")
        return
    await websocket.accept()
    token, session = registry.create()
    conn = _Connection(websocket, token, session)
    player: asyncio.Task[None] | None = None
    try:
        await conn.greet()
        player = asyncio.create_task(conn.play_loop())
        await conn.receive_loop()
    except WebSocketDisconnect:
        pass
    finally:
        session.playing = False
        if player is not None:
            player.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await player
        registry.drop(token)


def create_app(
    static_dir: str | Path | None = None,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
) -> Starlette:
    """The playground as an ASGI app.

    Parameters
    ----------
    static_dir : path, optional
        Where the page lives (``index.html`` and its files); the package's own
        ``lab/web/static`` by default.
    allowed_hosts : sequence of str or None, default :data:`LOOPBACK_HOSTS`
        Host names the server answers to; requests naming another host get 400. On
        loopback this defeats DNS rebinding (a foreign site whose name resolves to
        127.0.0.1). ``None`` answers to any name (when serving other machines).

    Examples
    --------
    >>> app = create_app()
    >>> len(app.state.sessions)
    0
    """
    static = Path(static_dir) if static_dir is not None else STATIC_DIR

    async def index(request: Request) -> Response:
        page = static / "index.html"
        if not page.is_file():
            return PlainTextResponse(f"the playground page is missing: {page}", status_code=500)
        return FileResponse(page, media_type="text/html")

    async def get_options(request: Request) -> Response:
        return JSONResponse(options())

    def _session(request: Request) -> PlaygroundSession | None:
        return request.app.state.sessions.get(request.path_params["sid"])

    async def model_file(request: Request) -> Response:
        session = _session(request)
        if session is None:
            return PlainTextResponse("no such session (it ends when its page closes)", 404)
        name, data = await asyncio.to_thread(session.model_file)
        return Response(
            data,
            media_type=MODEL_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def script(request: Request) -> Response:
        session = _session(request)
        if session is None:
            return PlainTextResponse("no such session (it ends when its page closes)", 404)
        code = await asyncio.to_thread(session.python_script)
        return PlainTextResponse(
            code,
            media_type="text/x-python",
            headers={"Content-Disposition": 'inline; filename="playground_run.py"'},
        )

    routes: list[Any] = [
        Route("/", index),
        Route("/api/options", get_options),
        Route("/api/session/{sid}/model.nnscratch", model_file),
        Route("/api/session/{sid}/script.py", script),
        WebSocketRoute("/ws", _websocket),
        Mount("/static", app=StaticFiles(directory=static, check_dir=False), name="static"),
    ]
    middleware = []
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.sessions = SessionRegistry()
    return app
