"""The asyncio client: ``connect()`` and ``VoiceLiveConnection`` (the official SDK's names)."""

from ..exceptions import ConnectionClosed, ConnectionError
from ._connect import WebsocketConnectionOptions, connect
from ._connection import VoiceLiveConnection
from ._resources import (
    ConversationItemResource,
    ConversationResource,
    InputAudioBufferResource,
    InputAudioResource,
    InputAudioTurnResource,
    InputTextResource,
    McpResource,
    OutputAudioBufferResource,
    ResponseResource,
    RtcResource,
    SessionResource,
    TranscriptionSessionResource,
)

__all__ = [
    "ConnectionClosed",
    "ConnectionError",
    "ConversationItemResource",
    "ConversationResource",
    "InputAudioBufferResource",
    "InputAudioResource",
    "InputAudioTurnResource",
    "InputTextResource",
    "McpResource",
    "OutputAudioBufferResource",
    "ResponseResource",
    "RtcResource",
    "SessionResource",
    "TranscriptionSessionResource",
    "VoiceLiveConnection",
    "WebsocketConnectionOptions",
    "connect",
]
