"""Size limits of the package (issue 15): no module over 600 lines, no function over 100.

A function's size runs from its ``def`` line to its last line (decorators not
counted); methods and nested functions are functions too.  A failure lists
every offender as ``path:line``, so one run shows all that needs splitting.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sheetsync"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 100


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _where(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_the_package_is_found() -> None:
    assert len(_modules()) > 10, f"no modules found under {PACKAGE}"


def test_no_module_is_over_600_lines() -> None:
    offenders = []
    for path in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{_where(path)}:1: {lines} lines")
    assert not offenders, (
        f"{len(offenders)} module(s) over {MAX_MODULE_LINES} lines:\n" + "\n".join(offenders)
    )


def test_no_function_is_over_100_lines() -> None:
    offenders = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assert node.end_lineno is not None
            size = node.end_lineno - node.lineno + 1  # from `def` to its last line
            if size > MAX_FUNCTION_LINES:
                offenders.append((_where(path), node.lineno, node.name, size))
    listed = [f"{where}:{line}: {name}() is {size} lines"
              for where, line, name, size in sorted(offenders)]  # fmt: skip
    assert not listed, (
        f"{len(listed)} function(s) over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(listed)
    )
