"""Every fault, against the real client over loopback."""

from __future__ import annotations

import asyncio
import time

import pytest
from testing_helpers import collect, of_type, open_client, types

from voicelive.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    MalformedFrameError,
    MessageTooLargeError,
)
from voicelive.models import ServerEventSessionCreated, UnknownServerEvent
from voicelive.testing import Fault, MockServer, MockServerConnection


@pytest.mark.parametrize("code", [1000, 1001, 1011])
async def test_close_with_code_after_the_nth_server_event(code: int) -> None:
    async with MockServer(
        faults=[Fault.close(code).after("response.audio.delta", count=3)]
    ) as server:
        async with open_client(server.endpoint) as conn:
            await conn.response.create()
            events = []
            error: BaseException | None = None
            try:
                async for event in conn:
                    events.append(event)
            except ConnectionClosedError as exc:
                error = exc
    assert len(of_type(events, "response.audio.delta")) == 3
    assert types(events)[-1] == "response.audio.delta"
    if code == 1000:
        assert error is None
        assert conn.close_code == 1000
    else:
        assert isinstance(error, ConnectionClosedError)
        assert error.code == code
    assert [f.describe() for _, f in server.faults_fired] == [
        f"close({code}) after 3rd response.audio.delta"
    ]


@pytest.mark.parametrize("fault", [Fault.close(1006), Fault.drop()], ids=["close-1006", "drop"])
async def test_drop_the_tcp_connection(fault: Fault) -> None:
    async with (
        MockServer(faults=[fault.after("session.created")]) as server,
        open_client(server.endpoint) as conn,
    ):
        assert isinstance(await conn.recv(), ServerEventSessionCreated)
        with pytest.raises(ConnectionClosedError) as info:
            await conn.recv()
    assert info.value.code == 1006


async def test_drop_after_the_nth_client_event() -> None:
    async with MockServer(
        faults=[Fault.drop().after_client("input_audio_buffer.append", 5)]
    ) as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()

            async def stream() -> None:
                for _ in range(50):
                    await conn.input_audio_buffer.append(audio=b"\x00\x00" * 480)
                    await asyncio.sleep(0.001)
                await conn.recv()

            with pytest.raises(ConnectionClosedError) as info:
                await stream()
    assert info.value.code == 1006
    assert len(server.connections[0].received) == 5


async def test_stall_before_an_event() -> None:
    async with (
        MockServer(faults=[Fault.stall(300).before("response.done")]) as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.recv()
        # Timed from before the request that leads to the stall: the server's 300 ms lie
        # inside this interval whatever the scheduling. (Timed from the client's reading of
        # response.text.done, a client scheduled late has already lived part of them.)
        started = time.perf_counter()
        await conn.response.create(response={"modalities": ["text"]})
        events = await collect(conn)
        assert time.perf_counter() - started >= 0.299
        types = [e.type for e in events]
        assert "response.text.done" in types
        assert types[-1] == "response.done"


async def test_stall_on_connect_delays_session_created() -> None:
    async with MockServer(faults=[Fault.stall(200)]) as server:
        started = time.perf_counter()
        async with open_client(server.endpoint) as conn:
            await conn.recv()
        assert time.perf_counter() - started >= 0.19


async def test_malformed_json_unknown_event_binary_and_ping_on_connect() -> None:
    faults = [
        Fault.malformed_json(),
        Fault.unknown_event("brand.new", detail=1),
        Fault.binary_frame(),
        Fault.binary_frame(b"\xff\xfe"),
        Fault.ping(b"hi"),
    ]
    async with MockServer(faults=faults) as server, open_client(server.endpoint) as conn:
        with pytest.raises(MalformedFrameError):
            await conn.recv()
        unknown = await conn.recv()
        binary = await conn.recv()
        with pytest.raises(MalformedFrameError):
            await conn.recv()
        created = await conn.recv()  # the ping was answered silently
    assert isinstance(unknown, UnknownServerEvent)
    assert unknown.raw_type == "brand.new"
    assert unknown.raw["detail"] == 1
    assert isinstance(binary, UnknownServerEvent)
    assert binary.raw_type == "voicelive.emulator.binary"
    assert isinstance(created, ServerEventSessionCreated)


async def test_oversize_frame() -> None:
    async with MockServer(faults=[Fault.oversize(2000).after("session.created")]) as server:
        async with open_client(server.endpoint, connection_options={"max_msg_size": 1000}) as conn:
            await conn.recv()
            with pytest.raises(MessageTooLargeError):
                await conn.recv()
    assert len(Fault.oversize(5000).frame) == 5000
    assert len(Fault.oversize().frame) == 4 * 1024 * 1024 + 1


async def test_inject_any_frame() -> None:
    error = {
        "type": "error",
        "error": {"type": "server_error", "code": "overloaded", "message": "busy"},
    }
    async with MockServer(faults=[Fault.inject(error).after_client("response.create")]) as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()
            await conn.response.create()
            event = await conn.recv()
    assert event.type == "error"
    assert event.error.code == "overloaded"


async def test_fault_fires_once_per_server_unless_every_connection() -> None:
    async with MockServer(faults=[Fault.close(1011).after("session.created")]) as server:
        async with open_client(server.endpoint) as first:
            await first.recv()
            with pytest.raises(ConnectionClosedError):
                await first.recv()
        async with open_client(server.endpoint) as second:  # a reconnect finds a healthy server
            await second.recv()
            await second.session.update(session={"instructions": "x"})
            assert (await second.recv()).type == "session.updated"
    async with MockServer(
        faults=[Fault.close(1001).after("session.created").every_connection()]
    ) as server:
        for _ in range(2):
            async with open_client(server.endpoint) as conn:
                await conn.recv()
                with pytest.raises(ConnectionClosedError) as info:
                    await conn.recv()
                assert info.value.code == 1001
    assert len(server.faults_fired) == 2


async def test_wildcard_and_before_triggers() -> None:
    fault = Fault.inject({"type": "warning", "warning": {"message": "heads up"}}).before("*", 2)
    async with MockServer(faults=[fault]) as server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"instructions": "x"})
        events = [await conn.recv() for _ in range(3)]
    assert types(events) == ["session.created", "warning", "session.updated"]


async def test_faults_apply_to_custom_handlers() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send({"type": "session.created", "session": {}})
        await conn.send_raw(
            '{"type": "response.text.delta", "response_id": "r", "item_id": "i", "output_index": 0, "content_index": 0, "delta": "a"}'
        )
        async for _ in conn:
            pass

    async with MockServer(
        handler, faults=[Fault.close(1000).after("response.text.delta")]
    ) as server:
        async with open_client(server.endpoint) as conn:
            events = [event async for event in conn]
    assert types(events) == ["session.created", "response.text.delta"]


async def test_close_on_connect_never_runs_the_handler() -> None:
    async with MockServer(faults=[Fault.close(1008, "go away")]) as server:
        async with open_client(server.endpoint) as conn:
            with pytest.raises(ConnectionClosedError) as info:
                await conn.recv()
    assert (info.value.code, info.value.reason) == (1008, "go away")
    assert server.connections[0].emulator is None


async def test_normal_close_on_connect_ends_iteration_quietly() -> None:
    async with (
        MockServer(faults=[Fault.close(1000)]) as server,
        open_client(server.endpoint) as conn,
    ):
        assert [event async for event in conn] == []
        with pytest.raises(ConnectionClosedOK):
            await conn.recv()


def test_fault_validation_and_descriptions() -> None:
    with pytest.raises(ValueError, match="count"):
        Fault.drop().after("x", 0)
    with pytest.raises(ValueError, match="negative"):
        Fault.stall(-1)
    with pytest.raises(ValueError, match="oversize"):
        Fault.oversize(10)
    assert (
        Fault.stall(5).before("response.done", 2).describe()
        == "stall(5 ms) before 2nd response.done"
    )
    assert (
        Fault.ping().after_client("response.create").describe()
        == "ping() after client 1st response.create"
    )
    assert Fault.drop().after("x").on_connect().describe() == "drop() on connect"


async def test_drop_on_connect() -> None:
    async with MockServer(faults=[Fault.drop()]) as server, open_client(server.endpoint) as conn:
        with pytest.raises(ConnectionClosedError) as info:
            await conn.recv()
    assert info.value.code == 1006
    assert server.errors == []
