"""Where the CLI connects: the in-process emulator, or Azure AI Voice Live.

Rules (the same for ``demo``, ``check`` and ``record``):

* ``--endpoint URL`` or ``AZURE_COGNITIVE_SERVICES_ENDPOINT`` set -> the service at that URL,
  authenticated with ``AZURE_COGNITIVE_SERVICES_KEY`` when set (``api-key`` header), else
  with ``DefaultAzureCredential`` (Microsoft Entra ID).
* otherwise, or with ``--emulator`` -> a :class:`~voicelive.testing.MockServer` started in
  this process on 127.0.0.1 (port chosen by the OS), which needs no account and no network.

Nothing here prints or formats the key or a token; endpoints are shown without user info or
query string (:func:`safe_endpoint`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import AzureKeyCredential

from .._url import is_loopback_host
from ..testing import MockServer
from ._defaults import ENDPOINT_ENV, KEY_ENV

__all__ = [
    "ENDPOINT_ENV",
    "KEY_ENV",
    "Target",
    "TargetError",
    "open_target",
    "safe_endpoint",
]

EMULATOR_KEY = "emulator-key"
"""The key sent to the in-process emulator (it accepts any)."""


class TargetError(Exception):
    """A configuration problem found before connecting (bad endpoint URL, missing package)."""


@dataclass
class Target:
    """A resolved connection target.

    Attributes:
        endpoint: the URL to pass to ``connect(endpoint=...)``.
        credential: the credential to pass to ``connect(credential=...)``.
        emulator: the in-process emulator, or ``None`` when talking to the service.
        auth: how we authenticate, for display (never the secret itself).
    """

    endpoint: str
    credential: Any
    emulator: MockServer | None
    auth: str

    @property
    def is_emulator(self) -> bool:
        """True when talking to the in-process emulator."""
        return self.emulator is not None

    @property
    def kind(self) -> str:
        """``"emulator"`` (in-process), ``"local"`` (another server on loopback) or ``"azure"``."""
        if self.is_emulator:
            return "emulator"
        return "local" if is_loopback_host(urlsplit(self.endpoint).hostname) else "azure"

    @property
    def name(self) -> str:
        """Short name of what we talk to: ``local emulator``, ``Azure AI Voice Live``, ..."""
        return {
            "emulator": "local emulator",
            "local": "local Voice Live server",
            "azure": "Azure AI Voice Live",
        }[self.kind]

    def describe(self) -> str:
        """One human line saying what we talk to."""
        if self.is_emulator:
            return f"the local emulator at {safe_endpoint(self.endpoint)} (in-process, no network)"
        return f"{self.name} at {safe_endpoint(self.endpoint)} ({self.auth})"


def safe_endpoint(endpoint: str) -> str:
    """``endpoint`` without user info, query or fragment (which could carry secrets)."""
    parts = urlsplit(endpoint.strip())
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _as_typed(endpoint: str) -> str:
    """What the user typed, without a query, fragment or user info (which could hold secrets)."""
    text = endpoint.split("?", 1)[0].split("#", 1)[0]
    scheme, sep, rest = text.rpartition("://")
    host, at, tail = rest.partition("/")
    host = host.rpartition("@")[2]
    return f"{scheme}{sep}{host}{'/' if at else ''}{tail}"


def _check_endpoint(endpoint: str) -> str:
    endpoint = endpoint.strip()
    parts = urlsplit(endpoint)
    if "://" not in endpoint:
        typed = _as_typed(endpoint)
        host = urlsplit(f"//{typed}").hostname if typed else None
        scheme = "http" if is_loopback_host(host) else "https"
        hint = f"; did you mean {scheme}://{typed}?" if host and " " not in typed else ""
        raise TargetError(
            f"{ENDPOINT_ENV} / --endpoint must be a URL with a scheme such as "
            f"https://<resource>.services.ai.azure.com (or http://127.0.0.1:<port> for a local "
            f"emulator), got {typed!r}{hint}"
        )
    if parts.scheme.lower() not in {"http", "https", "ws", "wss"} or not parts.hostname:
        raise TargetError(
            f"{ENDPOINT_ENV} / --endpoint must be a URL such as "
            f"https://<resource>.services.ai.azure.com, got {safe_endpoint(endpoint)!r}"
        )
    return endpoint


def _entra_credential() -> Any:
    try:
        from azure.identity.aio import DefaultAzureCredential
    except ImportError as exc:  # pragma: no cover - azure-identity is a runtime dependency
        raise TargetError(
            f"azure-identity is not installed; set {KEY_ENV} or pip install azure-identity"
        ) from exc
    return DefaultAzureCredential()


EmulatorFactory = Callable[[], MockServer]
"""Builds the emulator to start when no endpoint is configured."""


@asynccontextmanager
async def open_target(
    *,
    endpoint: str | None,
    force_emulator: bool = False,
    environ: Mapping[str, str] | None = None,
    emulator_factory: EmulatorFactory = MockServer,
) -> AsyncIterator[Target]:
    """Resolve the target, start the emulator if needed, and clean up afterwards.

    Args:
        endpoint: ``--endpoint`` (``None``: read ``AZURE_COGNITIVE_SERVICES_ENDPOINT``).
        force_emulator: use the emulator even when an endpoint is configured.
        environ: environment to read (default ``os.environ``).
        emulator_factory: builds the emulator (e.g. a recording or replaying one).

    Raises:
        TargetError: the endpoint is not a usable URL.
    """
    env = os.environ if environ is None else environ
    url = None if force_emulator else (endpoint or env.get(ENDPOINT_ENV) or None)
    if url is None:
        server = emulator_factory()
        await server.start()
        try:
            yield Target(server.endpoint, AzureKeyCredential(EMULATOR_KEY), server, "emulator")
        finally:
            await server.stop()
        return
    url = _check_endpoint(url)
    key = env.get(KEY_ENV)
    if key:
        yield Target(url, AzureKeyCredential(key), None, f"API key from {KEY_ENV}")
        return
    credential = _entra_credential()
    try:
        yield Target(url, credential, None, "Microsoft Entra ID via DefaultAzureCredential")
    finally:
        close: Callable[[], Awaitable[None]] | None = getattr(credential, "close", None)
        if close is not None:
            await close()
