"""Credentials -> handshake headers (PROTOCOL.md §1.2).

``AzureKeyCredential`` becomes the ``api-key`` header; any token credential (async or sync,
from azure-core / azure-identity) becomes ``Authorization: Bearer <token>``. A sync
credential's ``get_token`` may block on the network, so it runs in a worker thread, never on
the event loop. Nothing here logs or formats a secret.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Sequence
from typing import Any

from azure.core.credentials import AzureKeyCredential

__all__ = ["DEFAULT_SCOPE", "auth_headers", "normalize_scopes"]

DEFAULT_SCOPE = "https://ai.azure.com/.default"
"""Token scope used when ``credential_scopes`` is not given."""


def normalize_scopes(credential_scopes: str | Sequence[str] | None) -> list[str]:
    """``None`` -> the default scope; a string -> a one-item list; a sequence -> a list."""
    if credential_scopes is None:
        return [DEFAULT_SCOPE]
    if isinstance(credential_scopes, str):
        return [credential_scopes]
    scopes = [str(scope) for scope in credential_scopes]
    if not scopes:
        raise ValueError("credential_scopes must name at least one scope")
    return scopes


async def auth_headers(credential: Any, scopes: Sequence[str]) -> dict[str, str]:
    """The authentication header for ``credential``.

    Raises:
        TypeError: ``credential`` is neither an ``AzureKeyCredential`` nor a token credential.
    """
    if isinstance(credential, AzureKeyCredential):
        return {"api-key": credential.key}
    get_token = getattr(credential, "get_token", None)
    if get_token is None or not callable(get_token):
        raise TypeError(
            "credential must be an azure.core.credentials.AzureKeyCredential or a token "
            "credential with get_token() (e.g. azure.identity.aio.DefaultAzureCredential), "
            f"got {type(credential).__name__}"
        )
    if inspect.iscoroutinefunction(get_token):
        token = await get_token(*scopes)
    else:
        # A sync credential may do blocking network I/O: keep it off the event loop.
        token = await asyncio.to_thread(get_token, *scopes)
        if inspect.isawaitable(token):  # a sync-looking wrapper that returns an awaitable
            token = await token
    return {"Authorization": f"Bearer {token.token}"}
