"""Errors of the phone side (bad frames, refused streams, missing extras)."""

from __future__ import annotations

from ..exceptions import ProtocolError, VoiceLiveError

__all__ = ["MissingExtraError", "PhoneProtocolError", "StreamRefusedError"]


class PhoneProtocolError(ProtocolError):
    """A frame from the phone provider could not be understood.

    The call goes on: the bridge reports the frame (``CallBridge.errors``, a warning in the
    log) and skips it.

    Attributes:
        provider: ``"twilio"`` or ``"acs"``.
    """

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class StreamRefusedError(VoiceLiveError):
    """A media stream was refused (bad stream token, bad signature, wrong audio format).

    Attributes:
        reason: a short reason, also sent as the WebSocket close reason.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message says which extra to install."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the '{package}' package: pip install 'voicelive[{extra}]'"
        )
