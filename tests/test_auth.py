"""Credentials -> headers (PROTOCOL.md §1.2)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from azure.core.credentials import AccessToken, AzureKeyCredential

from voicelive._auth import DEFAULT_SCOPE, auth_headers, normalize_scopes


class SyncCredential:
    def __init__(self) -> None:
        self.scopes: tuple[str, ...] = ()
        self.thread: threading.Thread | None = None

    def get_token(self, *scopes: str) -> AccessToken:
        self.scopes = scopes
        self.thread = threading.current_thread()
        return AccessToken("sync-token", 0)


class AsyncCredential:
    def __init__(self) -> None:
        self.scopes: tuple[str, ...] = ()

    async def get_token(self, *scopes: str) -> AccessToken:
        self.scopes = scopes
        return AccessToken("async-token", 0)


async def test_key_credential_uses_api_key_header() -> None:
    assert await auth_headers(AzureKeyCredential("k1"), [DEFAULT_SCOPE]) == {"api-key": "k1"}


async def test_async_token_credential_gets_bearer_with_scopes() -> None:
    cred = AsyncCredential()
    headers = await auth_headers(cred, ["s1", "s2"])
    assert headers == {"Authorization": "Bearer async-token"}
    assert cred.scopes == ("s1", "s2")


async def test_sync_token_credential_runs_off_the_event_loop() -> None:
    cred = SyncCredential()
    headers = await auth_headers(cred, [DEFAULT_SCOPE])
    assert headers == {"Authorization": "Bearer sync-token"}
    assert cred.scopes == (DEFAULT_SCOPE,)
    assert cred.thread is not None
    assert cred.thread is not threading.main_thread()
    assert asyncio.get_running_loop() is not None


async def test_unsupported_credential_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="AzureKeyCredential"):
        await auth_headers("plain-string-key", [DEFAULT_SCOPE])


def test_scopes_normalization() -> None:
    assert normalize_scopes(None) == ["https://ai.azure.com/.default"]
    assert normalize_scopes("x") == ["x"]
    assert normalize_scopes(("a", "b")) == ["a", "b"]
    with pytest.raises(ValueError, match="at least one"):
        normalize_scopes([])
