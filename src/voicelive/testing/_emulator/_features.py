"""Optional service features: avatar negotiation (more feature families join here)."""

from __future__ import annotations

import base64
from typing import Any

from ._base import EmulatorState

__all__ = ["FeaturesPart"]

_FAKE_SDP = base64.b64encode(
    b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=voicelive-emulator\r\nt=0 0\r\n"
).decode("ascii")


class FeaturesPart(EmulatorState):
    """Client events of the optional features."""

    def _on_avatar_connect(self, event: Any) -> None:
        self._emit("session.avatar.connecting", server_sdp=_FAKE_SDP)
