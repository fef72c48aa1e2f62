"""The house's layout, checked from the source: no import cycles, moto behind one door, and each
package importing only what its ``__init__`` docstring allows."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("localcloud", "helpers", "tools")
#: every package of the project's own code (tests included) for the moto rule
ALL_CODE = (*PACKAGES, "tests", "lambdas")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(roots: Iterable[str]) -> dict[str, Path]:
    return {module_name(p): p for root in roots for p in sorted((ROOT / root).rglob("*.py"))}


def imports_of(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """Every module ``path`` imports (at any depth of the file), resolved to a known module
    where it is one (``from pkg import mod`` names ``pkg.mod``), else as written."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.add(candidate if candidate in known else source)
    return found


def graph(roots: Iterable[str]) -> dict[str, set[str]]:
    known = modules(roots)
    return {
        name: {m for m in imports_of(name, path, known) if m in known and m != name}
        for name, path in known.items()
    }


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_planted_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    assert cycles(graph(PACKAGES)) == []


def test_moto_is_imported_only_behind_its_door():
    known = modules(ALL_CODE)
    outside = sorted(
        name
        for name, path in known.items()
        if not name.startswith("localcloud.moto")
        and any(m == "moto" or m.startswith("moto.") for m in imports_of(name, path, known))
    )
    assert outside == []


#: module prefix -> module prefixes it must not import (what each ``__init__`` docstring says)
FORBIDDEN = {
    "localcloud": ("helpers", "tools", "tests"),
    "helpers": ("tools", "tests"),
    "localcloud.probe": ("localcloud.",),
    "localcloud.arns": ("localcloud.",),
    "localcloud.authz.identity": ("localcloud.authz.", "localcloud.moto"),
    "localcloud.moto": (
        "localcloud.execute_api",
        "localcloud.control",
        "localcloud.app",
        "localcloud.server",
        "localcloud.cli",
        "localcloud.authz.enforcer",
        "localcloud.lambda_runtime.runtime",
    ),
    "localcloud.execute_api": ("localcloud.control", "localcloud.app", "localcloud.server"),
    "localcloud.control": ("localcloud.app", "localcloud.server", "localcloud.cli"),
    "localcloud.authz": (
        "localcloud.execute_api",
        "localcloud.control",
        "localcloud.app",
        "localcloud.server",
    ),
    "localcloud.lambda_runtime": (
        "localcloud.execute_api",
        "localcloud.control",
        "localcloud.app",
        "localcloud.server",
        "localcloud.authz.enforcer",
    ),
}
#: the data-plane stages see the cloud only through the Backends protocol
STAGES_WITHOUT_MOTO = ("localcloud.execute_api.",)
STAGE_MODULES_WITH_MOTO = {"localcloud.execute_api.backends", "localcloud.execute_api.deployments"}


def test_each_package_imports_only_what_it_may():
    edges = graph(ALL_CODE)
    broken = []
    for module, targets in sorted(edges.items()):
        for prefix, forbidden in FORBIDDEN.items():
            if module == prefix or module.startswith(prefix + "."):
                broken += [
                    f"{module} -> {t}"
                    for t in sorted(targets)
                    if t != module and any(t == f.rstrip(".") or t.startswith(f) for f in forbidden)
                ]
        if module.startswith(STAGES_WITHOUT_MOTO) and module not in STAGE_MODULES_WITH_MOTO:
            broken += [f"{module} -> {t}" for t in targets if t.startswith("localcloud.moto")]
    assert broken == []


@pytest.mark.parametrize(
    "init",
    sorted(
        str(p.relative_to(ROOT))
        for root in (*PACKAGES, "tests/support")
        for p in (ROOT / root).rglob("__init__.py")
    ),
)
def test_each_package_says_what_it_holds(init):
    doc = ast.get_docstring(ast.parse((ROOT / init).read_text()))
    assert doc and len(doc) > 60, (
        f"{init} needs a docstring: what it holds, what it must not import"
    )
