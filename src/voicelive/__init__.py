"""voicelive: a fast, typed async client for the Azure AI Voice Live realtime API.

Entry points: :func:`voicelive.aio.connect` (the client), :mod:`voicelive.models` (every
wire model), :mod:`voicelive.testing` (emulator, cassettes, pytest plugin),
:mod:`voicelive.audio` (numpy audio helpers), :mod:`voicelive.conversation` (helpers above
the wire). The exception tree lives in :mod:`voicelive.exceptions` and is re-exported here.
:func:`install_as_azure_ai_voicelive` makes ``import azure.ai.voicelive`` resolve to voicelive.
"""

from ._install import install_as_azure_ai_voicelive
from ._version import __version__
from .exceptions import (
    AuthenticationError,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    ConnectionError,
    HandshakeError,
    InvalidEventError,
    LocalProtocolError,
    MalformedFrameError,
    MessageTooLargeError,
    ProtocolError,
    ReceiveTimeoutError,
    RedirectRefusedError,
    RemoteProtocolError,
    ServerError,
    VoiceLiveError,
    WaitTimeoutError,
)

__all__ = [
    "AuthenticationError",
    "ConnectionClosed",
    "ConnectionClosedError",
    "ConnectionClosedOK",
    "ConnectionError",
    "HandshakeError",
    "InvalidEventError",
    "LocalProtocolError",
    "MalformedFrameError",
    "MessageTooLargeError",
    "ProtocolError",
    "ReceiveTimeoutError",
    "RedirectRefusedError",
    "RemoteProtocolError",
    "ServerError",
    "VoiceLiveError",
    "WaitTimeoutError",
    "__version__",
    "install_as_azure_ai_voicelive",
]
