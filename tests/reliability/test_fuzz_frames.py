"""Item 1b: mutated real frames through a real loopback connection never kill the receiver.

Each hypothesis example is a batch of frames: real frames (hand-written service frames and
random valid instances of every server event) mutated by truncation, wrong JSON types for
known fields, huge numbers and strings, deep nesting, invalid UTF-8 in binary frames,
duplicate keys, unknown or missing types, garbage, non-objects. The mock server sends every
frame followed by a valid *sentinel* frame; the client must

* get, for each frame, exactly what the oracle below predicts: ``MalformedFrameError`` when
  the frame is not a JSON object the decoder's parser accepts, else ``UnknownServerEvent``
  (unknown / missing type, raw payload kept), else the typed event or ``InvalidServerEvent``
  (known type, raw payload kept) -- an unmutated valid frame decodes to an equal model;
* then get the sentinel (the next valid frame is always delivered);
* never see the connection close until the server closes it with 1000.

The total number of frames is ``--fuzz-frames`` / ``VOICELIVE_FUZZ_FRAMES`` (see conftest).
"""

from __future__ import annotations

import asyncio
import json
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

import pytest
from _rel_strategies import json_values, wire_data
from _rel_support import (
    FIGURES,
    assert_clean,
    audio_delta,
    key,
    response_created,
    response_done,
    session_created,
    text_delta,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_core import from_json

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import ConnectionClosedOK, MalformedFrameError, RemoteProtocolError
from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    SERVER_EVENT_CLASSES,
    InvalidServerEvent,
    ServerEventResponseTextDelta,
    UnknownServerEvent,
)
from voicelive.testing import MockServer, MockServerConnection

BATCH = 20
HUGE = 1_000_000  # largest generated string: well under the 4 MiB default max_msg_size

REAL_FRAMES = [
    session_created("ev_s"),
    response_created("ev_rc"),
    audio_delta("ev_a", bytes(range(256)) * 8),
    text_delta("ev_t", "héllo ✓"),
    response_done("ev_rd"),
    json.dumps(
        {
            "type": "error",
            "event_id": "ev_e",
            "error": {"type": "invalid_request_error", "code": "x", "message": "m", "param": None},
        }
    ),
    json.dumps(
        {
            "type": "conversation.item.created",
            "event_id": "ev_ic",
            "previous_item_id": None,
            "item": {
                "id": "item_1",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "audio", "transcript": "hi"}],
            },
        }
    ),
    json.dumps(
        {
            "type": "response.function_call_arguments.done",
            "event_id": "ev_f",
            "response_id": "r",
            "item_id": "i",
            "output_index": 0,
            "call_id": "c",
            "name": "get_weather",
            "arguments": '{"city": "Paris"}',
        }
    ),
    json.dumps(
        {
            "type": "rate_limits.updated",
            "event_id": "ev_rl",
            "rate_limits": [{"name": "tokens", "limit": 10, "remaining": 3, "reset_seconds": 1.5}],
        }
    ),
]

INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc0\x80", b"\x80", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88"]


@dataclass
class Frame:
    data: str | bytes
    kind: str
    expected_model: BaseModel | None = None  # an unmutated valid frame must decode to this


# --------------------------------------------------------------------------- strategies


@st.composite
def seeds(draw: st.DrawFn) -> tuple[str, BaseModel | None]:
    """A real frame: hand-written, or a random valid instance of a random server event."""
    if draw(st.booleans()):
        return draw(st.sampled_from(REAL_FRAMES)), None
    cls = draw(st.sampled_from(sorted(SERVER_EVENT_CLASSES.values(), key=lambda c: c.__name__)))
    instance = SERVER_EVENT_ADAPTER.validate_python(draw(wire_data(cls)), extra="allow")
    return instance.to_wire_json(), instance


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            paths += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            paths += _paths(v, (*prefix, i))
    return paths


def _replace(obj: Any, path: tuple[Any, ...], new: Any) -> None:
    for part in path[:-1]:
        obj = obj[part]
    obj[path[-1]] = new


def _other_type(value: Any) -> st.SearchStrategy[Any]:
    """A JSON value of a different JSON type than ``value``."""
    options: list[st.SearchStrategy[Any]] = []
    if not isinstance(value, str):
        options.append(st.text(max_size=5))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        options.append(st.integers(-5, 5))
    if not isinstance(value, bool):
        options.append(st.booleans())
    if value is not None:
        options.append(st.none())
    if not isinstance(value, list):
        options.append(st.lists(st.integers(), max_size=2))
    if not isinstance(value, dict):
        options.append(st.dictionaries(st.sampled_from("abc"), st.integers(), max_size=2))
    return st.one_of(*options)


def _nest(depth: int, leaf: str, use_objects: bool) -> str:
    if use_objects:
        return '{"a":' * depth + leaf + "}" * depth
    return "[" * depth + leaf + "]" * depth


@st.composite
def mutated_frames(draw: st.DrawFn) -> Frame:
    text, instance = draw(seeds())
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "valid-binary",
                "truncated",
                "wrong-type",
                "huge-number",
                "huge-string",
                "deep-nesting",
                "invalid-utf8",
                "duplicate-key",
                "unknown-type",
                "bad-type",
                "missing-type",
                "non-object",
                "garbage",
                "trailing-garbage",
                "control-char",
            ]
        )
    )
    obj = json.loads(text)
    if kind == "valid":
        return Frame(text, kind, instance)
    if kind == "valid-binary":
        return Frame(text.encode(), kind, instance)
    if kind == "truncated":
        return Frame(text[: draw(st.integers(0, len(text) - 1))], kind)
    if kind == "invalid-utf8":
        raw = text.encode()
        at = draw(st.integers(0, len(raw)))
        return Frame(raw[:at] + draw(st.sampled_from(INVALID_UTF8)) + raw[at:], kind)
    if kind == "non-object":
        value = draw(st.one_of(json_values.filter(lambda v: not isinstance(v, dict))))
        return Frame(json.dumps(value), kind)
    if kind == "garbage":
        if draw(st.booleans()):
            return Frame(draw(st.binary(max_size=40)), kind)
        return Frame(draw(st.text(max_size=40)), kind)
    if kind == "trailing-garbage":
        return Frame(text + draw(st.sampled_from(["x", "}", "{}", ",", "\x00", " 1"])), kind)
    if kind == "control-char":
        return Frame(text.replace('"', '"\x01', 1), kind)
    if kind == "duplicate-key":
        dup_key = draw(st.sampled_from([*obj.keys(), "type"]))
        dup_value = draw(json_values)
        first = '{"' + dup_key + '":' + json.dumps(dup_value) + ","
        if draw(st.booleans()):  # duplicate before (the frame's value wins) or after
            return Frame(first + text[1:], kind)
        return Frame(
            text[:-1] + "," + json.dumps(dup_key) + ":" + json.dumps(dup_value) + "}", kind
        )
    if kind == "unknown-type":
        obj["type"] = draw(st.sampled_from(["", "response.brand_new", "x" * 300])) + draw(
            st.text(max_size=5)
        )
        return Frame(json.dumps(obj), kind)
    if kind == "bad-type":
        obj["type"] = draw(_other_type("a string"))
        return Frame(json.dumps(obj), kind)
    if kind == "missing-type":
        del obj["type"]
        return Frame(json.dumps(obj), kind)
    paths = [p for p in _paths(obj) if p != ("type",)] or [("x_added",)]
    path = draw(st.sampled_from(paths))
    if kind == "wrong-type":
        try:
            current: Any = obj
            for part in path:
                current = current[part]
        except (KeyError, IndexError):
            current = None
        _replace(obj, path, draw(_other_type(current)))
        return Frame(json.dumps(obj), kind)
    if kind == "huge-number":
        marker = "__HUGE_NUMBER__"
        _replace(obj, path, marker)
        number = draw(
            st.one_of(
                st.integers(1, 5000).map(lambda n: "9" * n),
                st.integers(1, 5000).map(lambda n: "-1" + "0" * n),
                st.sampled_from(["1e308", "1e309", "-1e999999", "1.5e-400", "0.1e-99999"]),
                st.integers(1, 2000).map(lambda n: "0." + "3" * n),
            )
        )
        return Frame(json.dumps(obj).replace(json.dumps(marker), number, 1), kind)
    if kind == "huge-string":
        size = draw(st.sampled_from([10_000, 100_000, HUGE]))
        char = draw(st.sampled_from(["a", "é", "✓", "\\u00e9", "\\n", "\\ud83d\\ude00"]))
        marker = "__HUGE_STRING__"
        _replace(obj, path, marker)
        encoded = json.dumps(obj)
        return Frame(
            encoded.replace(json.dumps(marker), '"' + char * (size // len(char)) + '"'), kind
        )
    assert kind == "deep-nesting"
    depth = draw(st.sampled_from([10, 150, 199, 200, 201, 202, 1000, 5000, 20000]))
    marker = "__DEEP__"
    _replace(obj, path, marker)
    nested = _nest(depth, draw(st.sampled_from(["1", '"x"', "[]", "{}"])), draw(st.booleans()))
    return Frame(json.dumps(obj).replace(json.dumps(marker), nested, 1), kind)


# --------------------------------------------------------------------------- oracle


def _same_json(a: Any, b: Any) -> bool:
    """JSON equality that treats NaN as equal to itself (``float("nan") != float("nan")``)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _reference_parse(data: str | bytes) -> tuple[bool, Any]:
    """Parse as the decoder does (pydantic-core's JSON parser, then the stdlib's for ``raw``)."""
    try:
        from_json(data)
        return True, json.loads(data)
    except (ValueError, RecursionError):
        return False, None


def check_outcome(frame: Frame, outcome: object) -> str:
    """Assert ``outcome`` (an event or an exception) is what the frame must produce."""
    assert_clean(outcome)
    parsed_ok, value = _reference_parse(frame.data)
    if not parsed_ok or not isinstance(value, dict):
        assert isinstance(outcome, MalformedFrameError), (frame.kind, frame.data[:200], outcome)
        return "MalformedFrameError"
    assert not isinstance(outcome, BaseException), (frame.kind, frame.data[:200], outcome)
    wire_type = value.get("type")
    if not isinstance(wire_type, str) or wire_type not in SERVER_EVENT_CLASSES:
        assert isinstance(outcome, UnknownServerEvent), (frame.kind, outcome)
        assert outcome.raw_type == (wire_type if isinstance(wire_type, str) else None)
        assert _same_json(outcome.raw, value)
        return "UnknownServerEvent"
    if isinstance(outcome, InvalidServerEvent):
        assert frame.expected_model is None, "an unmutated valid frame failed validation"
        assert outcome.raw_type == wire_type
        assert _same_json(outcome.raw, value)
        assert outcome.errors
        return "InvalidServerEvent"
    assert type(outcome) is SERVER_EVENT_CLASSES[wire_type], (frame.kind, outcome)
    if frame.expected_model is not None:
        assert outcome == frame.expected_model
    return "typed event"


# --------------------------------------------------------------------------- the loopback run


class FuzzServer:
    """One MockServer; each connection sends the next queued batch, each frame + a sentinel."""

    def __init__(self) -> None:
        self.batches: deque[list[Frame]] = deque()
        self.server = MockServer(self._handle)

    async def _handle(self, conn: MockServerConnection) -> None:
        batch = self.batches.popleft()
        for i, frame in enumerate(batch):
            await conn.send_raw(frame.data)
            await conn.send_raw(text_delta(f"sentinel-{i}", "ok"))
        await conn.close(1000)


async def run_batch(fuzz: FuzzServer, batch: list[Frame], outcomes: dict[str, int]) -> None:
    fuzz.batches.append(batch)
    async with connect(endpoint=fuzz.server.endpoint, credential=key(), model="m") as conn:
        for i, frame in enumerate(batch):
            outcome = await _recv_outcome(conn)
            label = check_outcome(frame, outcome)
            outcomes[label] = outcomes.get(label, 0) + 1
            sentinel = await conn.recv()  # the next valid frame is always delivered
            assert isinstance(sentinel, ServerEventResponseTextDelta), (frame.kind, sentinel)
            assert sentinel.event_id == f"sentinel-{i}"
        with pytest.raises(ConnectionClosedOK):
            await conn.recv()


async def _recv_outcome(conn: VoiceLiveConnection) -> object:
    try:
        return await conn.recv()
    except RemoteProtocolError as exc:
        return exc


@pytest.mark.timeout(300)  # heavy: see [tool.pytest.ini_options] timeout
def test_mutated_frames_never_kill_the_receive_loop(rel_config: Any) -> None:
    loop = asyncio.new_event_loop()
    fuzz = FuzzServer()
    loop.run_until_complete(fuzz.server.start())
    outcomes: dict[str, int] = {}
    kinds: dict[str, int] = {}
    examples = -(-rel_config.fuzz_frames // BATCH)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(st.lists(mutated_frames(), min_size=BATCH, max_size=BATCH))
    def one_batch(batch: list[Frame]) -> None:
        fuzz.batches.clear()
        loop.run_until_complete(run_batch(fuzz, batch, outcomes))
        for frame in batch:
            kinds[frame.kind] = kinds.get(frame.kind, 0) + 1

    try:
        one_batch()
    finally:
        loop.run_until_complete(fuzz.server.stop())
        loop.close()
    total = sum(kinds.values())
    FIGURES["fuzzed frames through loopback"] = total
    FIGURES["fuzz outcomes"] = dict(sorted(outcomes.items()))
    assert total >= rel_config.fuzz_frames
    # Every mutation kind and every outcome class was exercised.
    assert len(kinds) == 16, kinds
    assert set(outcomes) == {
        "MalformedFrameError",
        "UnknownServerEvent",
        "InvalidServerEvent",
        "typed event",
    }


async def test_async_for_continues_after_a_malformed_frame() -> None:
    """``async for`` raises the typed error; a new ``async for`` resumes with the next frame."""

    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_delta("a"))
        await conn.send_raw("{garbage")
        await conn.send_raw(text_delta("b"))
        await conn.send_raw(b"\xff\xfe")
        await conn.send_raw(text_delta("c"))
        await conn.close(1000)

    seen: list[str | None] = []
    errors = 0
    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=key()) as conn,
    ):
        while True:
            try:
                async for event in conn:
                    seen.append(event.event_id)
                break
            except MalformedFrameError as exc:
                assert_clean(exc)
                errors += 1
    assert seen == ["a", "b", "c"]
    assert errors == 2


def test_oracle_rejects_wrong_outcomes() -> None:
    """The oracle is not a tautology: wrong classifications fail it."""
    valid = Frame(text_delta("x"), "valid")
    with pytest.raises(AssertionError):
        check_outcome(valid, MalformedFrameError("no"))
    with pytest.raises(AssertionError):
        check_outcome(Frame("{", "truncated"), UnknownServerEvent(raw={}))
    with pytest.raises(AssertionError):
        check_outcome(
            Frame('{"type":"zzz"}', "unknown-type"), UnknownServerEvent(raw_type="zz", raw={})
        )
    nested_bad = json.dumps({"type": "session.created", "session": [1]})
    with pytest.raises(AssertionError):
        check_outcome(Frame(nested_bad, "wrong-type"), MalformedFrameError("not an object"))


@pytest.mark.timeout(180)  # heavy: see [tool.pytest.ini_options] timeout
def test_every_mutation_kind_is_generated() -> None:
    """The mutation strategy reaches all 16 kinds (so the count assertion above is meaningful)."""
    seen: set[str] = set()

    @settings(
        max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(mutated_frames())
    def collect(frame: Frame) -> None:
        seen.add(frame.kind)

    collect()
    assert len(seen) == 16, seen


@pytest.mark.parametrize("field", ["session", "response", "item", "error"])
def test_nested_wrong_json_type_is_an_invalid_event_not_a_malformed_frame(field: str) -> None:
    """Regression (found by the fuzzer): ``{"type": <known>, "<object field>": []}`` is a JSON
    object with a bad field -> ``InvalidServerEvent``; it used to raise MalformedFrameError."""
    from voicelive._protocol import Side, VoiceLiveProtocol

    wire_type = {
        "session": "session.created",
        "response": "response.done",
        "item": "conversation.item.created",
        "error": "error",
    }[field]
    frame = json.dumps({"type": wire_type, "event_id": "e1", field: [1]})
    event = VoiceLiveProtocol(Side.CLIENT).decode_server_frame(frame)
    assert isinstance(event, InvalidServerEvent)
    assert event.raw_type == wire_type
    assert event.raw[field] == [1]


def test_nested_wrong_json_type_in_a_client_frame_names_the_param() -> None:
    """Server side (MockServer/emulator): the same rule gives the service-style error."""
    from voicelive._protocol import Side, VoiceLiveProtocol
    from voicelive.exceptions import InvalidEventError

    with pytest.raises(InvalidEventError) as info:
        VoiceLiveProtocol(Side.SERVER).decode_client_frame(
            json.dumps({"type": "session.update", "event_id": "c1", "session": []})
        )
    assert info.value.param == "session"
    assert info.value.event_id == "c1"
