"""ResponseGuard: one response at a time, waiting for or cancelling the active one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from conversation_support import created, send_json, serve

from voicelive.aio import connect
from voicelive.conversation import ResponseGuard
from voicelive.exceptions import ServerError, WaitTimeoutError
from voicelive.models import ClientEventResponseCreate
from voicelive.testing import MockServer, MockServerConnection

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


def _created_event() -> Any:
    from voicelive.models import SERVER_EVENT_ADAPTER

    return SERVER_EVENT_ADAPTER.validate_python(
        {"type": "response.created", "response": {"id": "x"}}
    )
