"""ResponseGuard: one response at a time, waiting for or cancelling the active one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from conversation_support import created, idle, send_json, serve, session_dict

from voicelive.aio import connect
from voicelive.conversation import Reconnected, ResponseGuard, connect_resilient
from voicelive.exceptions import ConnectionClosed, ServerError, WaitTimeoutError
from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    ClientEventResponseCancel,
    ClientEventResponseCreate,
)
from voicelive.testing import Fault, MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


def error_frames(server: MockServer) -> list[str]:
    return [frame for c in server.connections for frame in c.sent if '"type":"error"' in frame]


async def test_create_waits_for_the_active_response_then_sends() -> None:
    async with (
        MockServer(emulator_options={"ms_per_char": 5}) as server,
        connect(endpoint=server.endpoint, credential=KEY, model="m") as conn,
    ):
        guard = ResponseGuard(conn)
        await conn.session.update(session={"turn_detection": None}, wait=True)
        await conn.response.create()  # e.g. started by server VAD: not through the guard
        await conn.wait_for("response.created", timeout=5)
        assert guard.active == "resp_0001"
        response = await guard.create()
        assert response.id == "resp_0002"
        assert guard.active == "resp_0002"
        await guard.wait_idle(timeout=5)
        assert guard.active is None
        assert error_frames(server) == []
        types = [e.type async for e in _drain(conn)]
        assert types.count("response.done") == 2
        first_done = types.index("response.done")
        assert types.index("response.created", first_done) > first_done  # strictly sequenced


async def _drain(conn: Any) -> Any:
    while True:
        try:
            yield await asyncio.wait_for(conn.recv(), 0.3)
        except asyncio.TimeoutError:
            return


async def test_cancel_policy_cancels_first() -> None:
    async with (
        MockServer(pace="realtime") as server,
        connect(endpoint=server.endpoint, credential=KEY, model="m") as conn,
    ):
        guard = ResponseGuard(conn, policy="cancel")
        await conn.session.update(session={"turn_detection": None}, wait=True)
        first_done = conn.expect("response.done")
        await guard.create()
        second = await guard.create()
        done = await conn.wait_future(first_done, timeout=5)
        assert done.response.status == "cancelled"
        assert second.id == "resp_0002"
        assert error_frames(server) == []


async def test_concurrent_creates_are_serialized() -> None:
    async with (
        MockServer(emulator_options={"ms_per_char": 5}) as server,
        connect(endpoint=server.endpoint, credential=KEY, model="m") as conn,
    ):
        guard = ResponseGuard(conn)
        await conn.session.update(session={"turn_detection": None}, wait=True)
        responses = await asyncio.gather(*(guard.create() for _ in range(3)))
        assert [r.id for r in responses] == ["resp_0001", "resp_0002", "resp_0003"]
        await guard.wait_idle(timeout=5)
        assert error_frames(server) == []


def racing_server(
    *, code: str = "conversation_already_has_active_response", times: int = 1, echo: bool = True
) -> Any:
    """A server where server VAD starts a response just as the client asks for one."""

    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        refused = 0
        n = 0
        async for event in conn:
            if not isinstance(event, ClientEventResponseCreate):
                continue
            n += 1
            if refused < times:
                refused += 1
                await send_json(
                    conn,
                    {
                        "type": "response.created",
                        "response": {"id": f"vad{n}", "status": "in_progress"},
                    },
                )
                await send_json(
                    conn,
                    {
                        "type": "error",
                        "error": {
                            "type": "invalid_request_error",
                            "code": code,
                            "message": "busy",
                            "event_id": event.event_id,
                        },
                    },
                )
                await asyncio.sleep(0.05)
                await send_json(
                    conn,
                    {"type": "response.done", "response": {"id": f"vad{n}", "status": "completed"}},
                )
                continue
            await send_json(
                conn,
                {
                    "type": "response.created",
                    "response": {"id": f"mine{n}", "status": "in_progress"},
                },
            )

    return handler


async def test_race_with_server_vad_is_retried_after_the_other_response() -> None:
    async with serve(racing_server()) as (server, conn):
        guard = ResponseGuard(conn)
        response = await guard.create(additional_instructions="greet")
        assert response.id == "mine2"
        sent = [e for e in server.received if isinstance(e, ClientEventResponseCreate)]
        assert len(sent) == 2
        assert sent[1].additional_instructions == "greet"
        assert sent[0].event_id != sent[1].event_id
        assert sent[1].response is not None
        assert sent[1].response.metadata == {"voicelive_request": sent[1].event_id}


async def test_server_without_metadata_echo_falls_back_to_order() -> None:
    async with serve(racing_server(times=0, echo=False)) as (_, conn):
        guard = ResponseGuard(conn, echo_grace=0.05)
        first = await guard.create(response={"metadata": {"mine": "1"}})
        assert first.id == "mine1"
        guard.reset()
        second = await guard.create()  # learned: no grace wait any more
        assert second.id == "mine2"
    async with serve(racing_server(times=0, echo=False)) as (_, conn):
        untagged = ResponseGuard(conn, tag_responses=False)
        assert (await untagged.create()).id == "mine1"


async def test_retries_are_bounded_and_other_errors_raise() -> None:
    async with serve(racing_server(times=10)) as (_, conn):
        guard = ResponseGuard(conn, max_retries=2)
        with pytest.raises(ServerError) as info:
            await guard.create()
        assert info.value.code == "conversation_already_has_active_response"
    async with serve(racing_server(code="invalid_value")) as (_, conn):
        with pytest.raises(ServerError, match="invalid_value"):
            await ResponseGuard(conn).create(response={"instructions": "x"})


async def test_timeout_without_response_created() -> None:
    async def silent(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        async for _ in conn:
            pass

    async with serve(silent) as (_, conn):
        guard = ResponseGuard(conn, timeout=0.2)
        with pytest.raises(WaitTimeoutError, match=r"response\.created"):
            await guard.create()


async def test_misc_api() -> None:
    with pytest.raises(ValueError, match="policy"):
        ResponseGuard(policy="yolo")  # type: ignore[arg-type]
    guard = ResponseGuard()
    with pytest.raises(RuntimeError, match="connection"):
        await guard.create()
    assert guard.active is None
    assert "ResponseGuard" in repr(guard)
    async with serve(racing_server()) as (_, conn):
        guard = ResponseGuard(conn)
        assert await guard.cancel() is False
        await guard.wait_idle()
        guard.observe(_created_event())
        assert guard.active == "x"
        guard.reset()
        assert guard.active is None


def _created_event(response_id: str | None = "x") -> Any:
    frame: dict[str, Any] = {"type": "response.created"}
    if response_id is not None:
        frame["response"] = {"id": response_id}
    return SERVER_EVENT_ADAPTER.validate_python(frame)


# ------------------------------------------------------------ behaviour pinned for users


def scripted(answer: Callable[[MockServerConnection, ClientEventResponseCreate], Any]) -> Any:
    """A server that answers each response.create with ``await answer(conn, event)``."""

    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        async for event in conn:
            if isinstance(event, ClientEventResponseCreate):
                await answer(conn, event)

    return handler


def sent_creates(server: MockServer) -> list[ClientEventResponseCreate]:
    return [e for e in server.received if isinstance(e, ClientEventResponseCreate)]


def busy(event_id: str | None) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "code": "conversation_already_has_active_response",
            "message": "busy",
            "event_id": event_id,
        },
    }


def test_documented_defaults() -> None:
    guard = ResponseGuard()
    assert (guard.policy, guard.timeout, guard.max_retries) == ("wait", 60.0, 3)
    assert (guard.tag_responses, guard.echo_grace) == (True, 0.25)


async def test_default_retries_three_times_then_raises_the_servers_error() -> None:
    async with serve(racing_server(times=10)) as (server, conn):
        with pytest.raises(ServerError) as info:
            await asyncio.wait_for(ResponseGuard(conn).create(), 20)
        assert len(sent_creates(server)) == 4  # the request and three retries
        assert str(info.value) == (
            "response.create failed: busy (code conversation_already_has_active_response)"
        )


async def test_the_tag_is_added_to_the_apps_response_parameters() -> None:
    async with serve(racing_server(times=0)) as (server, conn):
        guard = ResponseGuard(conn, echo_grace=0.05)
        await guard.create(response={"instructions": "short", "metadata": {"mine": "1"}})
        [sent] = sent_creates(server)
        assert sent.response is not None
        assert sent.response.instructions == "short"
        assert sent.response.metadata == {"mine": "1", "voicelive_request": sent.event_id}


async def test_no_tag_when_disabled_or_when_metadata_is_full() -> None:
    full = {f"k{i}": "v" for i in range(16)}  # the service allows 16 metadata keys
    async with serve(racing_server(times=0)) as (server, conn):
        await ResponseGuard(conn, tag_responses=False).create()
        guard = ResponseGuard(conn, echo_grace=0.05)
        await guard.create(response={"metadata": full})
        untagged, with_full_metadata = sent_creates(server)
        assert untagged.response is None
        assert with_full_metadata.response is not None
        assert with_full_metadata.response.metadata == full


async def test_cancel_names_the_active_response_when_known() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        async for event in conn:
            if event.type == "session.update":  # a marker: the cancels came before it
                await send_json(conn, {"type": "session.updated", "session": session_dict()})

    async with serve(handler) as (server, conn):
        guard = ResponseGuard(conn)
        guard.observe(_created_event())
        assert await guard.cancel() is True
        guard.observe(_created_event(None))  # a response.created without its response
        assert guard.active == "?"
        assert await guard.cancel() is True
        await conn.session.update(session={"instructions": "x"}, wait=True, timeout=10)
        cancels = [e for e in server.received if isinstance(e, ClientEventResponseCancel)]
        assert [c.response_id for c in cancels] == ["x", None]


async def test_create_on_a_closed_connection_raises_connection_closed_and_leaks_nothing() -> None:
    async with serve(racing_server()) as (_, conn):
        await conn.close()
        with pytest.raises(ConnectionClosed):
            await ResponseGuard(conn).create()
        assert not conn._waiters  # the futures registered before sending were dropped


async def test_each_create_leaves_no_waiter_behind() -> None:
    async with serve(racing_server(times=0)) as (_, conn):
        guard = ResponseGuard(conn, echo_grace=0.05)
        await guard.create()
        assert not conn._waiters


async def test_an_error_for_our_request_raises_it() -> None:
    async def refuse(conn: MockServerConnection, event: ClientEventResponseCreate) -> None:
        error = busy(event.event_id)
        error["error"].update(code="invalid_value", message="bad voice")
        await send_json(conn, error)

    async with serve(scripted(refuse)) as (_, conn):
        with pytest.raises(ServerError) as info:
            await asyncio.wait_for(ResponseGuard(conn, timeout=5).create(), 10)
        assert info.value.code == "invalid_value"


async def test_someone_elses_tagged_response_is_not_taken_for_ours() -> None:
    async def foreign(conn: MockServerConnection, event: ClientEventResponseCreate) -> None:
        response = {"id": "other", "metadata": {"voicelive_request": "evt_someone_else"}}
        await send_json(conn, {"type": "response.created", "response": response})

    async with serve(scripted(foreign)) as (_, conn):
        with pytest.raises(WaitTimeoutError) as info:
            await ResponseGuard(conn, echo_grace=0.05).create()
        assert str(info.value) == "no response.created for our request within 0.05 s"


async def test_a_response_created_without_its_response_is_taken_as_ours() -> None:
    async def bare(conn: MockServerConnection, event: ClientEventResponseCreate) -> None:
        await send_json(conn, {"type": "response.created"})

    async with serve(scripted(bare)) as (_, conn):
        guard = ResponseGuard(conn, echo_grace=0.05)
        response = await guard.create()
        assert response.id is None
        assert guard.active == "?"


async def test_once_learned_that_metadata_is_not_echoed_there_is_no_grace_wait() -> None:
    async with serve(racing_server(times=0)) as (_, conn):
        guard = ResponseGuard(conn, echo_grace=0.05)
        await guard.create()
        guard.reset()
        guard.echo_grace = 600  # a grace wait now would outlast the bound below
        second = await asyncio.wait_for(guard.create(), 10)
        assert second.id == "mine2"


async def test_the_timeout_bounds_the_wait_for_response_created() -> None:
    async def silent(conn: MockServerConnection, event: ClientEventResponseCreate) -> None:
        pass

    async with serve(scripted(silent)) as (_, conn):
        with pytest.raises(WaitTimeoutError) as info:
            await asyncio.wait_for(ResponseGuard(conn, timeout=0.2).create(), 10)
        assert str(info.value) == "no response.created within 0.2 s after response.create"


async def test_a_collision_with_an_invisible_response_waits_for_its_done() -> None:
    async def refuse_then_finish(
        conn: MockServerConnection, event: ClientEventResponseCreate
    ) -> None:
        if len(sent_creates_of(conn)) == 1:
            await send_json(conn, busy(event.event_id))  # the other response is not visible
            await send_json(conn, {"type": "response.done", "response": {"id": "vad"}})
        else:
            await send_json(conn, {"type": "response.created", "response": {"id": "mine"}})

    async with serve(scripted(refuse_then_finish)) as (server, conn):
        guard = ResponseGuard(conn, timeout=5, echo_grace=0.05)
        response = await asyncio.wait_for(guard.create(), 10)
        assert response.id == "mine"
        assert len(sent_creates(server)) == 2


async def test_a_collision_whose_response_never_finishes_times_out_without_resending() -> None:
    async def refuse(conn: MockServerConnection, event: ClientEventResponseCreate) -> None:
        await send_json(conn, busy(event.event_id))

    async with serve(scripted(refuse)) as (server, conn):
        with pytest.raises(WaitTimeoutError):
            await asyncio.wait_for(ResponseGuard(conn, timeout=0.3).create(), 10)
        assert len(sent_creates(server)) == 1


def sent_creates_of(conn: MockServerConnection) -> list[ClientEventResponseCreate]:
    return [e for e in conn.received if isinstance(e, ClientEventResponseCreate)]


async def test_active_follows_the_events_the_app_reads() -> None:
    script = [
        {"type": "response.created", "response": {"id": "r1"}},
        {"type": "response.done", "response": {"id": "r0"}},  # a late done of another one
        {"type": "response.done", "response": {"id": "r1"}},
        {"type": "response.created"},  # no response object: some response is active
        {"type": "response.done", "response": {"id": "x"}},
        {"type": "response.created", "response": {"id": "r2"}},
        {"type": "response.done"},  # no response object: ends whatever was active
    ]

    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        for frame in script:
            await send_json(conn, frame)
        await idle(conn)

    async with serve(handler) as (_, conn):
        guard = ResponseGuard(conn)
        seen = []
        for _ in script:
            event = await asyncio.wait_for(conn.recv(), 10)
            if event.type == "session.created":
                event = await asyncio.wait_for(conn.recv(), 10)
            seen.append(guard.active)
        assert seen == ["r1", "r1", None, "?", None, "r2", None]


def finish_on_marker(*, active: dict[str, Any], done: dict[str, Any] | None) -> Any:
    """Starts a response at once; sends ``done`` only after the client's marker event."""

    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        await send_json(conn, {"type": "response.created", **active})
        await send_json(conn, {"type": "response.done", "response": {"id": "stale"}})
        async for event in conn:
            if event.type == "input_audio_buffer.clear" and done is not None:
                await send_json(conn, {"type": "response.done", **done})

    return handler


async def wait_idle_after_marker(conn: Any, guard: ResponseGuard, **kwargs: Any) -> None:
    await conn.wait_for("response.created", timeout=10)
    await conn.input_audio_buffer.clear()  # the done comes after this, while we wait
    await asyncio.wait_for(guard.wait_idle(**kwargs), 10)


async def test_wait_idle_ignores_the_done_of_another_response() -> None:
    handler = finish_on_marker(active={"response": {"id": "r2"}}, done=None)
    async with serve(handler) as (_, conn):
        guard = ResponseGuard(conn)
        with pytest.raises(WaitTimeoutError):
            await wait_idle_after_marker(conn, guard, timeout=0.3)
        assert guard.active == "r2"
    async with serve(handler) as (_, conn):
        guard = ResponseGuard(conn, timeout=0.3)  # the guard's timeout when none is given
        with pytest.raises(WaitTimeoutError):
            await wait_idle_after_marker(conn, guard)


@pytest.mark.parametrize(
    ("active", "done"),
    [
        ({"response": {"id": "r2"}}, {"response": {"id": "r2"}}),
        ({"response": {"id": "r2"}}, {}),  # a done without its response ends any response
        ({}, {"response": {"id": "x"}}),  # an unknown active response ends with any done
    ],
)
async def test_wait_idle_returns_when_the_active_response_is_done(
    active: dict[str, Any], done: dict[str, Any]
) -> None:
    async with serve(finish_on_marker(active=active, done=done)) as (_, conn):
        guard = ResponseGuard(conn, timeout=60)
        await wait_idle_after_marker(conn, guard, timeout=8)
        assert guard.active is None


async def test_error_without_a_connection_says_what_to_do() -> None:
    with pytest.raises(RuntimeError) as info:
        await ResponseGuard().wait_idle()
    assert str(info.value) == "ResponseGuard needs a connection (pass it or call attach())"


async def test_a_reconnect_forgets_the_active_response() -> None:
    faults = [Fault.drop().after("response.created")]
    async with (
        MockServer(faults=faults, emulator_options={"ms_per_char": 5}) as server,
        connect_resilient(
            endpoint=server.endpoint,
            credential=KEY,
            model="m",
            session={"turn_detection": None},
            sleep=no_sleep,
            random=lambda: 0.5,
        ) as conn,
    ):
        guard = ResponseGuard(conn)
        await conn.response.create()
        async for event in conn:
            if event.type == "response.created":
                assert guard.active is not None
            if isinstance(event, Reconnected):
                break
        assert guard.active is None  # that response does not exist on the new connection


async def no_sleep(delay: float) -> None:
    pass


async def test_a_done_read_before_the_collision_error_counts_as_the_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def finish_then_refuse(
        conn: MockServerConnection, event: ClientEventResponseCreate
    ) -> None:
        if len(sent_creates_of(conn)) == 1:  # the other response ends just before the refusal
            await send_json(conn, {"type": "response.done", "response": {"id": "vad"}})
            await send_json(conn, busy(event.event_id))
        else:
            await send_json(conn, {"type": "response.created", "response": {"id": "mine"}})

    async with serve(scripted(finish_then_refuse)) as (server, conn):
        guard = ResponseGuard(conn, timeout=2, echo_grace=0.05)
        with caplog.at_level("DEBUG", logger="voicelive.conversation.guard"):
            response = await asyncio.wait_for(guard.create(), 10)
        assert response.id == "mine"
        assert len(sent_creates(server)) == 2
        assert [r.getMessage() for r in caplog.records] == [
            "response.create collided (conversation_already_has_active_response); retrying "
            "after the active response",
            "response metadata is not echoed; matching by order",
        ]


async def test_a_collision_whose_response_ends_while_the_app_reads_is_retried_at_once() -> None:
    """The app's own reader may consume the other response's done before create() resumes."""

    async def collide_then_finish(
        conn: MockServerConnection, event: ClientEventResponseCreate
    ) -> None:
        if len(sent_creates_of(conn)) == 1:
            await send_json(conn, {"type": "response.created", "response": {"id": "vad"}})
            await send_json(conn, busy(event.event_id))
            await send_json(conn, {"type": "response.done", "response": {"id": "vad"}})
        else:
            await send_json(conn, {"type": "response.created", "response": {"id": "mine"}})

    async with serve(scripted(collide_then_finish)) as (server, conn):
        guard = ResponseGuard(conn, timeout=5, echo_grace=0.05)
        guard.observe(SERVER_EVENT_ADAPTER.validate_python({"type": "response.done"}))  # earlier

        async def app_reader() -> None:
            async for _ in conn:
                pass

        reader = asyncio.create_task(app_reader())
        try:
            response = await asyncio.wait_for(guard.create(), 10)
        finally:
            reader.cancel()
        assert response.id == "mine"
        assert len(sent_creates(server)) == 2
