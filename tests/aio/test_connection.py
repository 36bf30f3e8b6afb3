"""Receiving: typed events, unknown/invalid/malformed frames, close codes, faults."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable

import pytest
from azure.core.credentials import AzureKeyCredential

from shared_support import text_frame
from voicelive.aio import ConnectionClosed, VoiceLiveConnection, connect
from voicelive.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    LocalProtocolError,
    MalformedFrameError,
    MessageTooLargeError,
    ReceiveTimeoutError,
    WaitTimeoutError,
)
from voicelive.models import (
    InvalidServerEvent,
    ServerEventError,
    ServerEventResponseAudioDelta,
    ServerEventResponseTextDelta,
    ServerEventSessionUpdated,
    UnknownServerEvent,
)
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("test-key")
AUDIO = bytes(range(256)) * 10


def audio_frame(i: int) -> str:
    return json.dumps(
        {
            "type": "response.audio.delta",
            "event_id": f"ev{i}",
            "response_id": "r",
            "item_id": "it",
            "output_index": 0,
            "content_index": 0,
            "delta": base64.b64encode(AUDIO).decode(),
        }
    )


Script = Callable[[MockServerConnection], Awaitable[None]]


async def run(script: Script, **options: object) -> tuple[list[object], BaseException | None]:
    """Serve ``script``, iterate the client with ``async for``; return events and the error."""
    events: list[object] = []
    error: BaseException | None = None

    async def handler(conn: MockServerConnection) -> None:
        await script(conn)
        await asyncio.sleep(0.05)

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, model="m", connection_options=options or None
        ) as client,
    ):
        try:
            async for event in client:
                events.append(event)
        except Exception as exc:
            error = exc
    return events, error


async def test_audio_delta_decodes_to_bytes_and_narrows() -> None:
    async def script(conn: MockServerConnection) -> None:
        await conn.send_raw(audio_frame(1))
        await conn.close(1000)

    events, error = await run(script)
    assert error is None
    (event,) = events
    assert isinstance(event, ServerEventResponseAudioDelta)
    assert event.delta == AUDIO
    assert event.event_id == "ev1"


async def test_unknown_type_and_extra_fields_are_delivered_not_raised() -> None:
    async def script(conn: MockServerConnection) -> None:
        await conn.send_raw(json.dumps({"type": "rate_limits.updatedX", "event_id": "u", "n": 1}))
        await conn.send_raw(text_frame(2, brand_new_field={"a": 1}))
        await conn.close(1000)

    events, error = await run(script)
    assert error is None
    unknown, text = events
    assert isinstance(unknown, UnknownServerEvent)
    assert unknown.raw_type == "rate_limits.updatedX"
    assert unknown.raw == {"type": "rate_limits.updatedX", "event_id": "u", "n": 1}
    assert isinstance(text, ServerEventResponseTextDelta)
    assert text.model_extra == {"brand_new_field": {"a": 1}}


async def test_known_type_with_bad_fields_becomes_invalid_event_and_loop_goes_on() -> None:
    async def script(conn: MockServerConnection) -> None:
        await conn.send_raw(json.dumps({"type": "response.text.delta", "delta": 5}))
        await conn.send_raw(text_frame(3))
        await conn.close(1000)

    events, error = await run(script)
    assert error is None
    invalid, text = events
    assert isinstance(invalid, InvalidServerEvent)
    assert invalid.raw_type == "response.text.delta"
    assert invalid.raw["delta"] == 5
    assert invalid.errors
    assert isinstance(text, ServerEventResponseTextDelta)


async def test_binary_json_frame_is_decoded_like_text() -> None:
    async def script(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(4).encode())
        await conn.close(1000)

    events, error = await run(script)
    assert error is None
    assert isinstance(events[0], ServerEventResponseTextDelta)


async def test_malformed_json_raises_typed_error_and_connection_stays_usable() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.send_raw("{not json")
        await conn.send_raw(b"\xff\xfe not utf8")
        await conn.send_raw("[1, 2]")
        await conn.send_raw(text_frame(2))
        await conn.close(1000)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            first = await client.recv()
            assert isinstance(first, ServerEventResponseTextDelta)
            for _ in range(3):
                with pytest.raises(MalformedFrameError):
                    await client.recv()
            last = await client.recv()
            assert isinstance(last, ServerEventResponseTextDelta)
            assert last.delta == "d2"
            with pytest.raises(ConnectionClosedOK):
                await client.recv()


async def test_ping_frames_are_never_errors() -> None:
    async def script(conn: MockServerConnection) -> None:
        await conn.ping(b"hi")
        await conn.send_raw(text_frame(1))
        await conn.ping()
        await conn.close(1000)

    events, error = await run(script)
    assert error is None
    assert len(events) == 1


async def test_oversize_frame_raises_after_earlier_events_are_delivered() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.send_raw(text_frame(2, padding="x" * 5000))
        await asyncio.sleep(0.1)

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"max_msg_size": 1000}
        ) as client,
    ):
        assert isinstance(await client.recv(), ServerEventResponseTextDelta)
        with pytest.raises(MessageTooLargeError, match="max_msg_size"):
            await client.recv()
        with pytest.raises(ConnectionClosedError) as closed:
            await client.recv()
        assert closed.value.code == 1009


@pytest.mark.parametrize("code", [1001, 1008, 1011, 4000])
async def test_abnormal_close_raises_from_iteration_after_all_events(code: int) -> None:
    async def script(conn: MockServerConnection) -> None:
        for i in range(5):
            await conn.send_raw(text_frame(i))
        await conn.close(code, "bye")

    events, error = await run(script)
    assert [e.delta for e in events] == [f"d{i}" for i in range(5)]  # type: ignore[attr-defined]
    assert isinstance(error, ConnectionClosedError)
    assert isinstance(error, ConnectionClosed)
    assert error.code == code
    assert error.reason == "bye"


async def test_normal_close_ends_iteration_quietly() -> None:
    async def script(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.close(1000)

    events, error = await run(script)
    assert error is None
    assert len(events) == 1


async def test_server_vanishing_mid_stream_is_1006_after_all_events() -> None:
    async def script(conn: MockServerConnection) -> None:
        for i in range(20):
            await conn.send_raw(audio_frame(i))
        await asyncio.sleep(0.05)
        conn.drop()

    events, error = await run(script)
    assert len(events) == 20
    assert [e.event_id for e in events] == [f"ev{i}" for i in range(20)]  # type: ignore[attr-defined]
    assert isinstance(error, ConnectionClosedError)
    assert error.code == 1006


async def test_recv_after_local_close_raises_closed_ok() -> None:
    async with MockServer() as server:
        client = await connect(endpoint=server.endpoint, credential=KEY)
        await client.recv()  # session.created
        await client.close()
        await client.close()  # idempotent
        assert client.closed
        with pytest.raises(ConnectionClosedOK):
            await client.recv()
        events = [event async for event in client]
        assert events == []


async def test_send_after_close_raises_connection_closed() -> None:
    async with MockServer() as server:
        client = await connect(endpoint=server.endpoint, credential=KEY)
        await client.close()
        with pytest.raises(ConnectionClosed):
            await client.response.cancel()


async def test_receive_timeout_raises_and_connection_stays_open() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await asyncio.sleep(0.3)
        await conn.send_raw(text_frame(1))
        await asyncio.sleep(0.2)

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"receive_timeout": 0.1}
        ) as client,
    ):
        with pytest.raises(ReceiveTimeoutError):
            await client.recv()
        assert not client.closed
        event = await asyncio.wait_for(_recv_retrying(client), 2)
        assert isinstance(event, ServerEventResponseTextDelta)


async def _recv_retrying(client: VoiceLiveConnection) -> object:
    while True:
        try:
            return await client.recv()
        except ReceiveTimeoutError:
            continue


async def test_wait_for_observes_without_consuming() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.send_raw(
            json.dumps({"type": "session.updated", "event_id": "s", "session": {"voice": "alloy"}})
        )
        await conn.send_raw(text_frame(2))
        await asyncio.sleep(0.1)
        await conn.close(1000)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            updated = await client.wait_for(ServerEventSessionUpdated, timeout=2)
            assert updated.session.voice == "alloy"
            types = [event.type async for event in client]
            assert types == ["response.text.delta", "session.updated", "response.text.delta"]


async def test_wait_for_while_another_task_iterates() -> None:
    async def handler(conn: MockServerConnection) -> None:
        for i in range(50):
            await conn.send_raw(text_frame(i))
            await asyncio.sleep(0.001)
        await conn.close(1000)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:

            async def consume() -> list[str]:
                return [event.event_id or "" async for event in client]

            consumer = asyncio.create_task(consume())
            seen = await client.wait_for(
                "response.text.delta", predicate=lambda e: e.event_id == "ev30", timeout=2
            )
            assert seen.event_id == "ev30"
            ids = await consumer
            assert ids == [f"ev{i}" for i in range(50)]


async def test_wait_for_timeout_and_predicate() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await asyncio.sleep(0.5)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            with pytest.raises(WaitTimeoutError):
                await client.wait_for(ServerEventError, timeout=0.1)
            event = await client.recv()
            assert isinstance(event, ServerEventResponseTextDelta)


async def test_wait_for_raises_when_connection_closes() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.close(1011, "boom")

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            with pytest.raises(ConnectionClosedError) as closed:
                await client.wait_for(ServerEventError, timeout=2)
            assert closed.value.code == 1011
            assert isinstance(await client.recv(), ServerEventResponseTextDelta)


async def test_concurrent_recv_calls_each_get_a_different_event() -> None:
    async def handler(conn: MockServerConnection) -> None:
        for i in range(10):
            await conn.send_raw(text_frame(i))
        await asyncio.sleep(0.2)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            events = await asyncio.gather(*(client.recv() for _ in range(10)))
            assert sorted(e.event_id or "" for e in events) == sorted(f"ev{i}" for i in range(10))


async def test_cancelled_recv_loses_nothing() -> None:
    """A ``recv`` cancelled at each step of a frame's arrival -- before it is sent, and then
    0, 1, 2, ... loop turns after the server wrote it -- either returned that event or lost
    nothing: the next ``recv`` gets it."""
    go: asyncio.Queue[int] = asyncio.Queue()
    written: asyncio.Queue[int] = asyncio.Queue()
    finished = asyncio.Event()

    async def handler(conn: MockServerConnection) -> None:
        while (i := await go.get()) >= 0:
            await conn.send_raw(text_frame(i))
            written.put_nowait(i)
        await finished.wait()

    async def sweep(client: VoiceLiveConnection) -> list[tuple[str, str]]:
        outcomes: list[tuple[str, str]] = []
        # before the frame exists: the cancellation certainly hits a waiting recv
        task = asyncio.create_task(client.recv())
        await asyncio.sleep(0)
        assert task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        go.put_nowait(0)
        await written.get()
        outcomes.append(("cancelled", (await client.recv()).event_id or ""))
        for i in range(1, 12):
            task = asyncio.create_task(client.recv())
            await asyncio.sleep(0)  # the recv is waiting
            go.put_nowait(i)
            await written.get()
            for _ in range(i - 1):  # cancel i - 1 loop turns after the frame was written
                await asyncio.sleep(0)
            task.cancel()
            try:
                outcomes.append(("returned", (await task).event_id or ""))
            except asyncio.CancelledError:
                outcomes.append(("cancelled", (await client.recv()).event_id or ""))
        go.put_nowait(-1)
        return outcomes

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            outcomes = await asyncio.wait_for(sweep(client), 10)
        finished.set()
    assert [event_id for _, event_id in outcomes] == [f"ev{i}" for i in range(12)]
    assert outcomes[0][0] == "cancelled"


async def test_local_close_while_another_task_iterates_ends_it_quietly() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        async for _ in conn:  # until the client closes (answers its close frame at once)
            pass

    async with MockServer(handler) as server:
        client = await connect(endpoint=server.endpoint, credential=KEY)
        first = asyncio.Event()

        async def consume() -> list[str]:
            seen: list[str] = []
            async for event in client:
                seen.append(event.type)
                first.set()
            return seen

        consumer = asyncio.create_task(consume())
        await asyncio.wait_for(first.wait(), 5)
        await asyncio.sleep(0)  # the consumer is waiting for the next event
        await client.close()
        assert await asyncio.wait_for(consumer, 2) == ["response.text.delta"]


async def test_wait_for_never_returns_a_stale_event() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.recv()  # wait until the client asks again
        await conn.send_raw(text_frame(2))
        await asyncio.sleep(0.2)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            first = await client.wait_for("response.text.delta", timeout=2)
            await client.response.cancel()
            second = await client.wait_for("response.text.delta", timeout=2)
            assert (first.event_id, second.event_id) == ("ev1", "ev2")
            assert [(await client.recv()).event_id for _ in range(2)] == ["ev1", "ev2"]


async def test_bad_frame_read_by_wait_for_is_still_reported_to_the_reader_in_order() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.send_raw("{broken")
        await conn.send_raw(text_frame(2))
        await asyncio.sleep(0.2)
        await conn.close(1000)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            seen = await client.wait_for(
                "response.text.delta", predicate=lambda e: e.event_id == "ev2", timeout=2
            )
            assert seen.event_id == "ev2"
            assert (await client.recv()).event_id == "ev1"
            with pytest.raises(MalformedFrameError):
                await client.recv()
            assert (await client.recv()).event_id == "ev2"
            with pytest.raises(ConnectionClosedOK):
                await client.recv()


async def test_recv_bytes_returns_frames_undecoded_and_queued_events_first() -> None:
    text = json.dumps(
        {"type": "response.text.delta", "event_id": "ev_é", "delta": "ünï"}, ensure_ascii=False
    )
    not_an_event = '{"type": 42'

    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.send_raw(text_frame(2))
        await conn.send_raw(text)
        await conn.send_raw(not_an_event)
        await conn.send_raw(b"\x00\xffbinary")
        await conn.close(1011, "done")

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            # wait_for reads ev1 and ev2 and queues both for the reader, in order
            second = await client.wait_for(
                "response.text.delta", predicate=lambda e: e.event_id == "ev2", timeout=2
            )
            assert second.event_id == "ev2"
            for i in (1, 2):
                queued = json.loads(await client.recv_bytes())  # re-encoded from the model
                assert queued == json.loads(text_frame(i))
            assert await client.recv_bytes() == text.encode()  # UTF-8, byte for byte
            assert await client.recv_bytes() == not_an_event.encode()  # not decoded: no error
            assert await client.recv_bytes() == b"\x00\xffbinary"
            with pytest.raises(ConnectionClosedError) as closed:
                await client.recv_bytes()
            assert closed.value.code == 1011


async def test_a_raised_max_msg_size_lets_the_larger_frame_through() -> None:
    """What the MessageTooLargeError message recommends works: a 5 MB frame is refused under
    the 4 MiB default and read whole once max_msg_size is raised."""
    big = text_frame(1, delta="x" * 5_000_000)

    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(big)
        async for _ in conn:
            pass

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            with pytest.raises(MessageTooLargeError, match="max_msg_size"):
                await asyncio.wait_for(client.recv(), 10)
        options: dict[str, int] = {"max_msg_size": 6_000_000}
        async with connect(
            endpoint=server.endpoint, credential=KEY, connection_options=options
        ) as client:
            event = await asyncio.wait_for(client.recv(), 10)
            assert isinstance(event, ServerEventResponseTextDelta)
            assert event.delta == "x" * 5_000_000


async def test_expect_futures_fail_when_the_connection_closes() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.recv()  # the client's signal
        await conn.close(1011, "server going away")

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            first = client.expect("response.done")
            second = client.expect(ServerEventError)
            await client.send({"type": "input_audio_buffer.clear"})
            with pytest.raises(ConnectionClosedError) as closed:
                await client.wait_future(first, timeout=5)
            assert closed.value.code == 1011
            assert second.done()
            failed = second.exception()
            assert isinstance(failed, ConnectionClosedError)
            assert failed.code == 1011


async def test_base64_str_audio_is_checked_like_bytes() -> None:
    received: list[str] = []

    async def handler(conn: MockServerConnection) -> None:
        async for event in conn:
            received.append(event.type)

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            for bad in ("not base64!", "AAE", "ÿÿÿÿ", "AQ*A="):  # the last: lax decoders skip "*"
                with pytest.raises(LocalProtocolError, match="base64"):
                    await client.input_audio_buffer.append(audio=bad)
            too_big = bytes(15 * 1024 * 1024 + 2)
            with pytest.raises(LocalProtocolError, match="15 MiB"):
                await client.input_audio_buffer.append(audio=too_big)
            with pytest.raises(LocalProtocolError, match="15 MiB"):
                await client.input_audio_buffer.append(audio=base64.b64encode(too_big).decode())
            await client.input_audio_buffer.append(audio=base64.b64encode(b"\x01\x00").decode())
            await client.send({"type": "input_audio_buffer.clear"})
            await client.close()
    assert received == ["input_audio_buffer.append", "input_audio_buffer.clear"]  # no bad one
