"""Answering an ACS call through the real Call Automation SDK, against a loopback HTTPS
stand-in for the ACS REST endpoint (the SDK insists on TLS): the request carries
bidirectional media streaming to our WebSocket, in the format the bridge expects."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import ssl
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from voicelive.telephony import acs_answer_with_sdk


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_incoming_call_is_answered_with_bidirectional_media_streaming(
    tmp_path: Path,
) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    requests: list[tuple[str, dict[str, Any], str]] = []

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        requests.append((request.path, body, request.headers.get("Authorization", "")))
        return web.json_response(
            {"callConnectionId": "conn-1", "callConnectionState": "connecting"}
        )

    app = web.Application()
    app.add_routes([web.post("/{tail:.*}", answer)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        access_key = base64.b64encode(b"k" * 32).decode()
        answer_call = acs_answer_with_sdk(
            f"endpoint=https://127.0.0.1:{port}/;accesskey={access_key}",
            connection_verify=str(cert),
        )
        await answer_call("ctx-123", "https://bot.example.com/acs/callbacks", "wss://bot/acs/media")
    finally:
        await runner.cleanup()
    ((path, body, authorization),) = requests
    assert path.endswith("callConnections:answer")
    assert body["incomingCallContext"] == "ctx-123"
    assert body["callbackUri"] == "https://bot.example.com/acs/callbacks"
    media = body["mediaStreamingOptions"]
    assert media["transportUrl"] == "wss://bot/acs/media"
    assert media["transportType"] == "websocket"
    assert media["contentType"] == "audio"
    assert media["startMediaStreaming"] is True
    assert media["enableBidirectional"] is True
    assert media["enableDtmfTones"] is True
    assert media["audioFormat"] == "pcm24KMono"
    assert authorization.startswith("HMAC-SHA256")
