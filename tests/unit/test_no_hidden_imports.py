"""No import hidden in a function to dodge a cycle: lib's modules import lib at the top, where import-linter
sees them (the command line alone imports each command's module when that command runs)."""
import ast

from tests.conftest import ROOT


def test_lib_imports_lib_only_at_module_level():
    hidden = []
    for path in (ROOT / "lib").rglob("*.py"):
        if path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    module = getattr(inner, "module", None) or ""
                    names = [a.name for a in getattr(inner, "names", [])] if isinstance(inner, ast.Import) else []
                    if (isinstance(inner, ast.ImportFrom) and module.startswith("lib")) or any(
                            n.startswith("lib") for n in names):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []
