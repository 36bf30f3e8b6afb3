"""The sans-I/O protocol core shared by the client and :mod:`voicelive.testing`.

Bytes and text in, typed events out -- and the reverse. Nothing here touches a socket, an
event loop or aiohttp (a test checks the imports), so the client connection and the mock
server/emulator run the *same* rules and cannot drift apart.

One :class:`VoiceLiveProtocol` per WebSocket connection, created for one side:

* ``Side.CLIENT`` encodes client events and decodes server frames;
* ``Side.SERVER`` encodes server events and decodes client frames.

Decoding a server frame never raises for content the service may legitimately send:

* a known ``type`` -> its typed class, validated by pydantic-core straight from the frame
  text (JSON parsing, base64 audio -> ``bytes`` and model building all happen in Rust);
* an unknown ``type`` -> :class:`~voicelive.models.UnknownServerEvent` (raw payload kept,
  logged once per type);
* a known ``type`` whose fields fail validation -> :class:`~voicelive.models.InvalidServerEvent`
  (raw payload and validation errors kept, warning logged once per type).

Only frames that are not a JSON object at all raise
:class:`~voicelive.exceptions.MalformedFrameError`, and frames over the size limit raise
:class:`~voicelive.exceptions.MessageTooLargeError`; the protocol object stays usable.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any, cast

from pydantic import ValidationError

from ._logging import get_logger
from .exceptions import (
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidEventError,
    MalformedFrameError,
    MessageTooLargeError,
)
from .models import (
    CLIENT_EVENT_ADAPTER,
    CLIENT_EVENT_CLASSES,
    SERVER_EVENT_ADAPTER,
    ClientEvent,
    ClientEventSessionUpdate,
    InvalidServerEvent,
    RequestSession,
    ResponseSession,
    ServerEvent,
    ServerEventBase,
    ServerEventSessionCreated,
    ServerEventSessionUpdated,
    UnknownServerEvent,
)
from .models._base import _SET_EXTRA, _SET_FIELDS_SET, SharedFieldsSet
from .models._client_events import ClientEventBase
from .models._hints import warn_unknown_values, with_field_hints

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "Side",
    "VoiceLiveProtocol",
    "closed_exception",
]

DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024
"""Default limit for one incoming frame: 4 MiB, as the official SDK (PROTOCOL.md §1.3)."""

_RAW_PREVIEW = 200
_log = get_logger("protocol")

# Pydantic error types that mean "this is not a JSON object" rather than "bad fields".
_NOT_AN_OBJECT = frozenset(
    {"json_invalid", "json_type", "model_type", "dict_type", "model_attributes_type"}
)
_UNKNOWN_TAG = frozenset({"union_tag_invalid", "union_tag_not_found"})
# The server-event union's validator itself: TypeAdapter.validate_json is a Python wrapper
# around it (argument checks and keyword forwarding), ~0.3 us of every received frame.
_VALIDATE_SERVER_JSON = SERVER_EVENT_ADAPTER.validator.validate_json
# Per decoded event class: its field count and the shared "every field set" set.
_FULL_FIELDS: dict[type[ServerEventBase], tuple[int, SharedFieldsSet]] = {}
# Session fields the audio helpers read (per append: the input format) without keeping the
# decoded session alive.
_FORMAT_FIELDS = frozenset(
    {
        "input_audio_echo_cancellation",
        "input_audio_format",
        "input_audio_sampling_rate",
        "output_audio_format",
    }
)


def _not_an_object(errors: list[Any]) -> bool:
    """True when the *frame itself* is not a JSON object (an error at the top level).

    The same error types (``model_type``, ``dict_type``) on a nested field -- e.g.
    ``"session": []`` -- mean a JSON object with a bad field, not a malformed frame.
    """
    return bool(errors) and errors[0]["type"] in _NOT_AN_OBJECT and not errors[0].get("loc")


class Side(enum.Enum):
    """Which end of the connection a :class:`VoiceLiveProtocol` plays."""

    CLIENT = "client"
    SERVER = "server"


def closed_exception(code: int | None, reason: str = "") -> ConnectionClosed:
    """The :class:`ConnectionClosed` subclass for a close code (1000 is the only normal one)."""
    if code == 1000:
        return ConnectionClosedOK(1000, reason)
    return ConnectionClosedError(1006 if code is None else code, reason)


def _preview(data: str | bytes) -> str:
    text = data[:_RAW_PREVIEW]
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    return text


def _error_location(error: Mapping[str, Any]) -> str | None:
    # Both event unions are tagged, so a location starts with the event type (the tag):
    # drop it ("error.message" for an ``error`` event, not "error.error.message").
    return ".".join(str(part) for part in error["loc"][1:]) or None


class VoiceLiveProtocol:
    """Encoder/decoder and per-connection state for one side of a Voice Live WebSocket.

    Args:
        side: which side this object plays.
        max_message_size: largest incoming frame accepted, in bytes of text (``None``:
            no limit). The transport enforces the same limit before buffering a frame.

    Attributes:
        session: the latest ``session`` seen in ``session.created`` / ``session.updated``
            (``None`` until the first one). Kept for helpers that need the session's audio
            formats; decoded from its frame when first read (see :attr:`session`).
        requested_session: (client side) the ``session`` of the last ``session.update``
            sent and not yet answered by ``session.updated``; its explicitly set fields take
            precedence in :meth:`session_field`, so audio sent right after an update that
            changes the input format is checked against the new format.
    """

    __slots__ = (
        "_seen_invalid",
        "_seen_unknown",
        "_session",
        "_session_frame",
        "_session_values",
        "max_message_size",
        "requested_session",
        "session_version",
        "side",
    )

    def __init__(
        self, side: Side, *, max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE
    ) -> None:
        self.side = side
        self.max_message_size = max_message_size
        self._session: ResponseSession | None = None
        # The frame text of the last session.created / session.updated not yet decoded into
        # a session (text is not tracked by the garbage collector; the decoded model tree is
        # about 8 objects that every full collection walks, per open connection), and the
        # audio-format fields read from it so far (see session_field).
        self._session_frame: str | bytes | None = None
        self._session_values: dict[str, Any] | None = None
        self.session_version = 0
        """Changes whenever :attr:`session` or :attr:`requested_session` may have changed
        (for caches of values derived from them, e.g. the connection's audio formats)."""
        self.requested_session: RequestSession | None = None
        # Types already logged (created on the first unknown / invalid event).
        self._seen_unknown: set[str | None] | None = None
        self._seen_invalid: set[str] | None = None

    # ------------------------------------------------------------------ outgoing

    def encode_client_event(self, event: ClientEvent | Mapping[str, Any]) -> str:
        """Validate (if given a ``dict``) and serialize a client event to JSON text.

        Raises:
            pydantic.ValidationError: the dict is not a valid client event (names the field).
            TypeError: ``event`` is neither a client event model nor a mapping.
        """
        # Models are mappings too (the official SDK's mapping view), so test for one first.
        if not isinstance(event, ClientEventBase):
            if not isinstance(event, Mapping):
                raise TypeError(
                    f"expected a client event model or a dict, got {type(event).__name__}"
                )
            try:
                event = CLIENT_EVENT_ADAPTER.validate_python(event)
            except ValidationError as error:
                roots = list(CLIENT_EVENT_CLASSES.values())
                raise with_field_hints(error, roots) from None
            warn_unknown_values(event, event.type)
        self.note_sent(event)
        return event.to_wire_json()

    def note_sent(self, event: ClientEventBase) -> None:
        """Record what a sent client event changes in the local state (``session.update``)."""
        if type(event) is ClientEventSessionUpdate:
            self.requested_session = event.session
            self.session_version += 1

    @property
    def session(self) -> ResponseSession | None:
        """The ``session`` of the last ``session.created`` / ``session.updated`` (``None``
        until the first one, or when that frame left it out).

        Decoded from the frame the first time it is read and then kept: a connection whose
        app never looks at it keeps only the frame's text, which the garbage collector does
        not track, instead of a model tree it walks in every full collection.
        """
        frame = self._session_frame
        if frame is not None:
            self._session = self._decode_session(frame)
            self._session_frame = self._session_values = None
        return self._session

    @session.setter
    def session(self, session: ResponseSession | None) -> None:
        self._session = session
        self._session_frame = self._session_values = None
        self.session_version += 1

    def _decode_session(self, frame: str | bytes) -> ResponseSession | None:
        event = SERVER_EVENT_ADAPTER.validate_json(frame, extra="allow")
        return cast(ServerEventSessionCreated, event).session

    def session_field(self, name: str) -> Any:
        """A session field as the next frames will see it: requested if pending, else confirmed.

        The audio-format fields are read without keeping the decoded session (see
        :attr:`session`): every ``input_audio_buffer.append`` checks the input format.
        """
        requested = self.requested_session
        if requested is not None and name in requested.model_fields_set:
            return getattr(requested, name)
        frame = self._session_frame
        if frame is None or name not in _FORMAT_FIELDS:
            session = self.session
            return getattr(session, name, None) if session is not None else None
        values = self._session_values
        if values is None:
            session = self._decode_session(frame)
            values = self._session_values = {
                field: getattr(session, field, None) for field in _FORMAT_FIELDS
            }
        return values[name]

    @staticmethod
    def encode_audio_append(audio_base64: str, event_id: str | None = None) -> str:
        """JSON text of ``input_audio_buffer.append`` for already base64-encoded audio.

        The hot path of audio streaming: one string join, no model, no second
        serialization. ``audio_base64`` must be standard base64 (the base64 alphabet needs no
        JSON escaping); ``event_id`` is JSON-escaped.
        """
        if event_id is None:
            return '{"type":"input_audio_buffer.append","audio":"' + audio_base64 + '"}'
        return (
            '{"type":"input_audio_buffer.append","event_id":'
            + json.dumps(event_id)
            + ',"audio":"'
            + audio_base64
            + '"}'
        )

    @staticmethod
    def encode_server_event(event: ServerEventBase | Mapping[str, Any]) -> str:
        """Serialize a server event (model or dict) to JSON text (server side)."""
        if isinstance(event, ServerEventBase):
            return event.to_wire_json()
        if isinstance(event, Mapping):
            return json.dumps(event, separators=(",", ":"))
        raise TypeError(f"expected a server event model or a dict, got {type(event).__name__}")

    # ------------------------------------------------------------------ incoming

    def _check_size(self, data: str | bytes) -> None:
        limit = self.max_message_size
        if limit is not None and len(data) > limit:
            raise MessageTooLargeError(
                f"frame of {len(data)} bytes exceeds max_msg_size={limit}; raise "
                "connection_options['max_msg_size'] if the service really sends frames this big",
                raw=_preview(data),
            )

    def decode_server_frame(self, data: str | bytes) -> ServerEvent:
        """Decode one server frame (text, or binary holding UTF-8 JSON) into a typed event.

        Raises:
            MessageTooLargeError: the frame is over ``max_message_size``.
            MalformedFrameError: the frame is not a JSON object.
        """
        if self.max_message_size is not None and len(data) > self.max_message_size:
            self._check_size(data)
        try:
            event: ServerEvent = _VALIDATE_SERVER_JSON(data, extra="allow")
        except ValidationError as exc:
            return self._fallback_server_event(data, exc)
        cls = type(event)
        # models._base.compact_server_event, inline: 2 GC-tracked allocations per event, not 4
        if not event.__pydantic_extra__:
            _SET_EXTRA(event, None)
            full = _FULL_FIELDS.get(cls)
            if full is None:  # once per event class (reading the class attributes per event
                # cost ~2,400 instructions more than this lookup)
                full = _FULL_FIELDS[cls] = (cls._all_fields_count, cls._all_fields_set)
            if len(event.__pydantic_fields_set__) == full[0]:
                _SET_FIELDS_SET(event, full[1])
        if cls is ServerEventSessionCreated or cls is ServerEventSessionUpdated:
            # kept as text, decoded again only if asked for (see the session property)
            self._session = self._session_values = None
            self._session_frame = data
            self.requested_session = None
            self.session_version += 1
        return event

    def _fallback_server_event(self, data: str | bytes, exc: ValidationError) -> ServerEvent:
        errors = exc.errors(include_url=False)
        first = errors[0]["type"] if errors else ""
        if _not_an_object(errors):
            raise MalformedFrameError(
                f"server frame is not a JSON object ({errors[0]['msg']})", raw=_preview(data)
            ) from None
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError):
            raise MalformedFrameError(
                "server frame is not valid JSON", raw=_preview(data)
            ) from None
        if not isinstance(raw, dict):
            raise MalformedFrameError("server frame is not a JSON object", raw=_preview(data))
        wire_type = raw.get("type")
        raw_type = wire_type if isinstance(wire_type, str) else None
        event_id = raw.get("event_id")
        event_id = event_id if isinstance(event_id, str) else None
        if first in _UNKNOWN_TAG or raw_type is None:
            if self._seen_unknown is None:
                self._seen_unknown = set()
            if raw_type not in self._seen_unknown:
                self._seen_unknown.add(raw_type)
                _log.info(
                    "received unknown server event type %r; delivered as UnknownServerEvent",
                    raw_type,
                )
            return UnknownServerEvent(raw_type=raw_type, raw=raw, event_id=event_id)
        if self._seen_invalid is None:
            self._seen_invalid = set()
        if raw_type not in self._seen_invalid:
            self._seen_invalid.add(raw_type)
            _log.warning(
                "server event %r failed validation (the service may have changed it); delivered "
                "as InvalidServerEvent: %s",
                raw_type,
                _short_errors(errors),
            )
        return InvalidServerEvent(
            raw_type=raw_type,
            raw=raw,
            error=str(exc),
            errors=[_json_safe_error(error) for error in errors],
            event_id=event_id,
        )

    def decode_client_frame(self, data: str | bytes) -> ClientEvent:
        """(Server side) decode one client frame into a typed client event.

        Raises:
            MessageTooLargeError: the frame is over ``max_message_size``.
            MalformedFrameError: the frame is not a JSON object.
            InvalidEventError: the frame is not a valid client event; carries the ``type``,
                ``event_id`` and offending ``param`` for the service-style ``error`` event.
        """
        self._check_size(data)
        try:
            return CLIENT_EVENT_ADAPTER.validate_json(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            if _not_an_object(errors):
                raise MalformedFrameError(
                    f"client frame is not a JSON object ({errors[0]['msg']})", raw=_preview(data)
                ) from None
            # pydantic-core parsed it: a JSON object (anything else is not_an_object above)
            raw = json.loads(data)
            wire_type = raw.get("type")
            event_id = raw.get("event_id")
            event_type = wire_type if isinstance(wire_type, str) else None
            event_id = event_id if isinstance(event_id, str) else None
            # a tag error (union_tag_invalid / _not_found) always has a type outside the union
            if event_type not in CLIENT_EVENT_CLASSES:
                raise InvalidEventError(
                    f"Unknown event type {event_type!r}",
                    raw=_preview(data),
                    event_type=event_type,
                    event_id=event_id,
                    code="unknown_event_type",
                ) from None
            param = _error_location(errors[0])
            raise InvalidEventError(
                f"Invalid value for {param or 'event'} in {event_type}: {errors[0]['msg']}",
                raw=_preview(data),
                event_type=event_type,
                event_id=event_id,
                param=param,
            ) from None


def _short_errors(errors: list[Any]) -> str:
    return "; ".join(
        f"{_error_location(error) or '<event>'}: {error['msg']}" for error in errors[:3]
    )


def _json_safe_error(error: Mapping[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = {
        "type": error.get("type"),
        "loc": [
            part if isinstance(part, (int, str)) else str(part) for part in error.get("loc", ())
        ],
        "msg": error.get("msg"),
    }
    value = error.get("input")
    if isinstance(value, (str, int, float, bool)) or value is None:
        safe["input"] = value if not isinstance(value, str) else value[:_RAW_PREVIEW]
    return safe
