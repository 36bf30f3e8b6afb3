"""ResilientConnection: reconnect with backoff, restore, notify; fatal cases stop it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from conversation_support import created, send_json, session_dict

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import PCM16_24K
from voicelive.conversation import (
    Disconnected,
    Reconnected,
    ReconnectFailedError,
    ReconnectPolicy,
    ResilientConnection,
    connect_resilient,
)
from voicelive.exceptions import AuthenticationError, ConnectionClosedError
from voicelive.models import (
    ClientEventConversationItemCreate,
    ClientEventSessionUpdate,
    ServerEvent,
)
from voicelive.testing import (
    Fault,
    FunctionCall,
    MockServer,
    MockServerConnection,
    Reply,
    ScriptedResponder,
    synthesize_speech,
)

KEY = AzureKeyCredential("k")


class Sleeps:
    """Injected sleep: records the delays, returns at once (or waits for a gate)."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.gate: asyncio.Event | None = None

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.gate is not None:
            await self.gate.wait()


def resilient(
    server: MockServer, sleeps: Sleeps | None = None, **kwargs: Any
) -> ResilientConnection:
    return connect_resilient(
        endpoint=server.endpoint,
        credential=KEY,
        model="gpt-realtime",
        sleep=sleeps or Sleeps(),
        random=lambda: 0.5,
        **kwargs,
    )


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def collect_until(conn: ResilientConnection, stop: Any, limit: float = 10) -> list[Any]:
    events: list[Any] = []

    async def run() -> None:
        async for event in conn:
            events.append(event)
            if stop(event):
                return

    await asyncio.wait_for(run(), limit)
    return events


def wire_types(frames: list[str]) -> list[str]:
    return [json.loads(frame)["type"] for frame in frames]


def test_backoff_policy_is_deterministic_with_injected_random() -> None:
    policy = ReconnectPolicy(base_delay=0.5, multiplier=2, max_delay=3, jitter=1.0)
    assert [policy.delay(n, 0.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert [policy.delay(n, 0.5) for n in range(1, 4)] == [0.25, 0.5, 1.0]
    assert ReconnectPolicy(jitter=0).delay(1, 0.9) == 0.5


async def test_drop_mid_response_reconnects_restores_and_resumes() -> None:
    faults = [Fault.drop().after("response.audio_transcript.delta", count=2)]
    sleeps = Sleeps()
    disconnects: list[Disconnected] = []
    notices: list[Reconnected] = []
    async with MockServer(faults=faults, emulator_options={"ms_per_char": 5}) as server:
        async with resilient(
            server,
            sleeps,
            session={"instructions": "be brief", "turn_detection": None},
        ) as conn:
            conn.on_disconnect.append(disconnects.append)

            async def async_hook(notice: Reconnected) -> None:
                notices.append(notice)

            conn.on_reconnect.append(async_hook)
            await conn.session.update(session={"voice": "alloy"})  # merged into the restore
            await conn.conversation.item.create(item=user_text("tell me a story"), wait=True)
            await conn.response.create()
            events = await collect_until(
                conn, lambda e: e.type == "response.done" and e.response.status == "completed"
            )
        first, second = server.connections
        # every event the first connection sent before the drop was delivered once, in order
        types = [e.type for e in events]
        cut = types.index("voicelive.reconnected")
        before = wire_types(first.sent)
        assert types[:cut] == before
        assert types.count("session.created") == 1  # restore handshake is not delivered
        notice = events[cut]
        assert isinstance(notice, Reconnected)
        assert notice.state_restored
        assert notice.resumed_response
        assert notice.restored_items == 1
        assert [lost.role for lost in notice.lost] == ["assistant"]  # the cut-off answer
        assert notice.close_code == 1006
        assert notice.attempt == 1
        assert notices == [notice]
        assert disconnects[0].will_retry
        assert sleeps.delays == [0.25]
        # the new connection got the merged configuration, then the item, then the response
        restored = second.received
        assert isinstance(restored[0], ClientEventSessionUpdate)
        assert restored[0].session.instructions == "be brief"
        assert restored[0].session.voice == "alloy"
        assert restored[0].session.turn_detection is None
        assert "turn_detection" in restored[0].session.model_fields_set
        assert isinstance(restored[1], ClientEventConversationItemCreate)
        assert [e.type for e in restored[2:]] == ["response.create"]
        # transcript: no half answer, the resumed full answer
        assert conn.transcript.lines() == [
            "user: tell me a story",
            "assistant: You said: tell me a story",
        ]


async def test_restore_of_audio_function_calls_and_what_is_lost() -> None:
    responder = ScriptedResponder(
        [
            Reply(text="checking", function_call=FunctionCall("lookup", {"q": "x"})),
            "found it",
            "after reconnect",
        ]
    )
    faults = [Fault.close(1011).after("conversation.item.created", count=6)]
    async with MockServer(
        responder=responder, faults=faults, emulator_options={"ms_per_char": 5}
    ) as server:
        async with resilient(
            server,
            session={
                "turn_detection": None,
                "input_audio_transcription": {"model": "whisper-1"},
                "tools": [{"type": "function", "name": "lookup"}],
            },
        ) as conn:
            speech, _ = synthesize_speech("look it up", PCM16_24K)
            await conn.input_audio_buffer.append(audio=speech)
            committed = await conn.input_audio_buffer.commit(wait=True)
            await conn.wait_for(
                "conversation.item.input_audio_transcription.completed",
                predicate=lambda e: getattr(e, "item_id", None) == committed.item_id,
            )
            done = conn.expect("response.done")
            await conn.response.create()
            await conn.wait_future(done, timeout=5)
            await conn.conversation.item.create(
                item={"type": "function_call_output", "call_id": "call_0001", "output": "42"},
                wait=True,
            )
            done = conn.expect("response.done")
            await conn.response.create()
            await conn.wait_future(done, timeout=5)
            # a second user turn whose transcription is turned off: cannot be restored
            await conn.session.update(session={"input_audio_transcription": None}, wait=True)
            await conn.input_audio_buffer.append(audio=speech)
            await conn.input_audio_buffer.commit()  # its item is the 6th: then close 1011
            events = await collect_until(conn, lambda e: e.type == "voicelive.reconnected")
        notice = events[-1]
        assert isinstance(notice, Reconnected)
        assert not notice.state_restored  # the untranscribed audio is lost
        assert [(lost.role, lost.reason) for lost in notice.lost] == [
            ("user", "audio without a transcript cannot be re-created")
        ]
        restored = [
            e.item
            for e in server.connections[1].received
            if isinstance(e, ClientEventConversationItemCreate)
        ]
        kinds = [(i.type, getattr(i, "role", None)) for i in restored]  # type: ignore[union-attr]
        assert kinds == [
            ("message", "user"),
            ("message", "assistant"),
            ("function_call", None),
            ("function_call_output", None),
            ("message", "assistant"),
        ]
        assert restored[0].content[0].type == "input_text"  # type: ignore[union-attr]
        assert restored[2].call_id == "call_0001"  # type: ignore[union-attr]
        assert notice.item_ids  # old -> new ids
        assert set(notice.item_ids.values()) == {i.id for i in conn.transcript.items}


async def test_fatal_close_code_is_not_retried() -> None:
    faults = [Fault.close(1008, "policy").after_client("response.create")]
    disconnects: list[Disconnected] = []
    async with MockServer(faults=faults) as server:
        async with resilient(server) as conn:
            conn.on_disconnect.append(disconnects.append)
            await conn.response.create()
            with pytest.raises(ConnectionClosedError) as info:
                await collect_until(conn, lambda e: False)
            assert info.value.code == 1008
            assert len(server.connections) == 1
            assert disconnects[0].will_retry is False
            assert conn.closed
            with pytest.raises(ConnectionClosedError):
                await conn.recv()
            with pytest.raises(ConnectionClosedError):
                await conn.response.create()


async def test_fatal_error_event_makes_the_following_close_fatal() -> None:
    async def handler(c: MockServerConnection) -> None:
        await send_json(c, created())
        await send_json(
            c,
            {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "code": "insufficient_quota",
                    "message": "quota",
                },
            },
        )
        await c.close(1011)

    async with MockServer(handler) as server:
        async with resilient(server) as conn:
            with pytest.raises(ConnectionClosedError) as info:
                await collect_until(conn, lambda e: False)
            assert "quota" in str(info.value)
            assert len(server.connections) == 1


async def test_authentication_failure_on_reconnect_stops() -> None:
    faults = [Fault.drop().after("session.created")]
    async with MockServer(api_key="right", faults=faults) as server:
        keys = iter(["right", "wrong"])

        def factory() -> Any:
            return connect(endpoint=server.endpoint, credential=AzureKeyCredential(next(keys)))

        sleeps = Sleeps()
        async with ResilientConnection(factory, sleep=sleeps) as conn:
            with pytest.raises(AuthenticationError):
                await collect_until(conn, lambda e: False)
            assert len(sleeps.delays) == 1  # one attempt, no retry after 401


async def test_retry_budget_exhausted() -> None:
    calls = 0
    server = MockServer(faults=[Fault.drop().after("session.created")])
    await server.start()
    endpoint = server.endpoint

    async def factory() -> VoiceLiveConnection:
        nonlocal calls
        calls += 1
        if calls == 2:
            await server.stop()  # nobody listens any more
        return await connect(endpoint=endpoint, credential=KEY)

    sleeps = Sleeps()
    policy = ReconnectPolicy(max_attempts=3, base_delay=1, multiplier=3, jitter=0)
    try:
        async with ResilientConnection(factory, policy=policy, sleep=sleeps) as conn:
            with pytest.raises(ReconnectFailedError) as info:
                await collect_until(conn, lambda e: False)
            assert info.value.attempts == 3
            assert sleeps.delays == [1, 3, 9]
            assert info.value.last_error is not None
    finally:
        await server.stop()


async def test_first_connect_retries_transient_failures() -> None:
    async with MockServer() as server:
        attempts = 0

        async def flaky() -> VoiceLiveConnection:
            nonlocal attempts
            attempts += 1
            if attempts < 3:
                raise OSError("connection refused")
            return await connect(endpoint=server.endpoint, credential=KEY)

        sleeps = Sleeps()
        async with ResilientConnection(flaky, sleep=sleeps) as conn:
            assert conn.connected
            assert attempts == 3
            assert len(sleeps.delays) == 2
            assert (await conn.recv()).type == "session.created"


async def test_session_expired_error_recycles_and_server_close_1000_ends() -> None:
    async def handler(c: MockServerConnection) -> None:
        await send_json(c, created(session_dict(id=f"sess_{len(server.connections)}")))
        if len(server.connections) == 1:
            await send_json(
                c,
                {
                    "type": "response.text.delta",
                    "response_id": "r",
                    "item_id": "i",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": "before",
                },
            )
            await send_json(
                c,
                {
                    "type": "error",
                    "error": {
                        "type": "invalid_request_error",
                        "code": "session_expired",
                        "message": "max duration",
                    },
                },
            )
        else:
            async for event in c:
                if event.type == "response.create":
                    await c.close(1000)
        async for _ in c:
            pass

    server = MockServer(handler)
    async with server:
        async with resilient(server) as conn:
            events = await collect_until(conn, lambda e: e.type == "voicelive.reconnected")
            assert [e.type for e in events] == [
                "session.created",
                "response.text.delta",
                "error",
                "voicelive.reconnected",
            ]
            assert events[-1].session.id == "sess_2"
            assert events[-1].close_code is None
            await conn.response.create()
            rest = [e async for e in conn]  # the server ends normally: iteration ends
            assert rest == []
            assert len(server.connections) == 2


async def test_recycle_before_expires_at() -> None:
    async with MockServer(emulator_options={"session_lifetime_s": 2}) as server:
        async with resilient(server, recycle_before=1.8) as conn:
            events = await collect_until(conn, lambda e: e.type == "voicelive.reconnected", limit=5)
            notice = events[-1]
            assert notice.recycled
            assert "expires_at" in notice.reason
            assert notice.state_restored
            assert [e.type for e in events] == ["session.created", "voicelive.reconnected"]
            await asyncio.sleep(0.1)
            assert server.connections[0].closed
            assert conn.connection is not None
            item = await conn.conversation.item.create(item=user_text("still here"), wait=True)
            assert item.id


async def test_sends_wait_for_reconnect_and_appends_are_dropped() -> None:
    async with MockServer(faults=[Fault.drop().after("session.updated")]) as server:
        sleeps = Sleeps()
        sleeps.gate = asyncio.Event()
        async with resilient(server, sleeps, session={"turn_detection": None}) as conn:
            reader = asyncio.create_task(collect_until(conn, lambda e: e.type == "response.done"))
            while not sleeps.delays:  # the reader found the drop and is backing off
                await asyncio.sleep(0.01)
            assert not conn.connected
            await conn.input_audio_buffer.append(audio=bytes(960))
            assert conn.dropped_appends == 1
            create = asyncio.create_task(conn.response.create())
            await asyncio.sleep(0.05)
            assert not create.done()
            sleeps.gate.set()
            await asyncio.wait_for(create, 5)
            events = await reader
            assert "voicelive.reconnected" in [e.type for e in events]
            assert [e.type for e in server.connections[1].received][-1] == "response.create"


async def test_normal_close_and_explicit_close_end_iteration() -> None:
    async with MockServer(faults=[Fault.close(1000).after("session.created")]) as server:
        async with resilient(server) as conn:
            assert [e.type async for e in conn] == ["session.created"]
            assert len(server.connections) == 1
    async with MockServer() as server:
        conn = await resilient(server).open()
        assert await conn.open() is conn
        await conn.close()
        assert [e async for e in conn] == []
        assert "closed" in repr(conn)


async def test_max_reconnects_budget_and_send_timeout() -> None:
    faults = [Fault.drop().after("session.created").every_connection()]
    async with MockServer(faults=faults) as server:
        policy = ReconnectPolicy(max_reconnects=1)
        async with resilient(server, policy=policy) as conn:
            with pytest.raises(ReconnectFailedError, match="budget"):
                await collect_until(conn, lambda e: False)
            assert len(server.connections) == 2


async def test_wait_for_expect_and_attribute_passthrough() -> None:
    async with MockServer() as server:
        async with resilient(server) as conn:
            seen: list[ServerEvent] = []
            conn.add_event_observer(seen.append)
            updated = await conn.session.update(session={"instructions": "x"}, wait=True)
            assert updated.instructions == "x"
            assert conn.session_config.instructions == "x"
            assert (await conn.wait_for("session.created")).type == "session.created"
            assert conn.input_audio_format == PCM16_24K  # from the current connection
            assert conn.protocol.session is not None
            assert {e.type for e in seen} >= {"session.created", "session.updated"}
            await conn.send({"type": "session.update", "session": {"voice": "echo"}})
            assert conn.session_config.voice == "echo"
            assert "open" in repr(conn)
    with pytest.raises(RuntimeError, match="not open"):
        ResilientConnection(lambda: connect(endpoint="http://x", credential=KEY)).connection  # noqa: B018


async def test_recycles_again_before_the_new_session_expires() -> None:
    sessions = 0

    def clock() -> float:  # each new session lives one second longer than the previous one
        nonlocal sessions
        sessions += 1
        return time.time() + sessions - 1

    options = {"session_lifetime_s": 2, "clock": clock}
    async with MockServer(emulator_options=options) as server:
        async with resilient(server, recycle_before=1.8) as conn:
            events = await collect_until(
                conn, lambda e: e.type == "voicelive.reconnected" and e.reconnects == 2, limit=5
            )
            assert [e.type for e in events].count("voicelive.reconnected") == 2
            await asyncio.sleep(0.1)
            assert server.connections[0].closed
            assert server.connections[1].closed
            assert not server.connections[2].closed


async def test_a_session_expiring_sooner_than_recycle_before_is_not_churned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with MockServer(emulator_options={"session_lifetime_s": 1}) as server:
        with caplog.at_level(logging.WARNING, logger="voicelive"):
            async with resilient(server, recycle_before=30) as conn:
                events = await collect_until(conn, lambda e: e.type == "voicelive.reconnected")
                assert events[-1].recycled  # the first one is replaced once...
                await asyncio.sleep(0.1)
        assert "not recycling" in caplog.text  # ...but not its equally short-lived successor
        assert len(server.connections) == 2


def test_connect_resilient_takes_exactly_the_resilient_connection_options() -> None:
    """connect_resilient's own keywords are ResilientConnection's, with the same defaults, so
    none of them can be forwarded to connect() by mistake (send_timeout once was)."""
    import inspect

    def options(func: Any) -> dict[str, Any]:
        return {
            name: parameter.default
            for name, parameter in inspect.signature(func).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        }

    mine = options(connect_resilient)
    theirs = options(ResilientConnection.__init__)
    assert mine == theirs
    assert "send_timeout" in mine
    assert "clock" in mine


async def test_connect_resilient_passes_every_option_to_the_connection() -> None:
    policy = ReconnectPolicy(max_attempts=2)
    ticks = iter(range(1_000_000))
    async with MockServer() as server:
        conn = resilient(
            server,
            send_timeout=1.5,
            policy=policy,
            restore_items=False,
            resume_response=False,
            recycle_before=None,
            on_mismatch="ignore",
            clock=lambda: float(next(ticks)),
        )
        assert conn.send_timeout == 1.5
        assert conn.policy is policy
        assert conn.restore_items is False
        assert conn.resume_response is False
        assert conn.recycle_before is None
        assert conn.on_mismatch == "ignore"
        async with conn:
            await conn.session.update(session={"instructions": "hi"}, wait=True)
        assert next(ticks) > 0  # the injected clock was the one used
