"""docs/conversation.md: the complete voice agent runs against the emulator, drop included."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from voicelive.testing import Fault, FunctionCall, MockServer, Reply, ResponseContext

DOC = Path(__file__).resolve().parents[2] / "docs" / "conversation.md"


def agent_source() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- voice-agent -->\n```python\n(.*?)```", text, re.DOTALL)
    assert match is not None, "the voice agent block is marked with <!-- voice-agent -->"
    return match.group(1)


def concierge(context: ResponseContext) -> Reply | str:
    """The emulated model: a tool call per turn, then the spoken answer."""
    turn = sum(1 for item in context.conversation if item.get("role") == "user")
    if (context.last_item or {}).get("type") == "function_call_output":
        if turn == 1:
            return "It is twenty one degrees and clear in Paris, a lovely day for a walk."
        return "Your table for two is booked."
    if turn == 1:
        return Reply(function_call=FunctionCall("get_weather", {"city": "Paris"}))
    if turn == 2:
        return Reply(
            function_call=FunctionCall("book_table", {"restaurant": "Chez Nous", "people": 2})
        )
    return "Goodbye!"


def test_the_agent_is_under_80_lines() -> None:
    assert len(agent_source().splitlines()) < 80


@pytest.mark.parametrize("drop_after", [4, 50])  # in the first / the second spoken answer
async def test_the_agent_runs_against_the_emulator_with_a_drop(
    drop_after: int, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {"__name__": "docs_voice_agent"}
    exec(compile(agent_source(), str(DOC), "exec"), namespace)
    faults = [Fault.drop().after("response.audio.delta", count=drop_after)]
    async with MockServer(responder=concierge, faults=faults) as server:
        lines = await namespace["main"](server.endpoint, "test-key")
    assert "reconnected; state restored: True" in capsys.readouterr().out
    assert len(server.connections) == 2
    users = [line for line in lines if line.startswith("user: ")]
    assert len(users) == 3
    assert any('"temperature_c":21' in line for line in lines)
    assert any(line.endswith("Booked a table for 2 at Chez Nous.") for line in lines)
    assert lines[-1] == "assistant: Goodbye!"
    sent = [json.loads(f) for c in server.connections for f in c.sent]
    assert [e for e in sent if e["type"] == "error"] == []
    types = [e.type for e in server.received]
    assert "conversation.item.truncate" in types  # the user barged in while it was speaking
    assert types.count("session.update") == 2  # applied, then re-applied after the drop
