"""``PhoneServer``: the aiohttp.web app behind ``voicelive phone serve``.

Routes:

* ``POST /twilio/voice`` -- Twilio's voice webhook: checks ``X-Twilio-Signature``, issues a
  one-time stream token and answers TwiML ``<Connect><Stream url="wss://.../twilio/media">``
  with the token as a ``<Parameter>``.
* ``GET /twilio/media`` -- the Twilio Media Streams WebSocket (the token is checked on
  ``start``).
* ``GET /acs/media`` -- the ACS media-streaming WebSocket (the Call Automation JWT is checked
  before the upgrade).
* ``POST /acs/incoming`` -- the Event Grid webhook: the subscription validation handshake,
  and ``Microsoft.Communication.IncomingCall`` answered with bidirectional media streaming.
* ``POST /acs/callbacks`` -- Call Automation mid-call events (logged).

Without credentials for a provider its routes are served on loopback only: a server bound
to another address with no credentials at all moves to 127.0.0.1 and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from .._logging import get_logger
from ..exceptions import VoiceLiveError
from ._acs import AcsTokenVerifier
from ._agent import PhoneAgent
from ._bridge import CallBridge, CallEnded, ConnectionFactory, serve_call
from ._errors import MissingExtraError, StreamRefusedError
from ._providers import (
    CALLER_PARAMETER,
    TOKEN_PARAMETER,
    AcsProvider,
    PhoneStart,
    TwilioProvider,
    mask_number,
)
from ._twilio import twilio_connect_twiml, validate_twilio_signature

__all__ = ["AcsAnswer", "PhoneServer", "PhoneServerConfig", "acs_answer_with_sdk"]

_log = get_logger("telephony.server")

AcsAnswer = Callable[[str, str, str], Awaitable[None]]
"""``answer(incoming_call_context, callback_url, media_url)``: answers an ACS call."""


@dataclass
class PhoneServerConfig:
    """Credentials and public address.

    Attributes:
        public_url: the server's public base URL (``https://bot.example.com``), used for
            the TwiML stream URL and for Twilio signature checks behind a proxy. ``None``:
            taken from each request.
        twilio_auth_token: the Twilio account's auth token (enables signature checks).
        acs_resource_id: the ACS resource's immutable id (the media JWT's audience).
        acs_jwks: the ACS signing keys (JWKS dict) instead of fetching them (tests).
        acs_connection_string: answers incoming calls (``azure-communication-callautomation``).
        acs_webhook_secret: required as ``?secret=`` on ``/acs/incoming`` when set.
        acs_sample_rate: 24000 or 16000 (the ACS audio format asked for when answering).
        token_ttl: seconds a Twilio stream token stays valid.
        twilio_mark_ms: assistant audio between two Twilio marks (see
            :class:`~voicelive.telephony.TwilioProvider`); 20 marks every frame.
    """

    public_url: str | None = None
    twilio_auth_token: str | None = None
    acs_resource_id: str | None = None
    acs_jwks: Mapping[str, Any] | None = None
    acs_connection_string: str | None = None
    acs_webhook_secret: str | None = None
    acs_sample_rate: int = 24000
    token_ttl: float = 30.0
    twilio_mark_ms: int = 100

    def __post_init__(self) -> None:
        if self.twilio_mark_ms <= 0:
            raise ValueError(
                f"twilio_mark_ms must be positive (100: a mark about every 100 ms of audio; "
                f"20: one after every frame), got {self.twilio_mark_ms}"
            )

    def __repr__(self) -> str:
        return (
            f"PhoneServerConfig(public_url={self.public_url!r}, "
            f"twilio={'set' if self.twilio_auth_token else 'none'}, "
            f"acs={'set' if self.acs_resource_id else 'none'})"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _ws_frames(ws: web.WebSocketResponse) -> AsyncIterator[str | bytes]:
    receive = ws.receive  # not ``async for msg in ws``: one coroutine less per frame
    while True:
        msg = await receive()
        if msg.type == WSMsgType.TEXT or msg.type == WSMsgType.BINARY:
            yield msg.data
        else:
            return  # close, closing, closed or error: the phone side ended


def acs_answer_with_sdk(
    connection_string: str, sample_rate: int = 24000, **client_options: Any
) -> AcsAnswer:
    """An :data:`AcsAnswer` using ``azure-communication-callautomation`` (extra ``acs``).

    ``client_options`` go to ``CallAutomationClient.from_connection_string`` (e.g.
    ``connection_verify`` for a private CA).
    """
    try:
        from azure.communication.callautomation import (
            AudioFormat,
            MediaStreamingAudioChannelType,
            MediaStreamingContentType,
            MediaStreamingOptions,
            StreamingTransportType,
        )
        from azure.communication.callautomation.aio import CallAutomationClient
    except ImportError:
        raise MissingExtraError(
            "azure-communication-callautomation", "acs", "Answering ACS calls"
        ) from None

    async def answer(context: str, callback_url: str, media_url: str) -> None:
        options = MediaStreamingOptions(
            transport_url=media_url,
            transport_type=StreamingTransportType.WEBSOCKET,
            content_type=MediaStreamingContentType.AUDIO,
            audio_channel_type=MediaStreamingAudioChannelType.MIXED,
            start_media_streaming=True,
            enable_bidirectional=True,
            enable_dtmf_tones=True,
            audio_format=(
                AudioFormat.PCM24_K_MONO if sample_rate == 24000 else AudioFormat.PCM16_K_MONO
            ),
        )
        client = CallAutomationClient.from_connection_string(connection_string, **client_options)
        async with client:
            await client.answer_call(context, callback_url, media_streaming=options)

    return answer


class PhoneServer:
    """The phone front end: ``async with PhoneServer(agent, open_connection) as server:``.

    Args:
        agent: the agent on every call.
        open_connection: opens Voice Live for a call (see :data:`ConnectionFactory`).
        config: credentials and public URL.
        host, port: where to listen (``port=0`` picks a free one).
        acs_answer: answers ACS incoming calls (default: the SDK, when a connection
            string is configured).
        clock: the bridges' monotonic clock.

    Attributes:
        calls: every bridge started, in order.
        ended: how each call (or refused stream) ended, in order.
    """

    def __init__(
        self,
        agent: PhoneAgent,
        open_connection: ConnectionFactory,
        *,
        config: PhoneServerConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 8080,
        acs_answer: AcsAnswer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.agent = agent
        self.config = config or PhoneServerConfig()
        self._open = open_connection
        self._clock = clock
        cfg = self.config
        if not (cfg.twilio_auth_token or cfg.acs_resource_id) and not _is_loopback(host):
            _log.warning(
                "no Twilio auth token and no ACS resource id: listening on 127.0.0.1 only "
                "(anyone reaching %s could spend Voice Live minutes)",
                host,
            )
            host = "127.0.0.1"
        self.host = host
        self.port = port
        self.loopback_only = _is_loopback(host)
        self._verifier = (
            AcsTokenVerifier(cfg.acs_resource_id, jwks=cfg.acs_jwks)
            if cfg.acs_resource_id
            else None
        )
        if acs_answer is None and cfg.acs_connection_string:
            acs_answer = acs_answer_with_sdk(cfg.acs_connection_string, cfg.acs_sample_rate)
        self._acs_answer = acs_answer
        self._tokens: dict[str, float] = {}
        self.calls: list[CallBridge] = []
        self.ended: list[CallEnded] = []
        self.app = web.Application()
        self.app.add_routes(
            [
                web.post("/twilio/voice", self._twilio_voice),
                web.get("/twilio/media", self._twilio_media),
                web.get("/acs/media", self._acs_media),
                web.post("/acs/incoming", self._acs_incoming),
                web.post("/acs/callbacks", self._acs_callbacks),
            ]
        )
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._call_ended = asyncio.Condition()

    def __repr__(self) -> str:
        return f"<PhoneServer {self.host}:{self.port} calls={len(self.calls)}>"

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Start listening."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        server = self._site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and end the calls in progress."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> PhoneServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def wait_ended(self, count: int) -> list[CallEnded]:
        """Wait until ``count`` calls (or refused streams) have ended."""
        async with self._call_ended:
            await self._call_ended.wait_for(lambda: len(self.ended) >= count)
        return self.ended[:count]

    async def _record(self, ended: CallEnded) -> None:
        async with self._call_ended:
            self.ended.append(ended)
            self._call_ended.notify_all()

    # ------------------------------------------------------------------ helpers

    def _public_base(self, request: web.Request) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        return f"{request.scheme}://{request.host}"

    def _remote_allowed(self, request: web.Request, secured: bool) -> bool:
        return secured or _is_loopback(request.remote or "")

    def issue_token(self) -> str:
        """A one-time stream token (valid ``token_ttl`` seconds)."""
        now = time.monotonic()
        for token, expiry in list(self._tokens.items()):
            if expiry < now:
                del self._tokens[token]
        token = secrets.token_urlsafe(24)
        self._tokens[token] = now + self.config.token_ttl
        return token

    def _check_token(self, start: PhoneStart) -> None:
        expiry = self._tokens.pop(start.token or "", None)
        if expiry is None or expiry < time.monotonic():
            raise StreamRefusedError("unknown or expired stream token")

    async def _bridge_ws(
        self, ws: web.WebSocketResponse, provider: Any, check: Any, label: str
    ) -> None:
        ended: CallEnded
        try:
            ended = await serve_call(
                provider,
                _ws_frames(ws),
                open_connection=self._open,
                agent=self.agent,
                send_phone=ws.send_str,
                check_token=check,
                on_bridge=self.calls.append,
                clock=self._clock,
            )
        except VoiceLiveError as exc:  # Voice Live unreachable, refused, closed early
            _log.warning("%s call failed: %s: %s", label, type(exc).__name__, exc)
            ended = CallEnded("server", f"bridge failed: {type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug; still, a call's failure never takes the server down
            _log.exception("%s call failed", label)
            ended = CallEnded("server", f"bridge failed: {type(exc).__name__}: {exc}")
        code = 1008 if ended.by == "refused" else 1000
        # the phone side learns that the bridge failed, not the internal details
        reason = "bridge failed" if ended.reason.startswith("bridge failed") else ended.reason
        with contextlib.suppress(Exception):
            await ws.close(code=code, message=reason[:120].encode())
        await self._record(ended)

    # ------------------------------------------------------------------ Twilio

    async def _twilio_voice(self, request: web.Request) -> web.StreamResponse:
        token = self.config.twilio_auth_token
        if not self._remote_allowed(request, token is not None):
            return web.Response(status=403, text="not configured for remote callers")
        params = {k: str(v) for k, v in (await request.post()).items()}
        if token is not None:
            url = self._public_base(request) + request.path_qs
            signature = request.headers.get("X-Twilio-Signature")
            if not validate_twilio_signature(token, url, params, signature):
                _log.warning("Twilio webhook refused: bad X-Twilio-Signature")
                return web.Response(status=403, text="invalid X-Twilio-Signature")
        caller = params.get("From")
        _log.info("Twilio call %s from %s", params.get("CallSid", "?"), mask_number(caller))
        base = self._public_base(request)
        media = (
            "wss://" + base.split("://", 1)[1]
            if base.startswith("https")
            else ("ws://" + base.split("://", 1)[1])
        )
        parameters = {TOKEN_PARAMETER: self.issue_token()}
        if caller:
            parameters[CALLER_PARAMETER] = caller
        twiml = twilio_connect_twiml(media + "/twilio/media", parameters)
        return web.Response(text=twiml, content_type="text/xml")

    async def _twilio_media(self, request: web.Request) -> web.StreamResponse:
        if not self._remote_allowed(request, self.config.twilio_auth_token is not None):
            return web.Response(status=403, text="not configured for remote callers")
        ws = web.WebSocketResponse(max_msg_size=1 << 20)
        await ws.prepare(request)
        provider = TwilioProvider(mark_ms=self.config.twilio_mark_ms)
        await self._bridge_ws(ws, provider, self._check_token, "Twilio")
        return ws

    # ------------------------------------------------------------------ ACS

    async def _acs_media(self, request: web.Request) -> web.StreamResponse:
        if self._verifier is not None:
            try:
                await self._verifier.verify_async(request.headers.get("Authorization"))
            except StreamRefusedError as exc:
                _log.warning("ACS media socket refused: %s", exc.reason)
                await self._record(CallEnded("refused", exc.reason))
                return web.Response(status=401, text=exc.reason)
        elif not _is_loopback(request.remote or ""):
            return web.Response(status=403, text="not configured for remote callers")
        ws = web.WebSocketResponse(max_msg_size=1 << 20)
        await ws.prepare(request)
        provider = AcsProvider(call_id=request.headers.get("x-ms-call-connection-id", ""))
        await self._bridge_ws(ws, provider, None, "ACS")
        return ws

    def _secret_ok(self, request: web.Request) -> bool:
        secret = self.config.acs_webhook_secret
        if secret is None:
            return self._remote_allowed(request, self._verifier is not None)
        return hmac.compare_digest(request.query.get("secret", ""), secret)

    async def _acs_incoming(self, request: web.Request) -> web.StreamResponse:
        if not self._secret_ok(request):
            return web.Response(status=403, text="bad or missing secret")
        try:
            events = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="body is not JSON")
        if isinstance(events, dict):
            events = [events]
        if not isinstance(events, list):
            return web.Response(status=400, text="expected an Event Grid event array")
        base = self._public_base(request)
        for event in events:
            if not isinstance(event, dict):
                continue
            kind = event.get("eventType")
            data = event.get("data") or {}
            if kind == "Microsoft.EventGrid.SubscriptionValidationEvent":
                code = data.get("validationCode")
                if not isinstance(code, str):
                    return web.Response(status=400, text="validation event without a code")
                return web.json_response({"validationResponse": code})
            if kind == "Microsoft.Communication.IncomingCall":
                caller = ((data.get("from") or {}).get("phoneNumber") or {}).get("value")
                _log.info("ACS incoming call from %s", mask_number(caller))
                if self._acs_answer is None:
                    _log.warning("ACS incoming call not answered: no ACS connection string")
                    continue
                context = data.get("incomingCallContext")
                if not isinstance(context, str):
                    return web.Response(status=400, text="IncomingCall without a context")
                ws_base = "wss://" + base.split("://", 1)[1]
                await self._acs_answer(context, base + "/acs/callbacks", ws_base + "/acs/media")
        return web.Response(status=200)

    async def _acs_callbacks(self, request: web.Request) -> web.StreamResponse:
        if self._verifier is not None:
            try:
                await self._verifier.verify_async(request.headers.get("Authorization"))
            except StreamRefusedError as exc:
                return web.Response(status=401, text=exc.reason)
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            for event in await request.json() or []:
                if isinstance(event, dict):
                    _log.info("ACS call event %s", event.get("type") or event.get("eventType"))
        return web.Response(status=200)
