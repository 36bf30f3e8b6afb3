"""Endpoint -> WebSocket URL (PROTOCOL.md §1.1). Pure functions, no I/O."""

from __future__ import annotations

import ipaddress
import platform
import sys
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._version import __version__

__all__ = [
    "DEFAULT_API_VERSION",
    "REALTIME_PATH",
    "build_url",
    "is_loopback_host",
    "user_agent",
]

DEFAULT_API_VERSION = "2026-07-15"
"""The api-version sent when the caller gives none (the official SDK 1.3.1 default)."""

REALTIME_PATH = "/voice-live/realtime"
"""Path appended to the endpoint's own path."""

_SCHEMES = {"https": "wss", "http": "ws"}


def user_agent() -> str:
    """The ``User-Agent`` / ``x-ms-client-sdk`` value (``voicelive-python/<v> Python/<v>``)."""
    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"voicelive-python/{__version__} Python/{python} ({platform.platform(terse=True)})"


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_url(
    endpoint: str,
    *,
    api_version: str = DEFAULT_API_VERSION,
    model: str | None = None,
    agent_name: str | None = None,
    project_name: str | None = None,
    agent_version: str | None = None,
    conversation_id: str | None = None,
    authentication_identity_client_id: str | None = None,
    foundry_resource_override: str | None = None,
    query: Mapping[str, object] | None = None,
) -> str:
    """Build the realtime WebSocket URL for ``endpoint``.

    Rules, in order: ``https`` -> ``wss`` and ``http`` -> ``ws`` (other schemes kept); the
    endpoint path without trailing ``/`` plus ``/voice-live/realtime``; query ``api-version``,
    ``x-ms-client-sdk``, ``model`` (when given), the agent parameters, then the caller's
    ``query`` (which may override any of them), then keys already in the endpoint's own query
    that are still unset.

    Raises:
        ValueError: the endpoint has no host, or only one of ``agent_name`` / ``project_name``
            was given (they are required together).
    """
    parts = urlsplit(endpoint.strip())
    if not parts.scheme or not parts.netloc:
        raise ValueError(
            f"endpoint must be an absolute URL such as https://<resource>.services.ai.azure.com, "
            f"got {endpoint!r}"
        )
    if (agent_name is None) != (project_name is None):
        raise ValueError(
            "agent_name and project_name must be given together (Foundry agent mode needs both)"
        )
    scheme = _SCHEMES.get(parts.scheme.lower(), parts.scheme.lower())
    path = parts.path.rstrip("/") + REALTIME_PATH

    params: dict[str, str] = {
        "api-version": api_version,
        "x-ms-client-sdk": user_agent(),
    }
    if model is not None:
        params["model"] = model
    agent_params = {
        "agent-name": agent_name,
        "agent-project-name": project_name,
        "agent-version": agent_version,
        "conversation-id": conversation_id,
        "agent-authentication-identity-client-id": authentication_identity_client_id,
        "foundry-resource-override": foundry_resource_override,
    }
    params.update({key: value for key, value in agent_params.items() if value is not None})
    if query:
        for key, value in query.items():
            params[str(key)] = _query_value(value)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        params.setdefault(key, value)
    return urlunsplit((scheme, parts.netloc, path, urlencode(params), ""))


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
