"""Exact texts of the transport's redirect refusal and oversize-frame errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from shared_support import serve_app
from voicelive.aio import connect
from voicelive.exceptions import ConnectionClosedError, MessageTooLargeError, RedirectRefusedError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


@pytest.fixture
async def redirecting() -> AsyncIterator[str]:
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(location="/elsewhere/voice-live/realtime")

    async with serve_app(redirect) as url:
        yield url


@pytest.mark.parametrize("own_session", [False, True], ids=["shared-session", "caller-session"])
async def test_a_redirect_is_refused_with_what_to_do(redirecting: str, own_session: bool) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(RedirectRefusedError) as refused:
            await connect(
                endpoint=redirecting,
                credential=KEY,
                client_session=session if own_session else None,
            )
    assert str(refused.value) == (
        "the WebSocket handshake answered HTTP 307 with a redirect; voicelive never follows "
        "redirects (credentials must not be forwarded). Use the final endpoint URL directly."
    )


async def test_an_oversize_frame_names_aiohttps_reason_and_closes_with_1009() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(json.dumps({"type": "x", "pad": "y" * 2000}))
        async for _ in conn:
            pass

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"max_msg_size": 1000}
        ) as conn,
    ):
        with pytest.raises(MessageTooLargeError) as too_large:
            await asyncio.wait_for(conn.recv(), 10)
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(conn.recv(), 10)
    reason = str(too_large.value).removeprefix("server frame exceeds max_msg_size (")
    assert "1000" in reason.split(");")[0]  # aiohttp's text, with the limit it enforced
    assert (closed.value.code, closed.value.reason) == (1009, "message too big")
