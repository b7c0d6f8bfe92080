"""Imports go one way (docs/architecture.md): no room imports a room above it.

Read from the source with ``ast``, so an import added anywhere, even inside a function,
is seen.
"""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[1] / "api"

# A layer and the layers it must never import.
FORBIDDEN = {
    "models": ("services", "schemas", "v1", "fastpath", "fact_document", "web"),
    "primitives": ("services", "schemas", "v1", "fastpath", "web"),
    "schemas": ("services", "v1", "fastpath", "web"),
    "services": ("v1", "fastpath", "web"),
    # The response layer serves both read paths and knows neither.
    "responses": ("v1", "fastpath", "models", "web"),
    # The thin read path builds on services and the response layer, never on views.
    "fastpath": ("v1", "web"),
    # The explorer's pages read through the services, never through the API's views.
    "web": ("v1", "fastpath"),
    "v1": ("web",),
}
PRIMITIVES = ("fact_document", "dates", "vocabulary")


def _layer(path: Path) -> str | None:
    parts = path.relative_to(API).with_suffix("").parts
    if parts[0] in ("models", "schemas", "services", "v1", "responses", "fastpath", "web"):
        return parts[0]
    return "primitives" if parts[0] in PRIMITIVES else None


def _imported(path: Path, root: Path = API) -> set[str]:
    """The top-level rooms under ``api`` that a module imports (``services``, ``v1``...)."""
    package = path.relative_to(root.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
                names = [".".join([*target, a.name]) for a in node.names]
            elif node.module:
                names = [node.module + "." + a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "api" and len(parts) > 1:
                found.add(parts[1])
    return found


def _views(path: Path) -> set[str]:
    """The v1 modules a v1 module imports that are views (they define a blueprint)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            other = API / "v1" / f"{node.module}.py"
            if other.exists() and "blp = Blueprint(" in other.read_text():
                out.add(node.module)
    return out


def test_no_room_imports_a_room_above_it() -> None:
    wrong = []
    for path in sorted(API.rglob("*.py")):
        layer = _layer(path)
        if layer is None or layer not in FORBIDDEN:
            continue
        bad = _imported(path) & set(FORBIDDEN[layer])
        if bad:
            wrong.append(f"{path.relative_to(API)} imports {sorted(bad)}")
    assert not wrong


def test_no_view_imports_another_view() -> None:
    wrong = []
    for path in sorted((API / "v1").glob("*.py")):
        if "blp = Blueprint(" not in path.read_text():
            continue
        if found := _views(path):
            wrong.append(f"{path.name} imports the views {sorted(found)}")
    assert not wrong


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    # The reader itself: upward imports, relative or absolute, in a function, are found.
    root = tmp_path / "api"
    module = root / "services" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import api.fastpath\ndef f():\n    from ..v1 import listing\n    return listing\n"
    )
    assert _imported(module, root) == {"v1", "fastpath"}
