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
