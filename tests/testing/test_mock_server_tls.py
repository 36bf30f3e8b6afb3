"""MockServer over TLS (``wss://``): for clients that refuse plain ``ws://`` (pipecat)."""

from __future__ import annotations

import ssl

import pytest
import trustme
from testing_helpers import collect, open_client

from voicelive.exceptions import ConnectionError
from voicelive.testing import MockServer


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


async def test_a_client_trusting_the_certificate_talks_over_tls(ca: trustme.CA) -> None:
    client = ssl.create_default_context()
    ca.configure_trust(client)
    async with MockServer(ssl=server_context(ca)) as server:
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


async def test_a_client_not_trusting_it_is_refused(ca: trustme.CA) -> None:
    async with MockServer(ssl=server_context(ca)) as server:
        with pytest.raises(ConnectionError):
            async with open_client(server.endpoint):
                pass
    assert server.connections == []


async def test_without_ssl_the_endpoint_is_plain_http() -> None:
    async with MockServer() as server:
        assert server.endpoint.startswith("http://127.0.0.1:")
