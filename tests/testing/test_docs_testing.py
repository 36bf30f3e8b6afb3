"""Every ``python`` block of docs/testing.md runs: scripts with exec, test modules with pytester."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "testing.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
SCRIPTS = [b for b in BLOCKS if not b.startswith("# test_")]
TEST_MODULES = [b for b in BLOCKS if b.startswith("# test_")]

pytest_plugins = ["pytester"]


def test_the_page_has_the_expected_examples() -> None:
    assert len(SCRIPTS) >= 8
    assert len(TEST_MODULES) == 1
    for topic in ("MockServer", "Emulator", "Responder", "Cassette", "pytest plugin"):
        assert topic in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("block", SCRIPTS, ids=[f"block{i + 1}" for i in range(len(SCRIPTS))])
def test_script_blocks_run(block: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # the examples need nothing from the repository
    exec(compile(block, str(DOCS), "exec"), {"__name__": "__main__"})


def test_pytest_plugin_example_passes_with_no_configuration(pytester: pytest.Pytester) -> None:
    """As written: no asyncio_mode, no loop scope, no cassette file next to it, no warnings."""
    pytester.makepyfile(test_my_app=TEST_MODULES[0])
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error", "--strict-markers")
    result.assert_outcomes(passed=3)
