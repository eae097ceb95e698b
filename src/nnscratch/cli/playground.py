"""``nnscratch playground``: the local web page that trains a network live.

::

    nnscratch playground                 # http://127.0.0.1:8000/, opens the browser
    nnscratch playground --port 8765 --no-browser
    nnscratch playground --host 0.0.0.0 --allow-host mybox.local
                                         # reachable from other machines (a warning)

The page only draws; training runs here, in Python, on the nnscratch engine. It needs the
``web`` extra (Starlette, uvicorn, websockets): ``pip install 'nnscratch[web]'``.

The server answers only requests whose ``Host`` names it: the address it listens on,
``localhost``, ``127.0.0.1`` and ``[::1]``, this machine's name (when listening on every
interface) and what ``--allow-host`` adds. A web page elsewhere whose name an attacker
points at this machine (DNS rebinding) is refused. Ctrl-C or SIGTERM stops the server
within a second or two, even while a page trains a big network.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import re
import socket
import sys
import webbrowser
from collections.abc import Iterator, Sequence

from . import CommandError, add_command

__all__ = ["accepted_hosts", "register", "run"]

DEFAULT_PORT = 8000
#: the names this machine answers to on loopback, always accepted
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
#: seconds the server waits for open pages before it stops anyway
SHUTDOWN_SECONDS = 1.0
_HOST_NAME = re.compile(r"(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*\.?")
#: the text of ``nnscratch playground --help`` (argparse refills the lines)
_DESCRIPTION = """Serve the playground on this machine and open it in the browser. Training runs
in Python on the nnscratch engine; the page draws the frames."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "playground", _DESCRIPTION)
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
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        type=_host_option,
        metavar="NAME",
        help="also answer requests for this host name or address (repeatable), e.g. the "
        "name other machines reach this one by; '*.example.org' allows a domain",
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


def _host_option(text: str) -> str:
    name = text.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an IPv6 address: {text!r}") from None
        return name
    try:
        return _bracketed(str(ipaddress.ip_address(name)))
    except ValueError:
        pass
    if len(name) > 253 or not _HOST_NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"--allow-host takes a host name or address (e.g. mybox.local, 192.168.1.4, "
            f"[fe80::1], *.example.org), got {text!r}"
        )
    return name.rstrip(".")


def _bracketed(address: str) -> str:
    """An address as the ``Host`` header writes it: IPv6 in brackets."""
    return f"[{address}]" if ":" in address else address


def accepted_hosts(host: str, bound: str, extra: Sequence[str] = ()) -> list[str]:
    """The ``Host`` names the server answers to, listening on ``host`` (bound to ``bound``).

    Always the loopback names; the address bound and the name given with ``--host``;
    when listening on every interface (``0.0.0.0``, ``::``) also this machine's name and
    the addresses it resolves to; and ``extra`` (``--allow-host``).

    >>> accepted_hosts("127.0.0.2", "127.0.0.2")
    ['localhost', '127.0.0.1', '[::1]', '127.0.0.2']
    """
    names = list(LOCAL_NAMES)

    def add(name: str) -> None:
        name = name.lower()
        if name and name not in names:
            names.append(name)

    add(_bracketed(bound))
    if host.lower() != "localhost":
        add(host if host.startswith("[") else _bracketed(host))
    if bound in ("0.0.0.0", "::"):
        machine = socket.gethostname()
        add(machine)
        try:
            for info in socket.getaddrinfo(machine, None, type=socket.SOCK_STREAM):
                add(_bracketed(str(info[4][0]).split("%")[0]))
        except OSError:  # the machine's own name does not resolve: nothing more to add
            pass
    for name in extra:
        add(name)
    return names


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
        from threadpoolctl import threadpool_limits

        from ..lab.web.server import create_app
    except ImportError:
        print(WEB_EXTRA_MESSAGE, file=sys.stderr)
        return 2
    sock = bind(args.host, args.port)
    bound, port = sock.getsockname()[:2]
    hosts = accepted_hosts(args.host, bound, args.allow_host)
    if not is_loopback(args.host):
        where = "every network interface" if bound in ("0.0.0.0", "::") else "that address"
        print(
            f"warning: listening on {args.host} ({where}): the playground is then reachable "
            "from other machines, and anyone who can reach this one can use it and its CPU. "
            f"It answers requests for the Host names {', '.join(hosts)}; add the name "
            "others use with --allow-host NAME. Use the default --host 127.0.0.1 to keep it "
            "on this machine.",
            file=sys.stderr,
        )
    shown = args.host if ":" not in args.host else f"[{args.host}]"
    if bound in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    url = f"http://{shown}:{port}/"
    app = create_app(allowed_hosts=hosts)
    config = uvicorn.Config(
        app,
        log_config=None,  # see _uvicorn_lines
        log_level="warning",
        lifespan="off",
        ws_max_size=4 * 1024 * 1024,
        ws_ping_interval=20.0,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    server = uvicorn.Server(config)
    print(f"nnscratch playground: {url}  (Ctrl-C to stop)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    # Sessions train side by side, one thread each: one BLAS thread per computation
    # keeps a big network in one tab from crowding out the others (and the event loop).
    with threadpool_limits(limits=1, user_api="blas"), _uvicorn_lines():
        try:
            server.run(sockets=[sock])
        finally:
            app.state.sessions.close_all()
            sock.close()
    return 0


@contextlib.contextmanager
def _uvicorn_lines() -> Iterator[None]:
    """uvicorn's warnings as uvicorn prints them (``WARNING:  ...`` on stderr) while the
    server runs, on uvicorn's own logger only.

    Left to itself, ``uvicorn.Config`` applies its logging setup with ``dictConfig``,
    which closes every logging handler in the process: harmless in the command's own
    process, but it would break the logging of a program that runs the playground in its
    own process (a notebook, a test session).
    """
    import logging

    from uvicorn.logging import DefaultFormatter

    logger = logging.getLogger("uvicorn")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s"))
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
