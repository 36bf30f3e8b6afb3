"""Fault injection for :class:`~voicelive.testing.MockServer`.

A :class:`Fault` is an *action* plus a *trigger*::

    MockServer(faults=[
        Fault.close(1011).after("response.audio.delta", count=3),
        Fault.drop().after_client("input_audio_buffer.append", count=50),
        Fault.stall(500).before("response.done"),
        Fault.malformed_json(),          # no trigger: on connect, before session.created
    ])

Actions: :meth:`~Fault.close` (a close frame with a code; 1006 cannot be sent on the wire,
so ``close(1006)`` drops the TCP connection, which the client sees as 1006),
:meth:`~Fault.drop`, :meth:`~Fault.stall`, :meth:`~Fault.malformed_json`,
:meth:`~Fault.unknown_event`, :meth:`~Fault.oversize`, :meth:`~Fault.binary_frame`,
:meth:`~Fault.ping` and :meth:`~Fault.inject` (any frame).

Triggers (the event ``type`` may be ``"*"`` for any event):

* none -- on connect, before ``session.created``;
* :meth:`~Fault.after` -- right after the ``count``-th server event of a type is sent;
* :meth:`~Fault.before` -- right before the ``count``-th server event of a type is sent;
* :meth:`~Fault.after_client` -- right after the ``count``-th client event of a type is
  received (before the server handles it).

A fault fires once per server (on the first connection that reaches its trigger), so a
client that reconnects finds a healthy server; :meth:`~Fault.every_connection` makes it fire
on every connection.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["DEFAULT_OVERSIZE_BYTES", "Fault", "FaultAction", "FaultTrigger"]

FaultAction = Literal[
    "close",
    "drop",
    "stall",
    "malformed_json",
    "unknown_event",
    "oversize",
    "binary",
    "ping",
    "inject",
]
"""What a fault does."""

FaultTrigger = Literal["connect", "after", "before", "after_client"]
"""When a fault fires."""

DEFAULT_OVERSIZE_BYTES = 4 * 1024 * 1024 + 1
"""Default size of :meth:`Fault.oversize` frames: one byte over the client's 4 MiB default."""


@dataclass(frozen=True)
class Fault:
    """One injected fault; build it with the class methods, then pick a trigger.

    Attributes:
        action: what happens.
        trigger: when (``"connect"`` unless :meth:`after`, :meth:`before` or
            :meth:`after_client` was called).
        event_type: the event type the trigger counts (``"*"``: any).
        count: which occurrence of ``event_type`` fires the fault (1 = the first).
        code, reason: close code and reason (``close``).
        ms: stall duration (``stall``).
        frame: the frame sent (text or bytes; ``malformed_json``, ``unknown_event``,
            ``oversize``, ``binary``, ``inject``) or the ping payload (``ping``).
        all_connections: fire on every connection instead of once per server.
    """

    action: FaultAction
    trigger: FaultTrigger = "connect"
    event_type: str = "*"
    count: int = 1
    code: int = 1011
    reason: str = ""
    ms: float = 0.0
    frame: str | bytes = b""
    all_connections: bool = False

    # -- actions -----------------------------------------------------------------

    @classmethod
    def close(cls, code: int = 1011, reason: str = "") -> Fault:
        """Close the WebSocket with ``code`` (1000, 1001, 1011, ...; 1006 drops instead)."""
        return cls("close", code=code, reason=reason or _CLOSE_REASONS.get(code, "fault"))

    @classmethod
    def drop(cls) -> Fault:
        """Abort the TCP connection without a close frame (the client sees 1006)."""
        return cls("drop", code=1006)

    @classmethod
    def stall(cls, ms: float) -> Fault:
        """Stop sending (and handling) for ``ms`` milliseconds, then carry on."""
        if ms < 0:
            raise ValueError(f"stall duration must not be negative, got {ms}")
        return cls("stall", ms=float(ms))

    @classmethod
    def malformed_json(cls, text: str = '{"type": "response.text.delta", "delta": ') -> Fault:
        """Send a text frame that is not valid JSON (default: a truncated event)."""
        return cls("malformed_json", frame=text)

    @classmethod
    def unknown_event(cls, event_type: str = "voicelive.emulator.unknown", **fields: Any) -> Fault:
        """Send a well-formed event of a type the client does not know."""
        payload = {"type": event_type, "event_id": "event_fault", **fields}
        return cls("unknown_event", frame=json.dumps(payload, separators=(",", ":")))

    @classmethod
    def oversize(cls, n_bytes: int = DEFAULT_OVERSIZE_BYTES) -> Fault:
        """Send a valid ``response.text.delta`` frame of exactly ``n_bytes`` bytes."""
        head = '{"type":"response.text.delta","event_id":"event_fault","response_id":"resp_fault",'
        head += '"item_id":"item_fault","output_index":0,"content_index":0,"delta":"'
        tail = '"}'
        padding = n_bytes - len(head) - len(tail)
        if padding < 0:
            raise ValueError(f"an oversize frame needs at least {len(head) + len(tail)} bytes")
        return cls("oversize", frame=head + "x" * padding + tail)

    @classmethod
    def binary_frame(cls, data: bytes | Mapping[str, Any] | None = None) -> Fault:
        """Send a binary frame: ``data`` as is, a mapping as UTF-8 JSON, or by default a
        well-formed ``voicelive.emulator.binary`` event as UTF-8 JSON (the service may send
        JSON in binary frames; clients must decode them like text)."""
        if data is None:
            data = {"type": "voicelive.emulator.binary", "event_id": "event_fault"}
        if isinstance(data, Mapping):
            data = json.dumps(dict(data), separators=(",", ":")).encode("utf-8")
        return cls("binary", frame=bytes(data))

    @classmethod
    def ping(cls, data: bytes = b"") -> Fault:
        """Send a WebSocket PING control frame."""
        return cls("ping", frame=bytes(data))

    @classmethod
    def inject(cls, frame: str | bytes | Mapping[str, Any]) -> Fault:
        """Send any frame: text, bytes (binary frame) or a mapping (JSON text), e.g. an
        ``error`` event the real service might send."""
        if isinstance(frame, Mapping):
            frame = json.dumps(dict(frame), separators=(",", ":"))
        return cls("inject", frame=frame)

    # -- triggers ----------------------------------------------------------------

    def after(self, event_type: str, count: int = 1) -> Fault:
        """Fire right after the ``count``-th server event of ``event_type`` is sent."""
        return self._when("after", event_type, count)

    def before(self, event_type: str, count: int = 1) -> Fault:
        """Fire right before the ``count``-th server event of ``event_type`` is sent."""
        return self._when("before", event_type, count)

    def after_client(self, event_type: str, count: int = 1) -> Fault:
        """Fire right after the ``count``-th client event of ``event_type`` is received."""
        return self._when("after_client", event_type, count)

    def on_connect(self) -> Fault:
        """Fire when a client connects, before ``session.created`` (the default)."""
        return dataclasses.replace(self, trigger="connect", event_type="*", count=1)

    def every_connection(self) -> Fault:
        """Fire on every connection, not only the first one that reaches the trigger."""
        return dataclasses.replace(self, all_connections=True)

    def _when(self, trigger: FaultTrigger, event_type: str, count: int) -> Fault:
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        return dataclasses.replace(self, trigger=trigger, event_type=event_type, count=count)

    def describe(self) -> str:
        """A short human description, e.g. ``close(1011) after 3rd response.audio.delta``."""
        what = {
            "close": f"close({self.code})",
            "drop": "drop()",
            "stall": f"stall({self.ms:g} ms)",
            "ping": "ping()",
        }.get(self.action, f"{self.action}()")
        if self.trigger == "connect":
            return f"{what} on connect"
        side = "client " if self.trigger == "after_client" else ""
        when = "before" if self.trigger == "before" else "after"
        return f"{what} {when} {side}{_ordinal(self.count)} {self.event_type}"


_CLOSE_REASONS = {
    1000: "normal closure",
    1001: "going away",
    1008: "policy violation",
    1011: "internal server error",
}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
