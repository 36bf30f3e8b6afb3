"""Item 1a: random valid instances of every event model round-trip through the codec.

Server events: server-side encode -> client-side decode gives an equal model. Client events:
client-side encode -> server-side decode gives an equal model, and the model and its plain
``dict`` form encode to the same JSON. Instances come from :mod:`_rel_strategies`, derived
from the models' annotations (optional fields set or not, unions, open enums, unknown extra
keys on server models).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _rel_strategies import wire_data
from _rel_support import FIGURES
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.models import (
    CLIENT_EVENT_ADAPTER,
    CLIENT_EVENT_CLASSES,
    SERVER_EVENT_ADAPTER,
    SERVER_EVENT_CLASSES,
)

_CLIENT = VoiceLiveProtocol(Side.CLIENT, max_message_size=None)
_SERVER = VoiceLiveProtocol(Side.SERVER, max_message_size=None)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _count(kind: str) -> None:
    key = f"round-trip examples ({kind} events)"
    FIGURES[key] = FIGURES.get(key, 0) + 1


@pytest.mark.parametrize("wire_type", sorted(SERVER_EVENT_CLASSES))
def test_server_event_round_trips(wire_type: str, rel_config: Any) -> None:
    cls = SERVER_EVENT_CLASSES[wire_type]

    @_settings(rel_config.roundtrip_examples)
    @given(wire_data(cls))
    def check(data: dict[str, Any]) -> None:
        instance = SERVER_EVENT_ADAPTER.validate_python(data, extra="allow")
        assert type(instance) is cls
        wire = _SERVER.encode_server_event(instance)
        decoded = _CLIENT.decode_server_frame(wire)
        assert type(decoded) is cls
        assert decoded == instance
        # The decoded event re-encodes to the same JSON (nothing dropped or renamed), and the
        # same frame as bytes (a binary WebSocket frame) decodes identically.
        assert json.loads(decoded.to_wire_json()) == json.loads(wire)
        assert _CLIENT.decode_server_frame(wire.encode()) == instance
        _count("server")

    check()


@pytest.mark.parametrize("wire_type", sorted(CLIENT_EVENT_CLASSES))
def test_client_event_round_trips(wire_type: str, rel_config: Any) -> None:
    cls = CLIENT_EVENT_CLASSES[wire_type]

    @_settings(rel_config.roundtrip_examples)
    @given(wire_data(cls))
    def check(data: dict[str, Any]) -> None:
        instance: BaseModel = CLIENT_EVENT_ADAPTER.validate_python(data)
        assert type(instance) is cls
        wire = _CLIENT.encode_client_event(instance)  # type: ignore[arg-type]
        decoded = _SERVER.decode_client_frame(wire)
        assert type(decoded) is cls
        assert decoded == instance
        # A plain dict (what most callers write) encodes to the same JSON as the model.
        assert json.loads(_CLIENT.encode_client_event(data)) == json.loads(wire)
        _count("client")

    check()


def test_every_event_class_is_covered() -> None:
    """The parametrization above is the full model set (a new class is fuzzed automatically)."""
    assert len(SERVER_EVENT_CLASSES) >= 73
    assert len(CLIENT_EVENT_CLASSES) >= 21


def test_client_events_round_trip_over_a_real_connection(rel_config: Any) -> None:
    """Random client events sent with ``conn.send`` over loopback arrive equal at the server
    (server events take the same trip the other way in test_fuzz_frames.py, "valid" kind)."""
    import asyncio

    from _rel_support import key
    from hypothesis import strategies as st

    from voicelive.aio import connect
    from voicelive.testing import MockServer, MockServerConnection

    async def record(conn: MockServerConnection) -> None:
        async for _event in conn:
            pass

    loop = asyncio.new_event_loop()
    server = MockServer(record)
    loop.run_until_complete(server.start())
    conn = loop.run_until_complete(connect(endpoint=server.endpoint, credential=key()))
    events = st.one_of(*(wire_data(cls) for _, cls in sorted(CLIENT_EVENT_CLASSES.items())))

    async def send_all(instances: list[Any]) -> None:
        before = len(server.received)
        for instance in instances:
            await conn.send(instance)
        while len(server.received) < before + len(instances):
            await asyncio.sleep(0.001)

    @_settings(rel_config.roundtrip_examples * 4)
    @given(st.lists(events, min_size=1, max_size=5))
    def check(batch: list[dict[str, Any]]) -> None:
        instances = [CLIENT_EVENT_ADAPTER.validate_python(data) for data in batch]
        loop.run_until_complete(asyncio.wait_for(send_all(instances), 10))
        assert server.received[-len(instances) :] == instances
        _count("client, over loopback")

    try:
        check()
    finally:
        loop.run_until_complete(conn.close())
        loop.run_until_complete(server.stop())
        loop.close()
