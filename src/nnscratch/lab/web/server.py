"""The playground's web server: a Starlette app that connects pages to sessions.

Each WebSocket connection (one browser tab) gets its own
:class:`~nnscratch.lab.web.session.PlaygroundSession`, created when the tab connects and
dropped when it goes away; the sessions live in the app's registry
(``app.state.sessions``), never in module globals. For each connection two things run:

* the *receiver* reads client messages as they come; a ``pause`` (or a change that
  restarts the run) stops the work under way at once;
* the *worker loop* answers the messages in order and, while playing, trains and sends a
  frame about 32 times a second (so that at least 30 arrive).

The CPU work (training, rendering a frame, JSON encoding) runs on the session's own
thread (:mod:`.worker`), in slices short enough to stop within a fraction of a second,
so the event loop stays free to take a ``pause`` or a new tab at any moment, and no tab
can make another wait. The message format is in ``docs/playground-protocol.md``.

Run it with ``nnscratch playground`` (see :mod:`nnscratch.cli.playground`), or::

    uvicorn --factory nnscratch.lab.web.server:create_app
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import math
import secrets
import time
from collections.abc import Callable, Sequence
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

from .protocol import MESSAGES, error_message, one_line, options
from .schema import FRAME_RATE, LIMITS, PROTOCOL_VERSION
from .session import PlaygroundSession
from .worker import SessionWorker

__all__ = ["LOOPBACK_HOSTS", "STATIC_DIR", "WEB_EXTRA_MESSAGE", "SessionRegistry", "create_app"]

#: the names a page served on this machine is reached by (the ``Host`` header, port aside)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

STATIC_DIR = Path(__file__).parent / "static"
FRAME_INTERVAL = 1.0 / FRAME_RATE  # seconds between frames while playing
#: a ``.nnscratch`` model file is a zip archive (``config.json`` + ``weights.npz``)
MODEL_MEDIA_TYPE = "application/zip"
#: messages a page may have waiting for an answer; more get an error
MAX_WAITING = 64

log = logging.getLogger(__name__)


class SessionRegistry:
    """The live sessions of one app, by their token (the ``session`` of ``hello``).

    Tokens are random (``secrets.token_urlsafe``): knowing one is what lets a request
    download that session's model, so another tab cannot guess it.
    """

    def __init__(self) -> None:
        self._sessions: dict[str, PlaygroundSession] = {}

    def add(self, session: PlaygroundSession) -> str:
        """Register ``session``; return its new token."""
        token = secrets.token_urlsafe(16)
        self._sessions[token] = session
        return token

    def get(self, token: str) -> PlaygroundSession | None:
        return self._sessions.get(token)

    def drop(self, token: str) -> None:
        self._sessions.pop(token, None)

    def close_all(self) -> None:
        """Stop every session's work (the server is shutting down)."""
        for session in list(self._sessions.values()):
            session.close()

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


def _log_failure(what: str, exc: BaseException) -> None:
    """One short line in the log, never a traceback of what a page sent."""
    log.error("playground: %s: %s", what, one_line(f"{type(exc).__name__}: {exc}", 300))


class _Connection:
    """One WebSocket and its session: the receiver, and the worker loop that answers.

    The receiver reads messages as they come and numbers them; a ``pause`` (or a message
    that restarts the run) stops the work under way at once (``session.cancelled``).
    The worker loop takes the messages in order, answers each on the session's own
    thread, and between them trains and sends a frame about 32 times a second while
    playing. All sending happens in that loop, so replies keep their order.
    """

    def __init__(
        self, websocket: WebSocket, token: str, session: PlaygroundSession, worker: SessionWorker
    ) -> None:
        self.websocket = websocket
        self.token = token
        self.session = session
        self.worker = worker
        #: (number, message, the error it gets when it cannot be parsed), in order
        self.inbox: collections.deque[tuple[int, Any, Any]] = collections.deque()
        self.received = 0
        self.wake = asyncio.Event()

    async def send_texts(self, texts: list[str]) -> None:
        for text in texts:
            await self.websocket.send_text(text)

    async def work(self, number: int, fn: Callable[[], list[dict[str, Any]]]) -> None:
        """Run ``fn`` for message ``number`` on the session's thread; send the replies."""
        session = self.session

        def job() -> list[str]:
            session.cancelled.begin(number)
            return [_encode(m) for m in fn()]

        try:
            texts = await self.worker.run(job)
        except Exception as exc:  # an unexpected failure must not end the session
            _log_failure("a request failed", exc)
            session.playing = False
            texts = [_encode(error_message(f"internal error: {type(exc).__name__}", None, None))]
        await self.send_texts(texts)

    async def greet(self) -> None:
        session = self.session

        def hello() -> list[dict[str, Any]]:
            return [
                {
                    "type": "hello",
                    "protocol": PROTOCOL_VERSION,
                    "session": self.token,
                    "options": options(),
                    "config": session.config,
                    "url_state": session.to_url_state(),
                }
            ]

        await self.work(0, hello)
        await self.work(0, lambda: [session.state(), session.data_message(), session.frame()])

    def _parse(self, text: str | None) -> tuple[Any, dict[str, Any] | None]:
        """``(message, None)``, or ``(None, an error message)`` for what cannot be one."""
        limit = LIMITS["max_message_chars"]
        if text is None:
            return None, error_message(
                "binary messages are not accepted; send JSON text", None, None
            )
        if len(text) > limit:
            error = f"message of {len(text):,} characters is too large; at most {limit:,}"
            return None, error_message(error, None, None)
        try:
            return json.loads(text), None
        except (ValueError, RecursionError) as exc:  # RecursionError: absurd nesting
            return None, error_message(f"message is not valid JSON: {exc}", None, None)

    async def receive_loop(self) -> None:
        session = self.session
        while True:
            event = await self.websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
            message, problem = self._parse(event.get("text"))
            self.received += 1
            kind = message.get("type") if isinstance(message, dict) else None
            if isinstance(kind, str) and kind in MESSAGES and MESSAGES[kind].interrupts:
                session.cancelled.interrupt(self.received)  # stop the work under way now
                session.playing = False
            if len(self.inbox) >= MAX_WAITING:
                await self.send_texts(
                    [_encode(error_message("too many requests waiting; slow down", None, None))]
                )
                continue
            self.inbox.append((self.received, message, problem))
            self.wake.set()

    async def work_loop(self) -> None:
        """Answer messages in order; while playing, train and send frames between them.

        Frames are paced by absolute deadlines, so that the time spent computing one is
        not added to the wait before the next; when the work takes longer than a frame
        interval the pace drops to what the machine can do.
        """
        session = self.session
        deadline = time.perf_counter()
        while True:
            if self.inbox:
                number, message, problem = self.inbox.popleft()
                if problem is not None:
                    await self.send_texts([_encode(problem)])
                else:
                    await self.work(number, lambda m=message: session.handle(m))
                deadline = time.perf_counter()
                continue
            if not session.playing:
                if session.frame_owed and not session.cancelled():
                    # a frame was given up for a pause: draw the weights as they are now
                    await self.work(self.received, session.reply_frames)
                    continue
                self.wake.clear()
                await self.wake.wait()
                continue
            wait = deadline - time.perf_counter()
            if wait > 0:
                self.wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), wait)
                continue
            await self.work(self.received, session.advance)
            now = time.perf_counter()
            deadline = max(deadline + FRAME_INTERVAL, now - FRAME_INTERVAL)


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
    if len(registry) >= LIMITS["max_sessions"]:
        await websocket.close(code=1013, reason="too many open playground pages; try later")
        return
    await websocket.accept()
    thread = SessionWorker("playground-session")
    try:  # the new session is built on its own thread, like all its work
        session = await thread.run(PlaygroundSession)
    except BaseException:
        thread.close()
        raise
    token = registry.add(session)
    conn = _Connection(websocket, token, session, thread)
    worker: asyncio.Task[None] | None = None
    try:
        await conn.greet()
        worker = asyncio.create_task(conn.work_loop())
        await conn.receive_loop()
    except (WebSocketDisconnect, ConnectionError, RuntimeError):
        pass  # the tab went away (or the server is stopping) while we were sending
    except Exception as exc:
        _log_failure("a connection failed", exc)
    finally:
        session.close()  # stops the slice under way within a fraction of a second
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
        conn.worker.close()
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
