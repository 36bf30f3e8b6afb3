"""Fake phone callers: a Twilio Media Stream and an ACS media stream, driven by a test.

Each fake caller talks to a :class:`~voicelive.telephony.PhoneServer` over a real WebSocket,
exactly as the provider would, and keeps its own *playback clock*: audio the server sends is
queued, and only :meth:`play` (or ``realtime=True``) moves it to what the caller
:attr:`heard`. Marks are echoed when the audio queued before them has played (at once when it
already has; Twilio), and a ``clear`` / ``StopAudio`` drops the queue (Twilio then echoes the
pending marks, as it does).
Tests therefore decide exactly how much the caller heard, with no wall clock involved.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree

import aiohttp

from ..audio import G711_ULAW, PCM16_16K, PCM16_24K, AudioFormat, frames, silence
from ..telephony._acs import parse_acs_outbound
from ..telephony._twilio import parse_twilio_outbound
from ._speech import synthesize_speech

__all__ = ["FakeAcsCall", "FakePhoneCall", "FakeTwilioCall"]

_FRAME_MS = 20
_ACCOUNT = "AC00000000000000000000000000000001"


class FakePhoneCall:
    """What both fake callers share: the WebSocket, the playback queue, the clock.

    Attributes:
        fmt: the call's audio format.
        heard: the assistant audio the caller has heard (played), in order.
        segments: assistant audio received, split at each clear (``segments[0]`` before the
            first clear, ``segments[1]`` after it, ...).
        clears: how many clear / StopAudio frames arrived.
        marks_echoed: the mark names echoed, in order.
        marks: ``(name, ms)`` of each mark received (Twilio): ``ms`` is the assistant audio
            received before it, in total.
        close_code, close_reason: how the server closed the socket (``None`` while open).
    """

    def __init__(self, fmt: AudioFormat, *, realtime: bool = False) -> None:
        self.fmt = fmt
        self.realtime = realtime
        self.heard = bytearray()
        self.segments: list[bytearray] = [bytearray()]
        self.clears = 0
        self.marks_echoed: list[str] = []
        self.marks: list[tuple[str, float]] = []
        self._received_bytes = 0
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self._queue: deque[bytes | str] = deque()  # audio bytes, or a mark name
        self._queued_bytes = 0
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse[bool] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._player: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self._send_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} heard={self.heard_ms:.0f} ms clears={self.clears}>"

    # ------------------------------------------------------------------ connection

    async def _open(self, url: str, headers: Mapping[str, str] | None = None) -> None:
        self._session = aiohttp.ClientSession()
        try:
            self._ws = await self._session.ws_connect(url, headers=dict(headers or {}))
        except BaseException:
            await self._session.close()
            raise
        self._reader = asyncio.ensure_future(self._read())
        if self.realtime:
            self._player = asyncio.ensure_future(self._play_realtime())

    async def _send(self, obj: Mapping[str, Any]) -> None:
        assert self._ws is not None, "not connected"
        async with self._send_lock:
            await self._ws.send_str(json.dumps(obj, separators=(",", ":")))

    async def send_raw(self, text: str) -> None:
        """Send a frame as is (malformed-frame tests)."""
        assert self._ws is not None, "not connected"
        await self._ws.send_str(text)

    async def _read(self) -> None:
        assert self._ws is not None
        reason = ""
        while True:
            msg = await self._ws.receive()
            if msg.type == aiohttp.WSMsgType.TEXT:
                await self._on_frame(msg.data)
                continue
            if msg.type == aiohttp.WSMsgType.CLOSE:
                reason = str(msg.extra or "")
            break
        async with self._changed:
            self.close_code = self._ws.close_code if self._ws.close_code is not None else 1006
            self.close_reason = reason
            self._changed.notify_all()

    async def _on_frame(self, text: str) -> None:
        raise NotImplementedError

    async def _on_audio(self, audio: bytes) -> None:
        async with self._changed:
            self._queue.append(audio)
            self._queued_bytes += len(audio)
            self._received_bytes += len(audio)
            self.segments[-1] += audio
            self._changed.notify_all()

    async def _on_clear(self) -> list[str]:
        async with self._changed:
            pending = [x for x in self._queue if isinstance(x, str)]
            self._queue.clear()
            self._queued_bytes = 0
            self.clears += 1
            self.segments.append(bytearray())
            self._changed.notify_all()
            return pending

    async def _echo_mark(self, name: str) -> None:
        """Twilio only: tell the server a mark was reached."""

    # ------------------------------------------------------------------ playback clock

    @property
    def heard_ms(self) -> float:
        """Milliseconds of assistant audio heard so far."""
        return self.fmt.bytes_to_ms(len(self.heard))

    @property
    def queued_ms(self) -> float:
        """Milliseconds of assistant audio received but not played yet."""
        return self.fmt.bytes_to_ms(self._queued_bytes)

    async def play(self, ms: float) -> float:
        """Advance the playback clock by ``ms``: play queued audio, echo the marks reached.

        Returns the milliseconds actually played (less when the queue runs dry).
        """
        budget = self.fmt.ms_to_bytes(ms)
        played = 0
        while True:
            async with self._changed:
                if not self._queue:
                    break
                head = self._queue[0]
                if isinstance(head, str):
                    self._queue.popleft()
                    name: str | None = head
                else:
                    name = None
                    if played >= budget:
                        break
                    take = min(len(head), budget - played)
                    self.heard += head[:take]
                    played += take
                    self._queued_bytes -= take
                    if take == len(head):
                        self._queue.popleft()
                    else:
                        self._queue[0] = head[take:]
                self._changed.notify_all()
            if name is not None:
                await self._echo_mark(name)
        return self.fmt.bytes_to_ms(played)

    async def _play_realtime(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(_FRAME_MS / 1000)
            now = loop.time()
            await self.play((now - last) * 1000)
            last = now

    async def wait_queued(self, ms: float, *, timeout: float = 10.0) -> None:
        """Wait until at least ``ms`` of assistant audio is queued (bounded)."""
        await self._wait(lambda: self.queued_ms >= ms or self.closed, timeout)

    async def wait_clears(self, count: int = 1, *, timeout: float = 10.0) -> None:
        """Wait for ``count`` clears in total (bounded)."""
        await self._wait(lambda: self.clears >= count or self.closed, timeout)

    async def wait_closed(self, *, timeout: float = 10.0) -> None:
        """Wait until the server closed the socket (bounded)."""
        await self._wait(lambda: self.closed, timeout)

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        async def waiting() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(waiting(), timeout)

    @property
    def closed(self) -> bool:
        """True once the socket is closed."""
        return self.close_code is not None

    # ------------------------------------------------------------------ speaking

    async def say(self, audio: bytes | str, *, trailing_silence_ms: int = 800) -> None:
        """Speak: wire audio in the call's format, or text (synthesized speech-like sound),
        followed by silence so that the far end's VAD hears the turn end."""
        if isinstance(audio, str):
            audio, _ = synthesize_speech(audio, self.fmt)
        audio = bytes(audio) + silence(self.fmt, trailing_silence_ms)
        size = self.fmt.ms_to_bytes(_FRAME_MS)  # providers send whole 20 ms frames
        audio += silence(self.fmt, _FRAME_MS)[: (-len(audio)) % size]
        for frame in frames(audio, self.fmt, _FRAME_MS):
            await self._send_audio(frame)
            if self.realtime:
                await asyncio.sleep(_FRAME_MS / 1000)

    async def _send_audio(self, frame: bytes) -> None:
        raise NotImplementedError

    async def press(self, digit: str) -> None:
        """Press a DTMF key."""
        raise NotImplementedError

    async def hangup(self) -> None:
        """Hang up (the provider's end-of-stream, then the socket closes)."""
        await self.close()

    async def close(self) -> None:
        """Close the socket and stop the background tasks."""
        for task in (self._player,):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._reader, 5.0)
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> FakePhoneCall:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class FakeTwilioCall(FakePhoneCall):
    """A Twilio call: the voice webhook, then a Media Stream (μ-law 8 kHz).

    Use :meth:`dial`: it posts the voice webhook (signed with ``auth_token`` when given),
    reads the TwiML, opens the stream and sends ``connected`` + ``start``.

    Args:
        realtime: play received audio at real pace and speak at real pace.
    """

    def __init__(self, *, realtime: bool = False) -> None:
        super().__init__(G711_ULAW, realtime=realtime)
        self.stream_sid = "MZ00000000000000000000000000000001"
        self.call_sid = "CA00000000000000000000000000000001"
        self.twiml = ""
        self._seq = 0
        self._chunk = 0

    @classmethod
    async def dial(
        cls,
        base_url: str,
        *,
        auth_token: str | None = None,
        caller: str = "+15550001234",
        token: str | None = None,
        encoding: str = "audio/x-mulaw",
        realtime: bool = False,
        signature: str | None = None,
    ) -> FakeTwilioCall:
        """Place a call to a :class:`~voicelive.telephony.PhoneServer` at ``base_url``.

        Args:
            auth_token: signs the webhook like Twilio does.
            caller: the ``From`` number.
            token: replace the stream token from the TwiML (refusal tests).
            encoding: the ``start.mediaFormat.encoding`` to announce.
            signature: send this ``X-Twilio-Signature`` instead (forgery tests).

        Raises:
            PermissionError: the webhook was refused (its status and text in the message).
        """
        call = cls(realtime=realtime)
        url = base_url.rstrip("/") + "/twilio/voice"
        params = {"CallSid": call.call_sid, "From": caller, "To": "+15550009999"}
        headers: dict[str, str] = {}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        elif auth_token is not None:
            from twilio.request_validator import RequestValidator

            headers["X-Twilio-Signature"] = RequestValidator(auth_token).compute_signature(
                url, params
            )
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=params, headers=headers) as response:
                body = await response.text()
                if response.status != 200:
                    raise PermissionError(f"voice webhook answered {response.status}: {body}")
        call.twiml = body
        stream = ElementTree.fromstring(body).find("./Connect/Stream")
        if stream is None:
            raise ValueError(f"no <Connect><Stream> in the TwiML: {body}")
        parameters = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        if token is not None:
            parameters["voicelive_token"] = token
        await call._open(stream.get("url", ""))
        await call._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await call._send_event(
            "start",
            start={
                "streamSid": call.stream_sid,
                "accountSid": _ACCOUNT,
                "callSid": call.call_sid,
                "tracks": ["inbound"],
                "customParameters": parameters,
                "mediaFormat": {"encoding": encoding, "sampleRate": 8000, "channels": 1},
            },
        )
        return call

    async def _send_event(self, event: str, **body: Any) -> None:
        self._seq += 1
        await self._send(
            {"event": event, "sequenceNumber": str(self._seq), "streamSid": self.stream_sid, **body}
        )

    async def _on_frame(self, text: str) -> None:
        msg = parse_twilio_outbound(text)
        if msg.event == "media":
            await self._on_audio(base64.b64decode(msg.media.payload))
        elif msg.event == "mark":
            async with self._changed:
                self.marks.append((msg.mark.name, self.fmt.bytes_to_ms(self._received_bytes)))
                played = not self._queue  # everything before it has played: echo at once
                if not played:
                    self._queue.append(msg.mark.name)
                self._changed.notify_all()
            if played:
                await self._echo_mark(msg.mark.name)
        elif msg.event == "clear":
            for name in await self._on_clear():  # Twilio echoes the marks it dropped
                await self._echo_mark(name)

    async def wait_marked(self, *, timeout: float = 10.0) -> None:
        """Wait until a mark follows all the assistant audio received so far (bounded).

        The bridge marks the end of an answer's audio when the answer ends; a mark that
        comes after audio already played is echoed at once.
        """
        total = self._received_bytes
        await self._wait(
            lambda: (
                self.closed
                or (bool(self.marks) and self.marks[-1][1] >= self.fmt.bytes_to_ms(total))
            ),
            timeout,
        )

    async def _echo_mark(self, name: str) -> None:
        self.marks_echoed.append(name)
        await self._send_event("mark", mark={"name": name})

    async def _send_audio(self, frame: bytes) -> None:
        self._chunk += 1
        await self._send_event(
            "media",
            media={
                "track": "inbound",
                "chunk": str(self._chunk),
                "timestamp": str(self._chunk * _FRAME_MS),
                "payload": base64.b64encode(frame).decode("ascii"),
            },
        )

    async def press(self, digit: str) -> None:
        """Press a DTMF key (a ``dtmf`` message)."""
        await self._send_event("dtmf", dtmf={"track": "inbound_track", "digit": digit})

    async def hangup(self) -> None:
        """Send ``stop`` (the caller hung up), then close."""
        if not self.closed:
            with contextlib.suppress(Exception):
                await self._send_event(
                    "stop",
                    stop={
                        "accountSid": _ACCOUNT,
                        "callSid": self.call_sid,
                    },
                )
        await self.close()


class FakeAcsCall(FakePhoneCall):
    """An ACS call's media stream (PCM16 at 24 or 16 kHz), opened by Call Automation.

    Use :meth:`connect`: it opens ``/acs/media`` with the ``Authorization`` header ACS sends
    and sends ``AudioMetadata``.
    """

    def __init__(self, sample_rate: int = 24000, *, realtime: bool = False) -> None:
        fmt = {24000: PCM16_24K, 16000: PCM16_16K}.get(sample_rate)
        if fmt is None:
            raise ValueError(f"ACS streams PCM at 16000 or 24000 Hz, not {sample_rate}")
        super().__init__(fmt, realtime=realtime)
        self.participant = "4:+15550001234"

    @classmethod
    async def connect(
        cls,
        base_url: str,
        *,
        token: str | None = None,
        sample_rate: int = 24000,
        encoding: str = "PCM",
        call_connection_id: str = "acs-call-1",
        realtime: bool = False,
    ) -> FakeAcsCall:
        """Open the media stream of a call answered by a PhoneServer at ``base_url``.

        Raises:
            aiohttp.WSServerHandshakeError: the server refused the socket (e.g. 401).
        """
        call = cls(sample_rate, realtime=realtime)
        headers = {"x-ms-call-connection-id": call_connection_id}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        ws_url = base_url.replace("http://", "ws://").replace("https://", "wss://")
        await call._open(ws_url.rstrip("/") + "/acs/media", headers)
        await call._send(
            {
                "kind": "AudioMetadata",
                "audioMetadata": {
                    "subscriptionId": "sub-0001",
                    "encoding": encoding,
                    "sampleRate": sample_rate,
                    "channels": 1,
                    "length": call.fmt.ms_to_bytes(_FRAME_MS),
                },
            }
        )
        return call

    async def _on_frame(self, text: str) -> None:
        kind, data = parse_acs_outbound(text)
        if kind == "AudioData" and data is not None:
            await self._on_audio(base64.b64decode(data))
        elif kind == "StopAudio":
            await self._on_clear()

    async def _send_audio(self, frame: bytes) -> None:
        await self._send(
            {
                "kind": "AudioData",
                "audioData": {
                    "timestamp": datetime.now(timezone.utc).isoformat(),
                    "participantRawID": self.participant,
                    "data": base64.b64encode(frame).decode("ascii"),
                    "silent": False,
                },
            }
        )

    async def press(self, digit: str) -> None:
        """Press a DTMF key (a ``DtmfData`` frame)."""
        await self._send({"kind": "DtmfData", "dtmfData": {"data": digit}})
