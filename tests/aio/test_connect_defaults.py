"""Defaults of ``connect()`` that users rely on without setting them: TLS verification on,
PINGs answered, 1,000 events kept for ``wait_for``."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from azure.core.credentials import AzureKeyCredential
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from voicelive.aio import connect
from voicelive.exceptions import ConnectionError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "voicelive aio test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_tls_certificates_are_verified_unless_told_otherwise(tmp_path: Path) -> None:
    cert_path, key_path = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    async with MockServer(ssl=server_context) as server:
        url = f"https://127.0.0.1:{server.port}"
        with pytest.raises(ConnectionError, match=r"(?i)certificate"):
            await asyncio.wait_for(connect(endpoint=url, credential=KEY), 10)
        assert server.connections == []  # the key never went to the unverified server
        trusting = ssl.create_default_context(cafile=str(cert_path))
        async with connect(
            endpoint=url, credential=KEY, connection_options={"ssl": trusting}
        ) as conn:
            assert (await asyncio.wait_for(conn.recv(), 10)).type == "session.created"


@pytest.fixture
async def pinging() -> AsyncIterator[tuple[str, asyncio.Queue[bytes]]]:
    """A server that PINGs the client once and reports the PONG payload it gets back."""
    pongs: asyncio.Queue[bytes] = asyncio.Queue()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        await ws.ping(b"are you there")
        async for msg in ws:
            if msg.type is WSMsgType.PONG:
                pongs.put_nowait(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/voice-live/realtime", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", pongs
    await runner.cleanup()


async def test_pings_are_answered_by_default(pinging: tuple[str, asyncio.Queue[bytes]]) -> None:
    url, pongs = pinging
    async with connect(endpoint=url, credential=KEY) as conn:
        reading = asyncio.create_task(conn.recv())  # aiohttp answers while a read is waiting
        assert await asyncio.wait_for(pongs.get(), 10) == b"are you there"
        reading.cancel()


async def test_wait_for_keeps_the_1000_newest_unread_events_by_default() -> None:
    async def handler(conn: MockServerConnection) -> None:
        for i in range(1, 1003):
            await conn.send_raw(
                json.dumps({"type": "input_audio_buffer.cleared", "event_id": f"e{i}"})
            )
        async for _ in conn:
            pass

    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        await conn.wait_for(
            "input_audio_buffer.cleared", predicate=lambda e: e.event_id == "e1002", timeout=30
        )
        assert (await asyncio.wait_for(conn.recv(), 5)).event_id == "e3"  # e1, e2 dropped


async def test_compression_is_off_unless_asked_and_a_callers_session_is_used() -> None:
    async with (
        MockServer() as server,
        aiohttp.ClientSession(headers={"x-from-session": "yes"}) as session,
    ):
        async with connect(endpoint=server.endpoint, credential=KEY):
            plain = await server.wait_for_connection()
        async with connect(endpoint=server.endpoint, credential=KEY, client_session=session):
            pass
        mine = server.connections[-1]
    assert "Sec-WebSocket-Extensions" not in plain.headers
    assert "x-from-session" not in plain.headers
    assert mine.headers["x-from-session"] == "yes"  # the request went through that session
