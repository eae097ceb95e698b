"""``nnscratch playground``: the local web page that trains a network live.

::

    nnscratch playground                 # http://127.0.0.1:8000/, opens the browser
    nnscratch playground --port 8765 --no-browser
    nnscratch playground --host 0.0.0.0  # reachable from other machines (a warning)

The page only draws; training runs here, in Python, on the nnscratch engine. It needs the
``web`` extra (Starlette, uvicorn, websockets): ``pip install 'nnscratch[web]'``.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import socket
import sys
import webbrowser

from . import CommandError

__all__ = ["register", "run"]

DEFAULT_PORT = 8000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "playground",
        help="open the interactive playground (a local web page)",
        description=(
            "Serve the playground on this machine and open it in the browser. Training "
            "runs in Python on the nnscratch engine; the page draws the frames."
        ),
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    parser.set_defaults(run=run)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"port must be an integer 0..65535, got {text!r}"
        ) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be an integer 0..65535, got {value}")
    return value


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a :class:`CommandError` saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CommandError(f"cannot listen on host {host!r}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                f"port {port} on {host} is already in use; choose another with --port N "
                "(or --port 0 for any free port)"
            ) from None
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def run(args: argparse.Namespace) -> int:
    from ..lab.web import WEB_EXTRA_MESSAGE

    try:
        import uvicorn

        from ..lab.web.server import create_app
    except ImportError:
        print(WEB_EXTRA_MESSAGE, file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}: anyone who can reach this machine can use "
            "the playground (and its CPU). Use the default 127.0.0.1 to keep it local.",
            file=sys.stderr,
        )
    sock = bind(args.host, args.port)
    port = sock.getsockname()[1]
    shown = args.host if ":" not in args.host else f"[{args.host}]"
    if args.host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    url = f"http://{shown}:{port}/"
    # On loopback, answer only to loopback names; a chosen --host may be reached by any.
    app = create_app(allowed_hosts=None) if not is_loopback(args.host) else create_app()
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        ws_max_size=4 * 1024 * 1024,
        ws_ping_interval=20.0,
    )
    server = uvicorn.Server(config)
    print(f"nnscratch playground: {url}  (Ctrl-C to stop)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
