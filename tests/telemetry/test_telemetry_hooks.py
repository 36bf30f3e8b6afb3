"""The hook seam (no observers unless instrumented), observe(), record_reconnect()."""

from __future__ import annotations

import logging

import pytest
from azure.core.credentials import AzureKeyCredential
from telemetry_support import API_KEY, MODEL, Otel, attrs, otel

from voicelive import telemetry
from voicelive.aio import VoiceLiveConnection, _hooks, connect
from voicelive.testing import MockServer

__all__ = ["otel"]

KEY = AzureKeyCredential(API_KEY)


async def test_nothing_is_registered_when_off() -> None:
    assert not telemetry.is_instrumented()
    assert _hooks.OPEN_HOOKS == []
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            assert conn._frame_observers == ()
            assert conn._close_observers == ()
            assert conn._send_observers == ()
            assert conn._observers == ()
            await conn.recv()


async def test_instrument_registers_one_hook_and_uninstrument_removes_it(otel: Otel) -> None:
    assert telemetry.is_instrumented()
    assert len(_hooks.OPEN_HOOKS) == 1
    telemetry.instrument(otel.tracer_provider, otel.meter_provider)  # again: still one hook
    assert len(_hooks.OPEN_HOOKS) == 1
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            assert len(conn._frame_observers) == 1
            assert len(conn._send_observers) == 1
            assert len(conn._close_observers) == 1
            await conn.recv()
        telemetry.uninstrument()
        telemetry.uninstrument()  # idempotent
        assert _hooks.OPEN_HOOKS == []
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            assert conn._frame_observers == ()
            await conn.recv()
    assert len(otel.by_op("realtime")) == 1


async def test_a_failing_open_hook_never_breaks_connect(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[_hooks.ConnectionInfo] = []

    def bad(connection: VoiceLiveConnection, info: _hooks.ConnectionInfo) -> None:
        raise RuntimeError("boom")

    def good(connection: VoiceLiveConnection, info: _hooks.ConnectionInfo) -> None:
        calls.append(info)

    _hooks.add_open_hook(bad)
    _hooks.add_open_hook(good)
    try:
        with caplog.at_level(logging.ERROR, logger="voicelive"):
            async with MockServer() as server:
                async with connect(
                    endpoint=server.endpoint, credential=KEY, model=MODEL, api_version="2025-10-01"
                ) as conn:
                    await conn.recv()
                    port = server.port
    finally:
        _hooks.remove_open_hook(bad)
        _hooks.remove_open_hook(good)
        _hooks.remove_open_hook(good)  # no error when absent
    assert calls == [_hooks.ConnectionInfo("127.0.0.1", port, MODEL, "2025-10-01", None)]
    assert "open hook" in caplog.text
    assert API_KEY not in repr(calls)


async def test_close_observers_run_once() -> None:
    seen: list[tuple[int | None, str]] = []

    def broken(code: int | None, reason: str) -> None:
        raise ValueError("ignored")

    async with MockServer() as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY, model=MODEL)
        conn.add_close_observer(broken)
        conn.add_close_observer(lambda code, reason: seen.append((code, reason)))
        await conn.recv()
        await conn.close(1000, "bye")
        await conn.close()
    assert seen == [(1000, "bye")]


async def test_observe_one_connection_explicitly(otel: Otel) -> None:
    telemetry.uninstrument()
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            observer = telemetry.observe(
                conn, tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider
            )
            assert telemetry.observe(conn) is observer
            assert isinstance(observer, telemetry.SessionObserver)
            assert observer.turn_span is None
            assert observer.session_span.is_recording()
            assert not observer.closed
            await conn.recv()
        assert observer.closed
    session = otel.one("realtime")
    assert attrs(session)["gen_ai.request.model"] == MODEL
    assert attrs(session)["server.address"] == "127.0.0.1"


async def test_observe_uses_the_instrumented_providers(otel: Otel) -> None:
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            observer = telemetry.observe(conn)  # already observed through the hook
            assert len(conn._frame_observers) == 1
            await conn.recv()
    assert observer.closed
    assert len(otel.by_op("realtime")) == 1


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        telemetry.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


async def test_record_reconnect_without_instrumentation_is_a_no_op() -> None:
    telemetry.record_reconnect(reason="1006", attempt=1)


async def test_record_reconnect_counts_and_links(otel: Otel) -> None:
    async with MockServer() as server:
        old = await connect(endpoint=server.endpoint, credential=KEY, model=MODEL)
        await old.recv()
        new = await connect(endpoint=server.endpoint, credential=KEY, model=MODEL)
        await new.recv()
        telemetry.record_reconnect(new, previous=old, attempt=2, reason="1006")
        telemetry.record_reconnect(reason="timeout")  # a wrapper that has no connection yet
        await old.close()
        await new.close()
    sessions = otel.by_op("realtime")
    first, second = sorted(sessions, key=lambda s: s.start_time or 0)
    assert attrs(second)["voicelive.reconnect.attempt"] == 2
    (event,) = [e for e in second.events if e.name == "voicelive.reconnect"]
    assert event.attributes == {
        "voicelive.reconnect.attempt": 2,
        "voicelive.reconnect.reason": "1006",
    }
    assert [link.context.span_id for link in second.links] == [first.context.span_id]
    otel.collect()
    assert otel.value("voicelive.reconnects") == 2
    assert otel.value("voicelive.reconnects", voicelive__reconnect__reason="1006") == 1
    assert otel.value("voicelive.reconnects", voicelive__reconnect__reason="timeout") == 1


def test_public_names() -> None:
    exported = list(telemetry.__all__)
    assert exported == sorted(set(exported))
    assert all(hasattr(telemetry, name) for name in exported)
    assert all(getattr(telemetry, name).__doc__ for name in exported)
