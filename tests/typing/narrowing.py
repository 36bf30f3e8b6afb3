"""Type-checker proof that :data:`voicelive.models.ServerEvent` narrows on ``event.type``.

Not a pytest module: ``tests/models/test_typing_narrowing.py`` runs
``mypy --strict tests/typing`` on it and expects exit 0. ``assert_type`` fails the check when
the inferred type differs; a ``# type: ignore[...]`` that stops being needed fails it too
(``--strict`` warns about unused ignores), which proves the *absence* of narrowing where
there should be none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from voicelive.models import (
    CLIENT_EVENT_ADAPTER,
    SERVER_EVENT_ADAPTER,
    SERVER_EVENT_CLASSES,
    ClientEvent,
    ClientEventInputAudioBufferAppend,
    ClientEventSessionUpdate,
    InvalidServerEvent,
    RequestSession,
    Response,
    ResponseSession,
    ServerEvent,
    ServerEventBase,
    ServerEventConversationItemInputAudioTranscriptionCompleted,
    ServerEventError,
    ServerEventRateLimitsUpdated,
    ServerEventResponseAudioDelta,
    ServerEventResponseAudioTranscriptDelta,
    ServerEventResponseDone,
    ServerEventResponseFunctionCallArgumentsDone,
    ServerEventSessionUpdated,
    UnknownServerEvent,
)


def narrow_with_if(event: ServerEvent) -> None:
    if event.type == "response.audio.delta":
        assert_type(event, ServerEventResponseAudioDelta)
        assert_type(event.delta, bytes)
        assert_type(event.output_index, int)
    elif event.type == "response.audio_transcript.delta":
        assert_type(event, ServerEventResponseAudioTranscriptDelta)
        assert_type(event.delta, str)
    elif event.type == "response.done":
        assert_type(event, ServerEventResponseDone)
        # Optional: published examples leave the response object out.
        assert_type(event.response, Response | None)
    elif event.type == "session.updated":
        assert_type(event.session, ResponseSession | None)
        if event.session is not None:
            assert_type(event.session.expires_at, datetime | None)
    elif event.type == "rate_limits.updated":
        assert_type(event, ServerEventRateLimitsUpdated)
    elif event.type == "voicelive.unknown":
        assert_type(event, UnknownServerEvent)
        assert_type(event.raw_type, str | None)
    elif event.type == "voicelive.invalid":
        assert_type(event, InvalidServerEvent)
        assert_type(event.raw_type, str)
        assert_type(event.error, str)


def no_narrowing_without_a_check(event: ServerEvent) -> None:
    # Not every event has ``delta``: without narrowing this must be an error.
    event.delta  # type: ignore[union-attr]  # noqa: B018


def narrow_with_match(event: ServerEvent) -> str:
    match event.type:
        case "response.audio_transcript.delta":
            assert_type(event, ServerEventResponseAudioTranscriptDelta)
            return event.delta
        case "response.function_call_arguments.done":
            assert_type(event, ServerEventResponseFunctionCallArgumentsDone)
            assert_type(event.name, str | None)
            return event.name or ""
        case "conversation.item.input_audio_transcription.completed":
            assert_type(event, ServerEventConversationItemInputAudioTranscriptionCompleted)
            return event.transcript
        case "session.updated":
            assert_type(event, ServerEventSessionUpdated)
            return (event.session and event.session.instructions) or ""
        case "error":
            assert_type(event, ServerEventError)
            return event.error.message or ""
        case "voicelive.unknown":
            assert_type(event, UnknownServerEvent)
            return event.raw_type or "?"
        case "voicelive.invalid":
            assert_type(event, InvalidServerEvent)
            return event.error
        case _:
            return event.type


def narrow_with_isinstance(event: ServerEvent) -> None:
    if isinstance(event, ServerEventResponseAudioDelta):
        assert_type(event.delta, bytes)
    if isinstance(event, (UnknownServerEvent, InvalidServerEvent)):
        assert_type(event.raw, dict[str, Any])


def adapters() -> None:
    event = SERVER_EVENT_ADAPTER.validate_json(b"{}")
    base: ServerEventBase = event  # every member is a ServerEventBase
    assert_type(SERVER_EVENT_CLASSES["error"], type[ServerEventBase])
    client: ClientEvent = CLIENT_EVENT_ADAPTER.validate_python({})
    if client.type == "session.update":
        assert_type(client, ClientEventSessionUpdate)
        assert_type(client.session, RequestSession)
    elif client.type == "input_audio_buffer.append":
        assert_type(client, ClientEventInputAudioBufferAppend)
        assert_type(client.audio, str)
    del base


def isinstance_on_the_unions(value: object) -> None:
    # ``isinstance`` works at runtime (see models._union) and narrows for the type checker.
    if isinstance(value, ServerEvent):
        if value.type == "response.audio.delta":
            assert_type(value, ServerEventResponseAudioDelta)
        elif value.type == "voicelive.invalid":
            assert_type(value, InvalidServerEvent)
    if isinstance(value, ClientEvent) and value.type == "session.update":
        assert_type(value, ClientEventSessionUpdate)
