"""The privileged side stands alone: rktcore imports the standard library and tomli."""

import ast
import subprocess
import sys

from conftest import CONFIGS, ROOT

CORE = ROOT / "core" / "rktcore"
ALLOWED = set(sys.stdlib_module_names) | {"tomli", "rktcore"}


def imported_modules(path) -> set[str]:
    """Return the top-level names of every module a source file imports."""
    tree = ast.parse(path.read_text(), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_rktcore_imports_only_the_standard_library_and_tomli():
    for path in sorted(CORE.rglob("*.py")):
        outside = imported_modules(path) - ALLOWED
        assert not outside, f"{path.name} imports {sorted(outside)}"


def test_a_dry_run_loads_neither_the_tui_nor_templates():
    probe = ("import runpy, sys\n"
             "sys.argv = ['rkt-run', '--config', sys.argv[1], '--dry-run', 'qiime']\n"
             "try:\n    runpy.run_module('rktcore', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(' '.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-I", "-c", probe,
                           str(CONFIGS / "site.toml")],
                          capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "rktcore.plan" in loaded
    assert not loaded & {"textual", "rkttui", "jinja2", "rich"}
