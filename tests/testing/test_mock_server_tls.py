"""MockServer over TLS (``wss://``): for clients that refuse plain ``ws://`` (pipecat)."""

from __future__ import annotations

import pytest
from testing_helpers import collect, open_client

from shared_support import LoopbackTLS
from voicelive.exceptions import ConnectionError
from voicelive.testing import MockServer


async def test_a_client_trusting_the_certificate_talks_over_tls(
    loopback_tls: LoopbackTLS,
) -> None:
    client = loopback_tls.client_context()
    async with MockServer(ssl=loopback_tls.server_context) as server:
        assert server.endpoint.startswith("https://127.0.0.1:")
        async with open_client(server.endpoint, connection_options={"ssl": client}) as conn:
            await conn.session.update(session={"modalities": ["text"]})
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "over tls"}],
                }
            )
            await conn.response.create()
            events = await collect(conn)
    text = "".join(e.delta for e in events if e.type == "response.text.delta")  # type: ignore[union-attr]
    assert text == "You said: over tls"


async def test_a_client_not_trusting_it_is_refused(loopback_tls: LoopbackTLS) -> None:
    async with MockServer(ssl=loopback_tls.server_context) as server:
        with pytest.raises(ConnectionError):
            async with open_client(server.endpoint):
                pass
    assert server.connections == []


async def test_without_ssl_the_endpoint_is_plain_http() -> None:
    async with MockServer() as server:
        assert server.endpoint.startswith("http://127.0.0.1:")
