"""Every example in examples/ runs against the emulator (the sound-device one is compiled only).

Examples run in-process with ``runpy`` (as ``__main__``, with ``examples/`` on ``sys.path``
like ``python examples/x.py`` would have), with the Azure variables removed, so they take
their emulator branch. One test points an example at a "remote" server through
``AZURE_COGNITIVE_SERVICES_ENDPOINT`` to prove the Azure branch is wired the same way.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import py_compile
import re
import runpy
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from voicelive.audio import read_wav_info
from voicelive.testing import MockServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AZURE_VARS = (
    "AZURE_COGNITIVE_SERVICES_ENDPOINT",
    "AZURE_COGNITIVE_SERVICES_KEY",
    "AZURE_VOICELIVE_MODEL",
    "AZURE_VOICELIVE_AGENT_NAME",
    "AZURE_VOICELIVE_PROJECT_NAME",
    "AZURE_VOICELIVE_AGENT_VERSION",
)
NEEDS_HARDWARE = {"microphone.py"}


@pytest.fixture(autouse=True)
def _examples_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in AZURE_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    yield
    sys.modules.pop("_common", None)  # re-read the environment in the next test


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> list[MockServer]:
    """Every MockServer the example starts (to look at what it received)."""
    started: list[MockServer] = []
    original = MockServer.__aenter__

    async def spy(self: MockServer) -> MockServer:
        started.append(self)
        return await original(self)

    monkeypatch.setattr(MockServer, "__aenter__", spy)
    return started


def run_example(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> str:
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / name), *args])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "(emulator at http://127.0.0.1:" in out
    return out


def _quickstart(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    return ["capital of France"]


def _wav_conversation(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    info = read_wav_info(tmp_path / "voicelive-examples" / "reply.wav")
    assert (info.sample_rate, info.channels) == (24000, 1)
    assert info.frames > 24000 // 2  # more than half a second of reply
    return ["[speech started at", "[speech stopped at", "you: (audio", "saved"]


def _function_calling(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    sent = [e.type for e in servers[0].received]
    assert sent.count("response.create") == 2
    assert "conversation.item.create" in sent
    return ["tool call: get_weather({'city': 'Seattle'})", '"temperature": 18']


def _interruption(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    truncate = next(e for e in servers[0].received if e.type == "conversation.item.truncate")
    # What was heard is what the example's speaker reported as played, and only part of the
    # reply (how much depends on how fast the loaded machine plays: not compared to a clock).
    heard = re.search(r"heard for (\d+) ms of (\d+) ms received", out)
    assert heard is not None, out
    assert truncate.audio_end_ms == int(heard[1])
    assert 0 < truncate.audio_end_ms < int(heard[2])
    return ["user barged in: item_", "ms received", "truncated at", "response 2"]


def _push_to_talk(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    sent = [e.type for e in servers[0].received]
    assert "input_audio_buffer.clear" in sent
    assert sent.index("input_audio_buffer.commit") < sent.index("response.create")
    return ["buffer cleared", "turn committed as item_", "you: (audio", "assistant:"]


def _conversation_history(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    creates = [e for e in servers[0].received if e.type == "conversation.item.create"]
    assert [c.previous_item_id for c in creates] == [None, None, "root", None]
    return ["system message is item item_", "assistant: You said: Which city do I live in?"]


def _telephony(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    info = read_wav_info(tmp_path / "voicelive-examples" / "reply-ulaw.wav")
    assert (info.format_tag, info.sample_rate) == (7, 8000)  # WAVE_FORMAT_MULAW
    assert info.frames > 4000
    appends = [e for e in servers[0].received if e.type == "input_audio_buffer.append"]
    sizes = {len(base64.b64decode(a.audio)) for a in appends[:-1]}  # base64 on the wire
    assert sizes == {160}  # 20 ms μ-law packets, passed through untouched
    truncates = [e for e in servers[0].received if e.type == "conversation.item.truncate"]
    assert [t.audio_end_ms for t in truncates] == [600]  # what the caller heard
    return ["agent:", "barge-in: answer truncated at 600 ms", "ended by caller", "of μ-law"]


def _foundry_agent(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    query = servers[0].connections[0].query
    assert query["agent-name"] == "weather-agent"
    assert query["agent-project-name"] == "demo-project"
    assert "model" not in query
    return ["with agent 'weather-agent' of 'demo-project'", "agent: You said: Hi!"]


def _entra_id(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    headers = servers[0].connections[0].headers
    assert headers["Authorization"] == "Bearer emulator-token"
    assert "api-key" not in headers
    return ["signed in with Entra ID: session sess_"]


def _error_handling(out: str, tmp_path: Path, servers: list[MockServer]) -> list[str]:
    return [
        "AuthenticationError (HTTP 401)",
        "ValidationError at session.voice",
        "LocalProtocolError: audio given as str must be base64 text",
        "server refused cancel-1: response_cancel_not_active",
        "attempt 1 failed: WebSocket closed with code 1011",
        "answer: You said: Name three colors.",
    ]


CHECKS: dict[str, Callable[[str, Path, list[MockServer]], list[str]]] = {
    "quickstart.py": _quickstart,
    "wav_conversation.py": _wav_conversation,
    "function_calling.py": _function_calling,
    "interruption.py": _interruption,
    "push_to_talk.py": _push_to_talk,
    "conversation_history.py": _conversation_history,
    "telephony.py": _telephony,
    "foundry_agent.py": _foundry_agent,
    "entra_id.py": _entra_id,
    "error_handling.py": _error_handling,
}


def test_every_example_is_checked() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(CHECKS) | NEEDS_HARDWARE


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example_runs_against_the_emulator(
    name: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    servers: list[MockServer],
) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # outputs go to the temp directory
    out = run_example(name, capsys, monkeypatch)
    assert list(workdir.iterdir()) == []  # nothing written where the example was run
    for expected in CHECKS[name](out, tmp_path, servers):
        assert expected in out, f"{expected!r} not in the output of {name}:\n{out}"
    for server in servers:
        server.check()  # no emulator errors behind the scenes


def test_wav_example_takes_any_wav(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import numpy as np

    from voicelive.audio import AudioFormat, write_wav

    fmt = AudioFormat("pcm16", 8000)
    t = np.arange(8000 * 2) / 8000
    tone = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)
    write_wav(tmp_path / "tone.wav", tone, fmt)
    out = run_example(
        "wav_conversation.py",
        capsys,
        monkeypatch,
        str(tmp_path / "tone.wav"),
        str(tmp_path / "r.wav"),
    )
    assert "[speech started" in out
    assert read_wav_info(tmp_path / "r.wav").frames > 0


def test_examples_use_azure_when_configured(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the variables set, the examples connect there (here: a server on another thread)."""
    loop = asyncio.new_event_loop()
    server = MockServer(api_key="the-key")
    ready, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        async with server:
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.01)

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        monkeypatch.setenv("AZURE_COGNITIVE_SERVICES_ENDPOINT", server.endpoint)
        monkeypatch.setenv("AZURE_COGNITIVE_SERVICES_KEY", "the-key")
        monkeypatch.setenv("AZURE_VOICELIVE_MODEL", "my-deployment")
        monkeypatch.setattr(sys, "argv", ["quickstart.py"])
        runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
        out = capsys.readouterr().out
    finally:
        stop.set()
        thread.join(10)
        loop.close()
    assert "emulator" not in out
    assert "capital of France" in out
    assert server.connections[0].query["model"] == "my-deployment"


def test_microphone_example_compiles_and_explains_missing_sounddevice(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    py_compile.compile(str(EXAMPLES / "microphone.py"), doraise=True)
    if importlib.util.find_spec("sounddevice") is not None:
        pytest.skip("sounddevice is installed; the example would open the sound device")
    monkeypatch.setattr(sys, "argv", ["microphone.py"])
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(EXAMPLES / "microphone.py"), run_name="__main__")
    assert "pip install sounddevice" in str(info.value.code)
