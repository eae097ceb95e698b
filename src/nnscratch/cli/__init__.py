"""The ``nnscratch`` command line: the front door, and the only place that prints.

Each group of commands lives in its own module (``article``, ``sweep``, ...) exposing
``register(subparsers)``; a command is a function ``run(args) -> int`` (the exit status).

Starting must be instant: ``nnscratch --help``, ``nnscratch moons --help`` or a typo
should answer in a fraction of a second. So the command modules import only the standard
library at the top, and each command imports what it needs (scikit-learn, matplotlib, the
MNIST loader, PyTorch) when it runs. ``tests/test_cli_startup.py`` checks it.

Exit statuses: 0 done; 1 the work failed (a diverged run, a late write error); 2 bad
arguments or bad input, as one line on stderr without a traceback; 130 interrupted by
Ctrl-C. A mistyped command or option gets the nearest valid one suggested.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = [
    "COMMANDS",
    "CommandError",
    "WorkError",
    "add_command",
    "add_device_option",
    "build_parser",
    "main",
]

#: every command's one-line help (what ``nnscratch --help`` lists; see :func:`add_command`),
#: under the module of nnscratch.cli that declares its options with ``register(subparsers)``;
#: modules and commands in the order of ``--help``
_HELP_BY_MODULE: dict[str, dict[str, str]] = {
    "article": {
        "data": "scatter plot of the article's data set",
        "logreg": "logistic regression baseline (LogisticRegressionCV) and its boundary",
        "moons": "train the article's network and print its loss lines",
        "demo": "the whole article: data, logistic regression, networks, sweeps, index.html",
    },
    "sweep": {
        "sweep": "a network per hidden size (the article's grid), or per combination of settings",
    },
    "mnist": {
        "mnist": "train the book's network on MNIST (Nielsen, chapters 1 and 3)",
        "predict": "read handwritten digits from image files with a saved network",
    },
    "chapter6": {
        "chapter6": "the book's convolutional networks, step by step (Nielsen, chapter 6)",
    },
    "compare": {
        "compare": "train the same network with nnscratch, scikit-learn, Keras and PyTorch",
    },
    "playground": {"playground": "open the interactive playground (a local web page)"},
}

#: every command, in the order of ``--help``: ``name -> (module, one-line help)``
COMMANDS: dict[str, tuple[str, str]] = {
    name: (module, text)
    for module, helps in _HELP_BY_MODULE.items()
    for name, text in helps.items()
}

#: the modules that add sub-commands, in the order of ``--help``
COMMAND_MODULES: list[str] = list(_HELP_BY_MODULE)


class CommandError(Exception):
    """A user-facing error in the input: printed as one line, exit status 2."""


class WorkError(Exception):
    """The work itself failed (e.g. a result could not be written): one line, status 1."""


def _nearest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to ``word`` (difflib's ratio), if any is close enough."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one clear line (exit status 2) with a suggestion.

    ``nnscratch mons`` answers "unknown command 'mons'; did you mean moons?" and
    ``nnscratch moons --hiden 3`` "unknown option --hiden; did you mean --hidden?".
    """

    commands: argparse._SubParsersAction | None = None

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self.commands is None:
            # A command's own parser reports what it does not know, so that the
            # suggestion comes from its options (argparse would leave it to the top).
            self._unknown(extras)
        return parsed, extras

    def _unknown(self, extras: list[str]) -> NoReturn:
        word = extras[0]
        if not word.startswith("-"):
            self.error(f"unexpected argument {word!r}")
        option = word.split("=", 1)[0]
        known = [s for s in self._option_string_actions if s.startswith("--")]
        message = f"unknown option {option}"
        nearest = _nearest(option, known)
        if nearest:
            message += f"; did you mean {nearest}?"
        self.error(message)

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        choice = re.search(r"invalid choice: '(.*?)' \(choose from (.*)\)", message)
        if choice:
            word = choice.group(1)
            options = re.findall(r"'([^']*)'", choice.group(2))
            nearest = _nearest(word, options)
            hint = f"; did you mean {nearest}?" if nearest else ""
            if message.startswith("argument COMMAND:"):
                message = f"unknown command {word!r}{hint} (commands: {', '.join(options)})"
            else:
                message = f"{message}{hint}"
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``nnscratch`` parser, without importing anything heavy.

    With ``command`` (the name the user typed), only that command's module declares its
    options; the others are listed by name and help alone, which is all ``--help`` and a
    typo need. Without it (``None``), every command is declared in full.
    """
    from nnscratch import __version__

    parser = _Parser(
        prog="nnscratch",
        description="Neural networks from scratch: the classic tutorials, reproduced.",
    )
    parser.add_argument("--version", action="version", version=f"nnscratch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    parser.commands = sub
    if command is None:
        modules = COMMAND_MODULES
    else:
        modules = [COMMANDS[command][0]] if command in COMMANDS else []
    for name in modules:
        importlib.import_module(f"nnscratch.cli.{name}").register(sub)
    if command not in COMMANDS:
        for name, (_, text) in COMMANDS.items():
            if name not in sub.choices:
                sub.add_parser(name, help=text, add_help=False)
    return parser


def add_command(subparsers: argparse._SubParsersAction, name: str, description: str) -> _Parser:
    """Add the command ``name``: its one-line help from :data:`COMMANDS` (what the list in
    ``nnscratch --help`` shows) and ``description`` (the text of ``nnscratch NAME --help``).

    Every module's ``register`` starts each of its commands here and then adds the
    command's options to the parser returned.
    """
    return subparsers.add_parser(name, help=COMMANDS[name][1], description=description)


#: the help line of ``--device``, where a command says nothing more
_DEVICE_HELP = 'cpu (NumPy, default) or gpu (CuPy on an NVIDIA GPU: pip install "nnscratch[gpu]")'


def add_device_option(parser: argparse.ArgumentParser, text: str = _DEVICE_HELP) -> None:
    """``--device cpu|gpu`` (default ``cpu``): NumPy, or CuPy on an NVIDIA GPU.

    ``text`` replaces the usual help line where a command says more (``compare``: which
    library the option applies to).
    """
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu", help=text)


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named on the command line: the first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnscratch`` console script.

    Everything from here on turns Ctrl-C into one line and exit status 130, also while
    a command is still importing its libraries.
    """
    command = "nnscratch"
    try:
        words = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(_command_in(words) or "")
        args = parser.parse_args(words)
        command = f"nnscratch {args.command}"
        if argv is None and getattr(args, "portable_math", False):
            # A real command line (not a call from Python): make the printed numbers the
            # same on every CPU. See nnscratch.cli.portable.
            from .portable import ensure_portable_math

            ensure_portable_math(sys.argv[1:])
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        _say(f"{command}: interrupted")
        if argv is not None:
            return 130
    except (CommandError, ValueError, TypeError, FileNotFoundError) as exc:
        _say(f"{command}: error: {_one_line(exc)}")
        return 2
    except WorkError as exc:
        _say(f"{command}: error: {_one_line(exc)}")
        return 1
    except MemoryError as exc:
        _say(f"{command}: error: not enough memory ({_one_line(exc) or 'allocation failed'})")
        return 1
    # Only a Ctrl-C in the console script gets here, once its traceback (and with it the
    # frames holding a worker pool) is gone.
    _exit_interrupted()
    return 130


def _exit_interrupted() -> None:
    """Exit with status 130 now, the streams flushed.

    A Ctrl-C that lands while a library runs code through ``exec`` during its import
    (scikit-learn, PyTorch) leaves CPython convinced the interrupt went unhandled even
    though it was caught here, and the interpreter would then end itself with SIGINT
    instead of the status returned. Files are written atomically and workers die with
    this process, so nothing is lost by skipping the interpreter's shutdown.

    Skipping it would also skip the finalizers of a worker pool's semaphores, and
    multiprocessing's resource tracker would then warn about "leaked semaphore objects":
    a collection first runs them for every pool no longer referenced.
    """
    import gc

    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(130)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed: nothing more can be said
        pass


if __name__ == "__main__":
    sys.exit(main())
