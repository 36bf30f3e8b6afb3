"""connect(): URL, headers, credentials, options, handshake failures (real loopback)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from azure.core.credentials import AccessToken, AzureKeyCredential

from shared_support import serve_app
from voicelive._url import user_agent
from voicelive.aio import ConnectionError, VoiceLiveConnection, connect
from voicelive.exceptions import (
    AuthenticationError,
    HandshakeError,
    LocalProtocolError,
    RedirectRefusedError,
)
from voicelive.testing import MockServer

KEY = AzureKeyCredential("test-key")


class AsyncCred:
    async def get_token(self, *scopes: str) -> AccessToken:
        self.scopes = scopes
        return AccessToken("async-tok", 0)


class SyncCred:
    def get_token(self, *scopes: str) -> AccessToken:
        self.scopes = scopes
        self.thread = threading.current_thread()
        return AccessToken("sync-tok", 0)


async def test_key_auth_url_and_headers() -> None:
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime") as conn:
            assert isinstance(conn, VoiceLiveConnection)
            seen = await server.wait_for_connection()
    assert seen.path == "/voice-live/realtime"
    assert seen.query == {
        "api-version": "2026-07-15",
        "x-ms-client-sdk": user_agent(),
        "model": "gpt-realtime",
    }
    assert seen.headers["api-key"] == "test-key"
    assert seen.headers["User-Agent"] == user_agent()
    assert "Authorization" not in seen.headers


async def test_async_token_credential_sends_bearer_with_default_scope() -> None:
    cred = AsyncCred()
    async with MockServer() as server, connect(endpoint=server.endpoint, credential=cred):
        seen = await server.wait_for_connection()
    assert seen.headers["Authorization"] == "Bearer async-tok"
    assert "api-key" not in seen.headers
    assert cred.scopes == ("https://ai.azure.com/.default",)


async def test_sync_token_credential_runs_in_a_thread_with_custom_scopes() -> None:
    cred = SyncCred()
    async with (
        MockServer() as server,
        connect(
            endpoint=server.endpoint,
            credential=cred,
            credential_scopes="https://cognitiveservices.azure.com/.default",
        ),
    ):
        seen = await server.wait_for_connection()
    assert seen.headers["Authorization"] == "Bearer sync-tok"
    assert cred.scopes == ("https://cognitiveservices.azure.com/.default",)
    assert cred.thread is not threading.main_thread()


async def test_agent_parameters_extra_query_and_headers() -> None:
    async with (
        MockServer() as server,
        connect(
            endpoint=server.endpoint + "/sub/",
            credential=KEY,
            api_version="2026-01-01-preview",
            agent_name="agent",
            project_name="proj",
            agent_version="2",
            conversation_id="conv",
            authentication_identity_client_id="cid",
            foundry_resource_override="res2",
            query={"features": "client_ec_reference:true"},
            headers={"x-custom": "1", "user-agent": "mine/1.0"},
        ),
    ):
        seen = await server.wait_for_connection()
    assert seen.path == "/sub/voice-live/realtime"
    assert seen.query["api-version"] == "2026-01-01-preview"
    assert seen.query["agent-name"] == "agent"
    assert seen.query["agent-project-name"] == "proj"
    assert seen.query["agent-version"] == "2"
    assert seen.query["conversation-id"] == "conv"
    assert seen.query["agent-authentication-identity-client-id"] == "cid"
    assert seen.query["foundry-resource-override"] == "res2"
    assert seen.query["features"] == "client_ec_reference:true"
    assert "model" not in seen.query
    assert seen.headers["x-custom"] == "1"
    assert seen.headers["User-Agent"] == "mine/1.0"


async def test_await_form_and_close() -> None:
    async with MockServer() as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY)
        assert not conn.closed
        await conn.close()
        assert conn.closed


async def test_agent_name_without_project_is_value_error() -> None:
    with pytest.raises(ValueError, match="together"):
        await connect(endpoint="http://127.0.0.1:1", credential=KEY, agent_name="a")


async def test_unknown_keyword_and_option_are_type_errors() -> None:
    with pytest.raises(TypeError):
        connect(endpoint="http://127.0.0.1:1", credential=KEY, nonsense=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unknown connection_options"):
        await connect(
            endpoint="http://127.0.0.1:1", credential=KEY, connection_options={"heartbeet": 5}
        )


async def test_timeout_option_is_accepted_and_checked() -> None:
    async with MockServer() as server:
        conn = await connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"timeout": 30}
        )
        await conn.close()
    with pytest.raises(TypeError, match="number of seconds"):
        await connect(
            endpoint="http://127.0.0.1:1", credential=KEY, connection_options={"timeout": "30"}
        )


async def test_401_is_authentication_error_without_the_key() -> None:
    async with MockServer(api_key="right-key") as server:
        with pytest.raises(AuthenticationError) as info:
            await connect(endpoint=server.endpoint, credential=AzureKeyCredential("wrong-key-123"))
    assert info.value.status_code == 401
    assert "authentication failed" in str(info.value)
    assert "wrong-key-123" not in str(info.value)
    assert "wrong-key-123" not in repr(info.value)


async def test_right_key_is_accepted() -> None:
    async with MockServer(api_key="right-key") as server:
        async with connect(endpoint=server.endpoint, credential=AzureKeyCredential("right-key")):
            pass


@pytest.fixture
async def http_app() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A plain aiohttp app: /redirect answers 307 to /target, /500 fails, /target records."""
    hits: list[dict[str, str]] = []

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(location="/target/voice-live/realtime")

    async def target(request: web.Request) -> web.StreamResponse:
        hits.append(dict(request.headers))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.close()
        return ws

    async def fail(request: web.Request) -> web.Response:
        return web.Response(status=503, text="busy")

    routes = {
        "/redirect/voice-live/realtime": redirect,
        "/target/voice-live/realtime": target,
        "/fail/voice-live/realtime": fail,
    }
    async with serve_app(routes) as url:
        yield url, hits


async def test_redirect_is_refused_and_credentials_never_follow(
    http_app: tuple[str, list[dict[str, str]]],
) -> None:
    base, hits = http_app
    with pytest.raises(RedirectRefusedError) as info:
        await connect(endpoint=base + "/redirect", credential=AzureKeyCredential("secret-k"))
    assert info.value.status_code == 307
    assert hits == []


async def test_redirect_refused_with_caller_session_too(
    http_app: tuple[str, list[dict[str, str]]],
) -> None:
    base, hits = http_app
    async with aiohttp.ClientSession() as session:
        with pytest.raises(RedirectRefusedError):
            await connect(endpoint=base + "/redirect", credential=KEY, client_session=session)
        assert hits == []
        # The caller's session still works for its own requests and is not closed by us.
        assert not session.closed
        async with session.get(base + "/redirect/voice-live/realtime", allow_redirects=False) as r:
            assert r.status == 307


async def test_caller_session_is_not_closed() -> None:
    async with MockServer() as server, aiohttp.ClientSession() as session:
        async with connect(endpoint=server.endpoint, credential=KEY, client_session=session):
            pass
        assert not session.closed


async def test_other_handshake_failure_carries_status(
    http_app: tuple[str, list[dict[str, str]]],
) -> None:
    base, _ = http_app
    with pytest.raises(HandshakeError) as info:
        await connect(endpoint=base + "/fail", credential=KEY)
    assert info.value.status_code == 503
    assert not isinstance(info.value, AuthenticationError)


async def test_unreachable_endpoint_is_connection_error() -> None:
    with pytest.raises(ConnectionError, match="could not connect"):
        await connect(endpoint="http://127.0.0.1:9", credential=KEY)


async def test_plain_ws_to_remote_host_is_refused_unless_opted_in() -> None:
    with pytest.raises(LocalProtocolError, match="unencrypted"):
        await connect(endpoint="http://voicelive.invalid", credential=KEY)


@pytest.mark.parametrize("key", ["handshake_timeout", "timeout"])
async def test_handshake_timeout_is_honoured(key: str) -> None:
    import asyncio

    answer = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await answer.wait()  # the upgrade is answered only after the client gave up
        return web.Response(status=500)

    async with serve_app(slow) as url:
        with pytest.raises(HandshakeError, match="timed out"):
            await connect(endpoint=url, credential=KEY, connection_options={key: 0.2})
        answer.set()


async def test_connections_share_one_session_per_loop_and_the_last_closes_it() -> None:
    from voicelive.aio._transport import SHARED_SESSIONS

    async with MockServer() as server:
        assert SHARED_SESSIONS.users() == 0
        first = await connect(endpoint=server.endpoint, credential=KEY)
        second = await connect(endpoint=server.endpoint, credential=KEY)
        assert SHARED_SESSIONS.users() == 2
        await first.close()
        assert SHARED_SESSIONS.users() == 1
        await second.response.cancel()  # the shared session still works for the other one
        await second.close()
        assert SHARED_SESSIONS.users() == 0
        # Failed handshakes release their reference too.
        with pytest.raises(ConnectionError):
            await connect(endpoint="http://127.0.0.1:9", credential=KEY)
        assert SHARED_SESSIONS.users() == 0


async def test_more_than_100_concurrent_connections_do_not_wait_for_a_pool_slot() -> None:
    async with MockServer() as server:
        conns = await asyncio.wait_for(
            asyncio.gather(
                *(connect(endpoint=server.endpoint, credential=KEY) for _ in range(120))
            ),
            20,
        )
        try:
            assert len({id(c) for c in conns}) == 120
        finally:
            await asyncio.gather(*(c.close() for c in conns))


async def test_closing_twice_releases_the_shared_session_once() -> None:
    from voicelive.aio._transport import SHARED_SESSIONS

    async with MockServer() as server:
        keep = await connect(endpoint=server.endpoint, credential=KEY)
        twice = await connect(endpoint=server.endpoint, credential=KEY)
        await twice.close()
        await twice.close()
        assert SHARED_SESSIONS.users() == 1
        await keep.response.cancel()
        third = await connect(endpoint=server.endpoint, credential=KEY)
        await third.close()
        await keep.close()
        assert SHARED_SESSIONS.users() == 0
