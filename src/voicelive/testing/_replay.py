"""Cassette playback: the handler behind :meth:`MockServer.replay`."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any, Literal

from .._logging import get_logger
from ..exceptions import ConnectionClosed
from ._cassette import (
    Cassette,
    CassetteFrame,
    CassetteMismatchError,
    MatchMode,
    compare_frames,
    scrub_event,
)

if TYPE_CHECKING:
    from ._server import MockServer, MockServerConnection

__all__ = ["Replayer"]

_log = get_logger("testing")


def _parsed(data: str | bytes) -> Any:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data if isinstance(data, str) else f"<binary frame, {len(data)} bytes>"
    scrubbed, _ = scrub_event(value)
    return scrubbed


def _dumps(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= 400 else text[:400] + f"... ({len(text)} chars)"


class Replayer:
    """Plays a :class:`Cassette` to each connection (see :meth:`MockServer.replay`)."""

    def __init__(
        self,
        server: MockServer,
        cassette: Cassette,
        *,
        timing: Literal["fast", "real"] = "fast",
        match: MatchMode = "type",
    ) -> None:
        if timing not in ("fast", "real"):
            raise ValueError(f"timing must be 'fast' or 'real', got {timing!r}")
        if not callable(match) and match not in ("type", "strict"):
            raise ValueError(f"match must be 'type', 'strict' or a callable, got {match!r}")
        self.server = server
        self.cassette = cassette
        self.timing = timing
        self.match = match

    def __repr__(self) -> str:
        return f"<Replayer {self.cassette.name} timing={self.timing} match={self.match!r}>"

    async def __call__(self, connection: MockServerConnection) -> None:
        loop = asyncio.get_running_loop()
        frames = self.cassette.frames
        compare_length = not self.cassette.input_audio_shortened
        anchor_wall, anchor_t = loop.time(), 0.0
        for index, frame in enumerate(frames):
            if frame.source == "server":
                if self.timing == "real":
                    delay = anchor_wall + (frame.t - anchor_t) - loop.time()
                    await asyncio.sleep(max(0.0, delay))
                else:
                    await asyncio.sleep(0)
                if frame.kind == "close":
                    if frame.close_code in (1005, 1006, None):
                        connection.drop()
                    else:
                        await connection.close(frame.close_code, frame.close_reason)
                    return
                await connection.send_raw(
                    frame.text if frame.text is not None else frame.data or b""
                )
                continue
            try:
                data = await connection.recv_frame()
            except ConnectionClosed as closed:
                if frame.kind != "close":
                    await self._closed_early(connection, index, frame, closed)
                return
            reason = compare_frames(frame, data, self.match, compare_audio_length=compare_length)
            if reason is not None:
                await self._mismatch(connection, index, frame, data, reason)
                return
            anchor_wall, anchor_t = loop.time(), frame.t
        # The recording is over: anything more from the app was not in it.
        try:
            data = await connection.recv_frame()
        except ConnectionClosed:
            return
        await self._mismatch(
            connection, len(frames), None, data, "the recording has no more client frames"
        )

    async def _closed_early(
        self,
        connection: MockServerConnection,
        index: int,
        frame: CassetteFrame,
        closed: ConnectionClosed,
    ) -> None:
        remaining = [
            f for f in self.cassette.frames[index:] if f.source == "client" and f.kind != "close"
        ]
        reason = (
            f"the app closed the connection (code {closed.code}) but the recording expects "
            f"{len(remaining)} more client frame(s)"
        )
        self._record(index, frame.json() or frame.describe(), f"<close {closed.code}>", reason)

    async def _mismatch(
        self,
        connection: MockServerConnection,
        index: int,
        frame: CassetteFrame | None,
        data: str | bytes,
        reason: str,
    ) -> None:
        expected: Any = (
            "<end of recording>" if frame is None else (frame.json() or frame.describe())
        )
        got = _parsed(data)
        error = self._record(index, expected, got, reason)
        event_id = got.get("event_id") if isinstance(got, dict) else None
        with contextlib.suppress(ConnectionClosed):
            await connection.send(
                {
                    "type": "error",
                    "event_id": "event_replay",
                    "error": {
                        "type": "invalid_request_error",
                        "code": "cassette_mismatch",
                        "message": str(error),
                        "param": None,
                        "event_id": event_id if isinstance(event_id, str) else None,
                    },
                }
            )
            await connection.close(1011, "cassette mismatch")

    def _record(self, index: int, expected: Any, got: Any, reason: str) -> CassetteMismatchError:
        match = (
            self.match if isinstance(self.match, str) else getattr(self.match, "__name__", "custom")
        )
        message = (
            f"cassette mismatch at frame {index + 1} of {self.cassette.name} "
            f"(match={match!r}): {reason}\n"
            f"  expected: {_dumps(expected)}\n"
            f"  got:      {_dumps(got)}"
        )
        error = CassetteMismatchError(
            message, index=index, expected=expected, got=got, reason=reason
        )
        self.server.mismatches.append(error)
        _log.warning("%s", message)
        return error
