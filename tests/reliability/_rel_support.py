"""Shared helpers of the reliability suite: canary credentials, frame builders, measurements.

Every connection in ``tests/reliability`` authenticates with :data:`CANARY_KEY` or
:data:`CANARY_TOKEN`; ``conftest.py`` scans every log record of every test for them, and the
tests scan every exception and ``repr`` they see with :func:`assert_clean`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import resource
import socket
from types import TracebackType
from typing import Any

from azure.core.credentials import AccessToken, AzureKeyCredential

CANARY_KEY = "rel-canary-KEY-5e1b0c9d7a3f"
CANARY_TOKEN = "rel-canary-TOKEN-8c2f4a6e0b1d"
CANARIES = (CANARY_KEY, CANARY_TOKEN)

# Figures reported at the end of the run (pytest_terminal_summary in conftest.py).
FIGURES: dict[str, Any] = {}


class CanaryTokenCredential:
    """An async token credential handing out :data:`CANARY_TOKEN`."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(CANARY_TOKEN, 4_102_444_800)

    def __repr__(self) -> str:  # what a careless credential would do; we must not echo it
        return f"CanaryTokenCredential({CANARY_TOKEN})"


def key() -> AzureKeyCredential:
    return AzureKeyCredential(CANARY_KEY)


def assert_clean(*texts: object) -> None:
    """No canary in the ``str`` of any of ``texts`` (exceptions: message, repr and cause)."""
    for text in texts:
        pieces = [str(text), repr(text)]
        if isinstance(text, BaseException):
            cause = text.__cause__ or text.__context__
            while cause is not None:
                pieces += [str(cause), repr(cause)]
                cause = cause.__cause__ or cause.__context__
        for piece in pieces:
            for canary in CANARIES:
                assert canary not in piece, f"credential canary leaked into {piece[:300]!r}"


# --------------------------------------------------------------------------- measurements

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Current resident set size of this process (``/proc/self/statm``)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def trim_heap() -> None:
    """Give free heap pages back to the OS (glibc ``malloc_trim``), so RSS growth measured
    from here reflects new live memory rather than reuse of pages freed earlier."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS is then only an upper bound
        pass


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (``VmHWM``) of this process; False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_rss_bytes() -> int:
    """Peak resident set size since the last :func:`reset_peak_rss` (``VmHWM``)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


MiB = 1024 * 1024

# --------------------------------------------------------------------------- frames

STD = {"response_id": "resp_1", "item_id": "item_1", "output_index": 0, "content_index": 0}


def text_delta(event_id: str, delta: str = "x") -> str:
    return json.dumps({"type": "response.text.delta", "event_id": event_id, **STD, "delta": delta})


def audio_delta(event_id: str, audio: bytes) -> str:
    return json.dumps(
        {
            "type": "response.audio.delta",
            "event_id": event_id,
            **STD,
            "delta": base64.b64encode(audio).decode(),
        }
    )


def session_created(event_id: str = "ev_session") -> str:
    return json.dumps(
        {
            "type": "session.created",
            "event_id": event_id,
            "session": {
                "object": "realtime.session",
                "id": "sess_1",
                "model": "gpt-realtime",
                "modalities": ["text", "audio"],
                "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
                "input_audio_format": "pcm16",
                "output_audio_format": "pcm16",
                "turn_detection": {"type": "server_vad", "threshold": 0.5},
            },
        }
    )


def response_created(event_id: str, response_id: str = "resp_1") -> str:
    return json.dumps(
        {
            "type": "response.created",
            "event_id": event_id,
            "response": {"id": response_id, "object": "realtime.response", "status": "in_progress"},
        }
    )


def response_done(event_id: str, response_id: str = "resp_1") -> str:
    return json.dumps(
        {
            "type": "response.done",
            "event_id": event_id,
            "response": {
                "id": response_id,
                "object": "realtime.response",
                "status": "completed",
                "output": [],
                "usage": {"total_tokens": 12, "input_tokens": 5, "output_tokens": 7},
            },
        }
    )


class GatedRelay:
    """A TCP relay on 127.0.0.1 in front of a local server whose client-to-server direction
    the test can hold shut (:attr:`flowing`). Its listening socket has a small receive buffer,
    so while the gate is shut the client's sends fill a few MiB of socket buffers and then
    wait on back-pressure -- a state the test can rely on, unlike a server that merely does not
    read (loopback buffers grow to tens of MiB)."""

    def __init__(self, target_port: int) -> None:
        self._target_port = target_port
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> GatedRelay:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock, limit=16 * 1024)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target_port)
        for task in (
            asyncio.create_task(self._pipe(reader, up_writer, self.flowing)),
            asyncio.create_task(self._pipe(up_reader, writer, None)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _pipe(
        src: asyncio.StreamReader, dst: asyncio.StreamWriter, gate: asyncio.Event | None
    ) -> None:
        try:
            while data := await src.read(64 * 1024):
                if gate is not None:
                    await gate.wait()
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            dst.close()
