"""What a received event costs the garbage collector, and that the savings keep behaviour.

The counts are deterministic (``gc.get_count()`` with the collector paused counts every
allocation of a GC-tracked type minus every such deallocation), not timings.
"""

from __future__ import annotations

import copy
import gc
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.models import ServerEventResponseAudioTranscriptDelta
from voicelive.models._base import SharedFieldsSet, compact_server_event

FIELDS = {
    "type": "response.audio_transcript.delta",
    "event_id": "ev_1",
    "response_id": "resp_1",
    "item_id": "item_1",
    "output_index": 0,
    "content_index": 0,
    "delta": "hello",
}
FRAME = json.dumps(FIELDS)
AUDIO_FRAME = json.dumps({**FIELDS, "type": "response.audio.delta", "delta": "AAAA" * 50})


def _allocations_per_call(make: Callable[[], object], n: int = 500) -> float:
    """Net GC-tracked allocations per call while keeping every result alive."""
    make()  # warm caches (log-once sets, adapters)
    kept: list[object] = [None] * n  # preallocated: filling it allocates nothing
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        for i in range(n):
            kept[i] = make()
        after = gc.get_count()[0]
    finally:
        gc.enable()
    return (after - before) / n


@pytest.mark.parametrize("frame", [FRAME, AUDIO_FRAME], ids=["transcript", "audio"])
def test_a_decoded_event_costs_two_tracked_allocations(frame: str) -> None:
    # The instance and its __dict__; no extras dict, no fields set of its own
    # (json.loads of the same frame: 1, the dict).
    protocol = VoiceLiveProtocol(Side.CLIENT)
    assert _allocations_per_call(lambda: protocol.decode_server_frame(frame)) == pytest.approx(
        2, abs=0.05
    )
    assert _allocations_per_call(lambda: json.loads(frame)) == pytest.approx(1, abs=0.05)


def test_unknown_fields_still_get_their_own_extras_and_fields_set() -> None:
    protocol = VoiceLiveProtocol(Side.CLIENT)
    frame = json.dumps({**FIELDS, "new_field": [1]})
    event = protocol.decode_server_frame(frame)
    assert event.model_extra == {"new_field": [1]}
    assert type(event.__pydantic_fields_set__) is set
    assert json.loads(event.to_wire_json()) == {**FIELDS, "new_field": [1]}


def test_received_events_share_bookkeeping_but_keep_behaviour() -> None:
    protocol = VoiceLiveProtocol(Side.CLIENT)
    first = protocol.decode_server_frame(FRAME)
    second = protocol.decode_server_frame(FRAME)
    assert first.__pydantic_extra__ is None
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    assert type(first.__pydantic_fields_set__) is SharedFieldsSet
    # unset vs None and equality are unchanged
    assert json.loads(first.to_wire_json()) == FIELDS
    assert first == ServerEventResponseAudioTranscriptDelta(**FIELDS)
    assert first.model_extra == {}
    # assignment gives the event its own bookkeeping; the other event is untouched
    first.delta = "changed"
    first.extra_note = 1  # type: ignore[attr-defined]
    assert type(first.__pydantic_fields_set__) is set
    assert "extra_note" in first.model_fields_set
    assert "extra_note" not in second.model_fields_set
    assert second.model_extra == {}
    assert json.loads(second.to_wire_json()) == FIELDS
    # the shared set refuses changes instead of changing every event
    shared = protocol.decode_server_frame(FRAME).__pydantic_fields_set__
    with pytest.raises(TypeError, match="shared"):
        shared.add("x")
    own = second.model_fields_set
    own.add("x")
    assert type(own) is set
    assert "x" not in shared


def test_copies_and_pickles_of_received_events_are_independent() -> None:
    protocol = VoiceLiveProtocol(Side.CLIENT)
    event = protocol.decode_server_frame(FRAME)
    updated = event.model_copy(update={"delta": "x"})
    assert updated.delta == "x"
    assert event.delta == "hello"
    for clone in (copy.copy(event), copy.deepcopy(event), pickle.loads(pickle.dumps(event))):
        assert clone == event
        clone.delta = "y"
        assert event.delta == "hello"
        assert type(clone.__pydantic_fields_set__) is set


def test_a_frame_missing_a_field_keeps_its_own_fields_set() -> None:
    # "unset vs None": event_id absent must stay unset, not become the shared "all fields"
    protocol = VoiceLiveProtocol(Side.CLIENT)
    fields: dict[str, Any] = {k: v for k, v in FIELDS.items() if k != "event_id"}
    event = protocol.decode_server_frame(json.dumps(fields))
    assert "event_id" not in event.model_fields_set
    assert "event_id" not in json.loads(event.to_wire_json())
    explicit_null = protocol.decode_server_frame(json.dumps({**FIELDS, "event_id": None}))
    assert json.loads(explicit_null.to_wire_json())["event_id"] is None


def test_compact_server_event_matches_the_inline_receive_path() -> None:
    event = ServerEventResponseAudioTranscriptDelta.model_validate_json(FRAME)
    compact_server_event(event)
    decoded = VoiceLiveProtocol(Side.CLIENT).decode_server_frame(FRAME)
    assert event.__pydantic_extra__ is None
    assert event.__pydantic_fields_set__ is decoded.__pydantic_fields_set__
