"""Helpers shared by the tests of several directories.

A directory's own helpers stay in its ``<dir>_support.py``; what more than one directory
needs is here. ``pythonpath = ["tests"]`` (pyproject.toml) makes this module importable from
every test file, however pytest is pointed at the tests.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

__all__ = ["LoopbackTLS", "loopback_tls", "text_frame"]


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


@dataclass(frozen=True)
class LoopbackTLS:
    """TLS on 127.0.0.1: a throwaway CA (trustme) and a certificate it issued for
    ``127.0.0.1`` only, so neither the system's trust store nor any other host name accepts it.

    ``server_context`` serves the certificate (``MockServer(ssl=...)``, or :meth:`serve` for
    an aiohttp app); ``client_context()`` and ``ca_file`` trust it.
    """

    server_context: ssl.SSLContext
    ca_file: Path

    def client_context(self) -> ssl.SSLContext:
        """A default (verifying) client context that trusts this CA and nothing else."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    @asynccontextmanager
    async def serve(self, app: web.Application) -> AsyncIterator[int]:
        """Serve ``app`` over TLS on 127.0.0.1 (a free port) until the block ends; yields the port."""
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self.server_context)
            await site.start()
            yield int(runner.addresses[0][1])
        finally:
            await runner.cleanup()


def loopback_tls(folder: Path) -> LoopbackTLS:
    """A fresh CA and 127.0.0.1 certificate; the CA's PEM is written to ``folder/ca.pem``."""
    import trustme  # only where a test asks for TLS: it imports cryptography

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return LoopbackTLS(server_context=server_context, ca_file=ca_file)
