"""Turn/response state machine edge cases, over real loopback connections.

Each test scripts the server side with a ``MockServer`` handler (server frames in an exact
order, waiting for a client event where the order of client sends and server frames matters)
and reads the real client connection with ``async for``, so the telemetry observer sees the
frames, sends and close exactly as ``connect()`` delivers them.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from azure.core.credentials import AzureKeyCredential
from opentelemetry.trace import StatusCode
from telemetry_support import (
    API_KEY,
    MODEL,
    Otel,
    attrs,
    audio_delta,
    children,
    otel,
    response_created,
    response_done,
    session_created,
    speech_started,
    speech_stopped,
    text_delta,
    user_audio_item,
)

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.testing import MockServer, MockServerConnection, ServerHandler

__all__ = ["otel"]

KEY = AzureKeyCredential(API_KEY)

Step = Mapping[str, Any] | str
"""A scripted server step: a server frame to send, or the type of a client event to await."""
ClientScript = Callable[[VoiceLiveConnection], Awaitable[None]]


def _script(*steps: Step, close: bool = True) -> ServerHandler:
    """A handler that plays ``steps`` in order, then closes normally (1000).

    A ``str`` step waits for the next client event and checks its type, so server frames
    that answer a client event always leave after the client sent it. With ``close=False``
    the handler keeps reading until the client closes instead.
    """

    async def handler(conn: MockServerConnection) -> None:
        for step in steps:
            if isinstance(step, str):
                event = await conn.recv()
                assert event.type == step, (event.type, step)
            else:
                await conn.send(step)
        if close:
            await conn.close(1000)
        else:
            async for _ in conn:
                pass

    return handler


async def _session(server: MockServer, client: ClientScript | None = None, **kwargs: Any) -> None:
    """One real connection to ``server``: read every event with ``async for`` until the
    server closes; ``client`` runs once, right after ``session.created`` was observed."""
    options: dict[str, Any] = {"model": MODEL, **kwargs}
    async with connect(endpoint=server.endpoint, credential=KEY, **options) as conn:
        async for event in conn:
            assert not event.type.startswith("voicelive."), event  # decoded, not a fallback
            if event.type == "session.created" and client is not None:
                await client(conn)


async def _run(handler: ServerHandler, client: ClientScript | None = None) -> MockServer:
    async with MockServer(handler) as server:
        await _session(server, client)
    return server


def _client_bytes(server: MockServer) -> int:
    """Size of every client frame the server received, over all its connections."""
    return sum(len(frame) for conn in server.connections for frame in conn.received_frames)


async def test_speech_without_response_is_superseded(otel: Otel) -> None:
    server = await _run(
        _script(
            session_created(),
            speech_started("a"),
            speech_stopped("a"),
            speech_started("b"),
            speech_stopped("b"),
            user_audio_item("b"),
            response_created("r"),
            response_done("r"),
        )
    )
    first, second = sorted(otel.by_op("turn"), key=lambda s: attrs(s)["voicelive.turn.index"])
    assert attrs(first)["voicelive.turn.outcome"] == "superseded"
    assert attrs(first)["voicelive.turn.responses"] == 0
    assert attrs(second)["voicelive.turn.outcome"] == "completed"
    assert "voicelive.turn.barge_in" not in attrs(second)  # no response was active
    assert attrs(otel.one("realtime"))["server.address"] == server.host == "127.0.0.1"


async def test_response_without_a_turn_is_a_child_of_the_session(otel: Otel) -> None:
    await _run(
        _script(
            session_created(),
            response_created("greeting"),
            text_delta("greeting", "Hi"),
            response_done("greeting"),
        )
    )
    session, response = otel.one("realtime"), otel.one("chat")
    assert children(session, otel.spans()) == [response]
    assert otel.by_op("turn") == []


async def test_observed_from_the_middle_of_a_response(otel: Otel) -> None:
    await _run(
        _script(
            session_created(),
            audio_delta("r0", 0),  # unknown response: ignored
            text_delta("r0", "x"),
            response_done("r0"),
        )
    )
    response = otel.one("chat")
    assert attrs(response)["gen_ai.response.id"] == "r0"
    assert attrs(response)["voicelive.response.audio_bytes"] == 0


async def test_turn_based_audio_input(otel: Otel) -> None:
    async def client(conn: VoiceLiveConnection) -> None:
        await conn.input_audio.turn.start(turn_id="t1")
        await conn.input_audio.turn.append(turn_id="t1", audio=bytes(5000))
        await conn.input_audio.turn.end(turn_id="t1")

    server = await _run(
        _script(
            session_created(),
            "input_audio.turn.start",
            "input_audio.turn.append",
            "input_audio.turn.end",
            response_created("r"),
            audio_delta("r", 0),
            response_done("r"),
        ),
        client,
    )
    turn = otel.one("turn")
    assert attrs(turn)["voicelive.turn.trigger"] == "input_audio.turn"
    assert attrs(turn)["voicelive.turn.latency_to_first_audio"] >= 0
    otel.collect()
    sent = _client_bytes(server)
    assert sent > 5000 * 4 // 3  # the base64 audio plus the three events' JSON
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == sent


async def test_transcription_failure_is_recorded_on_the_turn(otel: Otel) -> None:
    await _run(
        _script(
            session_created(),
            speech_started("a"),
            {
                "type": "conversation.item.input_audio_transcription.failed",
                "event_id": "ev_tf_a",
                "item_id": "a",
                "content_index": 0,
                "error": {"type": "transcription_error", "message": "audio unintelligible"},
            },
        )
    )
    turn = otel.one("turn")
    (event,) = turn.events
    assert event.name == "exception"
    assert (event.attributes or {})[
        "exception.type"
    ] == "voicelive.transcription.transcription_error"
    assert attrs(turn)["voicelive.turn.outcome"] == "closed"
    assert turn.status.status_code is StatusCode.UNSET  # normal close
    assert attrs(otel.one("realtime"))["voicelive.close.code"] == 1000


async def test_unanswered_function_call_turn_is_abandoned(otel: Otel) -> None:
    async def client(conn: VoiceLiveConnection) -> None:
        await conn.response.create()

    await _run(
        _script(
            session_created(),
            "response.create",
            response_created("r1"),
            response_done(
                "r1",
                output=[
                    {
                        "type": "function_call",
                        "id": "fc",
                        "name": "lookup",
                        "call_id": "c1",
                        "arguments": "{}",
                        "status": "completed",
                    }
                ],
            ),
            speech_started("b"),  # the user speaks before the tool result is sent
        ),
        client,
    )
    first, second = sorted(otel.by_op("turn"), key=lambda s: attrs(s)["voicelive.turn.index"])
    assert attrs(first)["voicelive.turn.outcome"] == "abandoned"
    assert attrs(second)["voicelive.turn.outcome"] == "closed"


async def test_connection_collected_without_close_still_ends_its_spans(otel: Otel) -> None:
    async with MockServer(_script(session_created(), speech_started("a"), close=False)) as server:
        # Our own aiohttp session: closing it below releases the socket of the connection
        # that is dropped without close().
        async with aiohttp.ClientSession() as http:
            conn = await connect(
                endpoint=server.endpoint, credential=KEY, model=MODEL, client_session=http
            )
            # recv() rather than async for: an abandoned async generator would keep the
            # connection alive until the event loop finalizes it.
            assert (await conn.recv()).type == "session.created"
            assert (await conn.recv()).type == "input_audio_buffer.speech_started"
            assert otel.by_op("turn") == []  # the turn is open
            del conn
            gc.collect()
            session = otel.one("realtime")
            assert "voicelive.close.code" not in attrs(session)
            assert attrs(otel.one("turn"))["voicelive.turn.outcome"] == "closed"
            otel.collect()
            assert otel.value("voicelive.sessions.active") == 0


async def test_closed_counts_survive_in_the_metrics(otel: Otel) -> None:
    async def client(conn: VoiceLiveConnection) -> None:
        await conn.session.update(session={"instructions": "Answer in one short sentence."})

    async with MockServer(_script(session_created(), "session.update")) as server:
        for _ in range(3):
            await _session(server, client)
    assert len(server.connections) == 3
    otel.collect()
    assert otel.value("voicelive.events", voicelive__event__type="session.created") == 3
    assert otel.value("voicelive.events", voicelive__event__type="session.update") == 3
    sent = _client_bytes(server)
    assert sent == 3 * len(server.connections[0].received_frames[0])
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == sent


async def test_counts_of_open_connections_are_collected(otel: Otel) -> None:
    while_open: dict[str, float] = {}

    async def client(conn: VoiceLiveConnection) -> None:
        await conn.session.update(session={"instructions": "Be brief."})
        otel.collect()
        while_open["active"] = otel.value("voicelive.sessions.active")
        while_open["created"] = otel.value(
            "voicelive.events", voicelive__event__type="session.created"
        )
        while_open["bytes"] = otel.value("voicelive.bytes", network__io__direction="transmit")
        await conn.response.create()

    server = await _run(_script(session_created(), "session.update", "response.create"), client)
    update, create = server.connections[0].received_frames
    assert while_open == {"active": 1, "created": 1, "bytes": len(update)}
    otel.collect()  # cumulative: the closed connection's counts are kept
    assert otel.value("voicelive.sessions.active") == 0
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == len(update) + len(
        create
    )
    assert otel.value("voicelive.events", voicelive__event__type="response.create") == 1


async def test_agent_mode_names_spans_after_the_agent(otel: Otel) -> None:
    async with MockServer(_script(session_created())) as server:
        await _session(server, model=None, agent_name="my-agent", project_name="my-project")
    assert server.connections[0].query["agent-name"] == "my-agent"
    assert "model" not in server.connections[0].query
    session = otel.one("realtime")
    assert session.name == "realtime my-agent"
    assert attrs(session)["voicelive.agent.name"] == "my-agent"
    assert "gen_ai.request.model" not in attrs(session)
