"""The shape of actions/: a one-way import graph, and the chat contract's types defined once (contract/chat.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "actions"


def _imports(path: Path) -> set[str]:
    """The actions.* modules a module imports (at any depth of the file: lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "actions":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("actions."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("actions.")}
    return found


def test_the_import_graph_of_actions_has_no_cycle() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    graph = {m: _imports(PACKAGE / f"{m}.py") & modules - {m} for m in modules}
    assert graph["talk"] >= {"understanding", "replies", "handoff", "fallback"}, graph["talk"]
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' → '.join((*path, module))}"
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(modules):
        visit(module, ())


def test_the_contract_types_exist_once() -> None:
    """Authority, the prefill fields and the payload key are defined in contract/chat.py and nowhere else."""
    definitions = {'Literal["LVR", "LWL", "Kreis': 0, 'Literal["place", "ags"': 0, '= "beratungskompass"': 0}
    for folder in ("actions", "api", "knowledge", "contract"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for needle in definitions:
                definitions[needle] += text.count(needle)
    assert definitions == dict.fromkeys(definitions, 1), definitions

    import api.schemas
    import contract.chat
    import knowledge.places

    assert api.schemas.Authority is contract.chat.Authority is knowledge.places.Authority
