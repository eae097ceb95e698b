"""No import circles in ``src/nnscratch``: module A never needs B while B needs A.

Every import of an nnscratch module is read with ``ast`` by the resolver of
``tests/test_layering.py`` (at the top of a file or inside a function, relative or
absolute, ``importlib.import_module`` too), giving a graph of which module imports which.
A circle in that graph fails the test, printed as ``a -> b -> a`` with the line of each
import. Importing a submodule also runs its package's ``__init__``; that implicit step is
not an edge (a package that re-exports its submodules is not a circle).
"""

from __future__ import annotations

from pathlib import Path

from test_layering import PACKAGE, SRC, imports_of, module_name, python_files

Edge = tuple[str, int, str]  # (imported module, line, source text)


def import_graph(src: Path) -> dict[str, list[Edge]]:
    """``{module: [(imported module, line, text), ...]}`` for the modules under ``src``."""
    modules = {module_name(path, src): path for path in python_files(src)}
    graph: dict[str, list[Edge]] = {}
    for name, path in modules.items():
        edges = []
        for line, target, snippet in imports_of(path, src):
            if target.split(".")[0] == PACKAGE and target in modules and target != name:
                edges.append((target, line, snippet))
        graph[name] = edges
    return graph


def strongly_connected(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that can each reach all the others."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target, _, _ in graph.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def one_circle(graph: dict[str, list[Edge]], group: list[str]) -> list[tuple[str, Edge]]:
    """A shortest circle through the group's first module, as ``(module, edge)`` steps."""
    members = set(group)
    start = group[0]
    # breadth-first search back to the start, inside the group
    paths: dict[str, list[tuple[str, Edge]]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in graph[node]:
            target = edge[0]
            if target not in members:
                continue
            if target == start:
                return [*paths[node], (node, edge)]
            if target not in paths:
                paths[target] = [*paths[node], (node, edge)]
                queue.append(target)
    raise AssertionError(f"no circle through {start} in {group}")  # pragma: no cover


def describe(graph: dict[str, list[Edge]], group: list[str]) -> str:
    steps = one_circle(graph, group)
    chain = " -> ".join([module for module, _ in steps] + [steps[0][0]])
    lines = [f"  {chain}"]
    for module, (target, line, snippet) in steps:
        lines.append(f"    {module}:{line}: `{snippet}` imports {target}")
    return "\n".join(lines)


def circles(src: Path) -> list[str]:
    graph = import_graph(src)
    return [describe(graph, group) for group in strongly_connected(graph)]


def _chain(text: str) -> list[str]:
    """The modules of a described circle, from its first line ``a -> b -> a``."""
    return text.splitlines()[0].strip().split(" -> ")


# -- the real package ------------------------------------------------------------------------
def test_no_import_circles():
    found = circles(SRC)
    assert not found, "import circles:\n" + "\n".join(found)


def test_no_import_circles_through_the_experiments_or_the_command_line():
    # The gate is the test above. This one keeps the layers the playground does not use
    # (the command line, and the lab outside lab.web) free of circles on their own, while
    # the engine, the data and the web playground are reworked elsewhere.
    def ours(module: str) -> bool:
        inside = module.startswith((f"{PACKAGE}.cli", f"{PACKAGE}.lab"))
        return inside and not module.startswith(f"{PACKAGE}.lab.web")

    found = [text for text in circles(SRC) if any(map(ours, _chain(text)))]
    assert not found, "import circles:\n" + "\n".join(found)


# -- the checker itself --------------------------------------------------------------------
def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_checker_finds_direct_lazy_and_long_circles(tmp_path):
    write(tmp_path, "nnscratch/__init__.py", "from .lab import a\n")
    write(tmp_path, "nnscratch/lab/__init__.py", "")
    write(tmp_path, "nnscratch/lab/a.py", "from . import b\n")
    write(tmp_path, "nnscratch/lab/b.py", "def f():\n    from .a import thing\n")
    write(tmp_path, "nnscratch/cli/__init__.py", "")
    write(tmp_path, "nnscratch/cli/x.py", "import nnscratch.cli.y\n")
    write(tmp_path, "nnscratch/cli/y.py", "from nnscratch.cli import z\n")
    lazy = "import importlib\nimportlib.import_module('nnscratch.cli.x')\n"
    write(tmp_path, "nnscratch/cli/z.py", lazy)
    write(tmp_path, "nnscratch/cli/fine.py", "from nnscratch.lab import a\nfrom . import z\n")
    found = circles(tmp_path)
    assert len(found) == 2, found
    text = "\n".join(found)
    assert "nnscratch.lab.a -> nnscratch.lab.b -> nnscratch.lab.a" in text
    assert "nnscratch.lab.b:2: `from .a import thing` imports nnscratch.lab.a" in text
    assert "nnscratch.cli.x -> nnscratch.cli.y -> nnscratch.cli.z -> nnscratch.cli.x" in text
    assert "fine" not in text


def test_a_package_reexporting_its_modules_is_no_circle(tmp_path):
    write(tmp_path, "nnscratch/__init__.py", "from .engine import model\n")
    write(tmp_path, "nnscratch/engine/__init__.py", "from .model import Sequential\n")
    write(tmp_path, "nnscratch/engine/model.py", "from . import layers\n")
    write(tmp_path, "nnscratch/engine/layers.py", "import numpy\n")
    assert circles(tmp_path) == []
