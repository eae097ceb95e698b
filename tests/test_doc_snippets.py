"""The code a reader copies from the README and the docs runs, and says what it prints.

Every fenced ```python block of ``README.md``, ``README.ja.md`` and ``docs/*.md`` is a
test of its own, named by file and the line of its opening fence (``README.md:139``). It
runs in a fresh namespace (``__name__ == "__main__"``, as a script), in a temporary
working folder, with matplotlib's Agg backend, and fails on the error a reader would see,
or on a deprecation warning the block's own lines cause (a doc showing an old spelling).

* **One namespace per block.** The README's blocks each start with their own imports, and
  so do the docs' blocks, except in ``docs/keras.md``, whose later blocks use the names
  its first block imports (``keras``, ``Dense``, ``Dropout``): there each block runs after
  the blocks above it, in one namespace (:data:`IN_ORDER`).
* **Not run on purpose.** A block preceded by ``<!-- not run: REASON -->`` (a fragment
  that needs the reader's own objects, pseudo-code, an output listing) is only checked to
  be Python that parses. There are few; the mark lives in the Markdown, never here.
* **Skipped, saying why.** Blocks that read MNIST need ``NNSCRATCH_DATA`` (without it the
  loader would download); blocks that import an optional extra (torch, dask, cupy, ...)
  or ask for ``device="gpu"`` are skipped when it is missing (``pytest.importorskip``).
* **Faster, not different.** A few blocks train for minutes as written. :data:`FASTER`
  lists each change made to them before they run (fewer epochs, fewer images, fewer
  passes): only where the doc promises no number that the change would alter. Every
  entry must still match a doc's text (:func:`test_every_speed_up_still_matches`), so
  a doc edit cannot silently leave a block untested.
* **The Japanese README** has the English README's code with Japanese comments.
  :func:`test_japanese_readme_has_the_same_code` checks that, block for block, and a block
  whose code (comments aside) already ran in this test session is not trained again.

Shell blocks (```sh, ```bash, ```console): every ``nnscratch COMMAND ...`` line is
parsed by the command line's own parser (:func:`nnscratch.cli.build_parser`): the command
exists, ``nnscratch COMMAND --help`` succeeds and every option used exists and takes the
values given. The commands in :data:`RUN` take a few seconds and are run too, checking the
numbers their comments state; ``python -c`` one-liners run, and the scripts named
(``examples/...``, ``benchmarks/...``) exist. The README's listing of ``nnscratch moons
--hidden 3`` and its ``nnscratch compare`` table are compared with what the commands print.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from nnscratch.cli import COMMANDS, build_parser, main
from nnscratch.engine.layers import base as layer_base
from reference_math import SAME_MATH

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [
    "README.md",
    "README.ja.md",
    *(f"docs/{p.name}" for p in sorted(ROOT.glob("docs/*.md"))),
]

#: files whose Python blocks build on each other: each runs after the blocks above it
IN_ORDER = {"docs/keras.md"}

#: the fence languages read as shell commands
SHELL = {"sh", "bash", "console", "shell"}

#: the extras a block may import; it is skipped when one is missing
OPTIONAL_MODULES = {
    "torch",
    "keras",
    "dask",
    "distributed",
    "cupy",
    "playwright",
    "starlette",
    "uvicorn",
    "websockets",
}

#: what makes a block read MNIST
READS_MNIST = re.compile(
    r"load_data_wrapper|load_data_shared|mnist\.load_data\(|load_mnist\(|expanded_training_set\("
)

_NOT_RUN = re.compile(r"^\s*<!--\s*not run:\s*(\S.*?)\s*-->\s*$")
_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language, its text, and a not-run reason."""

    path: str
    line: int  # the line of the opening fence, counted from 1
    lang: str
    code: str
    not_run: str | None

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


def read_blocks(path: str) -> list[Block]:
    """The fenced blocks of one Markdown file, dedented (fences may sit in a list item)."""
    lines = (ROOT / path).read_text(encoding="utf-8").split("\n")
    blocks, i = [], 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence and fence.group(2):
            indent = fence.group(1)
            end = i + 1
            while not lines[end].strip().startswith("```"):
                end += 1
            body = [
                line[len(indent) :] if line.startswith(indent) else line
                for line in lines[i + 1 : end]
            ]
            before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            mark = _NOT_RUN.match(before)
            blocks.append(
                Block(path, i + 1, fence.group(2), "\n".join(body), mark.group(1) if mark else None)
            )
            i = end
        i += 1
    return blocks


BLOCKS = {path: read_blocks(path) for path in DOC_FILES}
PYTHON_BLOCKS = [b for path in DOC_FILES for b in BLOCKS[path] if b.lang == "python"]
SHELL_BLOCKS = [b for path in DOC_FILES for b in BLOCKS[path] if b.lang in SHELL]
NOT_RUN = [b for b in PYTHON_BLOCKS if b.not_run]


def _ids(blocks: list[Block]) -> list[str]:
    return [b.id for b in blocks]


# -- making long blocks short ----------------------------------------------------------------

#: ``(the doc's text, what runs instead, why the doc's promises still hold)``
FASTER: list[tuple[str, str, str]] = [
    (
        "net.SGD(training_data, 30, 10, 3.0,",
        "net.SGD(training_data, 1, 10, 3.0,",
        "chapter 1: one epoch of the 30 (the doc shows epoch 0's line)",
    ),
    (
        "training_data, 30, 10, 0.5, lmbda=5.0,",
        "training_data, 1, 10, 0.5, lmbda=5.0,",
        "chapter 3: one epoch of the 30 (no number is promised)",
    ),
    (
        "training_data, validation_data, test_data = network3.load_data_shared()",
        "training_data, validation_data, test_data = [(x[:n], y[:n]) for (x, y), n"
        " in zip(network3.load_data_shared(), (1000, 100, 100))]",
        "chapter 6: the first 1000 / 100 / 100 images (no accuracy is promised by the block)",
    ),
    (
        "net.SGD(training_data, 60, mini_batch_size,",
        "net.SGD(training_data, 1, mini_batch_size,",
        "chapter 6: one epoch of the 60",
    ),
    (
        "history = model.fit(x_train, y_train, batch_size=128, epochs=20, verbose=1,\n"
        "                    validation_data=(x_test, y_test))",
        "history = model.fit(x_train[:2000], y_train[:2000], batch_size=128, epochs=1, verbose=1,\n"
        "                    validation_data=(x_test[:500], y_test[:500]))",
        "Keras' MNIST MLP: one epoch on 2000 images (the full arrays are still loaded and shaped)",
    ),
    (
        "learning_rate_init=0.01, max_iter=1000)",
        "learning_rate_init=0.01, max_iter=100)",
        "the grid search prints its best settings, which the doc does not state",
    ),
    (
        'NNClassifier(activation="tanh", learning_rate_init=0.01)',
        'NNClassifier(activation="tanh", learning_rate_init=0.01, max_iter=50)',
        "the grid search's result is not stated",
    ),
    (
        'scheduler="tcp://10.0.0.5:8786"',
        'scheduler="local", jobs=2, passes=2000',
        'no cluster runs at 10.0.0.5: the comment\'s own "local", jobs=2; no number is stated',
    ),
    (
        "seed=[0, 1, 2])",
        "seed=[0, 1, 2], passes=2000)",
        "the grid figure's values are not stated",
    ),
    (
        '{"hidden_layer_sizes": [(2,), (3,), (5,), (20,)], "learning_rate_init": [0.01, 0.05]}',
        '{"hidden_layer_sizes": [(2,), (3,), (5,), (20,)], "learning_rate_init": [0.01, 0.05],'
        ' "max_iter": [50]}',
        "the grid search's result is not stated",
    ),
]

#: ``(the doc's text, a condition true after the block, what the doc says)``; ``out`` is
#: what the block printed
PROMISES: list[tuple[str, str, str]] = [
    (
        "probabilities = model.predict(X)      # (200, 2)",
        "probabilities.shape == (200, 2)",
        "(200, 2)",
    ),
    (
        "print(model.name)                  # playground-circles (inputs: x1, x2)",
        "'playground-circles (inputs: x1, x2)' in out",
        "the name printed",
    ),
    (
        "# x_train (60000, 28, 28) uint8 0..255, y_train (60000,) uint8; x_test (10000, 28, 28)",
        "x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8 and x_train.max() == 255"
        " and y_train.shape == (60000,) and y_train.dtype == np.uint8"
        " and x_test.shape == (10000, 28, 28)",
        "Keras' shapes and types",
    ),
    (
        "X, y = expanded_training_set()          # (250000, 784) float32, int64",
        "X.shape == (250000, 784) and X.dtype == np.float32 and y.dtype == np.int64",
        "the expanded set's shape and types",
    ),
]


def _faster(code: str) -> str:
    for old, new, _ in FASTER:
        code = code.replace(old, new)
    return code


def _code_only(code: str) -> str:
    """The block's tokens without comments or layout: what two translations share."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    return " ".join(t.string for t in tokens if t.type not in skip)


def _needs(block: Block, code: str) -> None:
    """Skip, saying why, when the block needs what this machine lacks."""
    if READS_MNIST.search(code) and not os.environ.get("NNSCRATCH_DATA"):
        pytest.skip("reads MNIST: set NNSCRATCH_DATA to the folder holding mnist.pkl.gz")
    for node in ast.walk(ast.parse(code)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in OPTIONAL_MODULES:
                pytest.importorskip(name.split(".")[0])
    if 'device="gpu"' in code:
        pytest.importorskip("cupy")


def _playground_file(code: str) -> None:
    """Write the file the playground's *Download model* gives, where the block reads it."""
    found = re.search(r"playground-(\w+)\.nnscratch", code)
    if found:
        from nnscratch.lab.web.session import PlaygroundSession

        session = PlaygroundSession({"dataset": found.group(1)})
        session.train(5)
        name, data = session.model_file()
        Path(name).write_bytes(data)


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the module: MNIST is converted once, nothing lands in $HOME."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("MPLBACKEND", "Agg")

    def no_browser(*args: object, **kwargs: object) -> bool:
        raise AssertionError("a doc snippet tried to open a browser")

    monkeypatch.setattr("webbrowser.open", no_browser)
    # A block runs as in a new Python process: only nnscratch's own layers are registered
    # (other test modules register layers of theirs, e.g. a Scale, as the docs' example does).
    builtin = {
        k: c for k, c in layer_base._CLASSES.items() if c.__module__.startswith("nnscratch.")
    }
    monkeypatch.setattr(layer_base, "_CLASSES", builtin)
    return tmp_path


#: what each Python block printed, by its code without comments (the Japanese README's
#: blocks are the English ones: see the module docstring)
_RAN: dict[str, str] = {}


def _run(block: Block, code: str, filename: str, namespace: dict) -> str:
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        exec(compile(code, filename, "exec"), namespace)
    old = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
    own = [w for w in caught if issubclass(w.category, old) and w.filename == filename]
    assert not own, f"{block.id} uses a deprecated spelling: {own[0].message}"
    return out.getvalue()


def _earlier(block: Block) -> list[Block]:
    if block.path not in IN_ORDER:
        return []
    return [
        b
        for b in BLOCKS[block.path]
        if b.lang == "python" and b.line < block.line and not b.not_run
    ]


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=_ids(PYTHON_BLOCKS))
def test_python_block(block: Block, in_tmp: Path) -> None:
    if block.not_run:
        ast.parse(block.code)  # still Python, and the mark is said in the Markdown
        pytest.skip(f"marked in the doc: not run: {block.not_run}")
    chain = [*_earlier(block), block]
    key = "\n".join(_code_only(b.code) for b in chain)
    if key in _RAN:
        return  # the same code (another translation) already ran and passed
    namespace: dict = {"__name__": "__main__"}
    out = ""
    for part in chain:
        code = _faster(part.code)
        _needs(part, code)
        _playground_file(code)
        out = _run(part, code, f"<{part.id}>", namespace)
    for text, condition, promise in PROMISES:
        if text in block.code:
            assert eval(condition, {"np": np, "out": out, **namespace}), (
                f"{block.id} promises {promise}: {condition} is false; it printed:\n{out}"
            )
    _RAN[key] = out


def test_every_speed_up_still_matches() -> None:
    """A doc edit that no longer matches :data:`FASTER` or :data:`PROMISES` shows here."""
    texts = [b.code for b in PYTHON_BLOCKS]
    stale = [old for old, _, _ in FASTER + PROMISES if not any(old in t for t in texts)]
    assert not stale, f"no doc block contains these texts any more: {stale}"


def test_not_run_marks_are_few_and_said() -> None:
    """Every ``not run`` mark sits before a Python block and gives its reason."""
    for path in DOC_FILES:
        text = (ROOT / path).read_text(encoding="utf-8")
        marks = len(re.findall(r"<!--\s*not run:", text))
        assert marks == sum(1 for b in BLOCKS[path] if b.not_run and b.lang == "python"), path
    assert len(NOT_RUN) <= 6, _ids(NOT_RUN)


def test_japanese_readme_has_the_same_code() -> None:
    english = [b for b in BLOCKS["README.md"] if b.lang != "text"]
    japanese = [b for b in BLOCKS["README.ja.md"] if b.lang != "text"]
    assert [b.lang for b in japanese] == [b.lang for b in english]
    for en, ja in zip(english, japanese):
        if en.lang == "python":
            assert _code_only(ja.code) == _code_only(en.code), f"{ja.id} differs from {en.id}"
            assert ja.not_run == en.not_run, f"{ja.id} and {en.id} are not marked alike"
        else:
            assert _shell_commands(ja.code) == _shell_commands(en.code), (
                f"{ja.id} differs from {en.id}"
            )


# -- shell blocks --------------------------------------------------------------------------

#: commands that take a few seconds: run them, and check what their doc comments state
RUN: dict[tuple[str, ...], list[str]] = {
    ("data", "--dataset", "moons"): ["moons: 200 points", "wrote nnscratch-out/data-moons.png"],
    ("data", "--dataset", "circles"): ["wrote nnscratch-out/data-circles.png"],
    ("logreg", "--dataset", "moons"): ["training accuracy 85.0%"],  # "about 85%"
    ("logreg", "--dataset", "circles"): ["training accuracy 56.0%"],  # "56%"
    ("mnist", "--epochs", "1", "--save", "net.json"): ["(82.", "saved the network to net.json"],
}

#: the options of ``uv run`` that take a value
_UV_VALUE_OPTIONS = {"--extra", "--with", "--group", "--python", "--package"}


def _shell_commands(code: str) -> list[list[str]]:
    """The simple commands of a shell block, as word lists, comments and ``&&`` split off."""
    commands = []
    for line in code.replace("\\\n", " ").split("\n"):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words: list[str] = []
        for word in [*lexer, ";"]:
            if word in {"&&", "||", ";", "|", "&"}:
                if words:
                    commands.append(words)
                words = []
            else:
                words.append(word)
    return commands


def _program(words: list[str]) -> list[str]:
    """The command after environment assignments and ``uv run [options]``."""
    while words and re.match(r"^[A-Za-z_]\w*=", words[0]):
        words = words[1:]
    if words[:2] == ["uv", "run"]:
        words = words[2:]
        while words and words[0].startswith("-"):
            words = words[2:] if words[0] in _UV_VALUE_OPTIONS else words[1:]
    return words


def _parse(args: list[str]) -> None:
    """``nnscratch ARGS`` through the command line's parser; a usage error fails the test."""
    command = args[0]
    assert command in COMMANDS, f"nnscratch {command}: no such command ({', '.join(COMMANDS)})"
    help_out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(help_out), contextlib.redirect_stderr(err):
        with pytest.raises(SystemExit) as done:
            build_parser(command).parse_args([command, "--help"])
    assert done.value.code == 0 and "usage: nnscratch" in help_out.getvalue(), err.getvalue()
    with contextlib.redirect_stderr(err):
        try:
            build_parser(command).parse_args(args)
        except SystemExit:
            pytest.fail(f"nnscratch {shlex.join(args)}: {err.getvalue().strip()}")


#: the output of the commands already run in this session
_RAN_COMMANDS: dict[tuple[str, ...], str] = {}


def _run_command(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    if args[0] == "mnist" and not os.environ.get("NNSCRATCH_DATA"):
        return  # parsed above; training needs the data (and would download it)
    if args not in _RAN_COMMANDS:
        capsys.readouterr()
        status = main(list(args))
        printed = capsys.readouterr()
        out = printed.out + printed.err  # results on stdout, notes ("saved ...") on stderr
        assert status == 0, f"nnscratch {shlex.join(args)} exited with {status}:\n{out}"
        _RAN_COMMANDS[args] = out
    for expected in RUN[args]:
        assert expected in _RAN_COMMANDS[args], (
            f"nnscratch {shlex.join(args)} printed:\n{_RAN_COMMANDS[args]}"
        )


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=_ids(SHELL_BLOCKS))
def test_shell_block(block: Block, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for words in _shell_commands(block.code):
        program = _program(words)
        if not program:
            continue
        if program[0] == "nnscratch":
            _parse(program[1:])
            if tuple(program[1:]) in RUN:
                _run_command(tuple(program[1:]), capsys)
        elif program[0] in {"python", "python3"} and program[1:2] == ["-c"]:
            done = subprocess.run(
                [sys.executable, "-c", program[2]], capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, f"{block.id}: python -c {program[2]!r}: {done.stderr}"
        elif program[0] in {"python", "python3"} and "/" in program[1]:
            assert (ROOT / program[1]).is_file(), f"{block.id}: no script {program[1]}"
        # Inner command substitutions, e.g. NPY_DISABLE_CPU_FEATURES="$(python -c '...')".
        for word in words:
            for inner in re.findall(r"\$\((.*)\)", word):
                inner_program = _program(shlex.split(inner))
                if inner_program[:2] == ["python", "-c"]:
                    done = subprocess.run(
                        [sys.executable, "-c", inner_program[2]],
                        capture_output=True,
                        text=True,
                        timeout=60,
                    )
                    assert done.returncode == 0, f"{block.id}: {inner}: {done.stderr}"


# -- the README's listings ---------------------------------------------------------------


def _nnscratch(args: list[str], cwd: Path) -> str:
    """The command as a reader runs it: its own process (which sets up NumPy's kernels)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-m", "nnscratch", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _listing(path: str, first: str) -> Block:
    return next(b for b in BLOCKS[path] if b.lang == "text" and b.code.startswith(first))


@pytest.mark.parametrize("path", ["README.md", "README.ja.md"])
def test_readme_moons_listing(path: str, in_tmp: Path) -> None:
    """``nnscratch moons --hidden 3`` prints the README's lines, in order ("..." skips)."""
    listing = _listing(path, "$ uv run nnscratch moons --hidden 3")
    key = ("moons", "--hidden", "3")
    if key not in _RAN_COMMANDS:
        _RAN_COMMANDS[key] = _nnscratch(list(key), in_tmp)
    printed = _RAN_COMMANDS[key].splitlines()
    position = 0
    for line in listing.code.splitlines()[1:]:
        if line.strip() in {"", "..."}:
            continue
        assert line in printed[position:], f"{listing.id}: {line!r} not printed in this order"
        position = printed.index(line, position) + 1


@pytest.mark.parametrize("path", ["README.md", "README.ja.md"])
def test_readme_compare_table(path: str, in_tmp: Path) -> None:
    """The README's ``nnscratch compare`` table is ``--dataset moons --epochs 2000``'s.

    Only nnscratch's and scikit-learn's rows are compared (Keras and PyTorch are listed as
    skipped there); the wall times are "..." and the versions those installed.
    """
    table = _listing(path, "library ")
    rows = [line.split() for line in table.code.splitlines()[2:] if not line.startswith("skipped")]
    key = (
        "compare",
        "--dataset",
        "moons",
        "--epochs",
        "2000",
        "--libraries",
        "nnscratch,scikit-learn",
    )
    if key not in _RAN_COMMANDS:
        _RAN_COMMANDS[key] = _nnscratch(list(key), in_tmp)
    printed = {line.split()[0]: line.split() for line in _RAN_COMMANDS[key].splitlines() if line}
    for row in rows:
        library, numbers, params = row[0], row[2:5], row[-1]
        got = printed[library]
        shown = f"{table.id}: {library}: the README shows {row}, the command prints {got}"
        if SAME_MATH:
            assert [got[-6], got[-5], got[-4], got[-1]] == [*numbers, params], shown
        else:  # the README's note: with AVX-512 the loss differs in its fifth digit
            assert [got[-6], got[-5], got[-1]] == [*numbers[:2], params], shown
            assert float(got[-4]) == pytest.approx(float(numbers[2]), rel=1e-3), shown
