"""voicelive: a fast, typed async client for the Azure AI Voice Live realtime API.

Entry points: :func:`voicelive.aio.connect` (the client), :mod:`voicelive.models` (every
wire model), :mod:`voicelive.testing` (emulator, cassettes, pytest plugin),
:mod:`voicelive.audio` (numpy audio helpers), :mod:`voicelive.conversation` (helpers above
the wire). The exception tree lives in :mod:`voicelive.exceptions` and is re-exported here.
:func:`install_as_azure_ai_voicelive` makes ``import azure.ai.voicelive`` resolve to voicelive.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__

VERSION = __version__
"""The package version (the official SDK's spelling of :data:`__version__`)."""

if TYPE_CHECKING:
    from ._install import install_as_azure_ai_voicelive
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


def __getattr__(name: str) -> Any:
    # The re-exports load on first use (PEP 562): ``voicelive --help`` and submodule
    # imports do not pay for azure-core's pipeline or the import-hook machinery.
    if name == "install_as_azure_ai_voicelive":
        from ._install import install_as_azure_ai_voicelive

        return install_as_azure_ai_voicelive
    if name in __all__:
        from . import exceptions

        return getattr(exceptions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "VERSION",
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
