"""Twilio Media Streams: typed WebSocket messages, TwiML, and webhook signatures.

Twilio opens a WebSocket to the URL of a ``<Connect><Stream>`` (bidirectional) and sends
JSON text frames with an ``event`` discriminator, camelCase keys throughout:

* ``connected`` -- first frame: ``protocol``, ``version``.
* ``start`` -- once: ``streamSid`` and ``start`` = ``{streamSid, accountSid, callSid, tracks,
  customParameters, mediaFormat: {encoding, sampleRate, channels}}``. The audio is always
  ``audio/x-mulaw`` at 8000 Hz mono.
* ``media`` -- ``media`` = ``{track, chunk, timestamp, payload}``, payload base64 μ-law
  (20 ms = 160 bytes per frame).
* ``dtmf`` -- ``dtmf`` = ``{track, digit}``.
* ``mark`` -- the echo of a mark we sent, once the audio queued before it has played (and, after a
  ``clear``, for every mark still pending: those did *not* play).
* ``stop`` -- ``stop`` = ``{accountSid, callSid}``: the stream (call) ended.

We send ``media`` (``{event, streamSid, media: {payload}}``), ``mark`` (``{event, streamSid,
mark: {name}}``) and ``clear`` (``{event, streamSid}``: drop the audio Twilio buffered).

Received messages are decoded leniently (unknown keys kept, an unknown ``event`` becomes
:class:`TwilioUnknown`); a frame that is not JSON or lacks a required field raises
:class:`~voicelive.telephony.PhoneProtocolError`. Messages we build forbid unknown fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as _quote
from typing import Any, Literal
from xml.sax.saxutils import quoteattr

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from ._errors import MissingExtraError, PhoneProtocolError

__all__ = [
    "TWILIO_MEDIA_FORMAT",
    "TwilioClear",
    "TwilioConnected",
    "TwilioDtmf",
    "TwilioInbound",
    "TwilioMark",
    "TwilioMedia",
    "TwilioMediaFormat",
    "TwilioOutbound",
    "TwilioStart",
    "TwilioStop",
    "TwilioUnknown",
    "parse_twilio_message",
    "twilio_connect_twiml",
    "validate_twilio_signature",
]

_IN = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")
_OUT = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class _In(BaseModel):
    model_config = _IN

    def to_json(self) -> str:
        """The wire JSON (camelCase keys)."""
        return self.model_dump_json(by_alias=True, exclude_none=True)


class _Out(BaseModel):
    model_config = _OUT

    def to_json(self) -> str:
        """The wire JSON (camelCase keys)."""
        return self.model_dump_json(by_alias=True, exclude_none=True)


class TwilioMediaFormat(_In):
    """``start.mediaFormat``: the stream's audio format."""

    encoding: str = "audio/x-mulaw"
    sample_rate: int = 8000
    channels: int = 1


TWILIO_MEDIA_FORMAT = TwilioMediaFormat()
"""What Twilio always streams: μ-law at 8000 Hz, mono."""


class TwilioConnected(_In):
    """First frame of a stream."""

    event: Literal["connected"] = "connected"
    protocol: str = "Call"
    version: str = "1.0.0"


class TwilioStartInfo(_In):
    """The ``start`` object."""

    stream_sid: str
    account_sid: str = ""
    call_sid: str = ""
    tracks: list[str] = Field(default_factory=lambda: ["inbound"])
    custom_parameters: dict[str, str] = Field(default_factory=dict)
    media_format: TwilioMediaFormat = Field(default_factory=TwilioMediaFormat)


class TwilioStart(_In):
    """Stream metadata, sent once after ``connected``."""

    event: Literal["start"] = "start"
    sequence_number: str | None = None
    stream_sid: str | None = None
    start: TwilioStartInfo


class TwilioMediaPayload(_In):
    """The ``media`` object of a received frame."""

    track: str = "inbound"
    chunk: str | None = None
    timestamp: str | None = None
    payload: str


class TwilioMedia(_In):
    """A frame of the caller's audio (base64 μ-law in ``media.payload``)."""

    event: Literal["media"] = "media"
    sequence_number: str | None = None
    stream_sid: str | None = None
    media: TwilioMediaPayload


class TwilioDtmfInfo(_In):
    """The ``dtmf`` object."""

    track: str = "inbound_track"
    digit: str


class TwilioDtmf(_In):
    """A key the caller pressed."""

    event: Literal["dtmf"] = "dtmf"
    sequence_number: str | None = None
    stream_sid: str | None = None
    dtmf: TwilioDtmfInfo


class TwilioMarkInfo(_In):
    """The ``mark`` object."""

    name: str


class TwilioMark(_In):
    """Echo of a mark we sent: the audio queued before it has played (or was cleared)."""

    event: Literal["mark"] = "mark"
    sequence_number: str | None = None
    stream_sid: str | None = None
    mark: TwilioMarkInfo


class TwilioStopInfo(_In):
    """The ``stop`` object."""

    account_sid: str = ""
    call_sid: str = ""


class TwilioStop(_In):
    """The stream ended (the caller hung up, or the call moved on)."""

    event: Literal["stop"] = "stop"
    sequence_number: str | None = None
    stream_sid: str | None = None
    stop: TwilioStopInfo = Field(default_factory=TwilioStopInfo)


class TwilioUnknown(_In):
    """A message with an ``event`` this version does not know (kept, ignored)."""

    event: str


TwilioInbound = (
    TwilioConnected
    | TwilioStart
    | TwilioMedia
    | TwilioDtmf
    | TwilioMark
    | TwilioStop
    | TwilioUnknown
)
"""Any message Twilio sends."""

_INBOUND: dict[str, type[_In]] = {
    "connected": TwilioConnected,
    "start": TwilioStart,
    "media": TwilioMedia,
    "dtmf": TwilioDtmf,
    "mark": TwilioMark,
    "stop": TwilioStop,
}


class _OutMedia(_Out):
    payload: str


class _OutMark(_Out):
    name: str


class TwilioOutMedia(_Out):
    """Audio for the caller: base64 μ-law 8 kHz in ``media.payload``."""

    event: Literal["media"] = "media"
    stream_sid: str
    media: _OutMedia


class TwilioOutMark(_Out):
    """A named mark; Twilio echoes it once the audio sent before it has played."""

    event: Literal["mark"] = "mark"
    stream_sid: str
    mark: _OutMark


class TwilioClear(_Out):
    """Drop every audio frame Twilio has buffered for the caller (barge-in)."""

    event: Literal["clear"] = "clear"
    stream_sid: str


TwilioOutbound = TwilioOutMedia | TwilioOutMark | TwilioClear
"""Any message we send to Twilio."""


def media_prefix(stream_sid: str) -> str:
    """An outbound ``media`` message up to its payload: ``prefix + base64 + '"}}'`` is the
    same text as :func:`media_frame` (base64 has nothing to escape)."""
    return '{"event":"media","streamSid":' + _quote(stream_sid) + ',"media":{"payload":"'


def media_frame(stream_sid: str, payload: str) -> str:
    """The wire JSON of an outbound ``media`` message (compact, no model round trip)."""
    return (
        '{"event":"media","streamSid":'
        + _quote(stream_sid)
        + ',"media":{"payload":'
        + _quote(payload)
        + "}}"
    )


def mark_frame(stream_sid: str, name: str) -> str:
    """The wire JSON of an outbound ``mark`` message (compact, no model round trip)."""
    return (
        '{"event":"mark","streamSid":'
        + _quote(stream_sid)
        + ',"mark":{"name":'
        + _quote(name)
        + "}}"
    )


def clear_frame(stream_sid: str) -> str:
    """The wire JSON of a ``clear`` message."""
    return TwilioClear(stream_sid=stream_sid).to_json()


def parse_twilio_message(data: str | bytes | Mapping[str, Any]) -> TwilioInbound:
    """Decode one Twilio Media Streams frame.

    Raises:
        PhoneProtocolError: not JSON, not an object, no ``event``, or a required field missing
            (the message names the field).
    """
    if isinstance(data, Mapping):
        obj: Any = data
    else:
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PhoneProtocolError("twilio", f"frame is not JSON ({exc})") from None
        except RecursionError:  # nested deeper than json can follow: a bad frame like any other
            raise PhoneProtocolError("twilio", "frame is not JSON (nested too deeply)") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("event"), str):
        raise PhoneProtocolError("twilio", "frame is not a JSON object with an 'event' string")
    model = _INBOUND.get(obj["event"])
    try:
        if model is None:
            return TwilioUnknown.model_validate(obj)
        return model.model_validate(obj)  # type: ignore[return-value]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PhoneProtocolError(
            "twilio", f"bad {obj['event']!r} message: {where}: {first['msg']}"
        ) from None


def parse_twilio_outbound(data: str | bytes) -> TwilioOutbound:
    """Decode a frame *we* sent to Twilio (for fake callers and tests)."""
    obj = json.loads(data)
    kinds: dict[str, type[_Out]] = {
        "media": TwilioOutMedia,
        "mark": TwilioOutMark,
        "clear": TwilioClear,
    }
    event = obj.get("event") if isinstance(obj, dict) else None
    if event not in kinds:
        raise PhoneProtocolError("twilio", f"not a message a server sends: {event!r}")
    return kinds[event].model_validate(obj)  # type: ignore[return-value]


def twilio_connect_twiml(stream_url: str, parameters: Mapping[str, str] | None = None) -> str:
    """TwiML answering a call with a bidirectional stream to ``stream_url`` (``wss://...``).

    ``parameters`` become ``<Parameter name=... value=...>`` children: Twilio hands them back
    in ``start.customParameters`` (the one-time stream token travels this way).
    """
    params = "".join(
        f"<Parameter name={quoteattr(k)} value={quoteattr(v)}/>"
        for k, v in (parameters or {}).items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Connect><Stream url={quoteattr(stream_url)}>{params}</Stream></Connect>"
        "</Response>"
    )


def validate_twilio_signature(
    auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """True when ``X-Twilio-Signature`` signs ``url`` + the POST ``params`` with the token.

    Uses the ``twilio`` package's ``RequestValidator`` (``pip install 'voicelive[twilio]'``).
    """
    try:
        from twilio.request_validator import RequestValidator
    except ImportError:
        raise MissingExtraError("twilio", "twilio", "Twilio signature validation") from None
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))
