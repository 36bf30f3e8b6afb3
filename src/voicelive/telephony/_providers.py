"""The two phone providers behind one small interface (sans-I/O).

A provider turns the phone's frames into :data:`PhoneEvent` values and builds the frames we
send back. The bridge core knows nothing else of Twilio or ACS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic_core import from_json

from .._base64 import b64decode_strict
from ..audio import G711_ALAW, G711_ULAW, PCM16_16K, PCM16_24K, AudioFormat
from . import _acs, _twilio
from ._errors import PhoneProtocolError, StreamRefusedError

__all__ = [
    "AcsProvider",
    "CallInfo",
    "PhoneAudio",
    "PhoneDtmf",
    "PhoneEvent",
    "PhoneIgnored",
    "PhoneMark",
    "PhoneProvider",
    "PhoneStart",
    "PhoneStop",
    "TwilioProvider",
    "mask_number",
]

Provider = Literal["twilio", "acs"]


def mask_number(number: str | None) -> str:
    """A phone number safe to log: only its last 4 digits (``+1415…`` -> ``***1234``)."""
    if not number:
        return "?"
    digits = [c for c in number if c.isdigit()]
    if len(digits) <= 4:
        return "***"
    return "***" + "".join(digits[-4:])


@dataclass
class CallInfo:
    """What is known about a call once its stream started.

    Attributes:
        provider: ``"twilio"`` or ``"acs"``.
        call_id: Twilio ``callSid`` / ACS call connection id.
        stream_id: Twilio ``streamSid`` / ACS subscription id.
        audio_format: the phone's audio format.
        caller: the caller's number as the provider gave it (never logged; see
            :func:`mask_number`), or ``None``.
        parameters: Twilio ``customParameters`` (the stream token removed).
    """

    provider: str
    call_id: str = ""
    stream_id: str = ""
    audio_format: AudioFormat = G711_ULAW
    caller: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"CallInfo(provider={self.provider!r}, call_id={self.call_id!r}, "
            f"caller={mask_number(self.caller)!r}, audio_format='{self.audio_format}')"
        )


@dataclass(frozen=True, slots=True)
class PhoneStart:
    """The stream started (Twilio ``start`` / ACS ``AudioMetadata``)."""

    info: CallInfo
    token: str | None = None


@dataclass(frozen=True, slots=True)
class PhoneAudio:
    """Caller audio, base64 in the phone's format (passed through as is)."""

    payload: str
    nbytes: int
    """The audio's size once decoded (the payload was checked to be base64)."""


@dataclass(frozen=True, slots=True)
class PhoneDtmf:
    """A key the caller pressed."""

    digit: str


@dataclass(frozen=True, slots=True)
class PhoneMark:
    """Twilio echoed one of our marks."""

    name: str


@dataclass(frozen=True, slots=True)
class PhoneStop:
    """The provider ended the stream (the caller hung up)."""


@dataclass(frozen=True, slots=True)
class PhoneIgnored:
    """A frame with nothing to do (``connected``, an unknown kind, ...)."""

    what: str


PhoneEvent = PhoneStart | PhoneAudio | PhoneDtmf | PhoneMark | PhoneStop | PhoneIgnored
"""A phone frame, provider-neutral."""

_TWILIO_ENCODINGS = {"audio/x-mulaw": G711_ULAW, "audio/x-alaw": G711_ALAW}
TOKEN_PARAMETER = "voicelive_token"
"""The ``<Parameter>`` carrying the one-time stream token."""
CALLER_PARAMETER = "caller"
"""The ``<Parameter>`` carrying the caller's number (``From`` of the voice webhook)."""


def _phone_audio(provider: str, payload: str) -> PhoneAudio:
    """``payload`` checked to be base64 (strict: the alphabet, padding, no stray
    characters), so a bad frame is reported as the phone's and never reaches Voice Live."""
    try:
        nbytes = len(b64decode_strict(payload))
    except ValueError:  # binascii.Error, or a str that is not ASCII
        raise PhoneProtocolError(provider, "audio payload is not base64") from None
    return PhoneAudio(payload, nbytes)


def _fast_media_obj(obj: dict[str, Any], body: str, key: str, provider: str) -> PhoneAudio | None:
    """Caller audio taken from a decoded frame without a model round trip, or ``None``
    (take the full path)."""
    inner = obj.get(body)
    if type(inner) is dict:
        payload = inner.get(key)
        track = inner.get("track", "inbound")
        if type(payload) is str and track in ("inbound", "inbound_track") and payload:
            try:  # = _phone_audio(provider, payload), one call less on the hot path
                return PhoneAudio(payload, len(b64decode_strict(payload)))
            except ValueError:
                raise PhoneProtocolError(provider, "audio payload is not base64") from None
    return None


def _json_or_none(data: str | bytes) -> Any:
    """A frame decoded by pydantic-core's JSON parser (Rust: about half the instructions of
    ``json.loads`` on a media frame), or ``None``: the full path decides, with ``json``
    (which also takes what pydantic-core refuses: a lone surrogate, a byte-order mark)."""
    try:
        return from_json(data)
    except ValueError:
        return None


def _fast_media(data: str | bytes, tag: str, kind: str, body: str, key: str) -> PhoneAudio | None:
    """Caller audio decoded without a model round trip, or ``None`` (take the full path)."""
    obj = _json_or_none(data)
    if type(obj) is dict and obj.get(tag) == kind:
        return _fast_media_obj(obj, body, key, "acs")
    return None


class PhoneProvider:
    """Base of the provider adapters."""

    name: str = ""
    acks: bool = False
    """True when the provider echoes marks after playback (Twilio)."""
    mark_ms: int = 0
    """Audio between two marks (see :class:`~voicelive.telephony.BridgeCore`); 0: no marks."""

    def __init__(self) -> None:
        self.stream_id = ""

    def parse(self, data: str | bytes) -> PhoneEvent:
        """One phone frame as a :data:`PhoneEvent` (raises ``PhoneProtocolError``)."""
        raise NotImplementedError

    def audio(self, payload: str) -> str:
        """An outbound audio frame (base64 payload in the phone's format)."""
        raise NotImplementedError

    def mark(self, name: str) -> str | None:
        """An outbound mark frame, or ``None`` when the provider has none."""
        return None

    def clear(self) -> str:
        """The frame that drops the audio the provider queued for the caller."""
        raise NotImplementedError


class TwilioProvider(PhoneProvider):
    """Twilio Media Streams (μ-law 8 kHz, marks echoed after playback).

    Args:
        mark_ms: assistant audio between two marks: a mark follows the first frame of each
            item's audio, then a delta once ``mark_ms`` went out since the last mark, and the
            end of each response's audio. Heard audio is what the echoes acknowledge plus
            the playback time since the last echo, capped at the next mark. 20 (or less):
            a mark after every 20 ms frame and heard audio from the echoes alone (exact
            whatever the clock, at three times the WebSocket messages).
    """

    name = "twilio"
    acks = True

    def __init__(self, mark_ms: int = 100) -> None:
        super().__init__()
        if mark_ms <= 0:
            raise ValueError(f"mark_ms must be positive, got {mark_ms}")
        self.mark_ms = mark_ms
        self._prefix_sid: str | None = None
        self._media_prefix = ""

    def parse(self, data: str | bytes) -> PhoneEvent:
        """See :meth:`PhoneProvider.parse`."""
        obj = _json_or_none(data)  # None: parse_twilio_message says what is wrong with it
        if type(obj) is dict:  # the hot paths: media 50 times a second, mark echoes
            kind = obj.get("event")
            if kind == "media":
                fast = _fast_media_obj(obj, "media", "payload", "twilio")
                if fast is not None:
                    return fast
            elif kind == "mark":
                mark = obj.get("mark")
                name = mark.get("name") if type(mark) is dict else None
                if type(name) is str:
                    return PhoneMark(name)
        msg = _twilio.parse_twilio_message(obj if type(obj) is dict else data)
        if isinstance(msg, _twilio.TwilioMedia):
            if msg.media.track not in ("inbound", "inbound_track"):
                return PhoneIgnored(f"media of track {msg.media.track!r}")
            return _phone_audio("twilio", msg.media.payload)
        if isinstance(msg, _twilio.TwilioMark):
            return PhoneMark(msg.mark.name)
        if isinstance(msg, _twilio.TwilioDtmf):
            return PhoneDtmf(msg.dtmf.digit)
        if isinstance(msg, _twilio.TwilioStart):
            start = msg.start
            fmt = _TWILIO_ENCODINGS.get(start.media_format.encoding)
            if fmt is None or start.media_format.sample_rate != 8000:
                raise StreamRefusedError(
                    f"Twilio stream announces {start.media_format.encoding} at "
                    f"{start.media_format.sample_rate} Hz; expected audio/x-mulaw or "
                    "audio/x-alaw at 8000 Hz"
                )
            params = dict(start.custom_parameters)
            token = params.pop(TOKEN_PARAMETER, None)
            caller = params.pop(CALLER_PARAMETER, None)
            self.stream_id = start.stream_sid
            info = CallInfo("twilio", start.call_sid, start.stream_sid, fmt, caller, params)
            return PhoneStart(info, token)
        if isinstance(msg, _twilio.TwilioStop):
            return PhoneStop()
        return PhoneIgnored(msg.event)

    def audio(self, payload: str) -> str:
        """See :meth:`PhoneProvider.audio` (``payload`` is base64: nothing to escape)."""
        if self._prefix_sid != self.stream_id:
            self._prefix_sid = self.stream_id
            self._media_prefix = _twilio.media_prefix(self.stream_id)
        return self._media_prefix + payload + '"}}'

    def mark(self, name: str) -> str | None:
        """See :meth:`PhoneProvider.mark`."""
        return _twilio.mark_frame(self.stream_id, name)

    def clear(self) -> str:
        """See :meth:`PhoneProvider.clear`."""
        return _twilio.clear_frame(self.stream_id)


class AcsProvider(PhoneProvider):
    """ACS bidirectional media streaming (PCM16 16/24 kHz, no playback acks).

    Args:
        call_id: the ``x-ms-call-connection-id`` header of the WebSocket request.
        caller: the caller's number if known (from the incoming-call webhook).
    """

    name = "acs"
    acks = False

    def __init__(self, call_id: str = "", caller: str | None = None) -> None:
        super().__init__()
        self.call_id = call_id
        self.caller = caller

    def parse(self, data: str | bytes) -> PhoneEvent:
        """See :meth:`PhoneProvider.parse`."""
        fast = _fast_media(data, "kind", "AudioData", "audioData", "data")
        if fast is not None:  # the hot path: 50 frames a second per call
            return fast
        msg = _acs.parse_acs_message(data)
        if isinstance(msg, _acs.AcsAudioData):
            if msg.audio_data.silent and not msg.audio_data.data:
                return PhoneIgnored("silent frame")
            return _phone_audio("acs", msg.audio_data.data)
        if isinstance(msg, _acs.AcsDtmfData):
            return PhoneDtmf(msg.dtmf_data.data)
        if isinstance(msg, _acs.AcsAudioMetadata):
            meta = msg.audio_metadata
            fmt = {16000: PCM16_16K, 24000: PCM16_24K}.get(meta.sample_rate)
            if meta.encoding.upper() != "PCM" or fmt is None or meta.channels != 1:
                raise StreamRefusedError(
                    f"ACS stream announces {meta.encoding} {meta.sample_rate} Hz "
                    f"{meta.channels} channel(s); expected PCM at 16000 or 24000 Hz mono"
                )
            self.stream_id = meta.subscription_id
            return PhoneStart(CallInfo("acs", self.call_id, meta.subscription_id, fmt, self.caller))
        return PhoneIgnored(msg.kind)

    def audio(self, payload: str) -> str:
        """See :meth:`PhoneProvider.audio`."""
        return _acs.audio_frame(payload)

    def clear(self) -> str:
        """See :meth:`PhoneProvider.clear`."""
        return _acs.STOP_AUDIO_FRAME
