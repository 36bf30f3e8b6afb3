"""Server events of avatars and animation (PROTOCOL.md §4): avatar state, blendshape and viseme
animation, word timestamps and avatar video over the socket. Part of the
:data:`~voicelive.models.ServerEvent` union; see ``_server_events`` for the shared rules.
"""

from typing import Literal

from ._base import ServerEventBase
from ._enums import AudioTimestampType
from ._session import _AudioTimestampTypeT, _WireBytes

__all__ = [
    "ServerEventResponseAnimationBlendshapeDelta",
    "ServerEventResponseAnimationBlendshapeDone",
    "ServerEventResponseAnimationVisemeDelta",
    "ServerEventResponseAnimationVisemeDone",
    "ServerEventResponseAudioTimestampDelta",
    "ServerEventResponseAudioTimestampDone",
    "ServerEventResponseVideoDelta",
    "ServerEventSessionAvatarConnecting",
    "ServerEventSessionAvatarSwitchToIdle",
    "ServerEventSessionAvatarSwitchToSpeaking",
]


class ServerEventSessionAvatarConnecting(ServerEventBase):
    """Server SDP answer for the avatar WebRTC connection."""

    type: Literal["session.avatar.connecting"] = "session.avatar.connecting"
    """Always ``"session.avatar.connecting"``."""
    server_sdp: str
    """The server's SDP answer."""


class ServerEventSessionAvatarSwitchToSpeaking(ServerEventBase):
    """The avatar started speaking."""

    type: Literal["session.avatar.switch_to_speaking"] = "session.avatar.switch_to_speaking"
    """Always ``"session.avatar.switch_to_speaking"``."""
    turn_id: str | None = None
    """Id of the avatar turn."""


class ServerEventSessionAvatarSwitchToIdle(ServerEventBase):
    """The avatar went idle."""

    type: Literal["session.avatar.switch_to_idle"] = "session.avatar.switch_to_idle"
    """Always ``"session.avatar.switch_to_idle"``."""
    turn_id: str | None = None
    """Id of the avatar turn."""


class ServerEventResponseAnimationBlendshapeDelta(ServerEventBase):
    """Blendshape animation frames."""

    type: Literal["response.animation_blendshapes.delta"] = "response.animation_blendshapes.delta"
    """Always ``"response.animation_blendshapes.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    frames: list[list[float]] | str
    """Frames (each a list of blendshape weights) or an encoded string."""
    frame_index: int
    """Index of the first frame."""


class ServerEventResponseAnimationBlendshapeDone(ServerEventBase):
    """Blendshape animation is done."""

    type: Literal["response.animation_blendshapes.done"] = "response.animation_blendshapes.done"
    """Always ``"response.animation_blendshapes.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseAnimationVisemeDelta(ServerEventBase):
    """A viseme of the output audio."""

    type: Literal["response.animation_viseme.delta"] = "response.animation_viseme.delta"
    """Always ``"response.animation_viseme.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    audio_offset_ms: int
    """Offset in the output audio, in ms."""
    viseme_id: int
    """Viseme id."""


class ServerEventResponseAnimationVisemeDone(ServerEventBase):
    """Visemes are done."""

    type: Literal["response.animation_viseme.done"] = "response.animation_viseme.done"
    """Always ``"response.animation_viseme.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""


class ServerEventResponseAudioTimestampDelta(ServerEventBase):
    """A word timestamp of the output audio (session ``output_audio_timestamp_types``)."""

    type: Literal["response.audio_timestamp.delta"] = "response.audio_timestamp.delta"
    """Always ``"response.audio_timestamp.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    audio_offset_ms: int
    """Offset of the word in the output audio, in ms."""
    audio_duration_ms: int
    """Duration of the word, in ms."""
    text: str
    """The word."""
    timestamp_type: _AudioTimestampTypeT = AudioTimestampType.WORD
    """Timestamp kind, ``"word"``."""


class ServerEventResponseAudioTimestampDone(ServerEventBase):
    """Output audio timestamps are done."""

    type: Literal["response.audio_timestamp.done"] = "response.audio_timestamp.done"
    """Always ``"response.audio_timestamp.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""


class ServerEventResponseVideoDelta(ServerEventBase):
    """A chunk of avatar video (``output_protocol: "websocket"``); no ``response_id``."""

    type: Literal["response.video.delta"] = "response.video.delta"
    """Always ``"response.video.delta"``."""
    output_index: int
    """Index of the item in the response's ``output``."""
    codec: str
    """Video codec, e.g. ``"h264"``."""
    delta: _WireBytes
    """Video data (base64 on the wire, decoded to bytes)."""
