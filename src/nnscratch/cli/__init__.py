"""The ``nnscratch`` command line: the front door, and the only place that prints.

Each group of commands lives in its own module (``article``, ...) exposing
``register(subparsers)``; a command is a function ``run(args) -> int`` (the exit status).

Bad arguments or bad input end with exit status 2 and one line on stderr, without a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["CommandError", "build_parser", "main"]

#: modules under nnscratch.cli that add sub-commands, in the order of ``--help``
COMMAND_MODULES: list[str] = ["article", "mnist", "compare", "playground"]


class CommandError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one clear line (and exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nnscratch",
        description="Neural networks from scratch: the classic tutorials, reproduced.",
    )
    from nnscratch import __version__

    parser.add_argument("--version", action="version", version=f"nnscratch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"nnscratch.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnscratch`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None and getattr(args, "portable_math", False):
        # A real command line (not a call from Python): make the printed numbers the
        # same on every CPU. See nnscratch.cli.portable.
        from .portable import ensure_portable_math

        ensure_portable_math(sys.argv[1:])
    try:
        return int(args.run(args) or 0)
    except CommandError as exc:
        print(f"nnscratch {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"nnscratch {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"nnscratch {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
