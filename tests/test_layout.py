"""The dependency direction in the README's layout table, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OURS = {"hashing", "client_api", "intake", "desktop"}

#: Which of our packages (and Qt) each package may import. ``desktop`` may import ``intake`` only in
#: :data:`INTAKE_HOST`, to run the service on this computer (demo mode, ``takeback intake``).
ALLOWED = {
    "hashing": set(),
    "client_api": set(),
    "intake": set(),
    "desktop": {"hashing", "client_api", "intake", "PySide6", "shiboken6"},
}
INTAKE_HOST = "desktop/intake_host.py"


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _sources(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package):
    forbidden = (OURS | {"PySide6", "shiboken6"}) - ALLOWED[package] - {package}
    wrong = {
        str(path.relative_to(REPO)): sorted(_imported_roots(path) & forbidden) for path in _sources(package)
    }
    assert {name: roots for name, roots in wrong.items() if roots} == {}


def test_desktop_imports_intake_in_one_place_only():
    importers = [str(p.relative_to(REPO)) for p in _sources("desktop") if "intake" in _imported_roots(p)]
    assert importers == [INTAKE_HOST]
