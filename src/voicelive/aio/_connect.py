"""``connect()``: endpoint + credential -> an open :class:`VoiceLiveConnection`."""

from __future__ import annotations

import ssl as _ssl
from collections.abc import Generator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from yarl import URL

from .._auth import auth_headers, normalize_scopes
from .._protocol import DEFAULT_MAX_MESSAGE_SIZE, Side, VoiceLiveProtocol
from .._url import DEFAULT_API_VERSION, build_url, is_loopback_host, user_agent
from ..exceptions import LocalProtocolError
from . import _hooks
from ._connection import VoiceLiveConnection
from ._transport import ClientTransport, TransportOptions

if TYPE_CHECKING:
    import aiohttp

__all__ = ["WebsocketConnectionOptions", "connect"]

WebsocketConnectionOptions = Mapping[str, Any]
"""``connection_options`` keys (all optional):

* ``max_msg_size`` (int, default 4 MiB): largest incoming frame; bigger ones close with 1009.
* ``heartbeat`` (float seconds, default 30): WebSocket ping interval; ``None`` disables.
* ``compression`` (bool or int window bits, default off): permessage-deflate. Inflated frames
  are still bounded by ``max_msg_size``, so compression cannot be used as a memory bomb.
* ``autoclose`` / ``autoping`` (bool, default True): aiohttp's close and ping handling.
* ``receive_timeout`` (float seconds, default None): ``recv()`` raises
  :class:`~voicelive.exceptions.ReceiveTimeoutError` when nothing arrives for that long.
* ``close_timeout`` (float seconds, default 10): how long ``close()`` waits for the peer.
* ``handshake_timeout`` (float seconds, default None): limit for the HTTP upgrade; ``None``
  means 300 s on voicelive's own aiohttp session (aiohttp's default), or the timeout of a
  ``client_session`` you pass.
* ``timeout`` (float seconds): accepted for code written for the official SDK, which takes
  the key without error (and, in 1.3.1, drops it); here it is the handshake limit when
  ``handshake_timeout`` is not given.
* ``ssl`` (``ssl.SSLContext`` or bool, default True): TLS verification is on by default;
  pass a context for custom CAs. ``False`` disables verification (never do this in production).
* ``allow_insecure_credentials`` (bool, default False): allow sending the key/token over
  plain ``ws://`` to a host that is not loopback.
* ``max_pending_events`` (int, default 1000): bound of the queue of events read by
  ``wait_for()`` but not yet consumed.
* ``vendor_options`` (dict): extra keyword arguments passed to aiohttp's ``ws_connect``.

Unknown keys raise ``TypeError``.
"""

_OPTION_KEYS = frozenset(
    {
        "max_msg_size",
        "heartbeat",
        "compression",
        "autoclose",
        "autoping",
        "receive_timeout",
        "close_timeout",
        "handshake_timeout",
        "timeout",
        "ssl",
        "allow_insecure_credentials",
        "max_pending_events",
        "vendor_options",
    }
)


def _transport_options(
    options: Mapping[str, Any] | None,
) -> tuple[TransportOptions, dict[str, Any]]:
    given = dict(options or {})
    unknown = sorted(set(given) - _OPTION_KEYS)
    if unknown:
        raise TypeError(
            f"unknown connection_options key(s) {unknown}; supported: {sorted(_OPTION_KEYS)}"
        )
    extra = {
        "allow_insecure_credentials": bool(given.pop("allow_insecure_credentials", False)),
        "max_pending_events": int(given.pop("max_pending_events", 1000)),
    }
    ssl_option = given.get("ssl", True)
    if not isinstance(ssl_option, (bool, _ssl.SSLContext)):
        raise TypeError("connection_options['ssl'] must be a bool or an ssl.SSLContext")
    vendor = given.get("vendor_options") or {}
    if not isinstance(vendor, Mapping):
        raise TypeError("connection_options['vendor_options'] must be a mapping")
    timeout = given.pop("timeout", None)
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise TypeError(
            f"connection_options['timeout'] must be a number of seconds, got {timeout!r}"
        )
    handshake_timeout = given.get("handshake_timeout")
    if handshake_timeout is None:
        handshake_timeout = timeout
    options_obj = TransportOptions(
        max_msg_size=int(given.get("max_msg_size", DEFAULT_MAX_MESSAGE_SIZE)),
        heartbeat=given.get("heartbeat", 30.0),
        compression=given.get("compression", False),
        autoclose=bool(given.get("autoclose", True)),
        autoping=bool(given.get("autoping", True)),
        receive_timeout=given.get("receive_timeout"),
        close_timeout=given.get("close_timeout", 10.0),
        handshake_timeout=handshake_timeout,
        ssl=ssl_option,
        vendor_options=dict(vendor),
    )
    return options_obj, extra


class _Connector:
    """What :func:`connect` returns: awaitable *and* an async context manager."""

    def __init__(self, params: dict[str, Any]) -> None:
        self._params = params
        self._connection: VoiceLiveConnection | None = None

    def __await__(self) -> Generator[Any, None, VoiceLiveConnection]:
        return self._open().__await__()

    async def __aenter__(self) -> VoiceLiveConnection:
        self._connection = await self._open()
        return self._connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def _open(self) -> VoiceLiveConnection:
        p = self._params
        options, extra = _transport_options(p["connection_options"])
        url = build_url(
            p["endpoint"],
            api_version=p["api_version"],
            model=p["model"],
            agent_name=p["agent_name"],
            project_name=p["project_name"],
            agent_version=p["agent_version"],
            conversation_id=p["conversation_id"],
            authentication_identity_client_id=p["authentication_identity_client_id"],
            foundry_resource_override=p["foundry_resource_override"],
            query=p["query"],
        )
        parsed = URL(url)
        if (
            parsed.scheme == "ws"
            and not is_loopback_host(parsed.host)
            and not extra["allow_insecure_credentials"]
        ):
            raise LocalProtocolError(
                f"refusing to send credentials over unencrypted ws:// to {parsed.host}; use an "
                "https:// endpoint, or pass connection_options={'allow_insecure_credentials': "
                "True} if you really mean it"
            )
        headers: dict[str, str] = await auth_headers(
            p["credential"], normalize_scopes(p["credential_scopes"])
        )
        caller_headers = p["headers"] or {}
        headers.update({str(k): str(v) for k, v in caller_headers.items()})
        if not any(key.lower() == "user-agent" for key in headers):
            headers["User-Agent"] = user_agent()
        transport = await ClientTransport.open(url, headers, options, session=p["client_session"])
        protocol = VoiceLiveProtocol(Side.CLIENT, max_message_size=options.max_msg_size)
        connection = VoiceLiveConnection(
            transport,
            protocol,
            host=parsed.host or "",
            model=p["model"],
            max_pending_events=extra["max_pending_events"],
        )
        if _hooks.OPEN_HOOKS:  # hooks (e.g. voicelive.telemetry.instrument()); see _hooks.py
            info = _hooks.ConnectionInfo(
                parsed.host or "", parsed.port, p["model"], p["api_version"], p["agent_name"]
            )
            _hooks.notify_opened(connection, info)
        return connection


def connect(
    *,
    endpoint: str,
    credential: Any,
    model: str | None = None,
    api_version: str = DEFAULT_API_VERSION,
    agent_name: str | None = None,
    project_name: str | None = None,
    agent_version: str | None = None,
    conversation_id: str | None = None,
    authentication_identity_client_id: str | None = None,
    foundry_resource_override: str | None = None,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    connection_options: WebsocketConnectionOptions | None = None,
    credential_scopes: str | Sequence[str] | None = None,
    client_session: aiohttp.ClientSession | None = None,
) -> _Connector:
    """Open a Voice Live realtime WebSocket.

    Use it as ``async with connect(...) as conn:`` or ``conn = await connect(...)`` (then
    ``await conn.close()``).

    Args:
        endpoint: ``https://<resource>.services.ai.azure.com`` (``http://`` for a local
            emulator; a ``wss://`` URL is used as is).
        credential: ``AzureKeyCredential`` (``api-key`` header) or a token credential,
            async or sync (``Authorization: Bearer``; a sync one runs off the event loop).
        model: the model deployment (required except in Foundry agent mode).
        api_version: defaults to ``2026-07-15``.
        agent_name: Foundry agent name (agent mode; requires ``project_name``).
        project_name: Foundry project name (agent mode; requires ``agent_name``).
        agent_version: optional agent version.
        conversation_id: optional agent conversation to continue.
        authentication_identity_client_id: optional identity the agent authenticates as.
        foundry_resource_override: optional Foundry resource to use instead.
        query: extra query parameters (they may override the ones set above).
        headers: extra handshake headers (merged over the authentication header).
        connection_options: WebSocket options, see :data:`WebsocketConnectionOptions`.
        credential_scopes: token scope(s); default ``https://ai.azure.com/.default``.
        client_session: an ``aiohttp.ClientSession`` to use; it is not closed by voicelive.

    Raises:
        TypeError: unknown ``connection_options`` key or unsupported credential.
        ValueError: bad endpoint, or only one of ``agent_name`` / ``project_name``.
        AuthenticationError: the service refused the credentials (401/403).
        RedirectRefusedError, HandshakeError, ConnectionError: the upgrade failed.
    """
    return _Connector(
        {
            "endpoint": endpoint,
            "credential": credential,
            "model": model,
            "api_version": api_version,
            "agent_name": agent_name,
            "project_name": project_name,
            "agent_version": agent_version,
            "conversation_id": conversation_id,
            "authentication_identity_client_id": authentication_identity_client_id,
            "foundry_resource_override": foundry_resource_override,
            "query": query,
            "headers": headers,
            "connection_options": connection_options,
            "credential_scopes": credential_scopes,
            "client_session": client_session,
        }
    )
