"""Each way the HTTP upgrade can fail (``ClientTransport.open``), against a real aiohttp server
on loopback: the typed error, its exact message and status, and the shared session given back
every time (a failed connect must not keep a reference to it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from shared_support import serve_app
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.aio._transport import SHARED_SESSIONS
from voicelive.exceptions import (
    AuthenticationError,
    ConnectionError,
    HandshakeError,
    RedirectRefusedError,
)
from voicelive.testing import MockServer

KEY = AzureKeyCredential("handshake-test-key")
AUTH_ADVICE = (
    "Check the API key or the token credential and its role assignment (Cognitive Services User)."
)


class Upgrades:
    """A plain aiohttp app: ``/status/<code>`` answers that HTTP status, ``/redirect/<code>``
    redirects to a WebSocket route, ``/hang`` holds the request until the test ends."""

    def __init__(self) -> None:
        self.base = ""
        self.arrived = asyncio.Event()  # a request reached /hang
        self.release = asyncio.Event()
        self.upgraded = 0  # WebSocket upgrades accepted (a followed redirect would add one)

    async def status(self, request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="no")

    async def redirect(self, request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        return web.Response(status=code, headers={"Location": "/target/voice-live/realtime"})

    async def target(self, request: web.Request) -> web.StreamResponse:
        self.upgraded += 1
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.close()
        return ws

    async def hang(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.release.wait()
        return web.Response(status=500)


@pytest.fixture
async def upgrades() -> AsyncIterator[Upgrades]:
    app_state = Upgrades()
    routes = {
        "/status/{code}/voice-live/realtime": app_state.status,
        "/redirect/{code}/voice-live/realtime": app_state.redirect,
        "/target/voice-live/realtime": app_state.target,
        "/hang/voice-live/realtime": app_state.hang,
    }
    async with serve_app(routes) as base:
        app_state.base = base
        try:
            yield app_state
        finally:
            app_state.release.set()


async def _connect(endpoint: str, **kwargs: Any) -> VoiceLiveConnection:
    return await asyncio.wait_for(connect(endpoint=endpoint, credential=KEY, **kwargs), 10)


@pytest.mark.parametrize("status", [401, 403])
async def test_401_and_403_are_authentication_errors_that_say_what_to_check(
    upgrades: Upgrades, status: int
) -> None:
    with pytest.raises(AuthenticationError) as refused:
        await _connect(f"{upgrades.base}/status/{status}")
    assert str(refused.value) == (
        f"authentication failed: the service at 127.0.0.1 answered HTTP {status}. {AUTH_ADVICE}"
    )
    assert refused.value.status_code == status
    assert SHARED_SESSIONS.users() == 0


@pytest.mark.parametrize("status", [400, 404, 500, 503])
async def test_other_statuses_are_handshake_errors_with_the_status(
    upgrades: Upgrades, status: int
) -> None:
    with pytest.raises(HandshakeError) as failed:
        await _connect(f"{upgrades.base}/status/{status}")
    assert not isinstance(failed.value, AuthenticationError)
    assert str(failed.value) == (
        f"WebSocket handshake with 127.0.0.1 failed: HTTP {status} Invalid response status"
    )
    assert failed.value.status_code == status
    assert SHARED_SESSIONS.users() == 0


@pytest.mark.parametrize(
    ("status", "reason"), [(401, None), (403, None), (500, "Internal Server Error")]
)
async def test_a_caller_session_that_raises_for_status_gets_the_same_errors(
    upgrades: Upgrades, status: int, reason: str | None
) -> None:
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        with pytest.raises(HandshakeError) as failed:
            await _connect(f"{upgrades.base}/status/{status}", client_session=session)
        assert not session.closed
    assert failed.value.status_code == status
    if reason is None:
        assert isinstance(failed.value, AuthenticationError)
        assert str(failed.value).endswith(f"answered HTTP {status}. {AUTH_ADVICE}")
    else:
        assert not isinstance(failed.value, AuthenticationError)
        assert (
            str(failed.value)
            == f"WebSocket handshake with 127.0.0.1 failed: HTTP {status} {reason}"
        )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_every_redirect_status_is_refused_before_it_is_followed(
    upgrades: Upgrades, status: int
) -> None:
    with pytest.raises(RedirectRefusedError) as refused:
        await _connect(f"{upgrades.base}/redirect/{status}")
    assert str(refused.value) == (
        f"the WebSocket handshake answered HTTP {status} with a redirect; voicelive never "
        "follows redirects (credentials must not be forwarded). Use the final endpoint URL "
        "directly."
    )
    assert refused.value.status_code == status
    assert upgrades.upgraded == 0
    assert SHARED_SESSIONS.users() == 0


async def test_a_handshake_timeout_gives_the_session_back(upgrades: Upgrades) -> None:
    with pytest.raises(HandshakeError) as timed_out:
        await _connect(f"{upgrades.base}/hang", connection_options={"handshake_timeout": 0.05})
    assert str(timed_out.value) == "WebSocket handshake with 127.0.0.1 timed out after 0.05 s"
    assert timed_out.value.status_code is None
    assert SHARED_SESSIONS.users() == 0


async def test_a_connect_cancelled_during_the_handshake_gives_the_session_back(
    upgrades: Upgrades,
) -> None:
    task = asyncio.ensure_future(connect(endpoint=f"{upgrades.base}/hang", credential=KEY))
    await asyncio.wait_for(upgrades.arrived.wait(), 10)
    assert SHARED_SESSIONS.users() == 1  # held while the upgrade is in flight
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert SHARED_SESSIONS.users() == 0


async def test_tls_to_a_plain_server_quotes_the_tls_failure() -> None:
    async with MockServer() as server:
        with pytest.raises(ConnectionError) as refused:
            await _connect(f"https://127.0.0.1:{server.port}")
    message = str(refused.value)
    detail = message[message.index(" emulator (") + len(" emulator (") : -1]
    assert message.endswith(")")
    assert "SSL" in detail  # aiohttp's own text of the TLS failure
    assert SHARED_SESSIONS.users() == 0
