"""Cassettes: the format, recording through the proxy, replay and mismatch reports."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from cassette_flows import FLOWS, Flow, text_turn
from testing_helpers import collect, open_client, types

from voicelive.aio import connect
from voicelive.exceptions import ConnectionClosedError
from voicelive.testing import (
    Cassette,
    CassetteError,
    CassetteFrame,
    CassetteMismatchError,
    CassetteRecorder,
    MockServer,
    MockServerConnection,
    record,
)

SECRET = "sk-canary-0123456789"


async def until_closed(conn: Any) -> tuple[list[Any], ConnectionClosedError]:
    """Every event until the connection closes abnormally, and that error."""
    events: list[Any] = []
    while True:
        try:
            events.append(await conn.recv())
        except ConnectionClosedError as exc:
            return events, exc


# -- the shipped cassettes ------------------------------------------------------------


@pytest.mark.parametrize("flow", FLOWS, ids=[f.name for f in FLOWS])
async def test_shipped_cassettes_replay_against_the_client_with_strict_matching(flow: Flow) -> None:
    cassette = Cassette.load(flow.path)
    assert cassette.metadata["flow"] == flow.metadata["flow"]
    assert cassette.audio_max_bytes == flow.audio_max_bytes
    async with (
        MockServer.replay(flow.path, match="strict") as server,
        open_client(server.endpoint) as conn,
    ):
        result = await asyncio.wait_for(flow.run(conn), 10)
    for key, value in flow.expected.items():
        assert result[key] == value
    assert server.mismatches == []
    client_frames = [f for f in cassette.client_frames if f.kind != "close"]
    assert len(server.connections[0].received_frames) == len(client_frames)


def test_shipped_cassettes_hold_no_credentials() -> None:
    for flow in FLOWS:
        text = flow.path.read_text()
        assert "not-a-real-key" not in text
        assert "api-key" not in text
        assert "x-ms-client-sdk" not in text


def test_audio_cassette_covers_vad_and_interruption() -> None:
    cassette = Cassette.load(FLOWS[1].path)
    server = cassette.event_types("server")
    client = cassette.event_types("client")
    assert server.count("input_audio_buffer.speech_started") == 2
    assert "conversation.item.truncated" in server
    assert "conversation.item.truncate" in client
    dones = [
        f.json()["response"]["status"] for f in cassette.frames if f.event_type == "response.done"
    ]
    assert dones == ["cancelled", "completed"]
    appends = [f.json() for f in cassette.frames if f.event_type == "input_audio_buffer.append"]
    assert all(len(base64.b64decode(a["audio"])) <= 64 for a in appends)
    assert cassette.audio_shortened == "input"
    deltas = [f.json() for f in cassette.frames if f.event_type == "response.audio.delta"]
    assert len(base64.b64decode(deltas[0]["delta"])) == 1600  # output kept whole: 100 ms at 8 kHz


# -- the format ---------------------------------------------------------------------------


def test_format_round_trip_and_documented_shape(tmp_path: Path) -> None:
    cassette = Cassette(
        frames=[
            CassetteFrame("server", 0.001, text='{"type":"session.created"}'),
            CassetteFrame("client", 0.5, text='{"type":"response.create"}'),
            CassetteFrame("server", 0.6, data=b"\x00\x01"),
            CassetteFrame("client", 1.0, close_code=1000, close_reason="bye"),
        ],
        request={"path": "/voice-live/realtime", "query": {"model": "m"}},
        metadata={"note": "x"},
        recorded_at="2026-01-01T00:00:00Z",
    )
    path = tmp_path / "sub" / "c.jsonl"
    cassette.dump(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0] == {
        "voicelive_cassette": 1,
        "recorded_at": "2026-01-01T00:00:00Z",
        "request": {"path": "/voice-live/realtime", "query": {"model": "m"}},
        "audio_max_bytes": None,
        "audio_shortened": None,
        "metadata": {"note": "x"},
    }
    assert lines[1] == {"t": 0.001, "from": "server", "text": '{"type":"session.created"}'}
    assert lines[3] == {"t": 0.6, "from": "server", "binary": "AAE="}
    assert lines[4] == {"t": 1.0, "from": "client", "close": 1000, "reason": "bye"}
    loaded = Cassette.load(path)
    assert loaded == cassette
    assert loaded.name == str(path)
    assert [f.kind for f in loaded] == ["text", "text", "binary", "close"]
    assert loaded.event_types() == ["session.created", "response.create", "?"]
    assert len(loaded) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ('{"hello": 1}\n', "not a voicelive cassette"),
        ('{"voicelive_cassette": 2}\n', "version 1"),
        ('{"voicelive_cassette": 1}\nnot json\n', ":2: invalid JSON"),
        ('{"voicelive_cassette": 1}\n{"t": 0, "from": "nobody", "text": "x"}\n', "'from'"),
        ('{"voicelive_cassette": 1}\n{"t": "soon", "from": "client", "text": "x"}\n', "'t'"),
        ('{"voicelive_cassette": 1}\n{"t": 0, "from": "client"}\n', "needs 'text'"),
        ('{"voicelive_cassette": 1}\n{"t": 0, "from": "client", "binary": "@@"}\n', "base64"),
        ('{"voicelive_cassette": 1}\n{"t": 0, "from": "client", "close": "x"}\n', "close code"),
        ("[1]\n", "JSON object"),
    ],
)
def test_bad_cassettes_are_reported_with_the_line(text: str, message: str) -> None:
    with pytest.raises(CassetteError, match=message):
        Cassette.loads(text, name="bad.jsonl")


# -- recording -----------------------------------------------------------------------------


async def test_record_scrubs_credentials_and_records_exact_frames(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    mcp = {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://mcp.example",
        "authorization": SECRET,
        "headers": {"X-Token": SECRET},
    }
    async with (
        MockServer() as upstream,
        record(
            path,
            endpoint=upstream.endpoint,
            credential=AzureKeyCredential(SECRET),
            model="gpt-realtime",
            query={"api-key": SECRET, "features": "x"},
            metadata={"who": "test"},
        ) as conn,
    ):
        await conn.session.update(session={"tools": [mcp]})
        await collect(conn, "session.updated")
    text = path.read_text()
    assert SECRET not in text
    cassette = Cassette.load(path)
    assert cassette.request["query"] == {
        "api-version": "2026-07-15",
        "model": "gpt-realtime",
        "features": "x",
    }
    assert cassette.metadata == {"who": "test"}
    assert cassette.recorded_at.endswith("Z")
    # the upstream really got the secret (the proxy forwards, it only scrubs the cassette)
    assert upstream.connections[0].headers["api-key"] == SECRET
    update = next(f for f in cassette.frames if f.event_type == "session.update").json()
    assert update["session"]["tools"][0]["authorization"] == "***"
    assert update["session"]["tools"][0]["headers"] == {"X-Token": "***"}
    # unscrubbed frames are recorded byte for byte
    created = next(f for f in cassette.frames if f.event_type == "session.created")
    assert created.text == upstream.connections[0].sent[0]
    assert cassette.frames[-1].source == "client"
    assert cassette.frames[-1].close_code == 1000


async def test_recorder_records_binary_frames_server_close_and_shortens_audio(
    tmp_path: Path,
) -> None:
    async def upstream_handler(conn: MockServerConnection) -> None:
        await conn.send_raw(b'{"type":"voicelive.binary"}')
        await conn.recv()
        await conn.send(
            {
                "type": "response.audio.delta",
                "response_id": "r",
                "item_id": "i",
                "output_index": 0,
                "content_index": 0,
                "delta": base64.b64encode(b"\x01" * 1000).decode(),
            }
        )
        await conn.close(1011, "upstream failure")

    async with (
        MockServer(upstream_handler) as upstream,
        CassetteRecorder(
            upstream.endpoint + "/", tmp_path / "b.jsonl", audio_max_bytes=10
        ) as recorder,
    ):
        async with connect(endpoint=recorder.endpoint, credential=AzureKeyCredential("k")) as conn:
            binary = await conn.recv()
            await conn.input_audio_buffer.append(audio=b"\x02\x00" * 500)
            delta = await conn.recv()
            with pytest.raises(ConnectionClosedError) as info:
                await conn.recv()
    assert binary.type == "voicelive.unknown"
    assert len(delta.delta) == 1000  # the app gets everything
    assert (info.value.code, info.value.reason) == (1011, "upstream failure")
    cassette = Cassette.load(tmp_path / "b.jsonl")
    assert [f.kind for f in cassette] == ["binary", "text", "text", "close"]
    assert cassette.audio_max_bytes == 10
    append, audio = cassette.frames[1].json(), cassette.frames[2].json()
    assert len(base64.b64decode(append["audio"])) == 8  # whole 4-byte units
    assert len(base64.b64decode(audio["delta"])) == 8
    assert (cassette.frames[3].source, cassette.frames[3].close_code) == ("server", 1011)
    assert recorder.cassettes[0] == cassette


async def test_second_connection_gets_its_own_cassette(tmp_path: Path) -> None:
    async with (
        MockServer() as upstream,
        CassetteRecorder(upstream.endpoint, tmp_path / "s.jsonl") as recorder,
    ):
        for _ in range(2):
            async with open_client(recorder.endpoint) as conn:
                await conn.recv()
    assert (tmp_path / "s.jsonl").exists()
    assert (tmp_path / "s-2.jsonl").exists()
    assert len(recorder.cassettes) == 2


async def test_upstream_refusing_credentials_closes_with_1008() -> None:
    async with (
        MockServer(api_key="right") as upstream,
        CassetteRecorder(upstream.endpoint) as recorder,
    ):
        async with open_client(recorder.endpoint) as conn:
            with pytest.raises(ConnectionClosedError) as info:
                await conn.recv()
    assert info.value.code == 1008
    assert "401" in info.value.reason


def test_recorder_validates_arguments() -> None:
    with pytest.raises(ValueError, match="upstream"):
        CassetteRecorder("ftp://x")
    with pytest.raises(ValueError, match="negative"):
        CassetteRecorder("http://127.0.0.1:1", audio_max_bytes=-1)


# -- replay ------------------------------------------------------------------------------------


async def test_type_mismatch_is_reported_with_expected_and_got() -> None:
    server = MockServer.replay(FLOWS[0].path)
    async with server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"modalities": ["text"]})
        await conn.response.create(event_id="oops")  # the recording has item.create here
        events, closed = await until_closed(conn)
        with pytest.raises(CassetteMismatchError) as info:
            server.check()
        server.mismatches.clear()
    assert closed.code == 1011
    error = events[-1]
    assert error.type == "error"
    assert error.error.code == "cassette_mismatch"
    assert error.error.event_id == "oops"
    message = str(info.value)
    assert "cassette mismatch at frame 3 of" in message
    assert "text_turn.jsonl" in message
    assert "type is 'response.create', the recording has 'conversation.item.create'" in message
    assert '  expected: {"type":"conversation.item.create"' in message
    assert '  got:      {"type":"response.create","event_id":"oops"}' in message
    assert info.value.index == 2


async def test_strict_mismatch_names_the_field() -> None:
    async with MockServer.replay(FLOWS[0].path, match="strict") as server:
        async with open_client(server.endpoint) as conn:
            await conn.session.update(session={"modalities": ["text"], "instructions": "Be long."})
            await until_closed(conn)
        assert len(server.mismatches) == 1
        reason = server.mismatches[0].reason
        server.mismatches.clear()
    assert reason == '\'session.instructions\' is "Be long.", the recording has "Be brief."'


async def test_type_matching_accepts_different_content() -> None:
    async with (
        MockServer.replay(FLOWS[0].path, match="type") as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.session.update(session={"modalities": ["text"], "instructions": "Other."})
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Hi"}],
            }
        )
        await conn.response.create()
        events = await collect(conn)
    assert events[-1].response.status == "completed"


async def test_callable_matcher() -> None:
    seen: list[tuple[Any, Any]] = []

    def matcher(expected: Any, got: Any) -> bool:
        seen.append((expected, got))
        return bool(expected["type"] == got["type"])

    async with (
        MockServer.replay(FLOWS[0].path, match=matcher) as server,
        open_client(server.endpoint) as conn,
    ):
        result = await text_turn(conn)
    assert result["text"] == "You said: Hello!"
    assert [e["type"] for e, _ in seen] == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]

    async with MockServer.replay(FLOWS[0].path, match=lambda e, g: False) as server:
        async with open_client(server.endpoint) as conn:
            await conn.session.update(session={})
            await until_closed(conn)
        assert server.mismatches[0].reason == "the custom matcher said no"
        server.mismatches.clear()


async def test_app_closing_early_is_a_mismatch() -> None:
    with pytest.raises(CassetteMismatchError, match="expects 3 more client frame"):
        async with MockServer.replay(FLOWS[0].path) as server, open_client(server.endpoint):
            pass


async def test_frames_after_the_end_of_the_recording_are_a_mismatch() -> None:
    short = Cassette(
        frames=[CassetteFrame("server", 0.0, text='{"type":"session.created","session":{}}')]
    )
    server = MockServer.replay(short)
    async with server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.response.create()
        _, closed = await until_closed(conn)
        with pytest.raises(CassetteMismatchError, match="no more client frames"):
            server.check()
        server.mismatches.clear()
    assert closed.code == 1011


async def test_replay_reproduces_server_close_and_binary_frames() -> None:
    cassette = Cassette(
        frames=[
            CassetteFrame("server", 0.0, data=b'{"type":"x.binary"}'),
            CassetteFrame("client", 0.1, text='{"type":"response.create"}'),
            CassetteFrame("server", 0.2, close_code=1001, close_reason="going away"),
        ]
    )
    async with MockServer.replay(cassette) as server, open_client(server.endpoint) as conn:
        first = await conn.recv()
        await conn.response.create()
        with pytest.raises(ConnectionClosedError) as info:
            await conn.recv()
    assert first.type == "voicelive.unknown"
    assert (info.value.code, info.value.reason) == (1001, "going away")
    drop = Cassette(frames=[CassetteFrame("server", 0.0, close_code=1006)])
    async with MockServer.replay(drop) as server, open_client(server.endpoint) as conn:
        with pytest.raises(ConnectionClosedError) as info:
            await conn.recv()
    assert info.value.code == 1006


def _gapped_cassette(scale: float) -> Cassette:
    """A client frame at 0.05 and two server frames 0.30 and 0.50 after it, times ``scale``."""
    return Cassette(
        frames=[
            CassetteFrame("server", 0.0, text='{"type":"session.created","session":{}}'),
            CassetteFrame("client", 0.05 * scale, text='{"type":"response.create"}'),
            CassetteFrame("server", 0.35 * scale, text='{"type":"input_audio_buffer.cleared"}'),
            CassetteFrame("server", 0.55 * scale, text='{"type":"input_audio_buffer.cleared"}'),
        ]
    )


async def _replay_after_slow_app(cassette: Cassette, timing: Any, limit: float) -> float:
    """Seconds (loop clock) from the app's client frame to the last server frame."""
    async with (
        MockServer.replay(cassette, timing=timing) as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.recv()
        await asyncio.sleep(0.1)  # the app is slower than in the recording
        loop = asyncio.get_running_loop()
        started = loop.time()
        await conn.response.create()
        await asyncio.wait_for(conn.recv(), limit)
        await asyncio.wait_for(conn.recv(), limit)
        return loop.time() - started


async def test_real_timing_reproduces_gaps() -> None:
    # Gaps are measured from the client frame the server waited for: 0.5 s after it, not
    # 0.5 s after the start (which the app's 0.1 s delay would shorten). Lower bound only:
    # a timer never fires early, and an upper bound would measure the machine's load.
    assert await _replay_after_slow_app(_gapped_cassette(1.0), "real", 30) >= 0.45


async def test_fast_timing_ignores_gaps() -> None:
    # Gaps of 30 s and 50 s: a replay that waited for them would trip the 20 s limit.
    await _replay_after_slow_app(_gapped_cassette(100.0), "fast", 20)


async def test_every_connection_replays_from_the_start() -> None:
    async with MockServer.replay(FLOWS[0].path, match="strict") as server:
        for _ in range(2):
            async with open_client(server.endpoint) as conn:
                assert (await text_turn(conn))["text"] == "You said: Hello!"


def test_replay_arguments_are_validated() -> None:
    with pytest.raises(ValueError, match="timing"):
        MockServer.replay(FLOWS[0].path, timing="slow")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="match"):
        MockServer.replay(FLOWS[0].path, match="loose")  # type: ignore[arg-type]


async def test_record_then_replay_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "round.jsonl"
    async with (
        MockServer() as upstream,
        record(
            path, endpoint=upstream.endpoint, credential=AzureKeyCredential("k"), model="m"
        ) as conn,
    ):
        live = await text_turn(conn)
    async with (
        MockServer.replay(path, match="strict") as server,
        open_client(server.endpoint, model="m") as conn,
    ):
        replayed = await text_turn(conn)
    assert live == replayed
    assert types(server.connections[0].received) == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]
