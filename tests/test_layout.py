"""The layout is the architecture: imports run one way and never in a circle (read from the source, by AST).

stacks (and bootstrap) -> components -> catalog; policies -> catalog; mlinfra -> components, catalog
(and policies: the reviewer loads the packs' rules). A component
knows nothing of who plans or judges it (no ``mlinfra``, ``policies`` or ``stacks``); a rule judges
any program, so it never imports ``components`` or ``mlinfra``; ``catalog`` is data and pure
functions, importing nothing of ours and no Pulumi. Every import counts, also one inside a
function or under ``TYPE_CHECKING``: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("catalog", "components", "policies", "mlinfra", "stacks", "bootstrap")

#: What each package may not import (besides the rule that catalog imports nothing of ours).
FORBIDDEN: dict[str, frozenset[str]] = {
    "catalog": frozenset({"components", "policies", "mlinfra", "stacks", "bootstrap", "pulumi", "pulumi_aws",
                          "pulumi_kubernetes", "pulumi_policy"}),
    "components": frozenset({"mlinfra", "policies", "stacks", "bootstrap"}),
    "policies": frozenset({"components", "mlinfra", "stacks", "bootstrap"}),
    # The reviewer loads the packs' rules (in-process review, coverage), so mlinfra may read policies.
    "mlinfra": frozenset({"stacks", "bootstrap"}),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of our packages (the programs ``stacks/`` and ``bootstrap/`` included) by dotted name."""
    return {module_name(path): path for package in PACKAGES for path in sorted((root / package).rglob("*.py"))}


def imports_of(path: Path, name: str) -> list[tuple[str, int]]:
    """``(imported module or name, line)`` for every import statement in the file, absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def dependency_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports. Importing ``a.b.c`` runs ``a`` and ``a.b`` too, which
    counts unless the importer lies inside that package (a package's ``__init__`` may re-export its
    own submodules: by the time they run, the package is already being imported)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        found = imports_of(path, name)
        named = {imported for imported, _ in found}
        for imported, _ in found:
            # ``from pkg import submodule`` needs the submodule; ``pkg`` only as its parent package.
            if any(other.startswith(imported + ".") and other in modules for other in named) and \
                    name.startswith(imported + "."):
                continue
            parts = imported.split(".")
            for end in range(1, len(parts) + 1):
                candidate = ".".join(parts[:end])
                inside = name.startswith(candidate + ".") and end < len(parts)
                if candidate in modules and candidate != name and not inside:
                    targets.add(candidate)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def forbidden_imports(modules: dict[str, Path]) -> list[str]:
    problems = []
    for name, path in modules.items():
        package = name.split(".")[0]
        for imported, line in imports_of(path, name):
            top = imported.split(".")[0]
            if top in FORBIDDEN.get(package, ()) or (package == "catalog" and top in PACKAGES and top != "catalog"):
                problems.append(f"{path.relative_to(ROOT)}:{line}: {name} imports {imported}")
    return sorted(set(problems))


def test_imports_run_one_way():
    assert forbidden_imports(source_modules()) == []


def test_no_import_circles():
    assert cycles(dependency_graph(source_modules())) == []


def test_stacks_program_is_seen():
    assert "stacks.__main__" in source_modules() and "catalog" in source_modules()


# The checker itself: it must catch what it is for.

def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {".".join(Path(r).with_suffix("").parts).removesuffix(".__init__"): tmp_path / r for r in files}


@pytest.mark.parametrize("relative,text,bad", [
    ("components/x.py", "import mlinfra.errors\n", "components.x imports mlinfra.errors"),
    ("components/x.py", "def f():\n    from policies.rules import collect\n", "components.x imports policies.rules"),
    ("policies/r.py", "from components.common import Tier\n", "policies.r imports components.common"),
    ("policies/r.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mlinfra\n",
     "policies.r imports mlinfra"),
    ("catalog/t.py", "import pulumi\n", "catalog.t imports pulumi"),
    ("catalog/t.py", "from components import common\n", "catalog.t imports components"),
    ("mlinfra/m.py", "import stacks\n", "mlinfra.m imports stacks"),
])
def test_the_checker_finds_a_wrong_way_import(tmp_path, monkeypatch, relative, text, bad):
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    modules = _tree(tmp_path, {relative: text})
    assert any(bad in problem for problem in forbidden_imports(modules))


def test_the_checker_finds_a_circle_through_a_lazy_import_and_a_package(tmp_path, monkeypatch):
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    modules = _tree(tmp_path, {
        "mlinfra/__init__.py": "",
        "mlinfra/review/__init__.py": "from mlinfra.review.engine import review\n",
        "mlinfra/review/engine.py": "def review():\n    from mlinfra.report import render\n",
        "mlinfra/report.py": "from mlinfra.review.result import Violation\n",
        "mlinfra/review/result.py": "Violation = object\n",
        "mlinfra/ok.py": "from . import report\n",
    })
    assert cycles(dependency_graph(modules)) == [["mlinfra.report", "mlinfra.review", "mlinfra.review.engine"]]
