"""One voice exchange, start to finish: what ``voicelive demo`` and ``voicelive record`` run.

1. configure the session (voice, server VAD, input transcription) and wait for
   ``session.updated``;
2. stream a WAV file (the bundled recording by default) at real-time pace, then silence, until
   server VAD reports the end of speech -- or send a text turn with ``--text``;
3. wait for ``response.done`` while the :class:`~voicelive.cli._timeline.Timeline` renders
   every event, then write the reply audio to a WAV file.

A single reader task consumes the connection; the main flow waits on milestones it records.
Any ``error`` event, close or timeout ends the exchange with a :class:`DemoError` whose
message is the one line the CLI prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from ..aio import VoiceLiveConnection
from ..audio import (
    AudioFormatError,
    WavInfo,
    input_format_of,
    load_wav_for_session,
    paced_frames,
    read_wav_info,
    silence,
    write_wav,
)
from ..exceptions import ConnectionClosed, ConnectionClosedOK, RemoteProtocolError
from ..models import ServerEventBase
from ..testing import MockServer
from ._defaults import DEFAULT_INSTRUCTIONS, DEFAULT_MODEL, DEFAULT_VOICE
from ._timeline import Timeline

__all__ = [
    "BUNDLED_TRANSCRIPT",
    "DEFAULT_INSTRUCTIONS",
    "DEFAULT_MODEL",
    "DEFAULT_VOICE",
    "STAND_IN_BUNDLED",
    "STAND_IN_OTHER",
    "DemoError",
    "DemoOptions",
    "InputAudio",
    "InputError",
    "bundled_wav",
    "check_output_path",
    "demo_emulator",
    "load_input",
    "output_announcement",
    "requested_session",
    "run_exchange",
    "transcript_note",
    "voice_config",
]

DEFAULT_TRANSCRIPTION_MODEL = "whisper-1"
"""Input transcription model requested by the demo."""
BUNDLED_TRANSCRIPT = "Hello! What's the weather like in Seattle today?"
"""What the bundled recording says (synthesized once with espeak-ng, 16 kHz mono PCM16)."""

FRAME_MS = 20
"""Frame length when streaming at real-time pace (like a microphone)."""
FAST_FRAME_MS = 100
"""Frame length with ``--fast``."""
TRAILING_SILENCE_MS = 1500
"""Silence streamed after the recording, so server VAD can see the end of speech."""
SETUP_TIMEOUT = 15.0
"""Seconds to wait for ``session.created`` / ``session.updated``."""
END_OF_SPEECH_TIMEOUT = 3.0
"""Seconds to wait for ``speech_stopped`` after the silence, before committing by hand."""
RESPONSE_TIMEOUT = 60.0
"""Seconds to wait for ``response.done``."""


class DemoError(Exception):
    """The exchange failed; ``str()`` is the one line to print."""


class InputError(DemoError):
    """The ``--input`` file cannot be used (missing, not a WAV, unsupported format)."""


@dataclass
class DemoOptions:
    """What the user asked for (the ``demo`` / ``record`` command line)."""

    input: str | None = None
    """WAV file to stream (``None``: the bundled recording)."""
    text: str | None = None
    """A text turn instead of audio."""
    voice: str = DEFAULT_VOICE
    """Azure voice name (``en-US-AvaNeural``) or OpenAI voice (``alloy``)."""
    model: str = DEFAULT_MODEL
    """Model deployment name."""
    instructions: str = DEFAULT_INSTRUCTIONS
    """System instructions."""
    fast: bool = False
    """Stream the audio as fast as possible instead of in real time."""
    output: str | None = "reply.wav"
    """Where to write the reply audio (``None``: do not write)."""


def bundled_wav() -> bytes:
    """The bundled speech recording (WAV bytes)."""
    return resources.files("voicelive.cli").joinpath("data/hello.wav").read_bytes()


class InputAudio(NamedTuple):
    """The audio the demo streams, read and checked before connecting."""

    name: str
    """For display: the file name, or ``bundled hello.wav``."""
    data: bytes
    """The WAV file's bytes."""
    info: WavInfo
    """Its header."""


def load_input(path: str | None) -> InputAudio:
    """``--input`` (or the bundled recording), read and checked.

    Raises:
        InputError: the file is missing, unreadable, or not a supported WAV file.
    """
    name = "bundled hello.wav" if path is None else os.path.basename(path)
    try:
        data = bundled_wav() if path is None else Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"input file not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read input file {path}: {exc.strerror or exc}") from None
    try:
        info = read_wav_info(data)
    except AudioFormatError as exc:
        raise InputError(f"{path}: {exc}") from None
    if info.frames == 0:
        raise InputError(f"{path}: the WAV file holds no audio")
    return InputAudio(name, data, info)


def _bundled_transcriber(samples: object, sample_rate: int) -> str:
    """The emulator's transcriber for the bundled recording: what it says."""
    return BUNDLED_TRANSCRIPT


def demo_emulator(options: DemoOptions) -> MockServer:
    """The emulator the demo starts when no endpoint is configured.

    It streams replies at real-time pace (as the service does) unless ``--fast``, and
    transcribes the bundled recording with its known text; other input gets the emulator's
    stand-in transcript (``"(audio 2.1 s)"``), as it does no speech recognition.
    """
    bundled = options.input is None and options.text is None
    return MockServer(
        transcriber=_bundled_transcriber if bundled else None,
        pace="fast" if options.fast else "realtime",
    )


def voice_config(voice: str) -> str | dict[str, str]:
    """``en-US-AvaNeural`` -> an Azure standard voice; ``alloy`` -> an OpenAI voice name."""
    if "-" in voice or ":" in voice:
        return {"type": "azure-standard", "name": voice}
    return voice


def requested_session(options: DemoOptions) -> dict[str, Any]:
    """The ``session.update`` payload the demo sends."""
    return {
        "modalities": ["text", "audio"],
        "instructions": options.instructions,
        "voice": voice_config(options.voice),
        "input_audio_format": "pcm16",
        "output_audio_format": "pcm16",
        "input_audio_sampling_rate": 24000,
        "turn_detection": {
            "type": "server_vad",
            "threshold": 0.5,
            "prefix_padding_ms": 300,
            "silence_duration_ms": 500,
        },
        "input_audio_transcription": {"model": DEFAULT_TRANSCRIPTION_MODEL},
    }


STAND_IN_BUNDLED = (
    "the emulator's stand-in transcript: it does no speech recognition and knows the bundled "
    "recording's text in advance"
)
"""The note under the user's transcript: the bundled recording, against the emulator."""
STAND_IN_OTHER = (
    "the emulator's stand-in transcript: it does no speech recognition and reports the audio's "
    "length"
)
"""The note under the user's transcript: any other audio, against the emulator."""


def transcript_note(options: DemoOptions, *, emulated: bool) -> str | None:
    """What to say under the user's transcript (``None``: a real service transcribed it)."""
    if not emulated or options.text is not None:
        return None
    return STAND_IN_BUNDLED if options.input is None else STAND_IN_OTHER


def output_announcement(output: str | None) -> str:
    """The line the demo prints before connecting: where the reply audio will go."""
    if not output:
        return "The reply audio will not be written (--output '')."
    return (
        f"The reply audio will be written to {Path(output).resolve()} "
        "(--output FILE to write it elsewhere)."
    )


class _Reader:
    """Consumes the connection, feeds the timeline, and records milestones."""

    def __init__(
        self, conn: VoiceLiveConnection, timeline: Timeline, transcript_note: str | None = None
    ) -> None:
        self._conn = conn
        self._timeline = timeline
        self._transcript_note = transcript_note
        self._seen: dict[str, ServerEventBase] = {}
        self._changed = asyncio.Event()
        self.failure: str | None = None
        self.task: asyncio.Task[None] = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                event = await self._conn.recv()
            except ConnectionClosedOK:
                self.failure = self.failure or "the server closed the connection"
                break
            except ConnectionClosed as exc:
                self.failure = self.failure or f"the connection closed unexpectedly: {exc}"
                break
            except RemoteProtocolError as exc:  # one unreadable frame: show it, keep going
                self._timeline.info("error", f"unreadable frame skipped: {exc}")
                continue
            except Exception as exc:  # surfaced as one line by the CLI
                self.failure = f"receiving failed: {type(exc).__name__}: {exc}"
                break
            self._timeline.on_event(event)
            if (
                self._transcript_note is not None
                and event.type == "conversation.item.input_audio_transcription.completed"
            ):
                self._timeline.info("note", self._transcript_note)
            self._seen.setdefault(event.type, event)
            if event.type == "error" and self.failure is None:
                error = getattr(event, "error", None)
                code = getattr(error, "code", None) or getattr(error, "type", None)
                message = getattr(error, "message", "")
                self.failure = f"the server answered with an error: {code}: {message}"
            self._changed.set()
        self._changed.set()

    def seen(self, event_type: str) -> ServerEventBase | None:
        """The first event of ``event_type`` received so far."""
        return self._seen.get(event_type)

    async def wait(self, *event_types: str, timeout: float, what: str) -> ServerEventBase:
        """The first event of any of ``event_types``.

        Raises:
            DemoError: an ``error`` event or close came first, or ``timeout`` elapsed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for event_type in event_types:
                event = self._seen.get(event_type)
                if event is not None:
                    return event
            if self.failure is not None:
                raise DemoError(f"{self.failure} (while waiting for {what})")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise DemoError(f"no {what} within {timeout:g} s")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def check(self) -> None:
        """Raise :class:`DemoError` if the reader has failed."""
        if self.failure is not None:
            raise DemoError(self.failure)

    async def stop(self) -> None:
        """Stop reading (the connection is closed by the caller)."""
        if not self.task.done():
            self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def _stream_audio(
    conn: VoiceLiveConnection,
    reader: _Reader,
    timeline: Timeline,
    audio: InputAudio,
    fast: bool,
    session: Any,
) -> None:
    fmt = input_format_of(session)
    name, info = audio.name, audio.info
    try:
        pcm = load_wav_for_session(audio.data, fmt)
    except AudioFormatError as exc:
        raise InputError(f"{name}: {exc}") from None
    channels = "mono" if info.channels == 1 else f"{info.channels} channels"
    pace = "as fast as possible (--fast)" if fast else "at real-time pace"
    timeline.info(
        "you",
        f"streaming {name} ({info.duration_s:.2f} s, {info.sample_rate} Hz {channels} -> "
        f"{fmt.encoding} {fmt.sample_rate} Hz) {pace}",
        file=name,
    )
    frame_ms = FAST_FRAME_MS if fast else FRAME_MS
    vad = getattr(session, "turn_detection", None) is not None

    def ended() -> bool:
        return reader.seen("input_audio_buffer.speech_stopped") is not None

    async for frame in paced_frames(pcm, fmt, frame_ms, realtime=not fast, pad_last=True):
        reader.check()
        await conn.input_audio_buffer.append(audio=frame)
        timeline.audio_sent(len(frame))
    if vad:
        quiet = silence(fmt, TRAILING_SILENCE_MS)
        async for frame in paced_frames(quiet, fmt, frame_ms, realtime=not fast):
            if ended():
                break
            reader.check()
            await conn.input_audio_buffer.append(audio=frame)
            timeline.audio_sent(len(frame))
        try:
            await reader.wait(
                "input_audio_buffer.speech_stopped",
                timeout=END_OF_SPEECH_TIMEOUT,
                what="end of speech from server VAD",
            )
            return
        except DemoError:
            reader.check()
        timeline.info("input", "server VAD reported no end of speech; committing the turn by hand")
    await conn.input_audio_buffer.commit()
    await conn.response.create()
    timeline.mark_turn_end()


async def _send_text(conn: VoiceLiveConnection, timeline: Timeline, text: str) -> None:
    timeline.info("you", f'"{text}" (text turn)')
    await conn.conversation.item.create(
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    )
    await conn.response.create()
    timeline.mark_turn_end()


async def run_exchange(
    conn: VoiceLiveConnection,
    timeline: Timeline,
    options: DemoOptions,
    *,
    wav: InputAudio | None,
    emulated: bool = False,
) -> None:
    """Run one exchange on an open connection (see the module docstring).

    Args:
        conn: the open connection.
        timeline: where events are rendered and measured.
        options: the command line.
        wav: the audio to stream (:func:`load_input`), or ``None`` for ``options.text``.
        emulated: the server is voicelive's emulator: the user's transcript is labelled as
            its stand-in (it does no speech recognition).

    Raises:
        DemoError: the exchange failed (message ready to print).
        InputError: the audio cannot be converted to the session's input format.
    """
    conn.add_send_observer(timeline.on_send)
    reader = _Reader(conn, timeline, transcript_note(options, emulated=emulated))
    try:
        await reader.wait("session.created", timeout=SETUP_TIMEOUT, what="session.created")
        await conn.session.update(session=requested_session(options))
        updated = await reader.wait(
            "session.updated", timeout=SETUP_TIMEOUT, what="session.updated"
        )
        session = getattr(updated, "session", None)
        if wav is not None:
            await _stream_audio(conn, reader, timeline, wav, options.fast, session)
        else:
            await _send_text(conn, timeline, options.text or "")
        await reader.wait("response.done", timeout=RESPONSE_TIMEOUT, what="response.done")
    except ConnectionClosed as exc:  # a send found the connection closed
        raise DemoError(reader.failure or f"the connection closed unexpectedly: {exc}") from None
    finally:
        await reader.stop()
    if options.output and timeline.stats.audio:
        try:
            write_wav(options.output, b"".join(timeline.stats.audio), timeline.stats.output_format)
        except OSError as exc:
            raise DemoError(f"cannot write {options.output}: {exc.strerror or exc}") from None


def check_output_path(path: str | None) -> None:
    """Fail early (before connecting) when the output file's directory does not exist.

    Raises:
        InputError: the directory is missing.
    """
    if path is None:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise InputError(f"cannot write {path}: directory {parent} does not exist")
