"""Server ``error`` events and abnormal closes land on the right span."""

from __future__ import annotations

import asyncio

import pytest
from azure.core.credentials import AzureKeyCredential
from opentelemetry.trace import StatusCode
from telemetry_support import (
    API_KEY,
    MODEL,
    Otel,
    attrs,
    audio_delta,
    error_event,
    otel,
    response_created,
    response_done,
    session_created,
)

from voicelive.aio import connect
from voicelive.exceptions import ConnectionClosedError
from voicelive.testing import MockServer, MockServerConnection

__all__ = ["otel"]

KEY = AzureKeyCredential(API_KEY)


async def _drain(conn: object, until: str | None = None) -> BaseException | None:
    try:
        async for event in conn:  # type: ignore[attr-defined]
            if until is not None and event.type == until:
                return None
    except ConnectionClosedError as exc:
        return exc
    return None


async def test_error_outside_a_response_is_an_event_on_the_session_span(otel: Otel) -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send(session_created())
        await conn.send(error_event("Unknown parameter 'foo'", param="session.foo"))
        async for _ in conn:
            pass

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await _drain(conn, until="error")

    session = otel.one("realtime")
    (event,) = [e for e in session.events if e.name == "exception"]
    assert event.attributes == {
        "exception.type": "voicelive.invalid_request_error",
        "exception.message": "Unknown parameter 'foo'",
        "voicelive.error.code": "invalid_value",
        "voicelive.error.param": "session.foo",
    }
    assert session.status.is_unset  # recoverable: the session went on and closed normally


async def test_error_during_a_response_marks_the_response_span(otel: Otel) -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send(session_created())
        async for event in conn:
            if event.type == "response.create":
                await conn.send(response_created("resp_1"))
                await conn.send(error_event("Rate limit reached", code="rate_limit_exceeded"))
                await conn.send(
                    response_done(
                        "resp_1",
                        "failed",
                        details={
                            "type": "failed",
                            "error": {"type": "server_error", "code": "overloaded"},
                        },
                    )
                )

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.response.create()
            await _drain(conn, until="response.done")

    response, turn, session = otel.one("chat"), otel.one("turn"), otel.one("realtime")
    assert [e.name for e in response.events] == ["exception"]
    assert response.status.status_code is StatusCode.ERROR
    assert attrs(response)["voicelive.response.status"] == "failed"
    assert attrs(response)["error.type"] == "server_error"
    assert "overloaded" in (response.status.description or "")
    assert attrs(turn)["voicelive.turn.trigger"] == "response.create"
    assert attrs(turn)["voicelive.turn.outcome"] == "failed"
    assert turn.status.status_code is StatusCode.ERROR
    assert [e.name for e in session.events] == []
    assert session.status.is_unset

    otel.collect()
    assert otel.value("voicelive.response.duration", voicelive__response__status="failed") == 1


@pytest.mark.parametrize(("code", "drop"), [(1011, False), (None, True)])
async def test_abnormal_close_mid_response(otel: Otel, code: int | None, drop: bool) -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send(session_created())
        async for event in conn:
            if event.type == "response.create":
                await conn.send(response_created("resp_1"))
                await conn.send(audio_delta("resp_1", 0))
                await asyncio.sleep(0.01)
                if drop:
                    conn.drop()
                else:
                    await conn.close(1011, "internal error")
                return

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.response.create()
            error = await _drain(conn)
    assert isinstance(error, ConnectionClosedError)
    expected = 1006 if drop else 1011

    session, turn, response = otel.one("realtime"), otel.one("turn"), otel.one("chat")
    s = attrs(session)
    assert s["voicelive.close.code"] == expected
    assert s["error.type"] == str(expected)
    assert session.status.status_code is StatusCode.ERROR
    assert str(expected) in (session.status.description or "")
    if not drop:
        assert s["voicelive.close.reason"] == "internal error"
    assert attrs(response)["voicelive.response.status"] == "unfinished"
    assert attrs(response)["voicelive.response.audio_bytes"] > 0
    assert response.status.status_code is StatusCode.ERROR
    assert attrs(turn)["voicelive.turn.outcome"] == "closed"
    assert turn.status.status_code is StatusCode.ERROR
    # ended at the close, not later
    assert session.end_time is not None
    assert response.end_time is not None
    assert response.end_time <= session.end_time

    otel.collect()
    assert otel.value("voicelive.sessions.active") == 0
