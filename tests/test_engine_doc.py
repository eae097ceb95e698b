"""``docs/engine.md`` quotes the engine as it is.

Its table "The article's network, line by line" puts each line of the WildML article
beside the engine code that computes it, and names the file and function. A reader opens
the file to find that code, so every fragment of code in the middle column must be in
one of the files its row names, and every function the row names must be defined there.
When the engine changes, this test says which row to rewrite.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "engine.md"
ENGINE = ROOT / "src" / "nnscratch" / "engine"
TABLE_HEADER = "| the article | the engine | file, function |"


def _rows() -> list[tuple[int, str, str]]:
    """``(line number, engine column, file column)`` for each row of the table."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEADER) + 2  # past the header and the |---| line
    rows = []
    for number, line in enumerate(lines[start:], start + 1):
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, f"engine.md:{number} has {len(cells)} cells, not 3: {line}"
        rows.append((number, cells[1], cells[2]))
    return rows


def _code(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _defined(tree: ast.Module) -> set[str]:
    """``name`` for each function and class, ``Class.method`` for each method."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    names.add(f"{node.name}.{item.name}")
    return names


ROWS = _rows()


def test_the_table_is_there() -> None:
    assert len(ROWS) >= 15, f"the table of engine.md has only {len(ROWS)} rows"


@pytest.mark.parametrize(("line", "engine", "where"), ROWS, ids=[f"line {r[0]}" for r in ROWS])
def test_each_row_quotes_the_files_it_names(line: int, engine: str, where: str) -> None:
    files = [name for name in _code(where) if name.endswith(".py")]
    assert files, f"engine.md:{line} names no file: {where}"
    sources = {}
    for name in files:
        path = (ENGINE / name).resolve()
        assert path.is_file(), f"engine.md:{line} names {name}, which is not {path}"
        sources[name] = path.read_text(encoding="utf-8")
    text = "\n".join(" ".join(source.split()) for source in sources.values())
    missing = [f for f in _code(engine) if " ".join(f.split()) not in text]
    if missing:  # (a plain message: the files' text would drown it)
        pytest.fail(f"engine.md:{line} quotes {missing}, which none of {files} holds")
    defined = set().union(*(_defined(ast.parse(source)) for source in sources.values()))
    undefined = [name for name in _code(where) if not name.endswith(".py") and name not in defined]
    if undefined:
        pytest.fail(f"engine.md:{line} names {undefined}, which none of {files} defines")
