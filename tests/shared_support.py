"""Helpers shared by the tests of several directories.

A directory's own helpers stay in its ``<dir>_support.py``; what more than one directory
needs is here. ``pythonpath = ["tests"]`` (pyproject.toml) makes this module importable from
every test file, however pytest is pointed at the tests.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

__all__ = [
    "Handler",
    "LoopbackTLS",
    "accept_websocket_upgrade",
    "loopback_tls",
    "serve_app",
    "text_frame",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def text_frame(i: int, **extra: object) -> str:
    """A ``response.text.delta`` frame: event id ``ev<i>``, delta ``d<i>``.

    ``extra`` adds fields, or replaces them (``delta="x" * 5_000_000``).
    """
    return json.dumps(
        {
            "type": "response.text.delta",
            "event_id": f"ev{i}",
            "response_id": "r",
            "item_id": "it",
            "output_index": 0,
            "content_index": 0,
            "delta": f"d{i}",
            **extra,
        }
    )


@asynccontextmanager
async def serve_app(
    app: web.Application | Handler | Mapping[str, Handler],
    *,
    ssl_context: ssl.SSLContext | None = None,
    shutdown_timeout: float = 1.0,
) -> AsyncIterator[str]:
    """Serve an aiohttp app on 127.0.0.1 (a free port) until the block ends.

    Yields the base URL, ``http://127.0.0.1:<port>`` (``https://`` with ``ssl_context``).
    ``app`` is an application, a mapping of paths to GET handlers, or one handler, served at
    ``GET /voice-live/realtime`` (the path ``connect()`` asks for). Handlers still running
    when the block ends get ``shutdown_timeout`` seconds, then are cancelled.
    """
    if isinstance(app, web.Application):
        served = app
    else:
        served = web.Application()
        routes = {"/voice-live/realtime": app} if callable(app) else app
        for path, handler in routes.items():
            served.router.add_get(path, handler)
    runner = web.AppRunner(served, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        scheme = "https" if ssl_context is not None else "http"
        yield f"{scheme}://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@dataclass(frozen=True)
class LoopbackTLS:
    """TLS on 127.0.0.1: a throwaway CA (trustme) and a certificate it issued for
    ``127.0.0.1`` only, so neither the system's trust store nor any other host name accepts it.

    ``server_context`` serves the certificate (``MockServer(ssl=...)``, or
    ``serve_app(app, ssl_context=...)``); ``client_context()`` and ``ca_file`` trust it.
    """

    server_context: ssl.SSLContext
    ca_file: Path

    def client_context(self) -> ssl.SSLContext:
        """A default (verifying) client context that trusts this CA and nothing else."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def loopback_tls(folder: Path) -> LoopbackTLS:
    """A fresh CA and 127.0.0.1 certificate; the CA's PEM is written to ``folder/ca.pem``."""
    import trustme  # only where a test asks for TLS: it imports cryptography

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return LoopbackTLS(server_context=server_context, ca_file=ca_file)


_WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3


async def accept_websocket_upgrade(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: bytes = b""
) -> None:
    """For hand-made WebSocket servers (bytes on a plain TCP stream): read the client's
    upgrade request and write the ``101`` answer with its ``Sec-WebSocket-Accept``, plus
    ``headers`` (raw header lines, each ending in CRLF)."""
    request = await reader.readuntil(b"\r\n\r\n")
    key = next(
        line.split(b":", 1)[1].strip()
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    accept = base64.b64encode(hashlib.sha1(key + _WEBSOCKET_GUID).digest())
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n" + headers + b"\r\n"
    )
