"""Turn/response state machine edge cases, driven without a socket (a stand-in connection
exposing the three observer hooks, fed with decoded server events)."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from typing import Any

from opentelemetry.trace import StatusCode
from telemetry_support import (
    MODEL,
    Otel,
    attrs,
    audio_delta,
    children,
    otel,
    response_created,
    response_done,
    session_created,
    speech_started,
    speech_stopped,
    text_delta,
    user_audio_item,
)

from voicelive import telemetry
from voicelive._protocol import Side, VoiceLiveProtocol

__all__ = ["otel"]


class FakeConnection:
    """What the observer needs from a connection: the three observer registrations."""

    def __init__(self) -> None:
        self.host = "example.services.ai.azure.com"
        self.model = MODEL
        self.frame: list[Callable[[Any, int], None]] = []
        self.send: list[Callable[[str, int], None]] = []
        self.close: list[Callable[[int | None, str], None]] = []
        self._protocol = VoiceLiveProtocol(Side.CLIENT)

    def add_frame_observer(self, cb: Callable[[Any, int], None]) -> None:
        self.frame.append(cb)

    def add_send_observer(self, cb: Callable[[str, int], None]) -> None:
        self.send.append(cb)

    def add_close_observer(self, cb: Callable[[int | None, str], None]) -> None:
        self.close.append(cb)

    def receive(self, *events: dict[str, Any]) -> None:
        for payload in events:
            text = json.dumps(payload)
            event = self._protocol.decode_server_frame(text)
            assert not event.type.startswith("voicelive."), event
            for cb in self.frame:
                cb(event, len(text))

    def sent(self, event_type: str, size: int = 10) -> None:
        for cb in self.send:
            cb(event_type, size)

    def closed(self, code: int | None = 1000, reason: str = "") -> None:
        for cb in self.close:
            cb(code, reason)


def _observe(otel: Otel, **kwargs: Any) -> FakeConnection:
    conn = FakeConnection()
    telemetry.observe(conn, **kwargs)  # type: ignore[arg-type]
    conn.receive(session_created())
    return conn


def test_speech_without_response_is_superseded(otel: Otel) -> None:
    conn = _observe(otel)
    conn.receive(speech_started("a"), speech_stopped("a"), speech_started("b"))
    conn.receive(speech_stopped("b"), user_audio_item("b"), response_created("r"))
    conn.receive(response_done("r"))
    conn.closed()
    first, second = sorted(otel.by_op("turn"), key=lambda s: attrs(s)["voicelive.turn.index"])
    assert attrs(first)["voicelive.turn.outcome"] == "superseded"
    assert attrs(first)["voicelive.turn.responses"] == 0
    assert attrs(second)["voicelive.turn.outcome"] == "completed"
    assert "voicelive.turn.barge_in" not in attrs(second)  # no response was active
    assert attrs(otel.one("realtime"))["server.address"] == "example.services.ai.azure.com"


def test_response_without_a_turn_is_a_child_of_the_session(otel: Otel) -> None:
    conn = _observe(otel)
    conn.receive(response_created("greeting"), text_delta("greeting", "Hi"))
    conn.receive(response_done("greeting"))
    conn.closed()
    session, response = otel.one("realtime"), otel.one("chat")
    assert children(session, otel.spans()) == [response]
    assert otel.by_op("turn") == []


def test_observed_from_the_middle_of_a_response(otel: Otel) -> None:
    conn = _observe(otel)
    conn.receive(audio_delta("r0", 0), text_delta("r0", "x"))  # unknown response: ignored
    conn.receive(response_done("r0"))
    conn.closed()
    response = otel.one("chat")
    assert attrs(response)["gen_ai.response.id"] == "r0"
    assert attrs(response)["voicelive.response.audio_bytes"] == 0


def test_turn_based_audio_input(otel: Otel) -> None:
    conn = _observe(otel)
    conn.sent("input_audio.turn.start")
    conn.sent("input_audio.turn.append", 5000)
    conn.sent("input_audio.turn.end")
    conn.receive(response_created("r"), audio_delta("r", 0), response_done("r"))
    conn.closed()
    turn = otel.one("turn")
    assert attrs(turn)["voicelive.turn.trigger"] == "input_audio.turn"
    assert attrs(turn)["voicelive.turn.latency_to_first_audio"] >= 0
    otel.collect()
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == 5020


def test_transcription_failure_is_recorded_on_the_turn(otel: Otel) -> None:
    conn = _observe(otel)
    conn.receive(speech_started("a"))
    conn.receive(
        {
            "type": "conversation.item.input_audio_transcription.failed",
            "item_id": "a",
            "content_index": 0,
            "error": {"type": "transcription_error", "message": "audio unintelligible"},
        }
    )
    conn.closed()
    turn = otel.one("turn")
    (event,) = turn.events
    assert event.name == "exception"
    assert (event.attributes or {})[
        "exception.type"
    ] == "voicelive.transcription.transcription_error"
    assert attrs(turn)["voicelive.turn.outcome"] == "closed"
    assert turn.status.status_code is StatusCode.UNSET  # normal close


def test_unanswered_function_call_turn_is_abandoned(otel: Otel) -> None:
    conn = _observe(otel)
    conn.sent("response.create")
    conn.receive(response_created("r1"))
    conn.receive(
        response_done(
            "r1",
            output=[
                {
                    "type": "function_call",
                    "id": "fc",
                    "name": "lookup",
                    "call_id": "c1",
                    "arguments": "{}",
                    "status": "completed",
                }
            ],
        )
    )
    conn.receive(speech_started("b"))  # the user speaks before the tool result is sent
    conn.closed()
    first, second = sorted(otel.by_op("turn"), key=lambda s: attrs(s)["voicelive.turn.index"])
    assert attrs(first)["voicelive.turn.outcome"] == "abandoned"
    assert attrs(second)["voicelive.turn.outcome"] == "closed"


def test_connection_collected_without_close_still_ends_its_spans(otel: Otel) -> None:
    conn = _observe(otel)
    conn.receive(speech_started("a"))
    del conn
    gc.collect()
    session = otel.one("realtime")
    assert "voicelive.close.code" not in attrs(session)
    assert attrs(otel.one("turn"))["voicelive.turn.outcome"] == "closed"
    otel.collect()
    assert otel.value("voicelive.sessions.active") == 0


def test_closed_counts_survive_in_the_metrics(otel: Otel) -> None:
    for _ in range(3):
        conn = _observe(otel)
        conn.sent("session.update", 100)
        conn.closed()
    otel.collect()
    assert otel.value("voicelive.events", voicelive__event__type="session.created") == 3
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == 300


def test_counts_of_open_connections_are_collected(otel: Otel) -> None:
    conn = _observe(otel)
    conn.sent("session.update", 50)
    otel.collect()
    assert otel.value("voicelive.sessions.active") == 1
    assert otel.value("voicelive.events", voicelive__event__type="session.created") == 1
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == 50
    conn.sent("response.create", 25)
    conn.closed()
    otel.collect()  # cumulative: the closed connection's counts are kept
    assert otel.value("voicelive.sessions.active") == 0
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == 75
    assert otel.value("voicelive.events", voicelive__event__type="response.create") == 1


def test_agent_mode_names_spans_after_the_agent(otel: Otel) -> None:
    from voicelive.aio._hooks import ConnectionInfo
    from voicelive.telemetry import _observer

    conn = FakeConnection()
    info = ConnectionInfo("host", 443, None, "2026-07-15", "my-agent")
    state = _observer.Telemetry(otel.tracer_provider, otel.meter_provider)
    _observer.SessionObserver(state, conn, info, capture_content=False)  # type: ignore[arg-type]
    conn.closed()
    session = otel.one("realtime")
    assert session.name == "realtime my-agent"
    assert attrs(session)["voicelive.agent.name"] == "my-agent"
    assert "gen_ai.request.model" not in attrs(session)
