"""``voicelive check``, ``mock-server``, ``record``, ``replay`` and ``--help``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from voicelive.cli import build_parser, main
from voicelive.cli._target import ENDPOINT_ENV, KEY_ENV
from voicelive.testing import Cassette, MockServerConnection
from voicelive.testing._emulator import default_session


def test_check_against_the_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--voice", "en-US-AndrewNeural"]) == 0
    out = capsys.readouterr().out
    assert "talking to the LOCAL EMULATOR" in out
    assert "effective session: voice en-US-AndrewNeural, server_vad" in out
    assert '"instructions": "You are a friendly voice assistant.' in out
    assert out.rstrip().endswith("OK: every requested setting was applied.")


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--json", "--voice", "alloy"]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["target"] == "emulator"
    assert result["mismatches"] == []
    assert result["requested"]["voice"] == "alloy"
    assert result["effective"]["voice"] == "alloy"
    assert "LOCAL EMULATOR" in err


async def _stubborn(conn: MockServerConnection) -> None:
    """A service that keeps its own voice and output format, whatever is asked."""
    session = default_session("sess_stubborn")
    await conn.send({"type": "session.created", "session": session})
    async for event in conn:
        if event.type == "session.update":
            await conn.send({"type": "session.updated", "session": session})


def test_check_reports_mismatches(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server_thread: Any
) -> None:
    monkeypatch.setenv(KEY_ENV, "k")
    with server_thread(_stubborn) as server:
        code = main(["check", "--endpoint", server.endpoint, "--voice", "en-US-AndrewNeural"])
    out = capsys.readouterr().out
    assert code == 1
    assert "requested setting(s) were not applied:" in out
    assert "voice.name: requested 'en-US-AndrewNeural'" in out


def test_check_server_error_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server_thread: Any
) -> None:
    async def refuse(conn: MockServerConnection) -> None:
        await conn.send({"type": "session.created", "session": default_session("s")})
        async for event in conn:
            if event.type == "session.update":
                await conn.send(
                    {
                        "type": "error",
                        "error": {
                            "type": "invalid_request_error",
                            "code": "invalid_value",
                            "message": "voice not available in this region",
                            "param": "session.voice",
                            "event_id": event.event_id,
                        },
                    }
                )

    monkeypatch.setenv(KEY_ENV, "k")
    with server_thread(refuse) as server:
        code = main(["check", "--endpoint", server.endpoint])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "voice not available in this region" in err
    assert "Traceback" not in err


def _start_mock_server(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (ENDPOINT_ENV, KEY_ENV)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicelive", "mock-server", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert "listening on http://127.0.0.1:" in first, first + (
        proc.stderr.read() if proc.stderr else ""
    )
    return proc, first.rsplit(" ", 1)[1].strip(), first


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)  # our own child, by pid
    out, _ = proc.communicate(timeout=20)
    return proc.returncode, out


def test_mock_server_serves_other_processes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    proc, endpoint, _ = _start_mock_server("--realtime")
    try:
        monkeypatch.setenv(ENDPOINT_ENV, endpoint)
        monkeypatch.setenv(KEY_ENV, "any")
        code = main(["demo", "--fast", "--text", "over the wire", "--output", os.devnull])
        out = capsys.readouterr().out
    finally:
        returncode, server_out = _stop(proc)
    assert code == 0
    assert f"talking to local Voice Live server at {endpoint}" in out
    assert "assistant  You said: over the wire" in out
    assert returncode == 0
    assert "voicelive mock-server: stopped" in server_out


def test_record_replay_and_serve_a_cassette(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cassette = tmp_path / "tapes" / "hello.jsonl"
    cassette.parent.mkdir()
    code = main(["record", "--cassette", str(cassette), "--fast", "--text", "hello tape"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"cassette   wrote {cassette}" in out
    recorded = Cassette.load(cassette)
    assert recorded.event_types("client") == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]
    assert "response.done" in recorded.event_types("server")
    text = cassette.read_text()
    assert "emulator-key" not in text  # no credentials in cassettes

    # replay: the recorded session as a timeline
    assert main(["replay", str(cassette)]) == 0
    out = capsys.readouterr().out
    assert "nothing is sent anywhere" in out
    assert "assistant  You said: hello tape" in out
    assert "response   done: completed" in out
    assert "closed     client closed with 1000" in out
    assert "cassette hello.jsonl" in out

    assert main(["replay", "--json", str(cassette)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[-1]["kind"] == "summary"
    assert records[-1]["assistant_text"] == "You said: hello tape"

    # mock-server --cassette: a client replaying the same exchange gets the recorded answer
    proc, endpoint, first = _start_mock_server("--cassette", str(cassette))
    try:
        monkeypatch.setenv(ENDPOINT_ENV, endpoint)
        monkeypatch.setenv(KEY_ENV, "any")
        code = main(["demo", "--fast", "--text", "hello tape", "--output", os.devnull])
        out = capsys.readouterr().out
    finally:
        _, server_out = _stop(proc)
    assert code == 0
    assert "assistant  You said: hello tape" in out
    assert f"replaying {cassette}" in first
    assert "stopped" in server_out


def test_record_the_voice_demo(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cassette = tmp_path / "voice.jsonl"
    assert main(["record", "--cassette", str(cassette), "--fast", "--output", os.devnull]) == 0
    capsys.readouterr()
    assert main(["replay", str(cassette)]) == 0
    out = capsys.readouterr().out
    assert "vad        speech started" in out
    assert "you said   Hello! What's the weather like in Seattle today?" in out
    assert "audio sent" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cassette not found"), ("not json\n", "line 1"), ("", "empty file")],
)
def test_replay_bad_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "tape.jsonl"
    if content is not None:
        path.write_text(content)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("voicelive: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_mock_server_bad_cassette_and_port(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["mock-server", "--cassette", str(tmp_path / "none.jsonl")]) == 2
    assert "cassette not found" in capsys.readouterr().err
    assert main(["mock-server", "--port", "70000"]) == 2
    assert "--port must be between 0 and 65535" in capsys.readouterr().err


def test_mock_server_port_in_use(capsys: pytest.CaptureFixture[str], server_thread: Any) -> None:
    with server_thread() as server:
        port = server.port
        assert main(["mock-server", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("command", ["demo", "check", "mock-server", "record", "replay"])
def test_every_command_has_help_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: voicelive {command}" in out
    assert "examples:" in out
    assert f"voicelive {command}" in out.split("examples:")[1]


def test_top_level_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "check", "mock-server", "record", "replay"):
        assert command in out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("voicelive ")
    assert build_parser().prog == "voicelive"
