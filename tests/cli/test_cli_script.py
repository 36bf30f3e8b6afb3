"""``voicelive mock-server --script``: the example script, played by the CLI in another process
and by :class:`ScriptedResponder` in-process (one format), and script errors."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.cli import main
from voicelive.models import (
    FunctionCallOutputItem,
    MCPApprovalResponseRequestItem,
    ServerEventType,
)
from voicelive.testing import (
    Fault,
    McpCall,
    MockServer,
    ScriptedResponder,
    ScriptError,
    load_script,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mock_server_script.json"


async def _weather_app(conn: VoiceLiveConnection) -> list[Any]:
    """The app, written as the official samples write it: one event loop, replies inside it.

    It runs ``get_weather`` when asked, approves MCP calls, and asks for the next response
    after each ``response.done`` until five turns are done (the fifth fails).
    """
    log: list[Any] = []
    await conn.response.create()
    done = 0
    async for event in conn:
        log.append(event)
        if event.type == ServerEventType.RESPONSE_FUNCTION_CALL_ARGUMENTS_DONE:
            args = json.loads(event.arguments)
            await conn.conversation.item.create(
                item=FunctionCallOutputItem(
                    call_id=event.call_id, output=json.dumps({"city": args["city"], "sky": "sun"})
                )
            )
        elif event.type == ServerEventType.RESPONSE_OUTPUT_ITEM_DONE:
            if event.item.type == "mcp_approval_request":
                await conn.conversation.item.create(
                    item=MCPApprovalResponseRequestItem(
                        approval_request_id=event.item.id, approve=True
                    )
                )
        elif event.type == ServerEventType.RESPONSE_DONE:
            done += 1
            if done == 6:  # 5 turns + the response the approval starts
                break
            if event.response.output and event.response.output[-1].type == ("mcp_approval_request"):
                continue  # the approval answer starts the next response
            await conn.response.create()
    return log


def _check_weather_log(log: list[Any]) -> None:
    names = [e.type for e in log]
    dones = [e for e in log if e.type == "response.done"]
    assert [d.response.status for d in dones] == [
        "completed",
        "completed",
        "completed",
        "completed",
        "completed",
        "failed",
    ]
    outputs = [[item.type for item in d.response.output] for d in dones]
    assert outputs == [
        ["message"],
        ["function_call"],
        ["message"],
        ["message", "mcp_approval_request"],
        ["mcp_call", "message"],
        [],
    ]
    texts = [
        d.response.output[0].content[0].text
        for d, o in zip(dones, outputs, strict=True)
        if o[:1] == ["message"]
    ]
    assert texts == [
        "Hello! Ask me about the weather.",
        "It is sunny in Paris.",
        "Let me look that up.",
    ]
    assert dones[4].response.output[0].output == "Umbrellas are free on rainy days."
    assert dones[4].response.output[1].content[0].text == "Umbrellas are free when it rains."
    # rate limits follow the third response.done; the failure comes with error + warning
    done_at = [i for i, name in enumerate(names) if name == "response.done"]
    assert [i for i, name in enumerate(names) if name == "rate_limits.updated"] == [done_at[2] + 1]
    errors = [e for e in log if e.type == "error"]
    assert [e.error.code for e in errors] == ["rate_limit_exceeded"]
    assert errors[0].error.type == "rate_limit_error"
    assert dones[5].response.status_details.error["code"] == "rate_limit_exceeded"
    assert [e.warning.message for e in log if e.type == "warning"] == [
        "approaching the request quota"
    ]


async def _play(endpoint: str) -> list[Any]:
    async with connect(
        endpoint=endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime"
    ) as conn:
        await conn.recv()  # session.created
        await conn.session.update(session={"modalities": ["text"]})
        await conn.recv()  # session.updated
        return await asyncio.wait_for(_weather_app(conn), 10.0)


async def test_the_example_script_in_process() -> None:
    script = load_script(EXAMPLE)
    async with MockServer(
        responder=ScriptedResponder.from_file(EXAMPLE), session=script.session
    ) as server:
        _check_weather_log(await _play(server.endpoint))


def test_the_example_script_through_the_cli() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicelive", "mock-server", "--port", "0", "--script", str(EXAMPLE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"emulator playing {EXAMPLE} listening on http://127.0.0.1:" in first, first
        endpoint = first.rsplit(" ", 1)[1].strip()
        _check_weather_log(asyncio.run(_play(endpoint)))
        # every connection plays the script from its first turn
        _check_weather_log(asyncio.run(_play(endpoint)))
    finally:
        proc.send_signal(signal.SIGTERM)  # our own child, by pid
        proc.communicate(timeout=20)
    assert proc.returncode == 0


def test_yaml_and_json_scripts_are_the_same_format(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")  # YAML is the optional "yaml" extra
    data = json.loads(EXAMPLE.read_text())
    path = tmp_path / "script.yaml"
    path.write_text(yaml.safe_dump(data))
    assert load_script(path) == load_script(EXAMPLE)


def test_script_faults_and_calls_from_data() -> None:
    script = load_script(
        {
            "turns": [{"mcp_call": [{"name": "a"}, {"name": "b", "error": "boom"}]}],
            "faults": [
                {"action": "close", "code": 1011, "after": "response.audio.delta", "count": 3},
                {"action": "drop"},
            ],
        }
    )
    assert script.turns[0].mcp_calls == [McpCall(name="a"), McpCall(name="b", error="boom")]
    assert script.faults == [Fault.close(1011).after("response.audio.delta", 3), Fault.drop()]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"turns": [{"txt": "hi"}]}, "turns[0]: unknown key 'txt'; did you mean 'text'?"),
        (
            {"turns": [{"mcp_call": {"nmae": "x"}}]},
            "turns[0].mcp_call: unknown key 'nmae'; did you mean 'name'?",
        ),
        ({"turns": "hi"}, "'turns' must be a list"),
        ({"turns": [], "faults": [{"action": "explode"}]}, "'explode' is not a fault action"),
        ({"turns": [{"failure": {"status": "failed", "cod": "x"}}]}, "did you mean 'code'?"),
        ({"turns": [{"text": 3}]}, "turns[0].text: expected a string, got int"),
    ],
)
def test_script_errors_name_the_place(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ScriptError) as info:
        load_script(data)
    assert message in str(info.value)


def test_cli_bad_script_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"turns": [{"function_cal": {}}]}')
    assert main(["mock-server", "--port", "0", "--script", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "did you mean 'function_call'?" in err
    assert main(["mock-server", "--port", "0", "--script", str(tmp_path / "none.json")]) == 2
    assert "cannot read script" in capsys.readouterr().err


async def test_scripted_transcripts_and_a_failed_transcription() -> None:
    script = load_script(
        {"turns": ["one", "two"], "transcripts": ["what time is it", {"error": "too noisy"}]}
    )
    transcriber = script.transcriber()
    assert transcriber is not None
    audio = b"\x00\x10" * 4800  # 200 ms of pcm16 24 kHz
    async with MockServer(responder=script.responder(), transcriber=transcriber) as server:
        async with connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime"
        ) as conn:
            await conn.recv()
            await conn.session.update(
                session={
                    "modalities": ["text"],
                    "turn_detection": None,
                    "input_audio_transcription": {"model": "azure-speech"},
                }
            )
            await conn.recv()
            outcomes: list[str] = []
            for _ in range(2):
                await conn.input_audio_buffer.append(audio=audio)
                await conn.input_audio_buffer.commit()
                async for event in conn:
                    if event.type == "conversation.item.input_audio_transcription.completed":
                        outcomes.append(event.transcript)
                        break
                    if event.type == "conversation.item.input_audio_transcription.failed":
                        outcomes.append(f"failed: {event.error.message}")
                        break
    assert outcomes == ["what time is it", "failed: too noisy"]
    assert transcriber(np.zeros(2400, dtype=np.int16), 24000) == "(audio 0.1 s)"  # list used up
    assert load_script({"turns": []}).transcriber() is None
