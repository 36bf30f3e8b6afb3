"""``voicelive replay`` and ``mock-server --cassette``: reading cassettes for people.

A cassette (see :class:`voicelive.testing.Cassette`) holds every frame of a session, both
directions, with its time offset. :func:`print_cassette` decodes the server frames with the
client's own protocol core and feeds them, with the recorded times, to the same
:class:`~voicelive.cli._timeline.Timeline` the demo uses.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from .._protocol import Side, VoiceLiveProtocol
from ..exceptions import RemoteProtocolError
from ..testing import Cassette, CassetteError
from ._demo import InputError
from ._timeline import Timeline

__all__ = ["load_cassette", "print_cassette"]


def load_cassette(path: str) -> Cassette:
    """Load a cassette file.

    Raises:
        InputError: the file is missing, unreadable or not a cassette.
    """
    try:
        return Cassette.load(path)
    except FileNotFoundError:
        raise InputError(f"cassette not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read cassette {path}: {exc.strerror or exc}") from None
    except (CassetteError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: {exc}") from None


def _appended_bytes(payload: object) -> int:
    """Audio bytes of an ``input_audio_buffer.append`` frame (as recorded)."""
    audio = payload.get("audio") if isinstance(payload, dict) else None
    if not isinstance(audio, str):
        return 0
    try:
        return len(base64.b64decode(audio, validate=True))
    except (binascii.Error, ValueError):
        return 0


def print_cassette(path: str, timeline: Timeline) -> None:
    """Render the cassette at ``path`` as a timeline with its recorded times.

    Raises:
        InputError: the cassette cannot be read.
    """
    cassette = load_cassette(path)
    decoder = VoiceLiveProtocol(Side.CLIENT, max_message_size=None)
    request = cassette.request or {}
    query = request.get("query") or {}
    target = f"cassette {Path(path).name}"
    if cassette.recorded_at:
        target += f", recorded {cassette.recorded_at}"
    if not timeline.json_mode:
        timeline.plain(f"voicelive replay: {path} (nothing is sent anywhere)")
        if cassette.audio_max_bytes is not None:
            timeline.plain(
                f"audio payloads were cut to {cassette.audio_max_bytes} bytes when recording"
            )
        timeline.plain()
    model = query.get("model") or query.get("agent-name")
    timeline.info(
        "connected",
        f"{request.get('path', '?')}" + (f", model {model}" if model else ""),
        t=0.0,
        cassette=path,
    )
    for frame in cassette.frames:
        if frame.kind == "close":
            who = "client" if frame.source == "client" else "server"
            reason = f" ({frame.close_reason})" if frame.close_reason else ""
            timeline.info("closed", f"{who} closed with {frame.close_code}{reason}", t=frame.t)
            continue
        payload = frame.text if frame.text is not None else frame.data or b""
        if frame.source == "client":
            parsed = frame.json()
            event_type = frame.event_type or "?"
            timeline.on_send(event_type, len(payload), t=frame.t)
            if event_type == "input_audio_buffer.append":
                timeline.audio_sent(_appended_bytes(parsed))
            elif event_type == "response.create":
                timeline.mark_turn_end(frame.t)
            continue
        try:
            event = decoder.decode_server_frame(payload)
        except RemoteProtocolError as exc:
            timeline.info("frame", f"unreadable server frame: {exc}", t=frame.t)
            continue
        timeline.on_event(event, t=frame.t)
    last = cassette.frames[-1].t if cassette.frames else 0.0
    timeline.summary(target=target, output=None, t=last)
