"""docs/observability.md: every Python block compiles, the console example runs against the
emulator, and every metric and attribute name the code emits is documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from voicelive.telemetry import _names

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "observability.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_every_python_block_compiles() -> None:
    blocks = _blocks()
    assert len(blocks) >= 4
    for index, code in enumerate(blocks):
        compile(code, f"{DOC.name}[block {index}]", "exec")


def test_console_example_runs_against_the_emulator(tmp_path: Path) -> None:
    (code,) = [b for b in _blocks() if "ConsoleSpanExporter" in b]
    script = tmp_path / "console_example.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("realtime gpt-realtime", "turn gpt-realtime", "chat gpt-realtime"):
        assert f'"name": "{name}"' in out
    for metric in (
        "voicelive.turn.latency_to_first_audio",
        "voicelive.response.duration",
        "voicelive.events",
        "gen_ai.client.token.usage",
    ):
        assert f'"name": "{metric}"' in out
    assert "<key>" not in out


def _documented_names() -> list[str]:
    names = [value for key, value in vars(_names).items() if key.startswith("METRIC_")]
    names += [
        value for key, value in vars(_names.VL).items() if key.isupper() and isinstance(value, str)
    ]
    names += [value for key, value in vars(_names).items() if key.startswith("ATTR_")]
    return sorted(set(names))


@pytest.mark.parametrize("name", _documented_names())
def test_name_is_documented(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    short = name.rsplit(".", 1)[-1]
    assert f"`{name}`" in text or f".{short}`" in text, name


def test_instrumentor_example_runs(tmp_path: Path) -> None:
    (code,) = [b for b in _blocks() if "VoiceLiveInstrumentor()" in b]
    script = tmp_path / "instrumentor_example.py"
    script.write_text(code + "\nprint('instrumentor ok')\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "instrumentor ok" in result.stdout
