"""Answering an ACS call through the real Call Automation SDK, against a loopback HTTPS
stand-in for the ACS REST endpoint (the SDK insists on TLS): the request carries
bidirectional media streaming to our WebSocket, in the format the bridge expects."""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import web

from shared_support import LoopbackTLS, serve_app
from voicelive.telephony import acs_answer_with_sdk


async def test_incoming_call_is_answered_with_bidirectional_media_streaming(
    loopback_tls: LoopbackTLS,
) -> None:
    requests: list[tuple[str, dict[str, Any], str]] = []

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        requests.append((request.path, body, request.headers.get("Authorization", "")))
        return web.json_response(
            {"callConnectionId": "conn-1", "callConnectionState": "connecting"}
        )

    app = web.Application()
    app.add_routes([web.post("/{tail:.*}", answer)])
    async with serve_app(app, ssl_context=loopback_tls.server_context) as url:
        access_key = base64.b64encode(b"k" * 32).decode()
        answer_call = acs_answer_with_sdk(
            f"endpoint={url}/;accesskey={access_key}",
            connection_verify=str(loopback_tls.ca_file),
        )
        await answer_call("ctx-123", "https://bot.example.com/acs/callbacks", "wss://bot/acs/media")
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
