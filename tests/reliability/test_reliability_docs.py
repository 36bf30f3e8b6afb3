"""docs/reliability.md: its code runs, and every test it cites exists.

The page is excluded from tests/docs (owned here). Its ```python blocks run against the
emulator and must print what the page says they print; every ``test_*.py::test_name`` it
names must be a test function of this directory (a renamed test breaks the page's table).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PAGE = HERE.parents[1] / "docs" / "reliability.md"
EXPECTED_OUTPUT = [
    ["first: session.created", "then: None"],
    ["event: session.created", "skipped: MalformedFrameError", "closed with 1011"],
]


def _blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", PAGE.read_text(encoding="utf-8"), re.S | re.M)


@pytest.mark.parametrize("index", range(len(EXPECTED_OUTPUT)))
def test_page_code_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _blocks()
    assert len(blocks) == len(EXPECTED_OUTPUT)
    exec(compile(blocks[index], f"docs/reliability.md[block {index}]", "exec"), {"__name__": "doc"})
    out = capsys.readouterr().out.splitlines()
    assert out == EXPECTED_OUTPUT[index]


def _functions() -> set[str]:
    names: set[str] = set()
    for path in HERE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
    return names


def test_every_cited_test_exists() -> None:
    """Every ``test_*.py`` file and every test name (``::name``, ``name``, ``prefix_*``)
    the page cites exists in this directory."""
    text = PAGE.read_text(encoding="utf-8")
    files = set(re.findall(r"\b(test_\w+\.py)\b", text))
    names = set(re.findall(r"(?:`|::)(test_\w+\*?|canary_log_scan)(?=`|\b)", text)) - {
        f[:-3] for f in files
    }
    assert len(files) >= 7
    assert len(names) > 30
    for file in files:
        assert (HERE / file).exists(), file
    defined = _functions()
    for name in names:
        if name.endswith("*"):
            assert any(n.startswith(name[:-1]) for n in defined), name
        else:
            assert name in defined, name
