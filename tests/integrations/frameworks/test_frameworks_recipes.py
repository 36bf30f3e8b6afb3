"""The pipecat and LiveKit recipes of docs/frameworks.md, against the emulator.

They need the frameworks installed (~145 MB each), so they run in ``nox -s frameworks``,
which sets ``VOICELIVE_FRAMEWORKS=1``; there a missing framework is a failure, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from recipes import recipes, run_script

pytestmark = pytest.mark.skipif(
    os.environ.get("VOICELIVE_FRAMEWORKS") != "1",
    reason="opt-in: run by `nox -s frameworks` (installs pipecat and LiveKit Agents)",
)

ON_VOICELIVE = """
import sys
import azure.ai.voicelive.aio
assert azure.ai.voicelive.aio is sys.modules["voicelive.aio"]
print("the plugin ran on voicelive")
"""


def test_pipecat_pipeline_audio_tool_call_and_interruption(tmp_path: Path) -> None:
    result = run_script(recipes()["pipecat"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    [summary] = [line for line in result.stdout.splitlines() if line.startswith("pipecat:")]
    assert "tool calls [{'city': 'Paris'}]" in summary


ON_OFFICIAL = """
import sys
print("official SDK:", sys.modules["azure.ai.voicelive"] is not sys.modules["voicelive"])
"""


def test_livekit_realtime_session_audio_and_tool(tmp_path: Path) -> None:
    result = run_script(recipes()["livekit"] + ON_OFFICIAL, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "reply 'It is sunny in Paris.'" in result.stdout
    # Without the alias the plugin ran on the official SDK (which the emulator serves too).
    assert result.stdout.rstrip().endswith("official SDK: True")


def test_livekit_recipe_on_voicelive_through_install_as(tmp_path: Path) -> None:
    code = recipes()["install-as"] + "\n" + recipes()["livekit"] + ON_VOICELIVE
    result = run_script(code, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "reply 'It is sunny in Paris.'" in result.stdout
    assert result.stdout.rstrip().endswith("the plugin ran on voicelive")
