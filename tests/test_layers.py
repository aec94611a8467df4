"""The architecture is enforced, not hoped for: core is pure, Qt stays in the GUI layer,
httpx stays in platforms/, and the sandbox shares no code with the connectors."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "desktop_app"

CORE_FORBIDDEN = {"PySide6", "httpx", "openpyxl", "python_calamine", "sqlite3", "socket", "urllib",
                  "http", "requests", "keyring", "io", "shutil", "subprocess", "charset_normalizer",
                  "platformdirs", "threading_io", "desktop_app.sheets", "desktop_app.platforms",
                  "desktop_app.engine", "desktop_app.sandbox", "desktop_app.gui", "desktop_app.app",
                  "desktop_app.cli"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(sub: str = "") -> list[Path]:
    return sorted((PKG / sub).rglob("*.py"))


def hits(names: set[str], forbidden: set[str]) -> set[str]:
    return {n for n in names for f in forbidden if n == f or n.startswith(f + ".")}


def test_core_imports_no_qt_no_http_no_io_and_nothing_of_ours_above_it():
    bad = {str(p.relative_to(PKG)): hits(imports_of(p), CORE_FORBIDDEN) for p in modules("core")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_pyside6_is_imported_only_in_gui_and_app():
    allowed = {PKG / "app.py"} | set(modules("gui"))
    bad = [str(p.relative_to(PKG)) for p in modules() if p not in allowed and hits(imports_of(p), {"PySide6"})]
    assert bad == []


def test_httpx_is_imported_only_in_platforms():
    allowed = set(modules("platforms"))
    bad = [str(p.relative_to(PKG)) for p in modules() if p not in allowed and hits(imports_of(p), {"httpx"})]
    assert bad == []


def test_sandbox_shares_no_code_with_platforms_and_gui_never_imports_platforms():
    sandbox_bad = [str(p.relative_to(PKG)) for p in modules("sandbox") if hits(imports_of(p), {"desktop_app.platforms", "desktop_app.engine"})]
    gui_bad = [str(p.relative_to(PKG)) for p in modules("gui") if hits(imports_of(p), {"desktop_app.platforms", "httpx"})]
    assert sandbox_bad == [] and gui_bad == []


def test_the_layer_check_itself_catches_a_forbidden_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import httpx\nfrom PySide6.QtCore import QObject\n")
    assert hits(imports_of(probe), CORE_FORBIDDEN) == {"httpx", "PySide6.QtCore"}
